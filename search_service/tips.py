"""The search tips page's examples: each one a query that runs on the bundled sample.

Kept as data (query, explanation key) so the page, the catalogue and a test that runs every
example (tests/test_pages.py) stay in step with the query language in index/query.py.
"""

from __future__ import annotations

#: (section message key, ((example query, explanation message key), ...)).
TIPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "tips.section.words",
        (
            ("notre dame", "tips.words"),
            ('"notre dame"', "tips.phrase"),
            ("storm OR hurricane", "tips.or"),
            ("nobel -literature", "tips.not"),
            ("+spacex launch", "tips.required"),
            ("(fire OR storm) paris", "tips.group"),
            ("spac*", "tips.prefix"),
        ),
    ),
    (
        "tips.section.fields",
        (
            ("title:nobel", "tips.in_title"),
            ("body:cathedral", "tips.in_body"),
            ('author:"sunita rao"', "tips.author"),
            ("site:www.valleyledger.example fire", "tips.site"),
        ),
    ),
    (
        "tips.section.dates",
        (
            ("fire published:2019", "tips.year"),
            ("fire published:2019-04", "tips.month"),
            ("published:[2019-01-01 to 2019-06-30] fire", "tips.range"),
            ("pandemic after:2020-01-01", "tips.after"),
            ("fire before:2019-12-31", "tips.before"),
        ),
    ),
)
