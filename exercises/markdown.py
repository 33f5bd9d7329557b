"""The one Markdown renderer: every public page and the admin preview use it.

Python-Markdown has inputs that take it quadratic time or deep recursion (many
unclosed "[", long runs of "*", lists or quotes nested hundreds deep). Text
that could do that is refused where it is written (markdown_problems() runs
in the model's validation, the importer and the preview) and rendered as
plain paragraphs if it reaches a page anyway. Within the limits below, the
worst texts found (bench/markdown_bench.py, docs/performance.md) as long as
the longest Markdown field render in under 40 ms of CPU. Rendered HTML is
kept per source text, so a page never renders the same Markdown twice.
"""

import hashlib
import logging
import re
import threading
from collections import OrderedDict

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["tables", "sane_lists", "fenced_code"]
# An image whose src was removed is invalid HTML; drop it.
SITE_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*")
IMAGE_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")

# Limits on what Python-Markdown is given (see markdown_problems()).
# Quotes, list markers and 4-space indents in front of one line.
MAX_NESTING = 8
# "[" and "(" inside one another.
MAX_BRACKET_DEPTH = 8
# For each "[" or "(", the characters up to the one that closes it, or to the
# end of the paragraph when none does: the link parser scans that far.
MAX_BRACKET_SCAN = 20_000
# Markup the parser works on, each costing it tens of µs: the characters that
# start inline markup, code fences, table cells and headings, each quote, list
# marker and indent in front of a line, and each paragraph. "[", "<", "|"
# (links, HTML, table cells) and the line prefixes cost about twice the others
# and count twice.
INLINE_MARKUP = re.compile(r"[*_`~\\&!#]")
HEAVY_MARKUP = re.compile(r"[\[<|]")
MAX_MARKUP = 700
# Each paragraph (or other block) costs about as much as two of those.
PARAGRAPH_WEIGHT = 2
# Two spaces at the end of a line: a <br>, one more inline match.
HARD_LINE_BREAK = re.compile(r"  \n")
# Horizontal rules and setext heading underlines ("===", "---"): the parser
# splits the paragraph at each and parses the rest again, so one costs it in
# proportion to the paragraph's length.
RULE_OR_UNDERLINE = re.compile(r"[ ]{0,3}(?:=+|-+|(?:[*_-][ \t]*){3,})[ \t]*")
RULE_WEIGHT = 10
# For each "<" that may start an HTML tag, the characters up to the next ">",
# or to the end when none follows: the HTML parser scans that far.
TAG_START = re.compile(r"<[A-Za-z/!?]")
MAX_TAG_SCAN = 20_000
# "*" or "_" in a row, outside a horizontal rule: longer runs nest emphasis.
MAX_EMPHASIS_RUN = 3

CONTAINER = re.compile(r"(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|\t|[ ]{4})")
EMPHASIS_RUN = re.compile(
    rf"\*{{{MAX_EMPHASIS_RUN + 1},}}|_{{{MAX_EMPHASIS_RUN + 1},}}"
)
RULE_LINE = re.compile(r"[ ]{0,3}([*_-])(?:[ \t]*\1){2,}[ \t]*")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _line_depth(line):
    """Containers in front of the line's text: quotes, list markers, indents."""
    depth, position = 0, 0
    while True:
        while line.startswith(" ", position) and not line.startswith("    ", position):
            position += 1
        match = CONTAINER.match(line, position)
        if not match:
            return depth
        depth += 1
        position = match.end()


def _bracket_problems(text):
    """Deepest nesting of [ and (, and the characters the link parser scans."""
    deepest, scan = 0, 0
    for paragraph in PARAGRAPH_BREAK.split(text):
        open_at = []
        for match in re.finditer(r"[\[\]()]", paragraph):
            char, position = match.group(), match.start()
            if char in "[(":
                open_at.append(position)
                deepest = max(deepest, len(open_at))
            elif open_at:
                scan += position - open_at.pop()
        scan += sum(len(paragraph) - position for position in open_at)
    return deepest, scan


def _tag_scan(text):
    scan = 0
    for match in TAG_START.finditer(text):
        end = text.find(">", match.start())
        scan += (len(text) if end == -1 else end) - match.start()
    return scan


