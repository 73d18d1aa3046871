#!/usr/bin/env python3
"""Generate the bundled sample corpus in search_service/sample/ from Wikinews texts.

    python tools/make_sample.py --texts /path/to/texts.jsonl.gz [--out search_service/sample]

Input: the shared texts file (JSON Lines, gzip or plain) with fields id, source, source_ref, licence,
title, date, paragraphs. Only Wikinews texts (CC BY 2.5) are used; the script refuses to run if a
chosen text is missing or carries another licence (BBC texts are research-use only and never shipped).

Output (rewritten on every run; byte-identical for the same input):
  pages/<site-domain>/<path>.html[.gz]   saved pages of five fictional .example news sites
  truth.jsonl                            one line per file: kind and, for articles, the clean fields
  queries.jsonl, qrels.tsv               a few demo/test queries and their expected story
  chrome-strings.txt                     boilerplate strings of the templates (for the scorer)
  ATTRIBUTION.md, README.md

The site templates, bylines, times and chrome are written here by the project; nothing is copied from
the shared page set. Exit status 2 (one line on stderr) when the input is absent or unusable.
"""
from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import shutil
import struct
import sys
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

SEED = "search-service-sample-v1"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_TEXTS = REPO.parent / "shared" / "data" / "scraped-sample" / "texts.jsonl.gz"
DEFAULT_OUT = REPO / "search_service" / "sample"
WIKINEWS_MAIN = "https://en.wikinews.org/"

# --------------------------------------------------------------------------------------------------
# stories: a curated, varied set of Wikinews texts (ids of the shared texts file)
# (id, section, dateline for republished copies, number of copies)
# --------------------------------------------------------------------------------------------------
STORIES = [
    ("wn-fa626d79c3", "world", "PARIS", 4),          # Notre Dame fire
    ("wn-eee45ef30d", "science", "CAPE CANAVERAL, Fla.", 3),  # SpaceX crewed launch
    ("wn-0b52b082ab", "science", "MONTREAL", 3),     # water vapour on K2-18b
    ("wn-ceaf8a9e94", "health", "GENEVA", 3),        # WHO declares pandemic
    ("wn-29bbdbcd49", "science", "ATLANTA", 3),      # fish defend coral reefs
    ("wn-d07e969033", "world", "NEW YORK", 2),       # Greta Thunberg, Time Person of the Year
    ("wn-bc948507a0", "sport", "DOHA", 2),           # Warholm 400 m hurdles
    ("wn-0de0e6ecde", "world", "NAHA, Japan", 2),    # Lost 52 Project, USS Grayback
    ("wn-cdc760b69d", "politics", "LONDON", 2),      # UK general election 2019
    ("wn-1042ab2f05", "business", "CHICAGO", 2),     # Kmart to buy Sears
    ("wn-aea10c6840", "science", None, 1),           # Nobel Prize in physics 2019
    ("wn-d2688f005a", "science", None, 1),           # Alexei Leonov dies
    ("wn-0f262cdeb7", "environment", None, 1),       # monarch butterflies
    ("wn-44dd42f780", "science", None, 1),           # dinosaurs flapped wings
    ("wn-c625f4b955", "sport", None, 1),             # NBA suspends season
    ("wn-cf8ab3738d", "business", None, 1),          # Tesco Polska sale
    ("wn-eaa105171f", "culture", None, 1),           # Mister America premiere
    ("wn-f3c9f47d0e", "world", None, 1),             # Khashoggi fiancee at UN (windows-1252 page)
    ("wn-106c444ca6", "culture", None, 1),           # Band Aid video
    ("wn-a520bdaa52", "business", None, 1),          # Sensex all-time high
    ("wn-1d1ba3f297", "culture", None, 1),           # Furnal Equinox
    ("wn-0ecd0b02d7", "environment", None, 1),       # Hurricane Humberto
    ("wn-cfe9bf525b", "science", None, 1),           # ibis mummies
    ("wn-f3f02fb789", "science", None, 1),           # frog skulls (escaping test page)
]
XSS_STORY = "wn-f3f02fb789"
XSS_TITLE_SUFFIX = " <script>alert(1)</script>"
XSS_PARAGRAPH = ("Editor's note: an earlier version of this page showed the text "
                 "<img src=x onerror=alert(2)> in place of a photo.")
CP1252_STORY = "wn-f3c9f47d0e"

QUERIES = [  # (query, story, kind); every word is checked against the story's headline and body
    ("Notre Dame cathedral fire", "wn-fa626d79c3", "known-item-title"),
    ("SpaceX crewed launch Behnken Hurley", "wn-eee45ef30d", "known-item-body"),
    ("water vapour exoplanet", "wn-0b52b082ab", "known-item-title"),
    ("World Health Organization pandemic", "wn-ceaf8a9e94", "known-item-title"),
    ("Greta Thunberg Person of the Year", "wn-d07e969033", "known-item-title"),
    ("Warholm hurdles Doha", "wn-bc948507a0", "known-item-title"),
    ("Grayback submarine wreck Okinawa", "wn-0de0e6ecde", "known-item-body"),
    ("monarch butterfly population Mexico", "wn-0f262cdeb7", "known-item-title"),
    ("Kmart Sears deal", "wn-1042ab2f05", "known-item-body"),
    ("mummified ibis DNA", "wn-cfe9bf525b", "known-item-body"),
    ("Leonov first spacewalk", "wn-d2688f005a", "known-item-body"),
    ("Boris Johnson majority", "wn-cdc760b69d", "known-item-body"),
]

# --------------------------------------------------------------------------------------------------
# sites
# --------------------------------------------------------------------------------------------------
HARBOUR, NORTHLIGHT, QUICK, VALLEY, COAST = (
    "www.harbourgazette.example", "www.northlightdaily.example", "m.quickwire.example",
    "www.valleyledger.example", "www.coastandcounty.example")
