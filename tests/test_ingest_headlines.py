"""ingest.headlines: duplicated headline fragments are cut, mentions of the headline are kept."""

from __future__ import annotations

import pytest

from ingest.headlines import (
    CLEANERS,
    HeadlineContext,
    clean_headlines,
    drop_glued_headlines,
    drop_link_labels,
    drop_repeated_title,
    key,
    strip_site_name,
    strip_title_lead_in,
)

TITLE = "Harbour bridge reopens after repairs"
FIRST = "The harbour bridge reopened to traffic on Thursday morning, the council said."
PREV = "Council approves budget for the coming year"
NEXT = "Tram line extension opens to passengers"
CTX = HeadlineContext(title=TITLE, other_headlines=(PREV, NEXT))


def test_rules_listed_in_order() -> None:
    """CLEANERS names every headline rule once."""
    assert set(CLEANERS) == {
        drop_link_labels,
        drop_glued_headlines,
        drop_repeated_title,
        strip_title_lead_in,
    }


@pytest.mark.parametrize(
    "repeat",
    [
        TITLE,  # exact
        TITLE.upper(),  # changed case
        "Harbour bridge reopens after repairs.",  # punctuation
        "Harbour bridge: reopens — after repairs!",  # other punctuation
        "EXCLUSIVE: Harbour bridge reopens after repairs",  # kicker
        "Local | Harbour bridge reopens after repairs",  # section kicker
    ],
)
def test_repeated_headline_dropped_once(repeat: str) -> None:
    """A headline repeated as the first paragraph is removed once."""
    assert clean_headlines([repeat, FIRST, "Second."], CTX) == [FIRST, "Second."]


def test_lead_in_cut_from_first_paragraph() -> None:
    """'Headline The story starts...' keeps only the story."""
    assert clean_headlines([f"{TITLE} {FIRST}"], CTX) == [FIRST]
    assert clean_headlines([f"{TITLE.upper()} — {FIRST}"], CTX) == [FIRST]


def test_lead_in_before_a_bracket() -> None:
    """'Headline (note...)' keeps the bracketed note."""
    assert clean_headlines([f"{TITLE} (after a delay of two months)"], CTX) == [
        "(after a delay of two months)"
    ]


def test_paragraph_mentioning_the_headline_kept() -> None:
    """A sentence that merely mentions the headline's words is kept intact."""
    para = "Locals said the harbour bridge reopens after repairs that took longer than planned."
    assert clean_headlines([para], CTX) == [para]


def test_sentence_starting_with_headline_words_kept() -> None:
    """A first sentence that begins with the headline's words but continues in lower case stays."""
    para = f"{TITLE} that took eleven months, the council said on Thursday."
    assert clean_headlines([para], CTX) == [para]


def test_one_line_quote_kept() -> None:
    """A short quoted paragraph is not a headline."""
    assert clean_headlines(['"It is a relief."', FIRST], CTX) == ['"It is a relief."', FIRST]


@pytest.mark.parametrize(
    "glued",
    [f"{PREV} {TITLE}", f"{PREV}{TITLE}", f"{TITLE} {NEXT}", PREV, f"{PREV} {TITLE} {NEXT}"],
)
def test_neighbour_headlines_glued_to_title_dropped(glued: str) -> None:
    """Previous/next headline links read as text before the body are dropped."""
    assert clean_headlines([glued, FIRST], CTX) == [FIRST]


def test_trailing_neighbour_headline_dropped() -> None:
    """A next-story headline glued after the last paragraph goes."""
    assert clean_headlines([FIRST, NEXT], CTX) == [FIRST]


def test_other_headline_inside_prose_kept() -> None:
    """A paragraph that quotes another headline inside a sentence is prose."""
    para = f"Last week's story, '{PREV}', drew many letters from readers."
    assert clean_headlines([FIRST, para], CTX) == [FIRST, para]


def test_short_titles_are_not_matched() -> None:
    """Very short titles are too common to cut on."""
    ctx = HeadlineContext(title="Update")
    assert clean_headlines(["Update", FIRST], ctx) == ["Update", FIRST]


def test_key_ignores_case_and_punctuation() -> None:
    """The comparison key keeps letters and digits only."""
    assert key("Jugnot 'tops French actor league'") == key("JUGNOT TOPS FRENCH ACTOR LEAGUE")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Harbour bridge reopens | The Example News", "Harbour bridge reopens"),
        ("The Example News - Harbour bridge reopens", "Harbour bridge reopens"),
        ("Wood - Ireland can win", "Wood - Ireland can win"),
    ],
)
def test_strip_site_name(title: str, expected: str) -> None:
    """A site name before or after a separator is removed; other dashes stay."""
    assert strip_site_name(title, ["The Example News"]) == expected


def test_section_kicker_line_dropped() -> None:
    """A one-word line repeating a menu link ("World") before the body goes; prose stays."""
    ctx = HeadlineContext(title=TITLE, link_labels=("World", "Sport"))
    assert clean_headlines(["World", FIRST, "Sport."], ctx) == [FIRST, "Sport."]


def test_strip_prefix_key_reads_only_as_far_as_the_key() -> None:
    """The headline lead-in is cut right after its last letter, whatever the punctuation,
    case or compatibility forms; a paragraph that is only the headline gives ""."""
    from ingest.headlines import key, strip_prefix_key

    tkey = key("Council keeps the library open")
    assert strip_prefix_key("COUNCIL KEEPS THE LIBRARY OPEN: The vote was close.", tkey) == (
        "The vote was close."
    )
    fine = key("Council keeps the fine")
    assert strip_prefix_key("Council keeps the ﬁne library open", fine) == "library open"
    assert strip_prefix_key("Council keeps the library open!", tkey) == ""
    assert strip_prefix_key("The council keeps the library open", tkey) is None
    assert strip_prefix_key("Council keeps", tkey) is None
