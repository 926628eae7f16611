"""``humstats sources`` and ``humstats run --source NAME`` on a local server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from humstats.cli import cli
from sources.livesources import (
    ENVIRON,
    HAPI,
    HDX,
    RELIEFWEB,
    requests_to,
    serve_hapi,
    serve_hdx,
    serve_reliefweb,
    write_config,
)

FAST = "requests_per_second = 100\n"


@pytest.fixture
def project(tmp_path: Path, server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    serve_hdx(server)
    serve_hapi(server)
    serve_reliefweb(server)
    local = tmp_path / "inbox"
    local.mkdir()
    sources = HDX + FAST + HAPI + FAST + RELIEFWEB + FAST
    sources += '\n[[sources]]\nname = "inbox"\npaths = ["inbox/*.csv"]\nkind = "table"\n'
    write_config(tmp_path, server, sources)
    return tmp_path / "humstats.toml"


def _invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_sources_lists_every_source_before_and_after_a_run(project: Path) -> None:
    before = _invoke("sources", "--config", str(project), "--format", "json")
    assert before.exit_code == 0
    rows = json.loads(before.stdout)
    assert [(r["name"], r["kind"], r["status"]) for r in rows] == [
        ("sudan-idps-hdx", "hdx", "never run"),
        ("sudan-hapi", "hapi", "never run"),
        ("sudan-reliefweb", "reliefweb", "never run"),
        ("inbox", "table", "never run"),
    ]
    assert _invoke("run", "--config", str(project), "--quiet").exit_code == 0
    after = json.loads(_invoke("sources", "--config", str(project), "--format", "json").stdout)
    counts = {r["name"]: (r["status"], r["fetched"], r["skipped"], r["figures"]) for r in after}
    assert counts == {
        "sudan-idps-hdx": ("ok", 2, 0, 5),
        "sudan-hapi": ("ok", 1, 0, 3),
        "sudan-reliefweb": ("ok", 3, 1, 4),
        "inbox": ("ok", 0, 0, 0),
    }
    assert all(r["last_fetch"] for r in after)
    table = _invoke("sources", "--config", str(project))
    assert table.exit_code == 0
    assert "sudan-reliefweb" in table.stdout and "reliefweb" in table.stdout


def test_run_source_runs_only_that_source(project: Path, server: HTTPServer) -> None:
    result = _invoke("run", "--config", str(project), "--source", "sudan-hapi", "--quiet")
    assert result.exit_code == 0
    assert requests_to(server, "/api/v2/affected-people/idps")
    assert not requests_to(server, "/api/3/action/package_show")
    assert not requests_to(server, "/v2/reports")
    rows = json.loads(_invoke("sources", "--config", str(project), "--format", "json").stdout)
    assert {r["name"]: r["status"] for r in rows} == {
        "sudan-idps-hdx": "never run",
        "sudan-hapi": "ok",
        "sudan-reliefweb": "never run",
        "inbox": "never run",
    }


def test_run_source_with_an_unknown_name_is_a_usage_error(project: Path) -> None:
    result = _invoke("run", "--config", str(project), "--source", "nope")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no source named 'nope'; configured: sudan-idps-hdx, sudan-hapi, "
        "sudan-reliefweb, inbox\n"
    )


def test_a_bad_live_source_key_is_a_configuration_error(tmp_path: Path) -> None:
    config = tmp_path / "humstats.toml"
    config.write_text(
        '[[sources]]\nname = "x"\nkind = "hapi"\nendpoint = "affected-people/idps"\n'
        'params = { app_identifier = "abc" }\n',
        encoding="utf-8",
    )
    result = _invoke("sources", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {config}: sources[0].params: 'app_identifier' is set by humstats "
        "from app_identifier_env\n"
    )
