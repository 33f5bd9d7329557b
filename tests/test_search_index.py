"""The in-memory search index on its own: matching and ranking, no database."""

from exercises.finder import Query
from exercises.search import search_fields
from exercises.search_index import SearchIndex, names_of


def index_of(*exercises):
    """exercises: (pk, name, aliases, summary, reviewed)."""
    rows = []
    for pk, name, aliases, summary, reviewed in exercises:
        search_text, search_names = search_fields(name, aliases, summary)
        rows.append((pk, name, search_text, search_names, reviewed))
    return SearchIndex(rows)


def ranked(index, text):
    return index.ranked(Query(text, synonyms={}).variants)


def test_names_of_splits_the_name_from_the_aliases():
    _, search_names = search_fields("Push-Up", "Press Up, Floor press", "")
    assert names_of(search_names) == ("pushup", ["pressup", "floorpress"])


def test_words_match_from_their_start_only():
    index = index_of((1, "Curl", "", "", False), (2, "Barbell Press", "", "", False))
    assert ranked(index, "cur") == [1]
    assert ranked(index, "url") == []
    assert ranked(index, "bar pre") == [2]
    assert ranked(index, "bar curl") == []


def test_every_word_of_one_spelling_must_match():
    index = index_of(
        (1, "Push-Up", "", "", False),
        (2, "Push Press", "", "Up and over the head.", False),
        (3, "Step-Up", "", "", False),
    )
    # "push up": the words, or the joined pair "pushup".
    assert ranked(index, "push up") == [1, 2]
    assert ranked(index, "pushup") == [1]


def test_relevance_levels_then_reviewed_then_alphabetical():
    index = index_of(
        (1, "Box Jump", "", "Ends like a calf raise.", False),
        (2, "Ankle Hop", "", "Springy, like a calf raise.", True),
        (3, "Seated Calf Raise", "", "", False),
        (4, "Heel Lift", "Calf raise on a wall", "", False),
        (5, "Calf Raise on a Step", "", "", False),
        (6, "Calf Raise", "", "", False),
        (7, "Alpha Calf Raise", "", "", False),
    )
    assert ranked(index, "Calf Raises") == [6, 5, 4, 7, 3, 2, 1]


def test_alphabetical_order_ignores_case():
    index = index_of(
        (1, "zottman curl", "", "", False),
        (2, "Barbell Curl", "", "", False),
        (3, "alternating Curl", "", "", False),
    )
    assert ranked(index, "curl") == [3, 2, 1]


def test_nothing_to_index_finds_nothing():
    assert ranked(index_of(), "curl") == []
