"""What a person sees in a real browser: headless Chromium (Playwright) against real gunicorn.

Skipped, with the reason, only when Chromium is missing. One Chromium serves the whole
session (a fresh context per test). Screenshots land in each test's tmp_path;
``SAVE_SCREENSHOTS=1`` also copies the results and the (dark) document page to docs/ for
the README.
"""

from __future__ import annotations

import http.server
import importlib.util
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser_support import (
    CHROMIUM,
    CONTRAST_JS,
    LAUNCH_ARGS,
    README_DOCUMENT_SCREENSHOT,
    chromium_missing_reason,
    publish_for_readme,
    save_screenshot,
)

pytestmark = pytest.mark.browser

_missing = chromium_missing_reason()
if _missing:
    pytest.skip(_missing, allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)

KNOWN_ITEM = "Notre Dame cathedral fire"
COMMON_WORD = "according"  # more than ten stories: two pages of results
HOSTILE_QUERY = "frog skull spikes"
TIMEOUT_MS = 15_000
#: Everything a person reads on a results page, checked for contrast in both schemes.
READABLE = (
    "body",
    ".brand",
    ".summary",
    ".took",
    ".sort a",
    ".result-title a",
    ".meta",
    ".snippet",
    ".results mark",
    ".also-on",
    ".facet a",
    ".facet .count",
    ".date-filter label",
    ".pager a",
    ".pager a[aria-current='page']",
    ".pager-status",
    ".search-form button",
    ".site-footer",
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session; each test opens its own context."""
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus everything that must stay empty: dialogs, script errors, console errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._on_console)
        page.set_default_timeout(TIMEOUT_MS)

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location.get('url')}")

    def assert_quiet(self) -> None:
        """No alert fired, no script failed, no CSP violation was reported."""
        assert self.dialogs == []
        assert self.errors == []


def open_page(browser: Any, **context_options: Any) -> Watched:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, **context_options)
    return Watched(context.new_page())


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh page in a fresh context (light colour scheme, JavaScript on)."""
    page = open_page(browser, color_scheme="light")
    yield page
    page.page.context.close()


def search_from_home(watched: Watched, base_url: str, query: str) -> Any:
    """Load the home page, type ``query`` into the box, submit with Enter."""
    page = watched.page
    page.goto(base_url + "/")
    box = page.get_by_label("Search the archive")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    assert "/search?" in page.url
    return page


def test_search_shows_titles_highlights_and_count(
    watched: Watched, live_server: str, tmp_path: Path
) -> None:
    """Typing a query and pressing Enter shows linked titles, <mark>ed words and a count."""
    page = search_from_home(watched, live_server, KNOWN_ITEM)
    assert page.get_by_label("Search the archive").input_value() == KNOWN_ITEM
    titles = page.locator(".result-title a")
    assert titles.count() >= 1
    assert "Notre Dame" in titles.first.inner_text()
    marks = page.locator(".results mark")
    assert marks.count() >= 2
    assert marks.first.is_visible()
    assert {m.lower() for m in marks.all_inner_texts()} & {"notre", "dame", "fire", "cathedral"}
    summary = page.locator(".summary").inner_text()
    assert re.search(r"\d+ results? for “Notre Dame cathedral fire”", summary)
    assert page.locator(".also-on").first.is_visible()
    shot = save_screenshot(page, tmp_path, "results")
    publish_for_readme(shot)
    watched.assert_quiet()


def test_pagination_next_and_previous(watched: Watched, live_server: str) -> None:
    """Next goes to page 2 (results 11 on), Previous comes back."""
    page = search_from_home(watched, live_server, COMMON_WORD)
    first_titles = page.locator(".result-title a").all_inner_texts()
    assert len(first_titles) == 10
    pager = page.get_by_role("navigation", name="Result pages")
    assert re.search(r"Page 1 of [2-9]", pager.inner_text())
    with page.expect_navigation():
        pager.get_by_role("link", name="Next").click()
    assert "page=2" in page.url
    assert page.locator("ol.results").get_attribute("start") == "11"
    assert re.search(r"Page 2 of [2-9]", pager.inner_text())
    assert set(page.locator(".result-title a").all_inner_texts()).isdisjoint(first_titles)
    with page.expect_navigation():
        pager.get_by_role("link", name="Previous").click()
    assert page.locator(".result-title a").all_inner_texts() == first_titles
    watched.assert_quiet()


def test_hostile_text_is_shown_as_text(watched: Watched, live_server: str, tmp_path: Path) -> None:
    """<script> in a headline and <img onerror> in a body are visible text; nothing runs."""
    page = search_from_home(watched, live_server, HOSTILE_QUERY)
    hostile = page.locator(".result-title a", has_text="<script>alert(1)</script>")
    assert hostile.count() == 1
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.evaluate("[...document.scripts].every(s => s.src.endsWith('/static/app.js'))")
    with page.expect_navigation():
        hostile.click()
    assert "/doc/" in page.url
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
    assert "<img src=x onerror=alert(2)>" in page.locator(".doc-body").inner_text()
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    source = page.locator('.doc-source a[href^="https://www.harbourgazette.example/"]')
    assert source.get_attribute("rel") == "noopener noreferrer nofollow"
    save_screenshot(page, tmp_path, "document")
    watched.assert_quiet()


def test_slash_key_focuses_the_search_box(watched: Watched, live_server: str) -> None:
    """Pressing / outside a text field puts the cursor in the search box."""
    page = watched.page
    page.goto(f"{live_server}/search?q={COMMON_WORD}")
    page.locator(".summary").click()
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.get_by_label("Search the archive").input_value() == COMMON_WORD  # no "/" typed
    watched.assert_quiet()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_schemes_are_readable(
    browser: Any, live_server: str, scheme: str, tmp_path: Path
) -> None:
    """Both schemes keep text, links, muted text and highlights at 4.5:1 or better."""
    watched = open_page(browser, color_scheme=scheme)
    page = watched.page
    try:
        page.goto(f"{live_server}/search?q={COMMON_WORD}")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        channels = [int(v) for v in re.findall(r"\d+", background)[:3]]
        assert (sum(channels) / 3 < 60) if scheme == "dark" else (sum(channels) / 3 > 200)
        for selector in READABLE:
            ratio = page.evaluate(CONTRAST_JS, selector)
            assert ratio is not None, selector
            assert ratio >= 4.5, f"{selector} contrast {ratio:.2f} in {scheme} mode"
        save_screenshot(page, tmp_path, f"results-{scheme}")
        watched.assert_quiet()
    finally:
        page.context.close()


def test_search_works_without_javascript(browser: Any, live_server: str) -> None:
    """With JavaScript off the form still submits and results and paging still work."""
    watched = open_page(browser, java_script_enabled=False)
    try:
        page = search_from_home(watched, live_server, COMMON_WORD)
        assert page.locator(".result-title a").count() == 10
        with page.expect_navigation():
            page.get_by_role("navigation", name="Result pages").get_by_role(
                "link", name="Next"
            ).click()
        assert page.locator("ol.results").get_attribute("start") == "11"
    finally:
        watched.page.context.close()


@pytest.mark.parametrize(
    "path",
    [
        f"/search?q={COMMON_WORD}",
        "/",
        "/tips",
        "/embedding",
        "/embed?q=fire",
        "/doc/{doc}",
        "/doc/{doc}/similar",
    ],
)
def test_small_screen_has_no_sideways_scroll(
    browser: Any, live_server: str, tmp_path: Path, path: str
) -> None:
    """On a phone-sized viewport every page fits the width."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        if "{doc}" in path:
            path = path.replace("{doc}", doc_id_for(live_server, HOSTILE_QUERY, "<script>"))
        page.goto(live_server + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        save_screenshot(page, tmp_path, "mobile")
    finally:
        context.close()


class _Host(http.server.BaseHTTPRequestHandler):
    """Serves one page on another origin: a third-party site embedding our widget."""

    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def third_party_site(live_server: str) -> Iterator[str]:
    """A page on another loopback port that frames the widget and, for contrast, /search."""
    if requests.get(f"{live_server}/embed/", timeout=5).status_code == 404:
        pytest.skip("the embed blueprint is not registered in create_app yet")
    _Host.page = (
        "<!doctype html><title>Third party</title>"
        f'<iframe id="widget" src="{live_server}/embed/?q={HOSTILE_QUERY}" '
        'width="600" height="500" title="Search"></iframe>'
        f'<iframe id="page" src="{live_server}/search?q=fire" width="600" height="200"></iframe>'
    ).encode()
    server = http.server.HTTPServer(("127.0.0.1", 0), _Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_widget_works_inside_another_sites_iframe(
    browser: Any, third_party_site: str, tmp_path: Path
) -> None:
    """The widget renders in a foreign frame, hostile text stays text; /search refuses framing."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(third_party_site)
        widget = page.frame_locator("#widget")
        title = widget.locator(".result-title a", has_text="<script>alert(1)</script>")
        assert title.count() == 1
        assert title.get_attribute("target") == "_blank"
        blocked = page.frame_locator("#page")
        assert blocked.locator(".result-title").count() == 0
        save_screenshot(page, tmp_path, "widget-in-iframe")
        assert dialogs == []
    finally:
        context.close()


# -- issue 6: the flow, the keyboard, accessibility, embedding ------------------------------


def doc_id_for(live_server: str, query: str, title_part: str = "") -> str:
    """The id of the first hit of ``query`` whose title contains ``title_part``."""
    hits = requests.get(f"{live_server}/api/v1/search", params={"q": query}, timeout=10).json()[
        "hits"
    ]
    return str(next(hit["id"] for hit in hits if title_part in hit["title"]))


def assert_no_injected_script(page: Any) -> None:
    """Only our own static scripts exist: no inline script, none from scraped text."""
    sources = page.evaluate("[...document.scripts].map(s => s.src || 'INLINE')")
    assert all(re.search(r"/static/[a-z-]+\.js$", src) for src in sources), sources
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_search_flow_with_facets_sort_and_pagination(watched: Watched, live_server: str) -> None:
    """Search, narrow by a site facet, sort newest first, page on, then drop the filter."""
    page = search_from_home(watched, live_server, COMMON_WORD)
    facet = page.get_by_role("complementary").locator("section", has_text="Narrow by site")
    first_site = facet.locator("a").first
    site = first_site.inner_text()
    count = int(facet.locator(".count").first.inner_text())
    with page.expect_navigation():
        first_site.click()
    assert f"site={site}" in page.url
    assert set(page.locator(".result .site").all_inner_texts()) == {site}
    total = int(re.findall(r"\d+", page.locator(".summary").inner_text())[0])
    # the count beside a site is what filtering by it returns (stories with a copy there)
    assert total == count
    with page.expect_navigation():
        page.get_by_role("navigation", name="Sort by").get_by_role(
            "link", name="Newest first"
        ).click()
    assert "sort=newest" in page.url
    dates = page.locator(".result time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates, reverse=True)
    with page.expect_navigation():
        page.get_by_role("link", name=f"Remove the filter on site {site}").click()
    assert "site=" not in page.url
    assert "sort=newest" in page.url
    pager = page.get_by_role("navigation", name="Result pages")
    with page.expect_navigation():
        pager.get_by_role("link", name="Page 2").click()
    assert "page=2" in page.url
    assert re.search(r"Page 2 of \d+", pager.inner_text())
    watched.assert_quiet()


def test_keyboard_moves_through_results_and_opens_one(watched: Watched, live_server: str) -> None:
    """ "/" focuses the box; arrow keys move between cards; Enter opens the focused one."""
    page = watched.page
    page.goto(f"{live_server}/search?q={COMMON_WORD}")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.locator(".summary").click()  # leave the box: arrows then move through the results
    page.keyboard.press("ArrowDown")
    links = page.locator(".results .card-link")
    assert page.evaluate("document.activeElement.classList.contains('card-link')")
    assert page.evaluate("document.activeElement.href") == links.nth(0).evaluate("a => a.href")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    second = links.nth(1).evaluate("a => a.href")
    assert page.evaluate("document.activeElement.href") == second
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == second
    watched.assert_quiet()


def test_tab_order_reaches_box_results_and_pager(watched: Watched, live_server: str) -> None:
    """Tab starts at the skip link, then the box, and reaches the first result before the pager."""
    page = watched.page
    page.goto(f"{live_server}/search?q={COMMON_WORD}")
    order = []
    for _ in range(60):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.id || e.className || e.textContent.trim().slice(0, 20); })()"
            )
        )
    assert order[0] == "skip-link"
    assert order.index("q") < order.index("card-link")
    watched.assert_quiet()


def test_suggestions_appear_while_typing(watched: Watched, live_server: str) -> None:
    """Typing shows suggestions without blocking the keys; Down then Enter searches one."""
    page = watched.page
    page.goto(live_server + "/")
    box = page.get_by_label("Search the archive")
    box.press_sequentially("notr", delay=30)
    assert box.input_value() == "notr"  # every key landed while suggestions were fetched
    options = page.get_by_role("listbox").get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert any("notre" in text.lower() for text in options.all_inner_texts())
    box.press("ArrowDown")
    chosen = box.input_value()
    assert chosen.lower().startswith("notre") or "notre" in chosen.lower()
    with page.expect_navigation():
        box.press("Enter")
    assert page.get_by_label("Search the archive").input_value() == chosen
    assert page.locator(".result").count() >= 1
    watched.assert_quiet()


def test_hostile_title_in_suggestions_is_text(watched: Watched, live_server: str) -> None:
    """A suggested headline holding <script> is shown as text and runs nothing."""
    page = watched.page
    page.goto(live_server + "/")
    page.get_by_label("Search the archive").press_sequentially("frog skul", delay=20)
    option = page.get_by_role("option", name=re.compile("alert"))
    option.wait_for()
    assert "<script>alert(1)</script>" in option.inner_text()
    assert_no_injected_script(page)
    watched.assert_quiet()


def test_similar_page_keeps_hostile_text_as_text(watched: Watched, live_server: str) -> None:
    """The "more like this" page and the document's similar list show scraped text as text."""
    page = watched.page
    doc_id = doc_id_for(live_server, HOSTILE_QUERY, "<script>")
    page.goto(f"{live_server}/doc/{doc_id}/similar")
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()
    assert_no_injected_script(page)
    page.goto(f"{live_server}/doc/{doc_id}")
    assert_no_injected_script(page)
    watched.assert_quiet()


def test_document_in_dark_mode(browser: Any, live_server: str, tmp_path: Path) -> None:
    """The document page in the dark scheme: dark background, readable text (screenshot)."""
    watched = open_page(browser, color_scheme="dark")
    page = watched.page
    try:
        page.goto(f"{live_server}/doc/{doc_id_for(live_server, 'notre dame fire')}")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert sum(int(v) for v in re.findall(r"\d+", background)[:3]) / 3 < 60
        for selector in ("h1", ".doc-body p", ".doc-meta", ".doc-source a", ".result-title a"):
            ratio = page.evaluate(CONTRAST_JS, selector)
            assert ratio is not None, selector
            assert ratio >= 4.5, f"{selector} contrast {ratio:.2f} in dark mode"
        shot = save_screenshot(page, tmp_path, "document-dark")
        publish_for_readme(shot, README_DOCUMENT_SCREENSHOT)
        watched.assert_quiet()
    finally:
        page.context.close()


