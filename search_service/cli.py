"""The ``search-service`` command line: commands mirror the data path.

    extract -> ingest -> reindex -> search, then serve, demo, stats, config

Exit codes: 0 done; 1 done with pages skipped (the summary says which and why); 2 usage or
fatal error, in one readable line, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from search_service.config import SETTINGS, ConfigError, Settings, load_settings

SAMPLE_DIR = Path(__file__).parent / "sample" / "pages"
MAX_SKIPPED_SHOWN = 20


class FatalError(click.ClickException):
    """A fatal error: one line on stderr, exit status 2."""

    exit_code = 2


def _settings(data_dir: Path | None, **more: Any) -> Settings:
    try:
        return load_settings({"data_dir": data_dir, **more})
    except ConfigError as err:
        raise FatalError(str(err)) from None


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory (store and index). Default: SEARCH_SERVICE_DATA_DIR, else ./var.",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")


@contextmanager
def _progress(label: str, total: int | None, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; otherwise a no-op callback."""
    if quiet or not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Self-hosted full-text search for scraped news pages.

    \b
    Example:
        search-service ingest ./scraped && search-service reindex && search-service serve
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if verbose == 0:
        # Skipped pages are listed in the summary; one warning per page would drown it.
        logging.getLogger("ingest").setLevel(logging.ERROR)


# -- extract ---------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@quiet_option
def extract(paths: tuple[Path, ...], jobs: int, quiet: bool) -> None:
    """Print cleaned documents as JSON Lines, one object per input file; store nothing.

    Fields: source, id, kind, url, site, title, author, published (ISO 8601), body
    (paragraphs joined by a blank line), story, duplicate_of, error.

    \b
    Example:
        search-service extract ./scraped/www.example.com > docs.jsonl
    """
    from ingest.document import Document
    from ingest.options import IngestOptions
    from ingest.pipeline import IngestInputError, collect_tasks, extract_paths

    try:
        files = list(collect_tasks(list(paths)))
    except IngestInputError as err:
        raise FatalError(str(err)) from None
    total = len(files)
    if total == 0:
        raise FatalError(f"no page files (.html, .htm, .html.gz) found in {', '.join(map(str, paths))}")
    skipped = 0
    with _progress("Extracting", total, quiet) as update:
        for item in extract_paths(list(paths), IngestOptions(jobs=jobs), update, files):
            if isinstance(item, Document):
                line = {
                    "source": item.source_path, "id": item.id, "kind": item.kind,
                    "url": item.url, "site": item.site, "title": item.title,
                    "author": item.author, "published": item.published,
                    "body": item.body_text, "story": item.story,
                    "duplicate_of": item.duplicate_of, "canonical_url": item.canonical_url,
                    "error": None,
                }
            else:
                skipped += 1
                line = {
                    "source": item.source_path, "id": None, "kind": item.kind, "url": item.url,
                    "site": item.site, "title": item.title, "author": None, "published": None,
                    "body": "", "story": None, "duplicate_of": None, "canonical_url": None,
                    "error": item.reason,
                }
            click.echo(json.dumps(line, ensure_ascii=False))
    click.echo(f"extracted {total} files: {total - skipped} documents, {skipped} skipped", err=True)
    sys.exit(1 if skipped else 0)


# -- ingest ----------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_dir_option
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for extraction.")
@quiet_option
def ingest(paths: tuple[Path, ...], data_dir: Path | None, jobs: int, quiet: bool) -> None:
    """Clean page files into the document store; unchanged files are skipped.

    \b
    Example:
        search-service ingest ./scraped --jobs 2
    """
    from ingest.options import IngestOptions
    from ingest.pipeline import IngestInputError, collect_tasks, run_ingest
    from ingest.store import StoreError

    settings = _settings(data_dir)
    try:
        files = list(collect_tasks(list(paths)))
        with _progress("Ingesting", len(files), quiet) as update:
            report = run_ingest(
                list(paths), settings.data_dir, IngestOptions(jobs=jobs), update, files
            )
    except (IngestInputError, StoreError) as err:
        raise FatalError(str(err)) from None
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.kinds.items()))
    click.echo(
        f"Ingested {report.files} files into {settings.data_dir} in {report.seconds:.1f} s: "
        f"{report.new} new, {report.changed} changed, {report.unchanged} unchanged, "
        f"{report.removed} removed. Kinds: {kinds or 'none'}. "
        f"{_n(report.documents, 'document')} in {_n(report.stories, 'story', 'stories')}. "
        f"{_n(len(report.skipped), 'file')} did not become documents"
        + (":" if report.skipped else ".")
    )
    for path, kind, reason in report.skipped[:MAX_SKIPPED_SHOWN]:
        click.echo(f"  skipped {path}: {kind}: {reason}")
    if len(report.skipped) > MAX_SKIPPED_SHOWN:
        click.echo(f"  ... and {len(report.skipped) - MAX_SKIPPED_SHOWN} more (see `stats --skipped`)")
    click.echo("Next: search-service reindex" + (f" --data-dir {data_dir}" if data_dir else ""))
    sys.exit(1 if report.has_skipped else 0)