SITES = [HARBOUR, NORTHLIGHT, QUICK, VALLEY, COAST]
SITE_NAME = {HARBOUR: "Harbour Gazette", NORTHLIGHT: "The Northlight Daily", QUICK: "QuickWire",
             VALLEY: "Valley Ledger", COAST: "Coast & County News"}
REPORTERS = {
    HARBOUR: ["Jane Doe", "Callum Whitby", "Priya Natarajan", "Oskar Lindqvist"],
    NORTHLIGHT: ["Marguerite Olsen", "Tom Ashdown", "Ifeoma Chukwu", "Rafael Santos"],
    QUICK: ["Lena Fischer", "Dev Malhotra", "Hannah Brooks"],
    VALLEY: ["Walt Kowalski", "Dorothy Pruitt", "Eddie Ramirez"],
    COAST: ["Abigail Mercer", "Noah Feldman", "Sunita Rao", "Gareth Pugh"],
}
TZ = {HARBOUR: timezone.utc, QUICK: timezone(timedelta(hours=1)), COAST: timezone(timedelta(hours=-5)),
      NORTHLIGHT: timezone.utc, VALLEY: timezone(timedelta(hours=-6))}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
COMMENTERS = ["harbourwatcher", "J. Pellow", "notabot42", "Mags", "old_reader", "K. Varga"]
COMMENT_TEXTS = ["Thanks for covering this.", "Would be good to see a follow-up on this one.",
                 "First I have heard of it, to be honest.", "Great reporting as always.",
                 "Does anyone have a link to the original statement?"]

CHROME_STRINGS = [
    "Skip to content", "We use cookies", "Accept all cookies", "Manage preferences", "Share on Facebook",
    "Share on Twitter", "Share via Email", "Related Posts", "Subscribe to our newsletter",
    "All rights reserved", "Privacy Policy", "Terms of Use", "Read more:", "Continue reading",
    "Leave a Reply", "Log in to comment", "Most Read", "Advertisement", "You may also like",
    "Recommended for you", "Please enable JavaScript", "Sign up for the morning briefing",
    "Top stories", "Back to top", "Print this story", "E-mail this story", "Today is",
    "Tap to share", "Get the QuickWire app", "Posted on", "Staff Writer", "Filed under",
    "Sponsored content", "Previous story", "Next story",
]


class InputError(Exception):
    pass


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------
def rng(*parts) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def slugify(s: str, limit: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    if len(s) > limit:
        s = s[:limit].rsplit("-", 1)[0]
    return s


def long_date(d) -> str:  # 3 March 2021
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def us_date(d) -> str:  # March 3, 2021
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def weekday_long(d) -> str:  # Tuesday, 17 September 2019
    return f"{DAYS[d.weekday()]}, {long_date(d)}"


def first_sentence(p: str) -> str:
    m = re.match(r"(.{40,}?[.!?])\s", p + " ")
    return m.group(1) if m else p


def jsonld(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1).replace("</", "<\\/")


@dataclass
class Page:
    story: str
    site: str
    path: str  # path under the site, ending in .html
    headline: str
    paras: list  # body paragraphs shown (truth)
    author: str | None
    pub: datetime  # aware, in the site's zone
    crawl: date
    section: str
    original: bool
    gz: bool = False
    canonical: str | None = None  # rel=canonical target (other than self) for copies
    repeat: str | None = None  # headline repeat variant
    readmore: list = field(default_factory=list)  # [(after_index, headline, url)]
    truncated_link: str | None = None
    prev: tuple | None = None
    next: tuple | None = None
    related: list = field(default_factory=list)
    glue_title: bool = False
    updated: datetime | None = None
    cp1252: bool = False
    comments: list = field(default_factory=list)
    artefacts: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://{self.site}/{self.path}"

    @property
    def file(self) -> str:
        return f"pages/{self.site}/{self.path}" + (".gz" if self.gz else "")


def repeat_text(p: Page) -> str | None:
    h = p.headline
    if p.repeat == "exact":
        return h
    if p.repeat == "upper":
        return h.upper()
    if p.repeat == "kicker":
        return "EXCLUSIVE: " + h
    if p.repeat == "punct":
        return h.replace(",", "").replace("'", "\u2019").rstrip(".") + "."
    return None


def body_blocks(p: Page, tag: str = "p", readmore_fmt=None) -> list[str]:
    """The body as HTML blocks: repeated headline, paragraphs, inline read-more links."""
    out = []
    rep = repeat_text(p)
    if rep is not None:
        out.append(f"<{tag} class=\"lead\">{esc(rep)}</{tag}>" if tag == "p" else f"<{tag}>{esc(rep)}</{tag}>")
    for i, para in enumerate(p.paras):
        out.append(f"<p>{esc(para)}</p>")
        for after, h, u in p.readmore:
            if after == i:
                out.append(readmore_fmt(h, u) if readmore_fmt else
                           f'<p class="read-more"><strong>Read more:</strong> <a href="{esc(u)}">{esc(h)}</a></p>')
    return out


# --------------------------------------------------------------------------------------------------
# templates, one per site, written by hand
# --------------------------------------------------------------------------------------------------
def render_harbour(p: Page) -> str:
    t = p.pub
    byline_when = f"{us_date(t)} {t:%H:%M} GMT"
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": p.headline,
          "datePublished": t.isoformat(), "author": {"@type": "Person", "name": p.author},
          "publisher": {"@type": "Organization", "name": SITE_NAME[HARBOUR]},
          "mainEntityOfPage": p.canonical or p.url}
    if p.updated:
        ld["dateModified"] = p.updated.isoformat()
    canonical = p.canonical or p.url
    rel = "\n".join(f'      <li><a href="{esc(u)}">{esc(h)}</a></li>' for h, u in p.related)
    blocks = body_blocks(p)
    if len(blocks) > 2:
        blocks.insert(2, '<figure class="photo"><img src="/img/placeholder-640.jpg" alt="">'
                         '<figcaption>File photo. Picture: Harbour Gazette archive</figcaption></figure>')
    if p.truncated_link:
        blocks.append(f'<p class="more"><a href="{esc(p.truncated_link)}">Continue reading</a></p>')
    updated = (f'\n      <p class="updated">Updated {us_date(p.updated)} {p.updated:%H:%M} GMT</p>'
               if p.updated else "")
    body = "\n      ".join(blocks)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>{esc(p.headline)} | Harbour Gazette</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="{esc(first_sentence(p.paras[0]))}">
  <meta property="og:type" content="article">
  <meta property="og:site_name" content="Harbour Gazette">
  <meta property="og:title" content="{esc(p.headline)}">
  <meta property="og:url" content="{esc(canonical)}">
  <link rel="canonical" href="{esc(canonical)}">
  <link rel="stylesheet" href="/static/hg.css">
  <script type="application/ld+json">
{jsonld(ld)}
  </script>
