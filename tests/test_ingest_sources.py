"""ingest.sources: reading, gunzip limits, binary sniffing and byte decoding."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest

from ingest.document import BINARY, BROKEN, EMPTY, ERROR, content_hash
from ingest.options import IngestOptions
from ingest.sources import (
    RawPage,
    SourceError,
    decode_html,
    derive_url,
    gunzip_bounded,
    iter_page_paths,
    read_page,
    sniff_binary,
)

OPTIONS = IngestOptions()
PAGE = (
    "<html><head><title>Caf\u00e9 opens</title></head>"
    "<body><p>Caf\u00e9 \u2014 \u201cnew\u201d</p></body></html>"
)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("data", [b"", b"   \n\t  \r\n"])
def test_zero_bytes_and_whitespace_are_empty(tmp_path: Path, data: bytes) -> None:
    """A file with no bytes or only whitespace is recorded as empty, not raised."""
    page = read_page(write(tmp_path / "a.html", data), OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == EMPTY
    assert page.content_hash == content_hash(data)


def test_gzip_of_zero_bytes_is_empty(tmp_path: Path) -> None:
    """An empty page inside a valid gzip is empty too."""
    page = read_page(write(tmp_path / "a.html.gz", gzip.compress(b"")), OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == EMPTY


def test_truncated_gzip_is_broken(tmp_path: Path) -> None:
    """A gzip stream cut short is reported as broken with a readable reason."""
    data = gzip.compress(PAGE.encode() * 50)
    page = read_page(write(tmp_path / "a.html.gz", data[: len(data) // 2]), OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == BROKEN
    assert "gzip" in page.problem[1]


def test_corrupt_gzip_is_broken(tmp_path: Path) -> None:
    """Garbage after a gzip header is broken, not a crash."""
    data = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64
    page = read_page(write(tmp_path / "a.html.gz", data), OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == BROKEN


def test_zip_bomb_is_refused() -> None:
    """A stream expanding beyond the ratio limit stops early as an error."""
    bomb = gzip.compress(b"a" * 5_000_000)
    with pytest.raises(SourceError) as info:
        gunzip_bounded(bomb, IngestOptions(max_gzip_ratio=10))
    assert info.value.kind == ERROR
    assert "zip bomb" in info.value.reason


def test_gunzip_within_limits() -> None:
    """A normal gzip round-trips."""
    assert gunzip_bounded(gzip.compress(b"<p>hi</p>"), OPTIONS) == b"<p>hi</p>"


def test_file_over_max_bytes_is_an_error(tmp_path: Path) -> None:
    """A file larger than max_bytes is refused before it is read into memory."""
    path = write(tmp_path / "big.html", b"<p>" + b"x" * 5000 + b"</p>")
    page = read_page(path, IngestOptions(max_bytes=2048))
    assert page.problem is not None
    assert page.problem[0] == ERROR


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "JPEG"),
        (bytes(range(256)) * 8, "NUL"),
    ],
)
def test_binary_saved_as_html(tmp_path: Path, data: bytes, what: str) -> None:
    """Images, PDFs and random bytes with an .html name are binary."""
    page = read_page(write(tmp_path / "image.html", data), OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == BINARY
    assert what in page.problem[1]


def test_png_inside_gzip_is_binary(tmp_path: Path) -> None:
    """A gzipped PNG is binary once unpacked."""
    data = gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(300))
    page = read_page(write(tmp_path / "image.html.gz", data), OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == BINARY


def test_html_is_not_binary() -> None:
    """Ordinary markup passes the sniffer."""
    assert sniff_binary(PAGE.encode()) is None


def test_utf8_bom() -> None:
    """A UTF-8 BOM is honoured and removed."""
    text, codec = decode_html(codecs.BOM_UTF8 + PAGE.encode("utf-8"))
    assert codec == "utf-8"
    assert text.startswith("<html>")
    assert "Café" in text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    """UTF-16 with a BOM decodes, and is not mistaken for binary because of its NULs."""
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + PAGE.encode(codec)
    assert sniff_binary(data) is None
    text, _ = decode_html(data)
    assert "“new”" in text


def test_utf16_without_bom(tmp_path: Path) -> None:
    """BOM-less UTF-16 is recognised from its NUL pattern."""
    page = read_page(write(tmp_path / "a.html", PAGE.encode("utf-16-le")), OPTIONS)
    assert page.problem is None
    assert "Café" in page.text


def test_cp1252_undeclared() -> None:
    """Undeclared windows-1252 bytes (curly quotes 0x93/0x94) decode as cp1252, not latin-1."""
    data = "<html><body><p>Caf\u00e9 \u201cnew\u201d \u2014 \u20ac5</p></body></html>".encode(
        "cp1252"
    )
    text, codec = decode_html(data)
    assert codec == "cp1252"
    assert "“new” — €5" in text


def test_declared_latin1_read_as_cp1252() -> None:
    """A page declaring ISO-8859-1 is read as windows-1252, as browsers do."""
    data = '<meta charset="iso-8859-1"><p>\x93quoted\x94 caf\xe9</p>'.encode("latin-1")
    text, _ = decode_html(data)
    assert "“quoted” café" in text


def test_declared_charset_wins() -> None:
    """A declared single-byte charset other than UTF-8 is used."""
    data = '<meta charset="koi8-r"><p>привет</p>'.encode("koi8-r")
    text, codec = decode_html(data)
    assert codec == "koi8-r"
    assert "привет" in text


def test_mojibake_is_repaired() -> None:
    """UTF-8 that was decoded as cp1252 and saved again is repaired."""
    broken = "<p>Caf\u00e9 \u2014 it\u2019s new</p>".encode().decode("cp1252").encode("utf-8")
    text, _ = decode_html(broken)
    assert "Café \u2014 it\u2019s new" in text


def test_plain_accents_left_alone() -> None:
    """Correct text with accents is not "repaired"."""
    text, _ = decode_html("<p>Ångström, São Paulo, Zürich</p>".encode())
    assert "Ångström, São Paulo, Zürich" in text


def test_derive_url(tmp_path: Path) -> None:
    """The URL is https://<site-dir>/<rest> without .gz; outside the root there is none."""
    path = tmp_path / "www.site.example" / "news" / "a.html.gz"
    assert derive_url(path, tmp_path) == (
        "https://www.site.example/news/a.html",
        "www.site.example",
    )
    assert derive_url(path, None) == (None, None)
    assert derive_url(Path("/elsewhere/a.html"), tmp_path) == (None, None)


