"""Finds exercises for a reader's query: synonyms, relevance order, typos, hints."""

import bisect
from collections import Counter
from functools import cached_property
from itertools import islice, product

from django.core.paginator import Paginator
from rapidfuzz import fuzz, process

from .cache import PerContentVersion
from .models import MAX_SYNONYM_TERM_WORDS, Exercise, Muscle, SearchSynonym
from .search import joined, search_words
from .search_index import SearchIndex

# Every word is looked up in the index: longer queries are cut.
MAX_QUERY_WORDS = 8
# Only short queries also try each pair of adjacent words joined ("push up"
# finds "Pushups"); the joined pairs of names are stored ("pushup" finds
# "Push-Up").
MAX_WORDS_TO_JOIN = 5
MAX_SYNONYM_SPELLINGS = 4
# Shorter words are never corrected: too many names are one letter away.
MIN_CORRECTED_LENGTH = 4
# rapidfuzz scores, 0 to 100.
CORRECTION_CUTOFF = 75
SUGGESTION_CUTOFF = 60
SUGGESTIONS = 3


def synonym_table():
    """{term words: [meaning words, ...]} from the editors' list of synonyms."""
    table = {}
    for term, meaning in SearchSynonym.objects.values_list("term", "meaning"):
        words, meaning_words = tuple(search_words(term)), tuple(search_words(meaning))
        if words and meaning_words and len(words) <= MAX_SYNONYM_TERM_WORDS:
            table.setdefault(words, []).append(meaning_words)
    return table


def synonym_spellings(words, table):
    """The words with every known term replaced by its meanings ("rdl" →
    "romanian deadlift"); one spelling for each combination of meanings."""
    pieces, start, replaced = [], 0, False
    while start < len(words):
        for length in range(min(MAX_SYNONYM_TERM_WORDS, len(words) - start), 0, -1):
            meanings = table.get(words[start : start + length])
            if meanings:
                pieces.append(meanings)
                start += length
                replaced = True
                break
        else:
            pieces.append([words[start : start + 1]])
            start += 1
    if not replaced:
        return []
    choices = islice(product(*pieces), MAX_SYNONYM_SPELLINGS)
    return [tuple(word for piece in choice for word in piece) for choice in choices]


def with_joined_pairs(words):
    """The words, then the words with each adjacent pair joined."""
    variants = [words]
    if len(words) <= MAX_WORDS_TO_JOIN:
        for i in range(len(words) - 1):
            variants.append(words[:i] + (joined(*words[i : i + 2]),) + words[i + 2 :])
    return variants


class Query:
    """A reader's search: its words, and the spellings that count as a match."""

    def __init__(self, text, synonyms=None, catalogue=None):
        """synonyms: the catalogue's unless given (tests give their own)."""
        self.text = " ".join(text.split())
        self.words = tuple(search_words(self.text)[:MAX_QUERY_WORDS])
        self._catalogue = catalogue
        if self.words and synonyms is None:
            synonyms = self.catalogue.synonyms
        self.synonyms = synonyms or {}
        spellings = [self.words, *synonym_spellings(self.words, self.synonyms)]
        variants = [v for spelling in spellings for v in with_joined_pairs(spelling)]
        # Unique, in order.
        self.variants = list(dict.fromkeys(v for v in variants if v))

    @property
    def catalogue(self):
        # Read once per query: without Redis each read asks the database for
        # the content version.
        if self._catalogue is None:
            self._catalogue = current_catalogue()
        return self._catalogue

    def __bool__(self):
        return bool(self.words)

    def __str__(self):
        return self.text

    def page(self, exercises, number, per_page, filtered=False):
        """One page of the matching exercises, most relevant first, with the
        paginator over all of them; all exercises in their own order for an
        empty query.

        exercises: the published exercises, narrowed by the reader's filters
        when filtered is true. The index (see exercises.search_index) finds
        and ranks the matches; the database gives the filtered ones' keys, if
        any, and the rows of the page.
        """
        if not self:
            return Paginator(exercises, per_page).get_page(number)
        ranked = self.catalogue.index.ranked(self.variants)
        if filtered:
            allowed = set(exercises.values_list("pk", flat=True))
            ranked = [pk for pk in ranked if pk in allowed]
        page = Paginator(ranked, per_page).get_page(number)
        rows = exercises.in_bulk(page.object_list)
        # A row deleted since the index was read is left out.
        page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
        return page

    def corrected(self):
        """The query with misspelt words replaced by the closest words of our
        names ("sqaut" → "squat"), or None when no word needed correcting."""
        names = self.catalogue.names
        terms = {word for term in self.synonyms for word in term}
        words = [
            word if word in terms else names.correct(word) or word
            for word in self.words
        ]
        if tuple(words) == self.words:
            return None
        return Query(" ".join(words), self.synonyms, self.catalogue)

    def suggestions(self):
        """The closest exercise names, for "Did you mean …"."""
        return self.catalogue.names.closest(" ".join(self.words))