</head>
<body class="article">
  <a class="skip" href="#main">Skip to content</a>
  <div id="cookie-consent" role="dialog">
    <p>We use cookies to make this site work and to measure how it is used.</p>
    <button>Accept all cookies</button> <button>Manage preferences</button>
  </div>
  <header class="masthead">
    <div class="today">{weekday_long(p.crawl)}</div>
    <a class="logo" href="/">Harbour Gazette</a>
    <nav><ul>
      <li><a href="/news/">News</a></li><li><a href="/news/world.html">World</a></li>
      <li><a href="/news/business.html">Business</a></li><li><a href="/news/science.html">Science</a></li>
      <li><a href="/news/sport.html">Sport</a></li><li><a href="/news/culture.html">Culture</a></li>
      <li><a href="/opinion/">Opinion</a></li>
    </ul></nav>
  </header>
  <main id="main">
    <article>
      <p class="section"><a href="/news/{p.section}.html">{p.section.title()}</a></p>
      <h1>{esc(p.headline)}</h1>
      <p class="byline">By <a href="/authors/{slugify(p.author)}.html">{esc(p.author)}</a> | {byline_when}</p>{updated}
      <ul class="share">
        <li><a href="#">Share on Facebook</a></li><li><a href="#">Share on Twitter</a></li><li><a href="#">Share via Email</a></li>
      </ul>
      <div class="article-body">
      {body}
      </div>
    </article>
    <aside class="related">
      <h2>Related Posts</h2>
      <ul>
{rel}
      </ul>
    </aside>
    <aside class="newsletter">
      <h2>Subscribe to our newsletter</h2>
      <p>The Harbour Gazette morning briefing, in your inbox at 7am.</p>
      <form><input type="email" placeholder="you@example.com"><button>Sign up</button></form>
    </aside>
  </main>
  <footer>
    <p>&copy; {p.crawl.year} Harbour Gazette Media Ltd. All rights reserved.</p>
    <p><a href="/privacy.html">Privacy Policy</a> | <a href="/terms.html">Terms of Use</a> | <a href="#">Back to top</a></p>
  </footer>
</body>
</html>
"""


def render_northlight(p: Page) -> str:
    t = p.pub
    if p.prev:
        h1 = f'<a class="prev-story" href="{esc(p.prev[1])}">{esc(p.prev[0])}</a> {esc(p.headline)}'
    elif p.next:
        h1 = f'{esc(p.headline)} <a class="next-story" href="{esc(p.next[1])}">{esc(p.next[0])}</a>'
    else:
        h1 = esc(p.headline)
    canon = f'\n<link rel="canonical" href="{esc(p.canonical)}">' if p.canonical else ""
    blocks = body_blocks(p)
    if p.truncated_link:
        blocks.append(f'<p><a href="{esc(p.truncated_link)}">Continue reading &raquo;</a></p>')
    comments = "\n".join(
        f'<li class="comment"><b>{esc(who)}</b> <span class="when">{long_date(when)}</span><p>{esc(txt)}</p></li>'
        for who, when, txt in p.comments)
    body = "\n".join(blocks)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>The Northlight Daily - {esc(p.headline)}</title>{canon}
<link rel="stylesheet" href="/css/northlight.css">
</head>
<body>
<div class="topbar"><span class="date">TODAY &middot; {long_date(p.crawl)}</span>
<a href="/subscribe">Subscribe</a> <a href="/login">Sign in</a></div>
<div class="brand"><a href="/">The Northlight Daily</a></div>
<ul class="menu">
<li><a href="/world/">World</a></li><li><a href="/politics/">Politics</a></li><li><a href="/business/">Business</a></li>
<li><a href="/science/">Science</a></li><li><a href="/sport/">Sport</a></li><li><a href="/culture/">Culture</a></li>
</ul>
<div class="content">
<div class="story">
<h1 class="story-title">{h1}</h1>
<div class="meta">{esc(p.author)}, Staff Writer &mdash; {long_date(t)}</div>
<div class="story-text">
{body}
</div>
<div class="tags">Filed under: <a href="/{p.section}/">{p.section}</a></div>
<div class="pager">
{f'<a class="prev" href="{esc(p.prev[1])}">Previous story</a>' if p.prev else ''}
{f'<a class="next" href="{esc(p.next[1])}">Next story</a>' if p.next else ''}
</div>
</div>
<div class="signup"><h3>Subscribe to our newsletter</h3><p>Sign up for the morning briefing.</p></div>
<div id="comments">
<h3>{len(p.comments)} Comment{"s" if len(p.comments) != 1 else ""}</h3>
<ol>
{comments}
</ol>
<h3>Leave a Reply</h3>
<p>Log in to comment.</p>
</div>
</div>
<div class="footer">The Northlight Daily &middot; <a href="/privacy">Privacy Policy</a> &middot; All rights reserved.</div>
</body>
</html>
"""