def test_iter_page_paths(tmp_path: Path) -> None:
    """Folders yield page files only, sorted, skipping hidden ones."""
    for name in ("b.html", "a.htm", "c.html.gz", "notes.txt", ".hidden.html"):
        write(tmp_path / "site.example" / name, b"<p>x</p>")
    found = [p.name for p in iter_page_paths([tmp_path])]
    assert found == ["a.htm", "b.html", "c.html.gz"]


def test_read_page_keeps_path_and_hash(tmp_path: Path) -> None:
    """source_path is the path as given; content_hash is of the raw (gzipped) bytes."""
    data = gzip.compress(PAGE.encode())
    path = write(tmp_path / "site.example" / "a.html.gz", data)
    page = read_page(path, OPTIONS, tmp_path)
    assert isinstance(page, RawPage)
    assert page.source_path == str(path)
    assert page.content_hash == content_hash(data)
    assert page.url == "https://site.example/a.html"
    assert page.problem is None


def test_missing_file_is_an_error_not_a_raise(tmp_path: Path) -> None:
    """An unreadable path is recorded as an error."""
    page = read_page(tmp_path / "missing.html", OPTIONS)
    assert page.problem is not None
    assert page.problem[0] == ERROR


def test_too_large_file_still_hashed(tmp_path: Path) -> None:
    """A refused file keeps the hash of its bytes, so a later change is noticed."""
    data = b"<p>" + b"x" * 5000 + b"</p>"
    page = read_page(write(tmp_path / "big.html", data), IngestOptions(max_bytes=2048))
    assert page.content_hash == content_hash(data)


def test_derive_url_resolves_only_paths_not_plainly_under_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative paths, ".." and a root given through a symlink give the same URL as the
    plain absolute path (which is compared without touching the file system)."""
    site = tmp_path / "pages" / "www.site.example" / "news"
    site.mkdir(parents=True)
    page = site / "a.html"
    page.write_text("<p>x</p>")
    expected = ("https://www.site.example/news/a.html", "www.site.example")
    root = tmp_path / "pages"
    assert derive_url(page, root) == expected
    assert derive_url(root / "www.site.example" / ".." / "www.site.example" / "news" / "a.html",
                      root) == expected
    link = tmp_path / "link"
    link.symlink_to(root)
    assert derive_url(page, link) == expected
    monkeypatch.chdir(tmp_path)
    assert derive_url(Path("pages/www.site.example/news/a.html"), Path("pages")) == expected
