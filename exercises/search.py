"""Search normalisation: how names, aliases, summaries and queries become words."""

import re
import unicodedata
from itertools import pairwise


def search_words(text):
    """Lower-case, accent-free words in the singular.

    Both the stored search text and the reader's query go through this, so
    "Glute kickback" finds "Leg Kickbacks", "bench presses" finds "Bench Press"
    and "Presse" finds "Pressé".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [singular(word) for word in re.findall(r"\w+", plain)]


def singular(word):
    """English plurals, roughly: flies, presses, crunches, kickbacks."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def spaced(words):
    """Each word after a space, so that " word" matches the start of a word."""
    return "".join(f" {word}" for word in words)


def joined(first, second):
    """Two words as one: "push", "ups" → "pushup"."""
    return singular(first + second)


def joined_pairs(words):
    """["push", "up", "wide"] → ["pushup", "upwide"]: "pushup" finds "Push-Up"."""
    return [joined(first, second) for first, second in pairwise(words)]


def search_fields(name, aliases, summary):
    """(search_text, search_names) of an exercise.

    search_text: every word of the name, aliases and summary, then the joined
    pairs of the name and aliases; a query must match it.
    search_names: " name | alias | alias |#" and the joined pairs, for ranking:
    the name comes first, each name or alias ends with " |", and the joined
    pairs sit after "#", where no alias test reaches them.
    """
    names = [search_words(name)]
    names += [search_words(alias) for alias in aliases.split(",") if alias.strip()]
    pairs = [pair for words in names for pair in joined_pairs(words)]
    all_name_words = [word for words in names for word in words]
    search_text = spaced(all_name_words + search_words(summary) + pairs)
    search_names = "".join(f"{spaced(words)} |" for words in names)
    return search_text, f"{search_names}#{spaced(pairs)}"