def render_quick(p: Page) -> str:
    t = p.pub
    shown = f"{t:%d/%m/%Y %H:%M}"
    title = f"{p.prev[0]} {p.headline}" if (p.glue_title and p.prev) else p.headline
    canonical = p.canonical or p.url
    by = f'<span class="by">by {esc(p.author)}</span> &middot; ' if p.author else ""

    def rm(h, u):
        return f'<div class="inline-link">Read more: <a href="{esc(u)}">{esc(h)}</a></div>'

    blocks = body_blocks(p, tag="h2", readmore_fmt=rm)
    if p.truncated_link:
        blocks.append(f'<a class="btn" href="{esc(p.truncated_link)}">Continue reading</a>')
    body = "\n".join(blocks)
    rel = "".join(f'<li><a href="{esc(u)}">{esc(h)}</a></li>' for h, u in p.related)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{esc(title)} - QuickWire</title>
<meta name="author" content="QuickWire">
<meta property="og:title" content="{esc(p.headline)}">
<meta property="og:site_name" content="QuickWire">
<link rel="canonical" href="{esc(canonical)}">
<link rel="amphtml" href="{esc(p.url.replace('.html', '.amp.html'))}">
</head><body>
<noscript>Please enable JavaScript to use all features of QuickWire.</noscript>
<div class="bar"><b>QuickWire</b> <span class="today">{DAYS[p.crawl.weekday()][:3]} {p.crawl.day} {MONTHS[p.crawl.month - 1][:3]} {p.crawl.year}</span>
<a href="/menu">&#9776;</a></div>
<div class="app-banner">Get the QuickWire app <a href="/app">Install</a></div>
<div class="art">
<h1>{esc(p.headline)}</h1>
<div class="info">{by}<time datetime="{t.isoformat()}">{shown}</time></div>
{body}
<div class="share">Tap to share: <a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
</div>
<div class="more"><h3>Top stories</h3><ul>{rel}</ul></div>
<div class="consent">We use cookies. <a href="/cookies">Accept all cookies</a></div>
<div class="foot">&copy; QuickWire &middot; <a href="/privacy">Privacy Policy</a></div>
</body></html>
"""


def render_valley(p: Page) -> str:
    t = p.pub
    hour12 = t.hour % 12 or 12
    when = f"{us_date(t)} at {hour12}:{t.minute:02d} {'am' if t.hour < 12 else 'pm'}"
    meta = "" if p.cp1252 else '\n<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=utf-8">'
    blocks = body_blocks(p)
    body = "\n".join(blocks)
    most = "\n".join(f'<LI><A HREF="{esc(u)}">{esc(h)}</A></LI>' for h, u in p.related)
    canon = f'\n<LINK REL="canonical" HREF="{esc(p.canonical)}">' if p.canonical else ""
    if p.truncated_link:
        body += f'\n<P><A HREF="{esc(p.truncated_link)}">Continue reading...</A></P>'
    return f"""<HTML>
<HEAD>{meta}
<TITLE>Valley Ledger | {esc(p.headline)}</TITLE>{canon}
</HEAD>
<BODY BGCOLOR="#FFFFFF">
<TABLE WIDTH="780" BORDER="0" CELLPADDING="0" CELLSPACING="0">
<TR><TD COLSPAN="2" CLASS="top"><FONT SIZE="1">Today is {DAYS[p.crawl.weekday()]}, {us_date(p.crawl)}</FONT><BR>
<A HREF="/"><IMG SRC="/images/ledger-logo.gif" ALT="Valley Ledger" BORDER="0"></A></TD></TR>
<TR><TD COLSPAN="2" CLASS="nav"><A HREF="/">Home</A> | <A HREF="/archive/">Archive</A> | <A HREF="/local/">Local</A> | <A HREF="/world/">World</A> | <A HREF="/classifieds/">Classifieds</A> | <A HREF="/contact/">Contact Us</A></TD></TR>
<TR><TD VALIGN="top" WIDTH="560">
<FONT FACE="Georgia" SIZE="5"><B>{esc(p.headline)}</B></FONT><BR>
<FONT SIZE="2"><I>Posted on {when} by {esc(p.author)}</I></FONT>
<DIV CLASS="storybody">
{body}
</DIV>
<P CLASS="tools"><A HREF="#">Print this story</A> | <A HREF="#">E-mail this story</A></P>
</TD>
<TD VALIGN="top" WIDTH="220" CLASS="side">
<P CLASS="ad">Advertisement</P>
<B>Most Read</B>
<OL>
{most}
</OL>
<P CLASS="ad">Advertisement</P>
</TD></TR>
<TR><TD COLSPAN="2" CLASS="foot"><FONT SIZE="1">&copy; {p.crawl.year} Valley Ledger Publishing Co. \u2014 the valley\u2019s paper since 1921. All rights reserved. <A HREF="/privacy.html">Privacy Policy</A></FONT></TD></TR>
</TABLE>
</BODY>
</HTML>
"""


def render_coast(p: Page) -> str:
    t = p.pub
    canonical = p.canonical or p.url
    meta_modified = (f'\n    <meta property="article:modified_time" content="{p.updated.isoformat()}">'
                     if p.updated else "")
    blocks = body_blocks(p)
    if p.truncated_link:
        blocks.append(f'<p class="continue"><a href="{esc(p.truncated_link)}">Continue reading at the original publisher</a></p>')
    body = "\n          ".join(blocks)
    rel = "\n".join(f'          <li class="card"><a href="{esc(u)}">{esc(h)}</a></li>' for h, u in p.related)
    return f"""<!DOCTYPE html>