class Catalogue:
    """What a search reads, as of one content version: the published
    exercises' index, the editors' synonyms and, when a search found nothing,
    the names to correct and suggest from."""

    def __init__(self):
        self.exercises = list(
            Exercise.objects.published()
            .order_by()
            .values_list(
                "pk", "name", "slug", "search_text", "search_names", "reviewed_on"
            )
        )
        self.index = SearchIndex(
            (pk, name, search_text, search_names, reviewed_on is not None)
            for pk, name, _, search_text, search_names, reviewed_on in self.exercises
        )
        self.synonyms = synonym_table()

    @cached_property
    def names(self):
        return Names(
            [(name, slug, names) for _, name, slug, _, names, _ in self.exercises],
            Muscle.objects.values_list("name", flat=True),
        )


# One per process, read again after any change to the content.
_catalogue = PerContentVersion(Catalogue)


def current_catalogue():
    return _catalogue.get()


class Names:
    """Names and aliases of exercises, for correcting words and suggesting."""

    def __init__(self, exercises, muscle_names):
        """exercises: (name, slug, search_names) of each."""
        self.exercises = exercises
        counts = Counter()
        for _, _, search_names in self.exercises:
            counts.update(search_names.replace("|", " ").replace("#", " ").split())
        for name in muscle_names:
            counts.update(search_words(name))
        self.counts = counts
        self.words = sorted(counts)
        # Each name's words as searched ("barbell hip thrust"), for suggestions.
        self.plain_names = [
            search_names.split(" |", 1)[0] for _, _, search_names in self.exercises
        ]

    def is_known_start(self, word):
        """Some word of the names starts with this one (a search would match)."""
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i].startswith(word)

    def correct(self, word):
        """The closest known word to a misspelt one, the commoner on a tie;
        None for a word that needs no correction or has no close neighbour."""
        if len(word) < MIN_CORRECTED_LENGTH or self.is_known_start(word):
            return None
        candidates = process.extract(
            word,
            self.words,
            scorer=fuzz.ratio,
            score_cutoff=CORRECTION_CUTOFF,
            limit=5,
        )
        if not candidates:
            return None
        best, _, _ = max(candidates, key=lambda c: (c[1], self.counts[c[0]]))
        return best

    def closest(self, text):
        """[(name, slug), ...]: the exercises whose names are closest to text.

        Shared words count first (token_set_ratio), then closeness of the
        whole name (token_sort_ratio), so "cable hip thrust" offers "Barbell
        Hip Thrust" before "Cable Shrug".
        """
        candidates = process.extract(
            text, self.plain_names, scorer=fuzz.token_set_ratio, limit=SUGGESTIONS * 10
        )
        scored = [
            ((score + fuzz.token_sort_ratio(text, choice)) / 2, index)
            for choice, score, index in candidates
        ]
        scored.sort(key=lambda pair: (-pair[0], self.exercises[pair[1]][0]))
        return [
            self.exercises[index][:2]
            for score, index in scored[:SUGGESTIONS]
            if score >= SUGGESTION_CUTOFF
        ]
