"""Search normalisation: how names, aliases, summaries and queries become words."""

import re
import unicodedata


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
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