<html lang="en-US">
  <head>
    <meta charset="utf-8">
    <title>{esc(p.headline)} | Coast &amp; County News</title>
    <link rel="canonical" href="{esc(canonical)}">
    <meta property="og:title" content="{esc(p.headline)}">
    <meta property="og:type" content="article">
    <meta property="article:published_time" content="{t.isoformat()}">{meta_modified}
    <meta property="article:section" content="{p.section}">
    <meta name="author" content="{esc(p.author)}">
    <meta name="twitter:card" content="summary_large_image">
  </head>
  <body>
    <header class="site-header">
      <div class="dateline-bar">{DAYS[p.crawl.weekday()]} {MONTHS[p.crawl.month - 1][:3]} {p.crawl.day}, {p.crawl.year} &bull; 12&deg;C Clear</div>
      <a class="brand" href="/">Coast &amp; County News</a>
      <nav class="primary"><a href="/">Home</a> <a href="/local/">Local</a> <a href="/nation-world/">Nation &amp; World</a> <a href="/business/">Business</a> <a href="/sports/">Sports</a> <a href="/life/">Life</a> <a href="/subscribe/" class="cta">Subscribe</a></nav>
    </header>
    <main>
      <article itemscope itemtype="https://schema.org/NewsArticle">
        <header>
          <h1 itemprop="headline">{esc(p.headline)}</h1>
          <div class="author-line">By <span itemprop="author">{esc(p.author)}</span></div>
          <div class="date-line">{MONTHS[t.month - 1][:3]} {t.day}, {t.year}</div>
        </header>
        <div class="share-rail"><button>Share on Facebook</button><button>Share on Twitter</button><button>Share via Email</button></div>
        <div class="entry-content" itemprop="articleBody">
          {body}
        </div>
        <div class="promo">Sponsored content</div>
      </article>
      <section class="recirc">
        <h2>You may also like</h2>
        <ul>
{rel}
        </ul>
      </section>
      <section class="comments"><h2>Comments</h2><p>Log in to comment.</p></section>
    </main>
    <div class="cookie-notice">We use cookies to personalise content and ads. <button>Accept all cookies</button></div>
    <footer>&copy; {p.crawl.year} Coast &amp; County Media. All rights reserved. <a href="/privacy/">Privacy Policy</a> <a href="/terms/">Terms of Use</a></footer>
  </body>
