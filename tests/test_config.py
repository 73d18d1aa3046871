"""search_service.config: defaults < TOML file < SEARCH_SERVICE_* < options."""

from __future__ import annotations

from pathlib import Path

import pytest

from search_service.config import SETTINGS, ConfigError, load_settings


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s.data_dir == Path("./var") and s.host == "127.0.0.1" and s.port == 8000
    assert all(source == "default" for source in s.sources.values())


def test_layers_in_order(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('data_dir = "/from/file"\nport = 9000\nhost = "0.0.0.0"\n')
    env = {"SEARCH_SERVICE_CONFIG": str(conf), "SEARCH_SERVICE_PORT": "9100"}
    s = load_settings({"host": "127.0.0.5"}, environ=env)
    assert s.data_dir == Path("/from/file") and s.sources["data_dir"] == f"file {conf}"
    assert s.port == 9100 and s.sources["port"] == "env SEARCH_SERVICE_PORT"
    assert s.host == "127.0.0.5" and s.sources["host"] == "option"


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("port = 'x'", {}, "expected a whole number"),
        ("bogus = 1", {}, "unknown setting 'bogus'"),
        ("= broken", {}, "cannot read config file"),
        ("", {"SEARCH_SERVICE_WORKERS": "many"}, "expected a whole number"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, content: str, env: dict[str, str], message: str) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={"SEARCH_SERVICE_CONFIG": str(conf), **env})


def test_missing_named_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(environ={"SEARCH_SERVICE_CONFIG": str(tmp_path / "nope.toml")})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []
