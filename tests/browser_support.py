"""Helpers for the browser tests: launching the system Chromium and measuring what is seen.

Playwright drives Debian's Chromium at /usr/bin/chromium; ``playwright install`` (a browser
download) is never needed. Without that binary the browser tests skip, saying why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("SEARCH_SERVICE_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Where ``SAVE_SCREENSHOTS=1`` copies the screenshots for the README.
README_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-results.png"
README_DOCUMENT_SCREENSHOT = README_SCREENSHOT.with_name("screenshot-document.png")
#: axe-core impacts that fail a page.
FAILING_IMPACTS = frozenset({"serious", "critical"})

#: WCAG relative luminance and contrast ratio, run in the page on computed colours.
CONTRAST_JS = """
(selector) => {
  const parse = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (bg && !bg.startsWith("rgba(0, 0, 0, 0)") && bg !== "transparent") return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const el = document.querySelector(selector);
  if (!el) return null;
  const fg = lum(parse(getComputedStyle(el).color));
  const bg = lum(parse(background(el)));
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
    return None


def save_screenshot(page: Any, directory: Path, name: str) -> Path:
    """A full-page PNG of what the browser shows, under the test's tmp_path."""
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def publish_for_readme(screenshot: Path, target: Path = README_SCREENSHOT) -> None:
    """Copy a screenshot to docs/ when SAVE_SCREENSHOTS=1 (the README shows it)."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, target)


def axe_problems(page: Any, context: str | None = None) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each (empty: none).

    axe-core comes from the axe-playwright-python package (it ships axe.min.js); Playwright
    injects it through the DevTools protocol, so the page's strict CSP does not block it.
    ``context`` (a CSS selector) limits the check to part of the page, shadow roots included.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in FAILING_IMPACTS
    ]
