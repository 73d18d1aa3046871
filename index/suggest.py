"""Autocomplete: what a person is probably typing, from the words and titles in the index.

Called on every few keystrokes, so every step is bounded: the lexicon walk for the last,
unfinished word stops after ``MAX_SCAN`` terms, and titles come from one small Whoosh search
(``MAX_TITLE_HITS`` documents) on the unstemmed ``words`` field, because ``title`` is
stemmed and a prefix of what was typed ("notre") is not a prefix of its stem ("notr").
Suggestions are whole query texts: choosing one runs it as a search.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from whoosh import query as wq

#: Terms of the lexicon looked at for one prefix (bounds the walk on a large index).
MAX_SCAN = 2000
#: Completions of the last word (most frequent first) tried when looking for titles ...
MAX_COMPLETION_POOL = 50
#: ... and offered as suggestions: those seen in the matching titles first.
MAX_COMPLETIONS = 8
#: Documents whose titles are looked at.
MAX_TITLE_HITS = 40
#: A prefix shorter than this matches too much to be useful.
MIN_PREFIX = 2
#: Longest input considered (the search box allows more, but nobody autocompletes a page).
MAX_INPUT = 100

_WORDS = re.compile(r"\w+", re.UNICODE)


def split_input(text: str) -> tuple[list[str], str]:
    """The finished words and the unfinished last one, lower-cased."""
    text = text[:MAX_INPUT].lower()
    words = _WORDS.findall(text)
    if not words:
        return [], ""
    if text[-1:].isspace() or not text[-1:].isalnum():
        return words, ""  # the last word is finished: nothing to complete
    return words[:-1], words[-1]


def complete_word(reader: Any, prefix: str, limit: int) -> list[str]:
    """Indexed words starting with ``prefix``, most documents first."""
    found: list[tuple[int, str]] = []
    for scanned, term in enumerate(reader.expand_prefix("words", prefix)):
        if scanned >= MAX_SCAN:
            break
        text = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        if text != prefix or not found:
            found.append((reader.doc_frequency("words", text), text))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [text for _, text in found[:limit]]


def _top_docs(searcher: Any, engine: Any, q: Any, limit: int) -> list[dict[str, Any]]:
    """Stored fields of the best ``limit`` matches of ``q``: through index.engine when
    given (a common word such as "to" matches every document: Whoosh's collector took
    seconds to score 93k of them for one keystroke), else Whoosh's search."""
    if engine is None:
        return [hit.fields() for hit in searcher.search(q, limit=limit)]
    from index.engine import ranked

    docs, _ = ranked(engine.evaluate(q))
    return [searcher.stored_fields(int(d)) for d in docs[:limit]]


def matching_titles(
    searcher: Any, words: list[str], completions: list[str], limit: int, engine: Any = None
) -> tuple[list[str], Counter[str]]:
    """Titles containing every finished word and, when given, one of the completions; and
    how often each completion occurs in all the matching titles (to rank completions by what
    goes with the finished words, not by frequency in the whole archive)."""
    seen_completions: Counter[str] = Counter()
    if not words and not completions:
        return [], seen_completions
    clauses: list[Any] = [wq.Term("words", w) for w in words]
    if completions:
        clauses.append(wq.Or([wq.Term("words", c) for c in completions]))
    pool = set(completions)
    titles: list[str] = []
    seen: set[str] = set()
    for hit in _top_docs(searcher, engine, wq.And(clauses), MAX_TITLE_HITS):
        title = " ".join(str(hit.get("title") or "").split())
        key = title.lower()
        title_words = set(_WORDS.findall(key))
        hits_pool = title_words & pool
        seen_completions.update(hits_pool)
        if not title or key in seen or not all(w in title_words for w in words):
            continue
        if completions and not hits_pool:
            continue
        seen.add(key)
        if len(titles) < limit:
            titles.append(title)
    return titles, seen_completions


def suggest_from(searcher: Any, text: str, limit: int = 8, engine: Any = None) -> list[str]:
    """Query texts completing ``text``: titles first (they name stories), then the typed
    words with the last one completed. After a finished word ("notre "), titles holding the
    words. Empty for a single letter alone, or for nothing typed."""
    words, prefix = split_input(text)
    shortest = MIN_PREFIX if not words else 1  # earlier words narrow a one-letter prefix
    if limit < 1 or (prefix and len(prefix) < shortest) or not (words or prefix):
        return []
    reader = searcher.reader()
    pool = complete_word(reader, prefix, MAX_COMPLETION_POOL) if prefix else []
    if prefix and not pool:
        return []
    title_share = max(1, limit // 2) if pool else limit
    suggestions, in_titles = matching_titles(searcher, words, pool, title_share, engine)
    if words:  # only completions that occur with the finished words, best partners first
        ranked = sorted((w for w in pool if in_titles[w]), key=lambda w: -in_titles[w])
    else:
        ranked = pool
    head = " ".join(words)
    seen = {s.lower() for s in suggestions}
    for word in ranked[:MAX_COMPLETIONS]:
        phrase = f"{head} {word}".strip()
        if phrase.lower() not in seen and word != prefix:
            seen.add(phrase.lower())
            suggestions.append(phrase)
    return suggestions[:limit]


def suggest(searcher: Any, text: str, limit: int = 8) -> list[str]:
    """Suggestions through an ``index.search.Searcher`` (its ``suggest`` method, which leases
    the live generation like any search)."""
    return list(searcher.suggest(text, limit))