</html>
"""


RENDER = {HARBOUR: render_harbour, NORTHLIGHT: render_northlight, QUICK: render_quick,
          VALLEY: render_valley, COAST: render_coast}


def site_path(site: str, story: str, headline: str, pub: datetime, section: str) -> str:
    s = slugify(headline)
    if site == HARBOUR:
        return f"news/{pub:%Y/%m/%d}/{s}.html"
    if site == NORTHLIGHT:
        return f"{section}/{pub:%Y/%m/%d}/{s}.html"
    if site == QUICK:
        return f"a/{slugify(headline, 40)}-{rng('qid', story).randrange(10000, 99999)}.html"
    if site == VALLEY:
        return f"archive/{pub:%Y/%m}/{s}.html"
    return f"stories/{pub:%Y%m%d}-{s}.html"


def published_truth(p: Page) -> str:
    if p.site in (HARBOUR, QUICK, COAST):
        return p.pub.isoformat()
    if p.site == VALLEY:
        return p.pub.strftime("%Y-%m-%dT%H:%M")
    return p.pub.date().isoformat()


# --------------------------------------------------------------------------------------------------
# building the pages
# --------------------------------------------------------------------------------------------------
def load_texts(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"input texts not found: {path} (pass --texts /path/to/texts.jsonl.gz)")
    opener = gzip.open if path.suffix == ".gz" else open
    wanted = {s[0] for s in STORIES}
    found = {}
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("id") in wanted:
                    found[r["id"]] = r
    except (OSError, ValueError, EOFError) as e:
        raise InputError(f"cannot read input texts {path}: {e}")
    missing = sorted(wanted - set(found))
    if missing:
        raise InputError(f"input texts {path} lack {len(missing)} chosen stories: {', '.join(missing)}")
    for i, r in found.items():
        lic = str(r.get("licence") or "")
        if r.get("source") != "wikinews" or not lic.startswith("CC BY 2.5"):
            raise InputError(f"text {i} is not a Wikinews CC BY 2.5 text (source={r.get('source')!r}, "
                             f"licence={lic!r}); refusing to use it")
        if not r.get("paragraphs") or not r.get("title") or not r.get("date"):
            raise InputError(f"text {i} lacks title, date or paragraphs")
    return found


COPY_OPS = [["dateline", "canonical"], ["truncated", "canonical"], ["dropped"], ["shuffled", "canonical"],
            ["dateline", "dropped"], ["shuffled"], ["truncated", "canonical"], ["dropped", "canonical"]]
REPEATS = ["exact", None, "upper", None, "kicker", None, "punct", None]


def build_pages(texts: dict) -> list[Page]:
    pages: list[Page] = []
    headline = {}
    for sid, *_ in STORIES:
        h = texts[sid]["title"]
        headline[sid] = h + XSS_TITLE_SUFFIX if sid == XSS_STORY else h
    # which sites carry which story
    single_sites = SITES[:]
    rng("singles").shuffle(single_sites)
    copy_k = 0
    load = {s: 0 for s in SITES}
    for n, (sid, section, dateline, copies) in enumerate(STORIES):
        r = rng("story", sid)
        if sid == XSS_STORY:
            sites = [HARBOUR]
        elif sid == CP1252_STORY:
            sites = [VALLEY]
        elif copies == 1:
            sites = [min(single_sites, key=lambda s: load[s])]
            single_sites.append(single_sites.pop(single_sites.index(sites[0])))
        else:  # the least used sites so far (seeded tie-break), original chosen at random among them
            sites = sorted(SITES, key=lambda s: (load[s], r.random()))[:copies]
            r.shuffle(sites)
        for s in sites:
            load[s] += 1
        paras = list(texts[sid]["paragraphs"])
        if sid == XSS_STORY:
            paras = paras + [XSS_PARAGRAPH]
        d0 = date.fromisoformat(texts[sid]["date"])
        orig_url = None
        for ci, site in enumerate(sites):
            pr = rng("page", sid, site)
            day = d0 + timedelta(days=0 if ci == 0 else pr.randint(0, 2))
            pub = datetime(day.year, day.month, day.day, pr.randint(6, 21), pr.choice([0, 5, 12, 20, 30, 41, 45, 58]),
                           tzinfo=TZ[site])
            if ci > 0 and pub <= pages[-1].pub:
                pub = (pages[-1].pub + timedelta(hours=pr.randint(2, 9), minutes=pr.randint(0, 59))).astimezone(TZ[site])
            crawl = (pub + timedelta(days=pr.randint(3, 240))).date()
            p = Page(story=sid, site=site, path=site_path(site, sid, headline[sid], pub, section),
                     headline=headline[sid], paras=list(paras), author=pr.choice(REPORTERS[site]), pub=pub,
                     crawl=crawl, section=section, original=(ci == 0))
            p.artefacts.append("date:crawl-header")
            if ci == 0:
                orig_url = p.url
            else:
                ops = COPY_OPS[copy_k % len(COPY_OPS)]
                copy_k += 1
                if "dropped" in ops and len(p.paras) >= 4:
                    del p.paras[pr.randint(1, len(p.paras) - 2)]
                    p.artefacts.append("copy:dropped-paragraph")
                if "shuffled" in ops and len(p.paras) >= 4:
                    p.paras[1], p.paras[2] = p.paras[2], p.paras[1]
                    p.artefacts.append("copy:shuffled")
                if "dateline" in ops:
                    p.paras[0] = f"{dateline} \u2014 {p.paras[0]}"
                    p.artefacts.append("copy:dateline")
                if "truncated" in ops:
                    p.paras = p.paras[:2]
                    p.truncated_link = orig_url
                    p.artefacts.append("copy:truncated")
                if "canonical" in ops:
                    p.canonical = orig_url
                    p.artefacts.append("canonical:to-original")
            pages.append(p)
    # special pages
    for p in pages:
        if p.story == CP1252_STORY:  # a legacy CMS: typographic apostrophes (0x92 in windows-1252)
            p.cp1252 = True
            p.paras = [re.sub(r"(?<=\w)'(?=\w)", "\u2019", x) for x in p.paras]
            p.artefacts.append("encoding:cp1252-undeclared")
        if p.story == XSS_STORY:
            p.artefacts.append("hostile:injection")
    # deterministic order, then per-page artefacts cycling over that order
    pages.sort(key=lambda p: (p.pub.astimezone(timezone.utc), p.site))
    for i, p in enumerate(pages):
        pr = rng("extras", p.story, p.site)
        p.repeat = REPEATS[i % len(REPEATS)]
        if p.repeat:
            p.artefacts.append(f"headline-repeat:{p.repeat}")
        others = [q for q in pages if q.story != p.story]
        if p.site in (HARBOUR, QUICK, COAST) and i % 2 == 0 and len(p.paras) >= 2:
            q = pr.choice(others)
            p.readmore.append((pr.randint(0, min(2, len(p.paras) - 2)), q.headline, q.url))
            p.artefacts.append("chrome:inline-read-more")
        if p.site in (HARBOUR, COAST) and i % 3 == 1:
            p.updated = p.pub + timedelta(hours=pr.randint(3, 40), minutes=pr.randint(0, 59))
            p.artefacts.append("date:modified-date")
        rel = pr.sample(others, 4)
        p.related = [(q.headline, q.url) for q in rel]
        if p.site == NORTHLIGHT:
            p.comments = [(pr.choice(COMMENTERS), p.crawl - timedelta(days=pr.randint(0, 2)), pr.choice(COMMENT_TEXTS))
                          for _ in range(pr.randint(1, 3))]
            p.artefacts.append("chrome:comments")
    for site in SITES:
        mine = [p for p in pages if p.site == site]
        for j, p in enumerate(mine):
            if site in (NORTHLIGHT, QUICK):
                p.prev = (mine[j - 1].headline, mine[j - 1].url) if j > 0 else None
                p.next = (mine[j + 1].headline, mine[j + 1].url) if j + 1 < len(mine) else None
            if site == NORTHLIGHT:
                p.artefacts.append("headline-glued:prev_own_space" if p.prev else "headline-glued:own_next")
            if site == QUICK and j % 4 == 3:
                p.author = None  # no byline: the page names nobody (meta author is the site)
            if site == QUICK and j % 2 == 1 and p.prev:
                p.glue_title = True
                p.artefacts.append("headline-glued:title-tag")
            if (j % 3 == 1 or (site == QUICK and j % 2 == 0)) and not p.cp1252 and p.story != XSS_STORY:
                p.gz = True
                p.artefacts.append("file:gzip")
        if not any(p.gz for p in mine):
            raise AssertionError(f"no gzip page on {site}")
    for p in pages:
        if p.cp1252:  # its chrome must be encodable in windows-1252
            p.related = [(h, u) for h, u in p.related if can_cp1252(h)]
            p.readmore = []
    for p in pages:
        p.artefacts.append("title:site-suffix" if p.site not in (NORTHLIGHT, VALLEY) else "title:site-prefix")
    return pages


def can_cp1252(s: str) -> bool:
    try:
        s.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


# --------------------------------------------------------------------------------------------------
# non-article pages and bad files
# --------------------------------------------------------------------------------------------------
def listing_html(site: str, title: str, items: list[Page], crawl: date) -> str:
    lis = "\n".join(
        f'<li class="teaser"><a href="{esc(q.url)}"><h3>{esc(q.headline)}</h3></a>'
        f'<p>{esc(first_sentence(q.paras[0]))}</p><span class="when">{long_date(q.pub)}</span></li>'
        for q in items)
    name = SITE_NAME[site]
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{esc(title)} | {esc(name)}</title>
<link rel="canonical" href="https://{site}/"></head>
<body>
<header><div class="today">{weekday_long(crawl)}</div><a href="/">{esc(name)}</a>
<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/science/">Science</a> <a href="/business/">Business</a></nav></header>
<main>
<h1>{esc(title)}</h1>
<ul class="river">
{lis}
</ul>
<nav class="pagination"><a href="?page=2">Older stories</a></nav>
</main>
<div class="cookie">We use cookies. <button>Accept all cookies</button></div>
<footer>&copy; {crawl.year} {esc(name)}. All rights reserved. <a href="/privacy">Privacy Policy</a></footer>
</body>
</html>
"""


