"""Finds exercises for a reader's query: synonyms, relevance order, typos, hints."""

import bisect
from collections import Counter
from functools import reduce
from itertools import islice, product
from operator import and_, or_

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Replace
from rapidfuzz import fuzz, process

from .models import MAX_SYNONYM_TERM_WORDS, Exercise, Muscle, SearchSynonym
from .search import joined, search_words

# Every word adds conditions to the database query: longer queries are cut.
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

# Relevance, best first.
EXACT_NAME, NAME_PREFIX, ALIAS, NAME_WORDS, LEAD = range(5)


def reviewed_first():
    """Ordering that puts reviewed articles first, once Exercise has reviewed_on."""
    field_names = {field.name for field in Exercise._meta.get_fields()}
    if "reviewed_on" not in field_names:
        return []
    return [
        Case(
            When(reviewed_on__isnull=False, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ]


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


def every(conditions):
    return reduce(and_, conditions)


def any_of(conditions):
    return reduce(or_, conditions)


class Query:
    """A reader's search: its words, and the spellings that count as a match."""

    def __init__(self, text, synonyms=None):
        self.text = " ".join(text.split())
        self.words = tuple(search_words(self.text)[:MAX_QUERY_WORDS])
        if self.words and synonyms is None:
            synonyms = synonym_table()
        self.synonyms = synonyms or {}
        spellings = [self.words, *synonym_spellings(self.words, self.synonyms)]
        variants = [v for spelling in spellings for v in with_joined_pairs(spelling)]
        # Unique, in order.
        self.variants = list(dict.fromkeys(v for v in variants if v))

    def __bool__(self):
        return bool(self.words)

    def __str__(self):
        return self.text

    def results(self, exercises):
        """The exercises that match, most relevant first; all of them, by name,
        for an empty query."""
        if not self:
            return exercises
        matching = any_of(
            every(Q(search_text__contains=f" {word}") for word in variant)
            for variant in self.variants
        )
        return (
            exercises.filter(matching)
            .alias(
                names_compact=Replace(
                    F("search_names"), Value(" "), Value(""), output_field=TextField()
                ),
                relevance=self.relevance(),
            )
            .order_by("relevance", *reviewed_first(), "name")
        )

    def page(self, exercises, number, per_page):
        """One page of results, with the paginator over all of them.

        The ranked ids of every match come in one query, which also gives the
        count; ordering by relevance reads every match anyway, so a separate
        COUNT would scan the catalogue a second time.
        """
        if not self:
            return Paginator(exercises, per_page).get_page(number)
        ids = list(self.results(exercises).values_list("pk", flat=True))
        page = Paginator(ids, per_page).get_page(number)
        rows = exercises.in_bulk(page.object_list)
        page.object_list = [rows[pk] for pk in page.object_list]
        return page

    def relevance(self):
        """Exact name, then name prefix, then alias, then words of the names,
        else the lead (summary), for the best of the query's variants.

        search_names is " name | alias | alias |# joined pairs" (see
        exercises.search.search_fields); without spaces, "push up", "push-up"
        and "pushup" compare equal.
        """
        compact = list(dict.fromkeys("".join(variant) for variant in self.variants))
        return Case(
            When(
                any_of(Q(names_compact__startswith=f"{c}|") for c in compact),
                then=Value(EXACT_NAME),
            ),
            When(
                any_of(Q(names_compact__startswith=c) for c in compact),
                then=Value(NAME_PREFIX),
            ),
            When(
                any_of(Q(names_compact__contains=f"|{c}") for c in compact),
                then=Value(ALIAS),
            ),
            When(
                any_of(
                    every(Q(search_names__contains=f" {word}") for word in variant)
                    for variant in self.variants
                ),
                then=Value(NAME_WORDS),
            ),
            default=Value(LEAD),
            output_field=IntegerField(),
        )

    def corrected(self, names):
        """The query with misspelt words replaced by the closest words of our
        names ("sqaut" → "squat"), or None when no word needed correcting."""
        terms = {word for term in self.synonyms for word in term}
        words = [
            word if word in terms else names.correct(word) or word
            for word in self.words
        ]
        if tuple(words) == self.words:
            return None
        return Query(" ".join(words), synonyms=self.synonyms)

    def suggestions(self, names):
        """The closest exercise names, for "Did you mean …"."""
        return names.closest(" ".join(self.words))


# (what the names were read from, Names): reused while no exercise or muscle
# has changed; see published_names().
_names = (None, None)


def published_names():
    """Names of all published exercises, read again only after a change.

    Needed only when a search found nothing. Two small aggregate queries tell
    whether anything changed: a save updates `updated`, a deletion the count.
    Results never come from here, only corrections and suggestions, so a
    change a moment old costs at most a less apt suggestion.
    """
    global _names
    published = Exercise.objects.published()
    signature = (
        published.aggregate(count=Count("pk"), last=Max("updated")),
        Muscle.objects.aggregate(count=Count("pk"), last=Max("updated")),
    )
    seen, names = _names
    if seen != signature:
        names = Names(published)
        _names = (signature, names)
    return names


class Names:
    """Names and aliases of exercises, for correcting words and suggesting."""

    def __init__(self, exercises):
        self.exercises = list(exercises.values_list("name", "slug", "search_names"))
        counts = Counter()
        for _, _, search_names in self.exercises:
            counts.update(search_names.replace("|", " ").replace("#", " ").split())
        for name in Muscle.objects.values_list("name", flat=True):
            counts.update(search_words(name))
        self.counts = counts
        self.words = sorted(counts)

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
        choices = [
            search_names.split(" |", 1)[0] for _, _, search_names in self.exercises
        ]
        candidates = process.extract(
            text, choices, scorer=fuzz.token_set_ratio, limit=SUGGESTIONS * 10
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
