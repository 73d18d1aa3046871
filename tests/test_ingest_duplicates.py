"""Story grouping (ingest/duplicates.py) on small hand-written stories."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from ingest.document import Document, make_doc_id
from ingest.duplicates import (
    NUM_PERM,
    StoryAssignment,
    StoryGrouper,
    entry_for,
    group_documents,
    normalise_url,
    sketch_document,
)

LIBRARY_TITLE = "Millbrook library reopens after two-year rebuild"
LIBRARY = (
    "The public library in Millbrook reopened on Saturday morning after a rebuild that took "
    "two years and cost the town council just over four million pounds.",
    "Hundreds of residents queued along Station Road before the doors opened, and the first "
    "visitors were greeted by the head librarian with coffee and a brass band from the school.",
    "The new building has a children's floor with a reading garden, twelve study rooms that can "
    "be booked online and a small theatre for talks, films and local history evenings.",
    "Council leader Maria Okafor said the project had gone over budget because of flooding in "
    "the first winter, but argued that the town now had a library it could be proud of.",
    "Opening hours will be extended to nine in the evening on weekdays from next month, and "
    "membership remains free for everyone who lives or works in the district.",
    "Critics on the opposition benches said the money would have been better spent on repairing "
    "roads, and asked for an independent review of how the contract was awarded.",
)

BRIDGE_TITLE = "Harbour bridge to close for six weeks of repairs"
BRIDGE = (
    "The swing bridge across Port Ellis harbour will close to traffic from Monday for six weeks "
    "while engineers replace corroded steel cables and resurface the main deck.",
    "Drivers are being told to use the ring road, which adds about fifteen minutes to a journey "
    "between the ferry terminal and the town centre at busy times of the day.",
    "A free shuttle boat will carry pedestrians and cyclists across the harbour every twenty "
    "minutes between six in the morning and midnight while the works go on.",
    "Shopkeepers on Quay Street said they feared losing trade during the closure and asked the "
    "harbour authority to pay for extra signs pointing visitors towards the market.",
    "The authority said the cables had been inspected last spring and that the repairs could not "
    "wait until winter without a risk that the bridge would have to shut without warning.",
)

# Same harbour, same bridge, same week: a different story that must not merge with BRIDGE.
BRIDGE2_TITLE = "Harbour bridge repairs delayed by cable shortage"
BRIDGE2 = (
    "Repairs to the Port Ellis swing bridge have been pushed back by a month because the steel "
    "cables ordered from a supplier in Sheffield will not arrive before the end of March.",
    "The harbour authority had planned to start the work next week and had already agreed the "
    "diversion along the ring road with the county highways department.",
    "Engineers say the bridge remains safe to use in the meantime, although heavy lorries will be "
    "limited to a single lane and a lower speed from Friday as a precaution.",
    "Ferry operators welcomed the delay, saying a closure during the school holidays would have "
    "caused long queues at the terminal and cost them bookings from day visitors.",
    "A spokesman for the authority apologised for the confusion and promised that the new dates "
    "would be published on its website and at the harbour office as soon as they were fixed.",
)


def doc(
    url: str,
    title: str,
    body: tuple[str, ...] | list[str],
    published: str | None = "2024-03-04T09:00:00+00:00",
    canonical: str | None = None,
) -> Document:
    """A Document as the extractor would make it."""
    site = url.split("/")[2]
    return Document(
        id=make_doc_id(url, ""),
        url=url,
        site=site,
        title=title,
        published=published,
        body=tuple(body),
        canonical_url=canonical,
    )


def original_library() -> Document:
    return doc("https://millbrook-news.example/2024/03/library", LIBRARY_TITLE, LIBRARY)


def original_bridge() -> Document:
    return doc("https://porttimes.example/bridge-closure", BRIDGE_TITLE, BRIDGE)


def same_story(result: dict[str, StoryAssignment], *docs: Document) -> bool:
    return len({result[d.id].story for d in docs}) == 1


# --- the copies -------------------------------------------------------------------------


def test_exact_republish_joins_the_original() -> None:
    original = original_library()
    copy = doc(
        "https://daily.example/library-reopens",
        LIBRARY_TITLE,
        LIBRARY,
        published="2024-03-04T15:30:00+00:00",
    )
    result = group_documents([copy, original])
    assert same_story(result, original, copy)
    assert result[original.id] == StoryAssignment(story=original.id, duplicate_of=None)
    assert result[copy.id] == StoryAssignment(story=original.id, duplicate_of=original.id)


def test_shuffled_paragraphs() -> None:
    original = original_library()
    shuffled = list(LIBRARY)
    random.Random(3).shuffle(shuffled)
    copy = doc("https://daily.example/library", LIBRARY_TITLE.upper(), shuffled)
    assert same_story(group_documents([original, copy]), original, copy)


def test_dropped_paragraph_and_dateline() -> None:
    original = original_bridge()
    body = list(BRIDGE)
    del body[2]
    body[0] = "PORT ELLIS (Coast Wire) - " + body[0]
    copy = doc("https://coastwire.example/a/123", BRIDGE_TITLE, body)
    assert same_story(group_documents([original, copy]), original, copy)


def test_lead_added_and_first_sentence_dropped() -> None:
    original = original_library()
    body = ["This story is developing.", *LIBRARY]
    body[1] = "Hundreds of residents queued along Station Road before the doors opened."
    copy = doc("https://wire.example/x", LIBRARY_TITLE, body)
    assert same_story(group_documents([original, copy]), original, copy)


def test_truncated_copy_joins_the_full_story() -> None:
    original = original_library()
    teaser = doc(
        "https://aggregator.example/library",
        LIBRARY_TITLE,
        [LIBRARY[0], "Continue reading"],
        published="2024-03-04T08:00:00+00:00",
    )
    result = group_documents([original, teaser])
    assert same_story(result, original, teaser)
    # The teaser came first but is a fraction of the story: the full copy represents it.
    assert result[original.id].duplicate_of is None
    assert result[teaser.id].duplicate_of == original.id


def test_truncated_copy_with_only_a_lead_line_joins_on_its_headline() -> None:
    original = original_bridge()
    stub = doc("https://stub.example/bridge", BRIDGE_TITLE, ["Here is what we know so far."])
    assert same_story(group_documents([original, stub]), original, stub)


def test_headline_only_link_needs_a_single_story() -> None:
    # Two different stories under one headline: a stub with that headline joins neither.
    first = doc("https://a.example/1", "Man rescued from river after boat capsizes", BRIDGE)
    second = doc("https://b.example/2", "Man rescued from river after boat capsizes", LIBRARY)
    stub = doc(
        "https://c.example/3",
        "Man rescued from river after boat capsizes",
        ["Pictures: our photographer was there."],
    )
    result = group_documents([first, second, stub])
    assert len({result[d.id].story for d in (first, second, stub)}) == 3


def test_canonical_link_names_the_representative() -> None:
    original = original_bridge()
    copy = doc(
        "https://syndicate.example/bridge",
        BRIDGE_TITLE,
        BRIDGE[:3],
        published="2024-03-01",
        canonical=original.url,
    )
    result = group_documents([copy, original])
    assert same_story(result, original, copy)
    # Named as canonical, the original represents the story although the copy is dated earlier.
    assert result[original.id].duplicate_of is None
    assert result[copy.id].duplicate_of == original.id


def test_canonical_link_with_loose_url_form() -> None:
    original = original_bridge()
    copy = doc(
        "https://syndicate.example/bridge",
        BRIDGE_TITLE,
        ["Read the full report."],
        canonical="http://www.porttimes.example/bridge-closure/",
    )
    result = group_documents([copy, original])
    assert result[copy.id].duplicate_of == original.id


def test_canonical_to_a_front_page_is_not_believed() -> None:
    front = doc("https://porttimes.example/", "Port Times - news from the harbour", LIBRARY[:2])
    article = doc(
        "https://porttimes.example/bridge",
        BRIDGE_TITLE,
        BRIDGE,
        canonical="https://porttimes.example/",
    )
    result = group_documents([front, article])
    assert not same_story(result, front, article)


# --- what must stay apart ----------------------------------------------------------------


def test_different_stories_on_the_same_topic_do_not_merge() -> None:
    closure = original_bridge()
    delay = doc("https://porttimes.example/bridge-delay", BRIDGE2_TITLE, BRIDGE2)
    closure_copy = doc("https://coastwire.example/bridge", BRIDGE_TITLE, BRIDGE[:4])
    delay_copy = doc("https://coastwire.example/delay", BRIDGE2_TITLE.lower(), BRIDGE2[1:])
    result = group_documents([closure, delay, closure_copy, delay_copy])
    assert same_story(result, closure, closure_copy)
    assert same_story(result, delay, delay_copy)
    assert result[closure.id].story != result[delay.id].story


def test_same_text_under_a_new_headline_is_a_different_story_unless_verbatim() -> None:
    original = original_library()
    edited = list(LIBRARY)
    edited[3] = "Council leader Maria Okafor said the rebuild had been worth every penny."
    follow_up = doc(
        "https://millbrook-news.example/2024/03/library-costs",
        "Council defends cost of new library",
        edited,
    )
    verbatim = doc("https://other.example/lib", "Queues as new library opens its doors", LIBRARY)
    result = group_documents([original, follow_up, verbatim])
    assert not same_story(result, original, follow_up)
    assert same_story(result, original, verbatim)


def test_short_boilerplate_bodies_do_not_chain_stories() -> None:
    paywall = ("Subscribe to read this article and all our journalism for one pound a week.",)
    titles = [
        "Mayor resigns over expenses",
        "Flooding closes coastal road",
        "Striker signs three-year deal",
        "School wins national chess title",
    ]
    docs = [doc(f"https://paper.example/{i}", t, paywall) for i, t in enumerate(titles)]
    result = group_documents(docs)
    assert len({result[d.id].story for d in docs}) == len(docs)


def test_singletons_are_their_own_story() -> None:
    lone = original_bridge()
    assert group_documents([lone]) == {lone.id: StoryAssignment(story=lone.id, duplicate_of=None)}


# --- representatives, ids, determinism ------------------------------------------------------


def test_representative_is_the_earliest_then_the_longest() -> None:
    early = doc("https://a.example/lib", LIBRARY_TITLE, LIBRARY, published="2024-03-04T07:00")
    late = doc("https://b.example/lib", LIBRARY_TITLE, LIBRARY, published="2024-03-05")
    day_only = doc("https://c.example/lib", LIBRARY_TITLE, LIBRARY, published="2024-03-04")
    result = group_documents([late, day_only, early])
    assert result[early.id].duplicate_of is None
    assert {result[d.id].duplicate_of for d in (late, day_only)} == {early.id}

    undated_short = doc("https://d.example/lib", LIBRARY_TITLE, LIBRARY[:5], published=None)
    undated_long = doc("https://e.example/lib", LIBRARY_TITLE, LIBRARY, published=None)
    result = group_documents([undated_short, undated_long])
    assert result[undated_long.id].duplicate_of is None


def test_story_ids_are_deterministic_and_order_independent() -> None:
    docs = [
        original_library(),
        doc("https://x.example/1", LIBRARY_TITLE, LIBRARY[1:]),
        doc("https://x.example/2", LIBRARY_TITLE, [LIBRARY[0]]),
        original_bridge(),
        doc("https://y.example/1", BRIDGE_TITLE, BRIDGE[:3]),
        doc("https://porttimes.example/bridge-delay", BRIDGE2_TITLE, BRIDGE2),
    ]
    first = group_documents(docs)
    shuffled = list(docs)
    random.Random(5).shuffle(shuffled)
    assert group_documents(shuffled) == first
    assert set(first) == {d.id for d in docs}
    assert len({a.story for a in first.values()}) == 3
    # The story id is the representative's id.
    for assignment in first.values():
        rep = assignment.duplicate_of
        assert assignment.story == (rep if rep is not None else assignment.story)
        assert first[assignment.story] == StoryAssignment(story=assignment.story, duplicate_of=None)


def test_grouper_works_from_stored_sketches() -> None:
    original = original_library()
    copy = doc("https://daily.example/library", LIBRARY_TITLE, LIBRARY[:4])
    stored = {d.id: bytes(sketch_document(d)) for d in (original, copy)}
    grouper = StoryGrouper()
    for d in (original, copy):
        # Only metadata and the stored bytes: no body needed.
        grouper.add(entry_for(replace(d, body=()), stored[d.id]))
    result = grouper.assign()
    assert result[copy.id].duplicate_of == original.id


def test_sketch_is_compact_and_stable() -> None:
    d = original_library()
    sketch = sketch_document(d)
    assert sketch == sketch_document(replace(d, id="other", url="https://elsewhere.example/"))
    assert len(sketch) <= 18 + 4 * 24 + 4 * NUM_PERM


def test_unreadable_sketch_is_a_singleton() -> None:
    original = original_library()
    broken = entry_for(doc("https://z.example/lib", LIBRARY_TITLE, LIBRARY), b"junk")
    grouper = StoryGrouper()
    grouper.add(entry_for(original))
    grouper.add(broken)
    result = grouper.assign()
    assert set(result) == {original.id, broken.id}
    assert result[broken.id] == StoryAssignment(story=broken.id, duplicate_of=None)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Example.com/a/b/", "//example.com/a/b"),
        ("http://example.com/a/b#top", "//example.com/a/b"),
        ("https://example.com/a?id=3", "//example.com/a?id=3"),
        (None, None),
        ("not a url", None),
    ],
)
def test_normalise_url(url: str | None, key: str | None) -> None:
    assert normalise_url(url) == key


def test_story_syndicated_to_many_sites_stays_one_story() -> None:
    # More copies than a bucket may hold: big buckets are compared against a few leaders.
    copies = [
        doc(
            f"https://site{k}.example/news/bridge",
            BRIDGE_TITLE,
            BRIDGE,
            published=f"2024-03-04T{k % 24:02d}:00:00+00:00",
        )
        for k in range(80)
    ]
    result = group_documents(copies)
    assert len({a.story for a in result.values()}) == 1
    assert sum(a.duplicate_of is None for a in result.values()) == 1


def test_shared_boilerplate_paragraph_does_not_merge_many_stories() -> None:
    footer = (
        "Sign up to our morning newsletter to get the day's headlines from the harbour and "
        "the hills delivered to your inbox before breakfast every weekday."
    )
    docs = [
        doc(f"https://paper.example/{k}", f"{t} ({k})", [p, footer])
        for k, (t, p) in enumerate(
            [(BRIDGE_TITLE, BRIDGE[0]), (BRIDGE2_TITLE, BRIDGE2[0]), (LIBRARY_TITLE, LIBRARY[0])]
            * 30
        )
    ]
    result = group_documents(docs)
    # Same first paragraph and headline words: each topic may merge, never across topics.
    for d in docs:
        peers = {e.title.split(" (")[0] for e in docs if result[e.id].story == result[d.id].story}
        assert len(peers) == 1


def test_headline_only_link_needs_close_dates() -> None:
    weekly = "In pictures: the week on the coast in photographs"
    gallery = doc("https://a.example/w1", weekly, BRIDGE, published="2024-03-01")
    stub_same_week = doc(
        "https://b.example/w1", weekly, ["Photos: our team."], published="2024-03-02"
    )
    stub_next_month = doc(
        "https://b.example/w5", weekly, ["Photos: our team."], published="2024-04-05"
    )
    result = group_documents([gallery, stub_same_week, stub_next_month])
    assert same_story(result, gallery, stub_same_week)
    assert not same_story(result, gallery, stub_next_month)


def test_a_short_copy_found_in_two_stories_does_not_chain_them() -> None:
    quote = (
        "The harbour authority said in a statement that the safety of everyone using the "
        "bridge came first and that it would publish the engineers' report in full next week."
    )
    closure = doc("https://porttimes.example/bridge-closure", BRIDGE_TITLE, [*BRIDGE, quote])
    delay = doc(
        "https://porttimes.example/bridge-delay",
        "Harbour bridge repairs delayed for six weeks",
        [*BRIDGE2, quote],
    )
    teaser = doc("https://agg.example/t", "Harbour bridge repairs", [quote])
    result = group_documents([closure, delay, teaser])
    assert not same_story(result, closure, delay)
    assert same_story(result, teaser, closure) or same_story(result, teaser, delay)


def test_chain_of_canonical_links_ends_at_the_original() -> None:
    original = original_library()
    second = doc(
        "https://b.example/lib",
        LIBRARY_TITLE,
        LIBRARY,
        canonical=original.url,
        published="2024-03-01",
    )
    third = doc(
        "https://c.example/lib",
        LIBRARY_TITLE,
        LIBRARY[:4],
        canonical=second.url,
        published="2024-03-01",
    )
    result = group_documents([third, second, original])
    assert result[original.id].duplicate_of is None
    assert {result[d.id].duplicate_of for d in (second, third)} == {original.id}


def test_signature_equals_datasketch_affine32() -> None:
    # _signature re-does datasketch's update_batch arithmetic for speed; stored sketches
    # must stay comparable with ones made by datasketch itself
    import numpy as np

    from ingest.duplicates import _shingles, _signature, _template

    words = "the quick brown fox jumps over the lazy dog while markets fell sharply".split()
    for shingles in (set(), _shingles([words]), _shingles([words[:2]]), _shingles([words * 300])):
        reference = _template().copy()
        reference.update_batch(sorted(shingles))
        assert np.array_equal(reference.hashvalues.astype(np.uint32), _signature(shingles))


def test_shingles_are_the_words_joined_by_one_space() -> None:
    """Shingles cut by byte offsets equal the n-grams joined and encoded one by one,
    for ASCII and non-ASCII words and for paragraphs shorter than n."""
    from ingest.duplicates import SHINGLE, _shingles

    rng = random.Random(7)
    words = ["a", "bb", "café", "naïve", "漢字", "x", "résumé", "the", "zz"]
    for _ in range(500):
        paragraphs = [
            [rng.choice(words) for _ in range(rng.randrange(0, 12))] for _ in range(3)
        ]
        expected = set()
        for tokens in paragraphs:
            grams = (
                [tokens]
                if len(tokens) < SHINGLE
                else [tokens[i : i + SHINGLE] for i in range(len(tokens) - SHINGLE + 1)]
            )
            expected.update(" ".join(g).encode("utf-8") for g in grams)
        assert _shingles(paragraphs) == expected


def test_pair_codes_folded_as_they_come_are_the_distinct_codes() -> None:
    """Folding repeats away early (memory) must give exactly the distinct codes, sorted."""
    from ingest.duplicates import _Codes

    rng = np.random.default_rng(7)
    chunks = [rng.integers(0, 500, size=int(rng.integers(0, 60))) for _ in range(40)]
    codes = _Codes(fold_at=25)
    for chunk in chunks:
        codes.add(chunk.astype(np.int64))
    expected = np.unique(np.concatenate(chunks))
    assert codes.distinct().tolist() == expected.tolist()
    assert _Codes().distinct().tolist() == []
