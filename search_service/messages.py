"""Every string a person reads in the UI or an error body, in one catalogue.

Keeping them here (not in templates or views) means wording is reviewed in one place and a
later translation only swaps this table. Values are ``str.format`` templates; the result is
plain text, which Jinja escapes on output, so a query echoed in a message is never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

MESSAGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # chrome
        "site.tagline": "Full-text search over an archive of news articles.",
        "nav.skip": "Skip to main content",
        "nav.label": "Site",
        "nav.home": "Home",
        "nav.api": "JSON API",
        "nav.tips": "Search tips",
        "nav.embed": "Embed the search",
        "footer.shortcut": "Press / to jump to the search box.",
        # counts (pick with msg_n)
        "count.documents.one": "{count:,} document",
        "count.documents.other": "{count:,} documents",
        "count.sites.one": "{count:,} site",
        "count.sites.other": "{count:,} sites",
        "count.stories.one": "{count:,} story",
        "count.stories.other": "{count:,} stories",
        "count.results.one": "{count:,} result",
        "count.results.other": "{count:,} results",
        # search box
        "search.label": "Search the archive",
        "search.placeholder": 'Words or "an exact phrase"',
        "search.button": "Search",
        "search.site_only": "Only {site}",
        "search.author_only": "Only by {author}",
        "search.sort_label": "Sort by",
        "sort.relevance": "Relevance",
        "sort.newest": "Newest first",
        "sort.oldest": "Oldest first",
        # home
        "home.title": "Search",
        "home.holds": "The archive holds {documents} from {sites}.",
        "home.stories": "Together they tell {stories}; some were carried by more than one site.",
        "home.span": "Published between {first} and {last}.",
        "home.sites_heading": "Sites in the archive",
        "home.empty": "The archive is empty: no index has been built yet.",
        "home.empty_hint": "Run `search-service ingest PATH` and then `search-service reindex`.",
        "home.built": "Index last rebuilt {built}.",
        "home.tips": "New here? See the search tips.",
        # results
        "results.title": "{q} – search",  # noqa: RUF001 — typographic dash, on purpose
        "results.title_empty": "Search",
        "results.heading": "Results",
        "results.summary": "{results} for “{q}”",
        "results.range": "showing {first}–{last}",  # noqa: RUF001 — a range takes an en dash
        "results.took": "in {took}",
        "results.searched_for": "Searched for: {query}",
        "results.none": "No documents match “{q}”.",
        "results.none_hint": "Check the spelling, use fewer words, or remove quotes and filters.",
        "results.past_end": "There is no page {page}: the results end on page {pages}.",
        "results.first_page": "Go to the first page",
        "results.empty_query": "Type one or more words to search the archive.",
        "results.by": "by {author}",
        "results.untitled": "(untitled)",
        "results.also_on": "Also on:",
        "results.more_like": "More like this",
        "results.more_like_label": "More like “{title}”",
        "results.did_you_mean": "Did you mean",
        "results.corrected_to": "Showing results for",
        "results.corrected_from": "nothing matched “{q}” as typed.",
        "results.partial": "The search took too long, so these are the results found so far.",
        "results.keyboard": "Use the arrow keys to move through the results, Enter to open one.",
        "results.tips": "Search tips",
        "suggest.label": "Suggestions",
        "filters.active": "Filters:",
        "filters.site": "site {site}",
        "filters.author": "by {author}",
        "filters.dates": "published {first} to {last}",
        "filters.remove": "remove",
        "filters.remove_site": "Remove the filter on site {site}",
        "filters.remove_author": "Remove the filter on author {author}",
        "filters.remove_dates": "Remove the date filter",
        "refine.heading": "Refine the results",
        "refine.by_site": "Narrow by site",
        "refine.by_author": "Narrow by author",
        "refine.by_date": "Published between",
        "refine.date_from": "From (first day)",
        "refine.date_to": "To (last day)",
        "refine.apply": "Apply dates",
        "refine.by_year": "Narrow by year",
        "refine.within": "Published in the past",
        "within.day": "day",
        "within.week": "week",
        "within.month": "month",
        "within.year": "year",
        "filters.within": "published in the past {period}",
        "filters.remove_within": "Remove the filter on the past {period}",
        "pager.label": "Result pages",
        "pager.previous": "Previous",
        "pager.next": "Next",
        "pager.page": "Page {page}",
        "pager.status": "Page {page} of {pages}",
        # document
        "doc.back": "Back to the results for “{q}”",
        "doc.source": "Original page:",
        "doc.no_source": "The original address of this page is not known.",
        "doc.unlinkable": "(not a web address, so not linked)",
        "doc.copies_heading": "The same story elsewhere",
        "doc.canonical": "The page names its original at:",
        "doc.published": "Published",
        "doc.site": "Site",
        "doc.author": "Author",
        "doc.unknown": "unknown",
        "doc.similar_heading": "Similar articles",
        "doc.similar_all": "More like this",
        "similar.title": "More like “{title}”",
        "similar.heading": "Articles like “{title}”",
        "similar.none": "No other story in the archive is about the same thing.",
        "similar.back": "Back to the article",
        # errors (HTML title + API message defaults)
        "error.title": "Something went wrong",
        "error.title.400": "That search could not be run",
        "error.title.404": "Not found",
        "error.title.429": "Too many requests",
        "error.title.503": "Search is unavailable",
        "error.400": "That request could not be understood.",
        "error.404": "There is no such page or document.",
        "error.405": "That method is not allowed here.",
        "error.429": "Too many requests from your address: please wait a moment and try again.",
        "error.500": "The server hit an unexpected problem. It has been logged; please try again.",
        "error.503": "Search is not available right now.",
        "error.503.no_index": "No index has been built yet, so there is nothing to search.",
        "error.503.unreadable": (
            "The search index cannot be read right now. Its operator can rebuild it with "
            "`search-service reindex`."
        ),
        "error.503.locked": "The index is being rebuilt; please try again in a moment.",
        "error.query": "The query could not be searched: {detail}.",
        "error.not_int": "{param} must be a whole number",
        "error.not_bool": "{param} must be true or false",
        "error.required": "{param} is required",
        "error.too_long": "{param} is longer than {limit} characters",
        "error.not_date": "{param} must be a date written YYYY-MM-DD",
        "error.date_order": "date_to must not be before date_from",
        "error.not_one_of": "{param} must be one of: {choices}",
        "error.out_of_range": "{param} must be between {low} and {high}",
        "error.doc_not_found": "There is no document with id “{doc_id}”.",
        "error.home": "Go to the home page",
        "ready.ok": "ready",
        # search tips
        "tips.title": "Search tips",
        "tips.intro": "Every example below is a link: follow it to see what it finds.",
        "tips.example": "Example",
        "tips.meaning": "What it finds",
        "tips.section.words": "Words and phrases",
        "tips.section.fields": "Searching one field",
        "tips.section.dates": "Dates",
        "tips.words": "Stories with every word (stories with most of the words follow).",
        "tips.phrase": "The exact phrase, words next to each other in this order.",
        "tips.or": "Either word. OR binds tighter than the space: a OR b c is (a OR b) c.",
        "tips.not": "Leave out stories with a word (NOT literature works too).",
        "tips.required": "A word that must be there even when the search falls back to most words.",
        "tips.group": "Parentheses group alternatives.",
        "tips.prefix": "Words starting with these letters (at least two letters before *).",
        "tips.in_title": "The word in the headline.",
        "tips.in_body": "The word in the article text.",
        "tips.author": "Stories by this author (quotes keep the name together).",
        "tips.site": "Stories from one site.",
        "tips.year": "Published in a year; date terms restrict the whole query.",
        "tips.month": "Published in a month.",
        "tips.range": "Published between two days (use * for an open end).",
        "tips.after": "Published on or after a day.",
        "tips.before": "Published before a day.",
        "tips.filters": "Sorting, sites, authors and dates can also be chosen beside the results.",
        # embedding help
        "embedding.title": "Embed the search on your site",
        "embedding.intro": "Three ways to offer this archive's search on another site.",
        "embedding.script_heading": "A search box with a script tag",
        "embedding.script_text": (
            "Add the script where the box should appear. It draws the box and the results inside "
            "a shadow root, so your page's styles and its own do not clash; set the colours with "
            "CSS custom properties on the script's container."
        ),
        "embedding.attributes": (
            "Attributes: data-site limits the search to one site, data-size sets the number of "
            "results (1 to 20), data-placeholder sets the box's hint."
        ),
        "embedding.style_text": (
            "Colours and fonts follow these custom properties, set on the element that holds the "
            "widget:"
        ),
        "embedding.csp_text": (
            "If your site has a Content Security Policy, allow this server in script-src, style-"
            "src and connect-src."
        ),
        "embedding.iframe_heading": "A frame",
        "embedding.iframe_text": (
            "Without script on your page: the frame holds a box and the top results, and tells "
            "your page its height (a postMessage you may use to resize it)."
        ),
        "embedding.feed_heading": "Feeds and browsers",
        "embedding.feed_text": (
            "Any search is also an RSS feed of its newest results, and browsers can add the "
            "archive as a search engine (OpenSearch)."
        ),
        "embedding.live": "Live example",
        "embedding.api_text": (
            "Programs can use the JSON API; its OpenAPI description lists every parameter."
        ),
        # embed widget and feed
        "embed.title": "Search {site}",
        "embed.more": "See all {results}",
        "embed.error": "The search could not be run: {message}",
        "feed.title": "“{q}” – {site}",  # noqa: RUF001 — typographic dash, on purpose
        "feed.description": "The newest documents matching “{q}”.",
    }
)


def msg(key: str, /, **values: object) -> str:
    """The catalogue entry ``key`` filled with ``values`` (plain text, escaped on output)."""
    return MESSAGES[key].format(**values)


def msg_or(key: str, fallback: str, /, **values: object) -> str:
    """The entry ``key`` when the catalogue has it, else ``fallback``."""
    return msg(key if key in MESSAGES else fallback, **values)


def msg_n(key: str, count: int, /, **values: object) -> str:
    """The singular (``key.one``) or plural (``key.other``) entry for ``count``."""
    form = "one" if count == 1 else "other"
    return msg(f"{key}.{form}", count=count, **values)