def notfound_html(site: str, crawl: date, suggestions: list[Page]) -> str:
    name = SITE_NAME[site]
    lis = "".join(f'<li><a href="{esc(q.url)}">{esc(q.headline)}</a></li>' for q in suggestions)
    return f"""<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Page not found - {esc(name)}</title><meta name="robots" content="noindex"></head>
<body>
<div class="topbar">TODAY &middot; {long_date(crawl)}</div>
<div class="brand"><a href="/">{esc(name)}</a></div>
<div class="content">
<h1>404 &ndash; Page not found</h1>
<p>Sorry, the page you were looking for has moved or no longer exists. Try searching the archive or start again from the home page.</p>
<h2>Recommended for you</h2>
<ul>{lis}</ul>
</div>
<div class="footer">{esc(name)} &middot; <a href="/privacy">Privacy Policy</a> &middot; All rights reserved.</div>
</body>
</html>
"""


def png_bytes(w: int = 48, h: int = 32) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(v for x in range(w) for v in (x * 5 % 256, y * 8 % 256, (x + y) * 3 % 256))
                   for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------
def truth_line(p: Page) -> dict:
    return {"file": p.file, "kind": "article", "url": p.url, "canonical_url": p.canonical or p.url,
            "site": p.site, "title": p.headline, "author": p.author, "published": published_truth(p),
            "body": "\n\n".join(p.paras), "story": p.story, "original": p.original,
            "artefacts": sorted(set(p.artefacts))}


def check_queries(texts: dict) -> None:
    for q, sid, _ in QUERIES:
        hay = set(re.findall(r"\w+", (texts[sid]["title"] + " " + " ".join(texts[sid]["paragraphs"])).lower()))
        miss = [w for w in re.findall(r"\w+", q.lower()) if w not in hay]
        if miss:
            raise AssertionError(f"query {q!r}: {miss} not in story {sid}")


