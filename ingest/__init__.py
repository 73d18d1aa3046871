"""Scraped HTML pages -> cleaned Documents -> the SQLite store.

Importing this package must stay cheap: it re-exports only the Document contract,
so that ``index`` can use it without pulling in BeautifulSoup or lxml.
"""

from ingest.document import Document, Skipped

__all__ = ["Document", "Skipped"]