AXE_PAGES = {
    "home": "/",
    "results": f"/search?q={COMMON_WORD}",
    "tips": "/tips",
    "embedding": "/embedding",
    "no-results": "/search?q=zzxqvw",
    "error": "/doc/ffffffffffffffff",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", [*AXE_PAGES, "document", "similar"])
def test_axe_finds_no_serious_violations(
    browser: Any, live_server: str, name: str, scheme: str
) -> None:
    """axe-core reports no serious or critical accessibility problem, in either scheme."""
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    from tests.browser_support import axe_problems

    if name in ("document", "similar"):
        doc_id = doc_id_for(live_server, "notre dame fire")
        path = f"/doc/{doc_id}?q=notre+dame" if name == "document" else f"/doc/{doc_id}/similar"
    else:
        path = AXE_PAGES[name]
    watched = open_page(browser, color_scheme=scheme)
    try:
        watched.page.goto(live_server + path)
        assert axe_problems(watched.page) == []
    finally:
        watched.page.context.close()


class _ScriptHost(http.server.BaseHTTPRequestHandler):
    """Another site (another loopback port) that embeds the widget with a script tag and,
    below it, the iframe mode, recording the heights the frame posts."""

    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args: Any) -> None:
        pass


HOST_PAGE = """<!doctype html><html lang="en"><title>A blog</title>
<style>.archive-search {{ --ss-accent: rgb(138, 28, 28); --ss-font: Georgia, serif; }}</style>
<h1>A blog about frogs</h1>
<div class="archive-search" id="box"></div>
<script src="{base}/static/embed.js" data-target="#box" data-size="3"
        data-query="{query}"></script>
<iframe id="frame" src="{base}/embed?q={query}" title="Search" width="600" height="100"></iframe>
<script>
  window.heights = [];
  window.addEventListener("message", function (event) {{
    if (event.data && event.data.type === "search-service:height") {{
      window.heights.push([event.origin, event.data.height]);
      document.getElementById("frame").style.height = event.data.height + "px";
    }}
  }});
</script>
</html>"""