# -- reindex ---------------------------------------------------------------------------------


@cli.command()
@data_dir_option
@click.option("--changed", is_flag=True,
              help="Apply only what ingest changed since the last reindex, in place.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes building a full reindex (one index segment each).")
@quiet_option
def reindex(data_dir: Path | None, changed: bool, jobs: int, quiet: bool) -> None:
    """Build a new index generation from the store and switch to it atomically.

    Searching goes on during the build; the live generation is replaced only after the new
    one has been checked. With --changed, the documents that ingest added, changed or
    removed since the last reindex are applied to the live generation in one atomic commit
    (for small updates; a full reindex also compacts the index).

    \b
    Examples:
        search-service ingest ./scraped && search-service reindex --changed
        search-service reindex --jobs 2      # a full rebuild on two cores
    """
    settings = _settings(data_dir)
    if changed:
        report = _reindex_changed(settings.data_dir)
        click.echo(
            f"Updated index generation {report.generation} in place: {report.updated} documents "
            f"added or changed, {report.deleted} removed, in {report.seconds:.1f} s."
        )
        return
    built = _reindex(settings.data_dir, quiet, jobs)
    click.echo(
        f"Published index generation {built.generation}: {built.documents} documents "
        f"in {built.seconds:.1f} s ({built.removed_generations} old generations removed)."
    )


def _open_store(data_dir: Path) -> Any:
    from ingest.store import STORE_FILE, Store

    if not (data_dir / STORE_FILE).is_file():
        raise FatalError(f"no document store in {data_dir}: run `search-service ingest PATH` first")
    return Store(data_dir)


def _n(count: int, one: str, many: str | None = None) -> str:
    """``1 document``, ``2 documents``."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _reindex(data_dir: Path, quiet: bool, jobs: int = 1) -> Any:
    from index.build import BuildCheckFailed, build_generation
    from index.models import IndexLocked
    from ingest.store import StoreError

    try:
        with _open_store(data_dir) as store:
            total = store.counts()["documents"]
            applied = store.last_change()
            with _progress("Indexing", total, quiet) as update:
                return build_generation(
                    data_dir, store.iter_documents(), on_progress=update,
                    applied_seq=applied, jobs=jobs,
                )
    except (IndexLocked, BuildCheckFailed, StoreError) as err:
        raise FatalError(str(err)) from None
    except OSError as err:
        raise FatalError(f"reindex failed, the live index is unchanged: {err}") from None


def _reindex_changed(data_dir: Path) -> Any:
    from index.build import apply_changes, live_applied_seq
    from index.models import IndexLocked, NoIndexYet
    from ingest.store import StoreError

    try:
        with _open_store(data_dir) as store:
            since = live_applied_seq(data_dir)
            return apply_changes(data_dir, store.changes_since(since))
    except NoIndexYet:
        raise FatalError(
            f"no live index in {data_dir} to update: run `search-service reindex` (without --changed)"
        ) from None
    except (IndexLocked, StoreError) as err:
        raise FatalError(str(err)) from None
    except OSError as err:
        raise FatalError(f"incremental reindex failed: {err}") from None


# -- search ----------------------------------------------------------------------------------


@cli.command()
@click.argument("query")
@data_dir_option
@click.option("--page", default=1, show_default=True, type=int, help="Result page.")
@click.option("--size", default=10, show_default=True, type=int, help="Results per page.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance",
              show_default=True)
@click.option("--site", default=None, help="Only this site (domain).")
@click.option("--all-copies", is_flag=True, help="Show every copy of a story, not one per story.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search(query: str, data_dir: Path | None, page: int, size: int, sort: str,
           site: str | None, all_copies: bool, as_json: bool) -> None:
    """Search the index and print ranked results.

    \b
    Example:
        search-service search '"climate change" -opinion site:example.com'
    """
    from index.models import SearchError, SearchRequest
    from index.search import Searcher

    settings = _settings(data_dir)
    request = SearchRequest(q=query, page=page, size=size, sort=sort, site=site,
                            collapse=not all_copies)
    searcher = Searcher(settings.data_dir)
    try:
        results = searcher.search(request)
    except SearchError as err:
        raise FatalError(str(err)) from None
    finally:
        searcher.close()
    if as_json:
        from search_service.api import search_payload

        # the API's envelope, so scripts read one shape from the CLI and from HTTP
        payload = search_payload(results, facets=tuple(results.facets))
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    first = (page - 1) * size + 1
    click.echo(f"{results.total} results ({results.took_ms:.0f} ms)" +
               (f"; {results.notice}" if results.notice else ""))
    for n, hit in enumerate(results.hits, start=first):
        title = "".join(click.style(t, bold=True) if m else t for t, m in hit.title_parts)
        meta = " · ".join(x for x in (hit.site, hit.author, (hit.published or "")[:10]) if x)
        click.echo(f"{n:>3}. {title}\n     {meta}")
        snippet = "".join(click.style(t, bold=True) if m else t for t, m in hit.snippet)
        click.echo(f"     {snippet}")
        if hit.also_on:
            click.echo(f"     also on: {', '.join(hit.also_on)}")


# -- serve / demo ----------------------------------------------------------------------------


@cli.command()
@data_dir_option
@click.option("--host", default=None, help="Address to bind. Default 127.0.0.1 (this machine only).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port. Default 8000.")
@click.option("--workers", default=None, type=click.IntRange(1, 64), help="gunicorn workers.")
def serve(data_dir: Path | None, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the search pages and the JSON API with gunicorn.

    Binds to 127.0.0.1 unless --host says otherwise, so only this machine can connect.

    \b
    Example:
        search-service serve --port 8080
    """
    settings = _settings(data_dir, host=host, port=port, workers=workers)
    _exec_gunicorn(settings)