def markdown_problems(text):
    """Why Python-Markdown might be slow or fail on this text: a list of
    messages for the editor, empty when the text is fine. Linear in the text."""
    # Line breaks as Python-Markdown reads them: a lone CR is one too.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    problems = []
    lines = text.split("\n")
    markup = (
        len(INLINE_MARKUP.findall(text))
        + 2 * len(HEAVY_MARKUP.findall(text))
        + PARAGRAPH_WEIGHT * len(PARAGRAPH_BREAK.findall(text))
        + len(HARD_LINE_BREAK.findall(text))
    )
    # Code fences are checked like the rest: a fence that is never closed is
    # no code block, and its lines are parsed as Markdown.
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # a blank line, however indented
        if RULE_OR_UNDERLINE.fullmatch(line):
            markup += RULE_WEIGHT
        depth = _line_depth(line)
        markup += 2 * depth
        if depth > MAX_NESTING and not RULE_LINE.fullmatch(line):
            problems.append(
                f"Line {number} is nested more than {MAX_NESTING} deep (quotes, "
                "list items and indents). Flatten it."
            )
            break
    for number, line in enumerate(lines, start=1):
        if EMPHASIS_RUN.search(line) and not RULE_LINE.fullmatch(line):
            problems.append(
                f"Line {number} has more than {MAX_EMPHASIS_RUN} * or _ in a row. "
                "Use at most three (***bold italic***)."
            )
            break
    deepest, scan = _bracket_problems(text)
    if deepest > MAX_BRACKET_DEPTH:
        problems.append(
            f"Brackets [ ] or ( ) are nested more than {MAX_BRACKET_DEPTH} deep."
        )
    if scan > MAX_BRACKET_SCAN:
        problems.append(
            "Too many brackets [ ] or ( ) are left open, or stay open too long. "
            "Close each one in the paragraph where it opens."
        )
    if _tag_scan(text) > MAX_TAG_SCAN:
        problems.append(
            "Too many < left without a closing >. Write &lt; for a < in the text."
        )
    if markup > MAX_MARKUP:
        problems.append(
            "Too much markup: paragraphs, line breaks, links, emphasis, lists, "
            "table cells, headings, rules and the characters "
            "* _ ` ~ \\ & < [ ! | # count. Use less, or split the text."
        )
    return problems


def validate_markdown(text):
    problems = markdown_problems(text)
    if problems:
        raise ValidationError(problems, code="markdown")


def site_images_only(tag, attribute, value):
    """Images come from this site (uploads): the policy allows no others, and
    an image from elsewhere would tell that site who reads the page."""
    if tag == "img" and attribute == "src":
        # Browsers read "\\" as "/" and drop tabs and newlines: "/\\host/x"
        # and "/\t/host/x" go to another host. Plain site paths only.
        is_site_path = SITE_PATH.fullmatch(value) and not value.startswith("//")
        return value if is_site_path else None
    return value


class HeadingLevels(markdown.treeprocessors.Treeprocessor):
    """The page title is the only h1: Markdown's "#" headings start at h2.

    (Python-Markdown's toc extension can do this, but it also makes each
    heading a unique id, in time quadratic in the number of headings; the
    sanitizer removes ids anyway.)
    """

    LEVELS = {f"h{n}": f"h{min(n + 1, 6)}" for n in range(1, 7)}

    def run(self, root):
        for element in root.iter():
            if element.tag in self.LEVELS:
                element.tag = self.LEVELS[element.tag]


class HeadingLevelsExtension(markdown.Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(HeadingLevels(md), "heading_levels", 0)


class RenderedCache:
    """The last rendered HTML, by a digest of its source, up to max_bytes.

    In the process: a hit costs a hash, not a network round trip, and rendered
    Markdown is the same wherever it was rendered.
    """

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
            return html

    def set(self, key, html):
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = html
            self.size += len(html)
            while self.size > self.max_bytes and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.size = 0


rendered = RenderedCache(max_bytes=16 * 1024 * 1024)


def _render(text):
    html = markdown.markdown(
        text,
        extensions=[*EXTENSIONS, HeadingLevelsExtension()],
        output_format="html",
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        # nh3 would keep rel on a link whose unsafe href it removed, which is
        # invalid HTML; we allow no target attribute, so rel is not needed.
        link_rel=None,
        attribute_filter=site_images_only,
    )
    return IMAGE_WITHOUT_SRC.sub("", clean)


def render_markdown(text):
    """Render Markdown source to sanitized HTML, safe to put in a page."""
    text = text or ""
    key = hashlib.blake2b(text.encode(errors="surrogatepass"), digest_size=16).digest()
    html = rendered.get(key)
    if html is None:
        if markdown_problems(text):
            # Saved before the limits, or past them (loaddata checks nothing):
            # the words still show, as plain paragraphs.
            logger.warning("Markdown over the limits shown as plain text")
            html = linebreaks(escape(text))
        else:
            try:
                html = _render(text)
            except RecursionError:
                # Not known to happen within the limits; a page must not fail.
                logger.exception("Markdown too deep to render, shown as plain text")
                html = linebreaks(escape(text))
        rendered.set(key, html)
    return mark_safe(html)
