"""Which published exercises match a search, and in what order, from memory.

Matching each word of a query in SQL (search_text LIKE '% word%') reads and
compares every row: at 10,000 exercises that alone took about 17 ms of a
search, and ranking the matches in SQL about 9 more (bench/search_bench.py).
Here every test is a lookup in a sorted list of strings (the strings that
start with a query word are one range of it) that gives a set of exercises;
matching and ranking are operations on those sets.

exercises.finder keeps one index per process and reads it again after any
change to the content (exercises.cache.PerContentVersion), so a search sees an
edit as soon as a cached page does.
"""

import bisect
from collections import defaultdict

# Sorts after every string that starts with the same letters.
LAST_CHARACTER = "\U0010ffff"


class Strings:
    """Sorted strings, each with the exercises (their positions) that have it."""

    def __init__(self, positions_by_string):
        self.strings = sorted(positions_by_string)
        self.positions = [positions_by_string[s] for s in self.strings]

    def equal_to(self, string):
        start = bisect.bisect_left(self.strings, string)
        if start < len(self.strings) and self.strings[start] == string:
            return set(self.positions[start])
        return set()

    def starting_with(self, prefix):
        start = bisect.bisect_left(self.strings, prefix)
        end = bisect.bisect_left(self.strings, prefix + LAST_CHARACTER, lo=start)
        found = set()
        for positions in self.positions[start:end]:
            found.update(positions)
        return found

    def matching(self, variants):
        """The exercises that, for at least one variant (a tuple of words),
        have a string starting with each of its words."""
        found, by_word = set(), {}
        for variant in variants:
            matches = None
            for word in variant:
                if word not in by_word:
                    by_word[word] = self.starting_with(word)
                matches = by_word[word] if matches is None else matches & by_word[word]
                if not matches:
                    break
            found |= matches
        return found


def collect(pairs):
    positions = defaultdict(list)
    for string, position in pairs:
        positions[string].append(position)
    return Strings(positions)


def names_of(search_names):
    """ " push up | press up |# pushup" → "pushup", ["pressup"]: the name and
    the aliases, without spaces (see exercises.search.search_fields)."""
    names = search_names.partition("#")[0].split("|")[:-1]
    compact = [name.replace(" ", "") for name in names]
    return compact[0], compact[1:]


class SearchIndex:
    def __init__(self, exercises):
        """exercises: (pk, name, search_text, search_names, reviewed) of each."""
        # An exercise's position is its place in the last tie-break: reviewed
        # articles first, then alphabetical.
        exercises = sorted(
            exercises, key=lambda e: (not e[4], e[1].casefold(), e[1], e[0])
        )
        self.pks = [pk for pk, *_ in exercises]
        texts = [search_text for _, _, search_text, _, _ in exercises]
        names = [names_of(search_names) for _, _, _, search_names, _ in exercises]
        # Every word of the name, aliases, summary and joined pairs.
        self.words = collect(
            (word, position)
            for position, text in enumerate(texts)
            for word in set(text.split())
        )
        # Every word of the name, aliases and joined pairs.
        self.name_words = collect(
            (word, position)
            for position, (_, _, _, search_names, _) in enumerate(exercises)
            for word in set(search_names.split()) - {"|", "|#"}
        )
        self.names = collect((name, p) for p, (name, _) in enumerate(names))
        self.aliases = collect(
            (alias, p) for p, (_, aliases) in enumerate(names) for alias in aliases
        )

    def ranked(self, variants):
        """Primary keys of the matching exercises, most relevant first: exact
        name, then name prefix, then alias, then words of the names, else the
        lead (summary), for the best of the variants; reviewed first on a tie,
        then alphabetical.

        Names and aliases compare without spaces, the variants' words joined:
        "push up", "push-up" and "pushup" are the same name.
        """
        matches = self.words.matching(variants)
        if not matches:
            return []
        joined = list(dict.fromkeys("".join(variant) for variant in variants))
        levels = [
            set().union(*(self.names.equal_to(name) for name in joined)),
            set().union(*(self.names.starting_with(name) for name in joined)),
            set().union(*(self.aliases.starting_with(name) for name in joined)),
            self.name_words.matching(variants),
        ]
        ranked, left = [], matches
        for level in levels:
            found = left & level
            ranked += sorted(found)
            left = left - found
        ranked += sorted(left)
        return [self.pks[position] for position in ranked]