def _exec_gunicorn(settings: Settings) -> None:
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise FatalError("gunicorn is not installed: pip install gunicorn")
    env = dict(os.environ)
    env["SEARCH_SERVICE_DATA_DIR"] = str(settings.data_dir.resolve())
    env["SEARCH_SERVICE_HOST"] = settings.host
    env["SEARCH_SERVICE_PORT"] = str(settings.port)
    if settings.workers:
        env["SEARCH_SERVICE_WORKERS"] = str(settings.workers)
    args = [gunicorn, "--config", "python:search_service.gunicorn_conf", "wsgi:app"]
    sys.stdout.flush()
    os.execve(gunicorn, args, env)


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("var/demo"), show_default=True,
              help="Fresh data directory for the demo (emptied first).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Ingest and index only.")
def demo(data_dir: Path, host: str, port: int, no_serve: bool) -> None:
    """Ingest the bundled sample corpus into a fresh data directory, index it and serve it.

    \b
    Example:
        search-service demo --port 8000
    """
    from ingest.options import IngestOptions
    from ingest.pipeline import run_ingest

    if data_dir.exists():
        if not (data_dir / "store.sqlite3").exists() and any(data_dir.iterdir()):
            raise FatalError(f"{data_dir} exists and is not a search-service data directory")
        shutil.rmtree(data_dir)
    report = run_ingest([SAMPLE_DIR], data_dir, IngestOptions())
    click.echo(
        f"Ingested the bundled sample: {report.documents} documents in {report.stories} stories, "
        f"{len(report.skipped)} files skipped on purpose (broken, empty, listing and 404 pages)."
    )
    built = _reindex(data_dir, quiet=True)
    click.echo(f"Indexed {built.documents} documents.")
    if no_serve:
        return
    settings = _settings(data_dir, host=host, port=port)
    click.echo(f"Serving on http://{host}:{port}/  (Ctrl-C to stop)")
    _exec_gunicorn(settings)


# -- stats / config --------------------------------------------------------------------------


@cli.command()
@data_dir_option
@click.option("--skipped", is_flag=True, help="List every skipped file with its reason.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(data_dir: Path | None, skipped: bool, as_json: bool) -> None:
    """What the store and the live index hold.

    \b
    Example:
        search-service stats --skipped
    """
    from index.models import NoIndexYet
    from index.search import Searcher
    from ingest.store import STORE_FILE, Store

    settings = _settings(data_dir)
    if not (settings.data_dir / STORE_FILE).is_file():
        raise FatalError(f"no document store in {settings.data_dir}: run `search-service ingest PATH` first")
    with Store(settings.data_dir) as store:
        counts = store.counts()
        skipped_files = store.skipped_files()
    searcher = Searcher(settings.data_dir)
    try:
        index_stats: dict[str, Any] | None = searcher.stats()
    except NoIndexYet:
        index_stats = None
    finally:
        searcher.close()
    if as_json:
        out = {"store": counts, "index": index_stats}
        if skipped:
            out["skipped"] = [dict(zip(("path", "kind", "reason"), s, strict=True)) for s in skipped_files]
        click.echo(json.dumps(out, indent=2, default=str))
        return
    click.echo(f"Data directory: {settings.data_dir}")
    click.echo(f"Store: {counts['documents']} documents in {counts['stories']} stories from "
               f"{counts['sites']} sites; files by status: {counts['files']}; by kind: {counts['kinds']}")
    if index_stats is None:
        click.echo("Index: none yet (run `search-service reindex`)")
    else:
        click.echo(f"Index: generation {index_stats['generation']}, {index_stats['documents']} "
                   f"documents, published {index_stats['first_published']} .. "
                   f"{index_stats['last_published']}, built {index_stats['built_at']}")
    if skipped:
        for path, kind, reason in skipped_files:
            click.echo(f"  {path}: {kind}: {reason}")


@cli.command("config")
@data_dir_option
def show_config(data_dir: Path | None) -> None:
    """Print every setting, its resolved value and where it came from."""
    settings = _settings(data_dir)
    values = asdict(settings)
    for s in SETTINGS:
        click.echo(f"{s.name} = {values[s.name]!s}  ({settings.sources[s.name]})  # {s.help}")


def main() -> None:
    """Console entry point: every failure ends as one readable line, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(2)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if err.exit_code in (1, 2) else err.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as err:  # noqa: BLE001 — the CLI promises one line, never a traceback
        click.echo(f"Error: {type(err).__name__}: {err}", err=True)
        sys.exit(2)
    sys.exit(0)