@pytest.fixture
def blog(live_server: str) -> Iterator[str]:
    """The other site's URL (a different origin from the search service)."""
    _ScriptHost.page = HOST_PAGE.format(base=live_server, query=HOSTILE_QUERY).encode()
    server = http.server.HTTPServer(("127.0.0.1", 0), _ScriptHost)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_script_widget_on_another_origin_finds_results(
    browser: Any, blog: str, live_server: str, tmp_path: Path
) -> None:
    """The script tag draws a box in a shadow root that searches across origins; hostile
    text stays text, the host's custom properties style it, and a new search works."""
    watched = open_page(browser, color_scheme="light")
    page = watched.page
    try:
        page.goto(blog)
        assert page.evaluate("document.getElementById('box').shadowRoot !== null")
        title = page.locator("#box .ss-title a", has_text="<script>alert(1)</script>")
        title.wait_for()
        assert title.get_attribute("target") == "_blank"
        assert title.get_attribute("href").startswith(live_server + "/doc/")
        assert page.locator("#box mark").count() >= 1
        shown = page.locator("#box .ss-meta time").first.inner_text()
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", shown)  # as people read dates
        assert (
            page.locator("#box .ss-button").evaluate("b => getComputedStyle(b).backgroundColor")
            == "rgb(138, 28, 28)"
        )
        box = page.locator("#box .ss-input")
        box.fill("notre dame fire")
        box.press("Enter")
        page.locator("#box .ss-title a", has_text="Notre Dame").first.wait_for()
        assert page.locator("#box .ss-result").count() <= 3
        # nothing but the host's own two scripts, in the page and in the shadow root
        assert page.evaluate("document.scripts.length") == 2
        assert (
            page.evaluate(
                "document.getElementById('box').shadowRoot.querySelectorAll('script,img').length"
            )
            == 0
        )
        save_screenshot(page, tmp_path, "widget-script-tag")
        assert watched.dialogs == []
        if importlib.util.find_spec("axe_playwright_python"):
            from tests.browser_support import axe_problems

            assert axe_problems(page, context="#box") == []
    finally:
        page.context.close()


def test_iframe_mode_posts_its_height(browser: Any, blog: str, live_server: str) -> None:
    """/embed?q= in a foreign frame shows results and tells the host its height."""
    watched = open_page(browser, color_scheme="light")
    page = watched.page
    try:
        page.goto(blog)
        frame = page.frame_locator("#frame")
        frame.locator(".result-title a", has_text="<script>alert(1)</script>").wait_for()
        page.wait_for_function("window.heights.length > 0")
        origin, height = page.evaluate("window.heights[window.heights.length - 1]")
        assert origin == live_server
        assert height > 150
        assert page.evaluate("document.getElementById('frame').clientHeight") == height
        widget = next(f for f in page.frames if "/embed?" in f.url)
        assert_no_injected_script(widget)
        assert watched.dialogs == []
    finally:
        page.context.close()