def generate(texts_path: Path, out: Path) -> dict:
    texts = load_texts(texts_path)
    check_queries(texts)
    pages = build_pages(texts)
    files: dict[str, bytes] = {}
    truth: list[dict] = []

    for p in pages:
        text = RENDER[p.site](p)
        data = text.encode("cp1252") if p.cp1252 else text.encode("utf-8")
        files[p.file] = gz(data) if p.gz else data
        truth.append(truth_line(p))

    def by_site(site):
        return [p for p in pages if p.site == site]

    last = max(p.crawl for p in pages)
    extra = []
    # listings: a section front, an author page, a mobile home page
    sci = [p for p in pages if p.section == "science" and p.original][:6]
    extra.append((f"pages/{HARBOUR}/news/science.html", "listing",
                  listing_html(HARBOUR, "Science", sci, last).encode()))
    coast = by_site(COAST)
    author = coast[0].author
    extra.append((f"pages/{COAST}/authors/{slugify(author)}.html", "listing",
                  listing_html(COAST, f"Stories by {author}", [p for p in coast if p.author == author] + coast[:2], last)
                  .encode()))
    extra.append((f"pages/{QUICK}/index.html.gz", "listing",
                  gz(listing_html(QUICK, "Top stories", by_site(QUICK)[-6:], last).encode())))
    # 404 pages (one lists other headlines)
    extra.append((f"pages/{NORTHLIGHT}/world/2019/10/03/page-removed-by-request.html", "not-found",
                  notfound_html(NORTHLIGHT, last, by_site(NORTHLIGHT)[:3]).encode()))
    extra.append((f"pages/{VALLEY}/archive/2020/02/county-budget-hearing-postponed.html", "not-found",
                  notfound_html(VALLEY, last, []).encode()))
    # bad files: truncated gzip, zero bytes, a PNG saved as .html
    victim = next(p for p in pages if p.site == QUICK and not p.cp1252)
    full = gz(RENDER[QUICK](victim).encode())
    extra.append((f"pages/{QUICK}/a/{slugify(victim.headline, 40)}-{rng('trunc').randrange(10000, 99999)}.html.gz",
                  "broken", full[: len(full) // 2]))
    extra.append((f"pages/{NORTHLIGHT}/culture/2020/06/02/weekend-arts-guide.html", "empty", b""))
    extra.append((f"pages/{COAST}/stories/20191005-photo-gallery-harbour-lights.html", "binary", png_bytes()))

    for f, kind, data in extra:
        if f in files:
            raise AssertionError(f"duplicate file {f}")
        files[f] = data
        site = f.split("/")[1]
        line = {"file": f, "kind": kind, "site": site,
                "url": f"https://{site}/" + f.split("/", 2)[2].removesuffix(".gz")}
        line["artefacts"] = {"listing": ["page:listing"], "not-found": ["page:not-found"],
                             "broken": ["bad:truncated-gz"], "empty": ["bad:zero-bytes"],
                             "binary": ["bad:png"]}[kind] + (["file:gzip"] if f.endswith(".gz") else [])
        truth.append(line)
    truth.sort(key=lambda t: t["file"])

    # write
    out.mkdir(parents=True, exist_ok=True)
    if (out / "pages").exists():
        shutil.rmtree(out / "pages")
    for f, data in sorted(files.items()):
        dest = out / f
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    write_lines(out / "truth.jsonl", [json.dumps(t, ensure_ascii=False) for t in truth])
    write_lines(out / "queries.jsonl", [
        json.dumps({"id": f"q{i:02d}", "query": q, "story": sid, "kind": kind,
                    "_id": f"q{i:02d}", "text": q}, ensure_ascii=False)
        for i, (q, sid, kind) in enumerate(QUERIES, 1)])
    write_lines(out / "qrels.tsv", ["query-id\tcorpus-id\tscore"]
                + [f"q{i:02d}\t{sid}\t2" for i, (_, sid, _) in enumerate(QUERIES, 1)])
    write_lines(out / "chrome-strings.txt",
                ["# Boilerplate strings of the sample's site templates (read by bench/scraped_eval.py)."]
                + CHROME_STRINGS)
    (out / "ATTRIBUTION.md").write_text(attribution(texts, pages), encoding="utf-8")
    (out / "README.md").write_text(readme(pages, truth), encoding="utf-8")
    return {"files": len(files), "truth": truth, "pages": pages}


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")


def attribution(texts: dict, pages: list[Page]) -> str:
    rows = []
    for sid, *_ in STORIES:
        r = texts[sid]
        ref = str(r.get("source_ref") or "")
        url = ref if ref.startswith("https://en.wikinews.org/") else WIKINEWS_MAIN
        n = sum(p.story == sid for p in pages)
        note = " Modified: test strings added to the headline and body." if sid == XSS_STORY else ""
        rows.append(f"- `{sid}` \u2014 \"{r['title']}\" ({r['date']}), {url} \u2014 licence: {r['licence']}; "
                    f"{n} page{'s' if n > 1 else ''}.{note}")
    return f"""# Attribution

The article texts (headlines and paragraphs) in `pages/` and in `truth.jsonl` come from **Wikinews**,
\u00a9 Wikinews contributors, https://en.wikinews.org, licensed under the
**Creative Commons Attribution 2.5** licence: https://creativecommons.org/licenses/by/2.5/
(Wikinews articles published before 25 September 2005 are in the public domain.)

Changes made by this project: the texts were placed in fictional page templates; republished copies
drop, reorder or truncate paragraphs and some add a dateline (e.g. "PARIS \u2014"); one headline and one
paragraph carry added test strings (see below). The web sites, their names and `.example` domains, the
bylines (reporter names), the publication and crawl times, the page chrome (menus, cookie banners,
newsletter boxes, comments, related links, footers) and the non-article pages are **fictional and made
by the project**; they are not those of Wikinews or of any real publisher, and the sample is not endorsed
by Wikinews or the Wikimedia Foundation.

## Articles used ({len(rows)})

{chr(10).join(rows)}
"""


def readme(pages: list[Page], truth: list[dict]) -> str:
    from collections import Counter
    kinds = Counter(t["kind"] for t in truth)
    stories = Counter(p.story for p in pages)
    multi = sum(1 for c in stories.values() if c > 1)
    return f"""# Sample corpus

A small scraped-news corpus bundled with search-service for the README demo (`search-service demo`)
and for the tests. Generated by `tools/make_sample.py`; do not edit by hand.

- `pages/<site-domain>/<path>.html[.gz]`: {len(truth)} files saved as a scraper would, from five fictional
  news sites (`*.example`), each with its own template: {kinds['article']} articles of {len(stories)} stories
  ({multi} stories republished on 2\u20134 sites), {kinds['listing']} listing pages, {kinds['not-found']} 404 pages and
  {kinds['broken'] + kinds['empty'] + kinds['binary']} bad files (truncated gzip, zero bytes, a PNG named `.html`).
- The pages carry the problems the product cleans up: headline repeated as the first paragraph, a
  neighbour's headline glued to the headline, site names in `<title>`, a today's-date header that is not
  the publication date, inline "Read more:" links, republished copies (canonical links, truncated copies),
  gzip files, a windows-1252 page without a declared charset and a page with HTML-looking text in its
  headline and body (`<script>alert(1)</script>`, shown as text).
- `truth.jsonl`: one line per file (`file` relative to this folder, `kind`; for articles `url`,
  `canonical_url`, `site`, `title`, `author`, `published`, `body`, `story`, `original`, `artefacts`), in the
  shape of the shared ground truth, so `bench/scraped_eval.py extract --truth truth.jsonl` can score it
  (it reads `chrome-strings.txt` beside it).
- `queries.jsonl` (`id`, `query`, `story`, plus `_id`/`text` for the scorer) and `qrels.tsv`: demo queries
  and the story each should find first.

Regenerate (byte-identical output):

    python tools/make_sample.py --texts /path/to/texts.jsonl.gz

Licence: the article texts are from Wikinews, CC BY 2.5 (see `ATTRIBUTION.md`); sites, bylines, times
and chrome are fictional and made by the project.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--texts", type=Path, default=DEFAULT_TEXTS,
                    help=f"texts.jsonl.gz with the Wikinews texts (default: {DEFAULT_TEXTS})")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    a = ap.parse_args(argv)
    try:
        res = generate(a.texts, a.out)
    except InputError as e:
        print(f"make_sample.py: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {res['files']} files to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
