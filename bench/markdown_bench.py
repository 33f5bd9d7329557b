"""How long the Markdown renderer takes on hostile text, within and past its limits.

    .venv/bin/python bench/markdown_bench.py [--fuzz N]

For each kind of hostile text, the worst variant that markdown_problems()
still accepts, as long as the longest Markdown field allows, is rendered
without the rendered-HTML cache (min and max of 5 runs, wall and CPU time).
Texts past the limits are only checked, never rendered: the time shown is the
check's. --fuzz N also renders N random texts made of markup characters and
prints the slowest. The load average is printed first: on a shared machine,
compare CPU times.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from exercises.markdown import (  # noqa: E402
    MAX_BRACKET_DEPTH,
    MAX_NESTING,
    _render,
    markdown_problems,
)
from exercises.models import Exercise, Muscle  # noqa: E402

CAP = max(
    field.max_length
    for field in [
        Exercise._meta.get_field("explanation"),
        Exercise._meta.get_field("takeaway"),
        Muscle._meta.get_field("description"),
    ]
)
WORDS = ["the", "hip", "extends", "as", "glute", "contracts", "and", "knee", "bends"]


def prose(length, seed=0):
    rng = random.Random(seed)
    out, size = [], 0
    while size < length:
        sentence = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)[:length]


def fill(unit, count=None, length=CAP, sep=""):
    """unit repeated count times (or as often as fits), padded with prose."""
    if count is None:
        count = length // (len(unit) + len(sep))
    text = sep.join([unit] * count)
    return (text + "\n\n" + prose(length))[:length]


def nested_list(depth):
    return "".join("    " * level + "- item\n" for level in range(depth))


def nested_quote_list(depth):
    return "".join("> - " * (level // 2) + "a\n" for level in range(depth * 2))


def most_accepted(unit, sep="", head=""):
    """head, then unit repeated as often as markdown_problems() still accepts,
    padded with prose to the longest field."""
    low, high = 0, CAP // (len(unit) + len(sep))
    while low < high:
        middle = (low + high + 1) // 2
        if markdown_problems(head + fill(unit, middle, sep=sep)):
            high = middle - 1
        else:
            low = middle
    return (head + fill(unit, low, sep=sep))[:CAP]


def cases():
    d = MAX_NESTING
    yield "prose", prose(CAP)
    yield "open [ (scan at limit)", most_accepted("[" * MAX_BRACKET_DEPTH + "a" * 100)
    yield "open ( (scan at limit)", most_accepted("(" * MAX_BRACKET_DEPTH + "a" * 100)
    yield "[a] references", most_accepted("[a]")
    yield "[a](b) links", most_accepted("[a](b) ")
    yield "![a](/a.png) images", most_accepted("![a](/a.png) ")
    yield "[^a] footnote-like", most_accepted("[^a] ")
    yield "[ nested to the limit", most_accepted("[" * d + "a" + "](b)" * d + " ")
    yield "( nested to the limit", most_accepted("(" * d + "a" + ")" * d + " ")
    yield "*a emphasis", most_accepted("*a")
    yield "***a*** bold italic", most_accepted("***a*** ")
    yield "_a_ emphasis", most_accepted("_a_ ")
    yield "\\ escapes", most_accepted("\\a")
    yield "&amp; entities", most_accepted("&amp;")
    yield "<a unclosed tags", most_accepted("<a ")
    yield "<a unclosed, far apart", most_accepted("<a " + "b" * 200)
    yield "<b>a</b> tags", most_accepted("<b>a</b>")
    yield "<http://a> autolinks", most_accepted("<http://a> ")
    yield "` code spans", most_accepted("`a` ")
    yield "- flat list", most_accepted("- a\n")
    yield "lists nested to the limit", most_accepted(nested_list(d), sep="\n")
    yield "> quotes nested to the limit", most_accepted(">" * d + " a\n")
    yield "> - quote/list mixed", most_accepted(nested_quote_list(d // 2), sep="\n")
    yield "table", most_accepted("| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n")
    yield "table rows", most_accepted("| 1 | 2 |\n", head="| a | b |\n|---|---|\n")
    yield "*** rules", most_accepted("***\n")
    yield "headings", most_accepted("## Heading\n")
    yield "setext underlines", most_accepted("=\n")
    yield "paragraphs", most_accepted("\n\na")
    yield "hard line breaks", most_accepted("a  \n")
    yield "list items between CRs", most_accepted("- \r")
    yield "--- rules in one paragraph", most_accepted("---\n")
    yield "fenced code", most_accepted("```\ndef f(x):\n    return [x, (x + 1)]\n```\n")
    yield "``` unclosed fences", most_accepted("```\n")
    yield "~~~ unclosed fences", most_accepted("~~~\n")
    yield "~~~ fences", most_accepted("~~~\nx\n")


REFUSED = [
    ("5,000 [", "[" * 5000),
    ("50,000 [", "[" * 50000),
    ("**×1000 x **×1000", "**" * 1000 + "x" + "**" * 1000),
    ("list nested 250 deep", nested_list(250)),
    ("> × 5,000", ">" * 5000 + " a"),
    ("'- ' × 500", "- " * 500 + "a"),
    ("[a]( × 3,000", "[a](" * 3000),
    ("<a × 5,000", "<a " * 5000),
    ("[^ × 3,000", "[^" * 3000),
    ("=\\n × 5,000 (setext)", "=\n" * 5000),
    ("---\\n × 2,500", "---\n" * 2500),
    ("~~~\\n × 2,500", "~~~\n" * 2500),
    ("- \\r × 3,333", "- \r" * 3333),
    ("\\n\\na × 3,333 (paragraphs)", "\n\na" * 3333),
    ("> - mixed 250 deep", nested_quote_list(250)),
]


def timed(function, text, runs=5):
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function(text)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), max(walls), min(cpus), max(cpus)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fuzz", type=int, default=0)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"longest Markdown field: {CAP} characters")
    _render(prose(1000))  # load the extensions
    print(
        f"\n{'accepted, rendered':34} {'len':>6} {'wall ms min/max':>16} {'cpu ms':>14}"
    )
    worst = 0.0
    for name, text in cases():
        problems = markdown_problems(text)
        if problems:
            print(f"{name:34} {len(text):6}  REFUSED: {problems[0]}")
            continue
        wall_min, wall_max, cpu_min, cpu_max = timed(_render, text)
        worst = max(worst, cpu_min)
        print(
            f"{name:34} {len(text):6} {wall_min * 1000:7.1f} {wall_max * 1000:7.1f}"
            f" {cpu_min * 1000:6.1f} {cpu_max * 1000:6.1f}"
        )
    print(f"slowest accepted case: {worst * 1000:.1f} ms CPU (min of 5 runs)")

    print(f"\n{'refused, only checked':34} {'len':>6} {'check ms':>9}")
    for name, text in REFUSED:
        problems = markdown_problems(text)
        wall = timed(markdown_problems, text)[0]
        verdict = "refused" if problems else "ACCEPTED"
        print(f"{name:34} {len(text):6} {wall * 1000:9.2f}  {verdict}")

    if args.fuzz:
        # Random mixes of Markdown fragments, hostile ones included, cut to
        # the longest prefix that the check still accepts: texts at the limits.
        rng = random.Random(1)
        fragments = [
            "[", "]", "(", ")", "[a](b)", "![a](/a.png)", "*", "**", "_", "`",
            "\\", "&amp;", "&#", "<a ", "<b>", "</b>", "<http://a>", "<!--",
            "> ", "- ", "1. ", "    ", "\t", "\n", "\n\n", "| a ", "|---",
            "## ", "```", "word ", "text and more text ", "***", "---\n",
        ]  # fmt: skip
        slowest = (0.0, "")
        for _ in range(args.fuzz):
            text = "".join(rng.choice(fragments) for _ in range(CAP // 3))[:CAP]
            low, high = 0, len(text)
            while low < high:
                middle = (low + high + 1) // 2
                if markdown_problems(text[:middle]):
                    high = middle - 1
                else:
                    low = middle
            text = text[:low]
            cpu = timed(_render, text, runs=1)[2]
            slowest = max(slowest, (cpu, text))
        print(
            f"\nfuzz: {args.fuzz} random mixes, each the longest accepted prefix; "
            f"slowest {slowest[0] * 1000:.1f} ms CPU ({len(slowest[1])} characters)"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
