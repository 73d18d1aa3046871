"""Who may import whom (style guide §1.3), checked at run time in fresh interpreters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(out.stdout.split())


def test_index_never_loads_the_html_or_web_stack() -> None:
    loaded = modules_loaded_by("import index.search, index.build")
    assert loaded.isdisjoint({"flask", "bs4", "lxml", "click", "search_service"})


def test_the_document_contract_is_stdlib_only() -> None:
    loaded = modules_loaded_by("import ingest.document")
    assert loaded.isdisjoint({"bs4", "lxml", "whoosh", "flask", "click"})


def test_ingest_never_loads_the_index_or_web_stack() -> None:
    loaded = modules_loaded_by("import ingest.pipeline, ingest.extract")
    assert loaded.isdisjoint({"whoosh", "flask", "click", "index", "search_service"})


@pytest.mark.parametrize("path", sorted((ROOT / "search_service").glob("*.py")), ids=lambda p: p.name)
def test_the_web_layer_never_imports_whoosh_directly(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(name == "whoosh" or name.startswith("whoosh.") for name in names)
