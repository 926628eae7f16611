"""``humstats run`` over all three live sources on a local server: counts per run, one source
failing while the others succeed, a timeout, and a killed run repeated later."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from humstats.config import Config
from humstats.schedule import RunResult, run
from humstats.store import Store
from sources.livesources import (
    ENVIRON,
    HAPI,
    HDX,
    IDPS,
    RELIEFWEB,
    RETURNEES,
    requests_to,
    serve_hapi,
    serve_hdx,
    serve_reliefweb,
    write_config,
)

TODAY = dt.date(2024, 6, 20)
COUNTS = {"sudan-idps-hdx": 5, "sudan-hapi": 3, "sudan-reliefweb": 4}
"""Figures each source yields from the fixtures: 3 + 2 table rows, 3 HAPI rows, and the
figures the extractor finds in the three reports that have text (2 + 1 + 1)."""


def _run(config: Config, http: dict[str, object]) -> RunResult:
    return run(config, today=TODAY, environ=ENVIRON, http=http)


def _serve_all(server: HTTPServer) -> None:
    serve_hdx(server)
    serve_hapi(server)
    serve_reliefweb(server)


def _stored(config: Config) -> tuple[int, int, int]:
    """Figures, distinct figure ids, and inputs in the store."""
    store = Store(config.store.data)
    figures = store.figures().collect()
    return figures.height, figures["figure_id"].n_unique(), store.sources().collect().height


def test_first_run_then_an_unchanged_run(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    _serve_all(server)
    config = write_config(tmp_path, server, HDX + HAPI + RELIEFWEB)
    first = _run(config, http)
    assert first.exit_code == 0, first.errors
    assert {s.name: s.figures for s in first.sources} == COUNTS
    assert first.figures == sum(COUNTS.values())
    assert _stored(config) == (12, 12, 2 + 1 + 3)
    inputs = Store(config.store.data).sources().collect()
    assert sorted(inputs["source_url"]) == sorted(
        [server.url_for(IDPS), server.url_for(RETURNEES)]
        + [server.url_for("/api/v2/affected-people/idps") + "?location_code=SDN&output_format=json"]
        + [
            server.url_for(f"/report/sudan/{slug}")
            for slug in (
                "sudan-situation-report-5-june-2024",
                "sudan-flash-update-on-arrivals-in-chad",
                "sudan-flash-update-no.-3",
            )
        ]
    )

    server.clear_log()
    second = _run(config, http)
    assert second.exit_code == 0 and second.nothing_new
    assert {s.name: s.figures for s in second.sources} == dict.fromkeys(COUNTS, 0)
    for path in (IDPS, RETURNEES):
        assert [r.status_code for q, r in server.log if q.path == path] == [304]
    assert _stored(config) == (12, 12, 6)
    record = Store(config.store.data).runs()[-1]
    assert record["figures"] == 0 and record["batches"] == []
    assert [entry["source"] for entry in record["sources"]] == list(COUNTS)


def test_a_source_answering_500_does_not_stop_the_others(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    server.expect_request("/api/3/action/package_show").respond_with_data("oops", status=500)
    serve_hapi(server)
    serve_reliefweb(server)
    config = write_config(tmp_path, server, HDX + HAPI + RELIEFWEB)
    result = _run(config, http)
    assert result.exit_code == 1
    statuses = {s.name: (s.status, s.figures) for s in result.sources}
    assert statuses == {
        "sudan-idps-hdx": ("failed", 0),
        "sudan-hapi": ("ok", 3),
        "sudan-reliefweb": ("ok", 4),
    }
    assert len(requests_to(server, "/api/3/action/package_show")) == 5  # 1 + 4 retries
    (error,) = result.errors
    assert error.startswith("sudan-idps-hdx: cannot fetch") and "HTTP 500" in error
    assert _stored(config)[0] == 7

    server.clear()
    _serve_all(server)
    again = _run(config, http)
    assert {s.name: s.figures for s in again.sources} == {
        **dict.fromkeys(COUNTS, 0),
        "sudan-idps-hdx": 5,
    }
    assert _stored(config)[:2] == (12, 12)


def test_a_timeout_fails_that_source_only(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    release = threading.Event()

    def stalled(request: Request) -> Response:
        release.wait(10)
        return Response('{"data": []}', content_type="application/json")

    serve_hdx(server)
    server.expect_request("/api/v2/affected-people/idps").respond_with_handler(stalled)
    config = write_config(
        tmp_path, server, HDX + HAPI.replace("page_size = 2", "page_size = 2\nretries = 0")
    )
    try:
        result = _run(config, {**http, "timeout": 0.2})
    finally:
        release.set()
    assert result.exit_code == 1
    hapi = next(s for s in result.sources if s.name == "sudan-hapi")
    assert hapi.status == "failed" and "timed out after 0.2s" in (hapi.message or "")
    assert next(s for s in result.sources if s.name == "sudan-idps-hdx").figures == 5


KILLER = textwrap.dedent(
    """
    import datetime as dt, os, signal, sys
    from humstats.config import load_config
    from humstats.schedule import run

    def failpoint(step):
        if step == sys.argv[2]:
            os.kill(os.getpid(), signal.SIGKILL)

    run(
        load_config(sys.argv[1]),
        today=dt.date(2024, 6, 20),
        environ={"HAPI_APP_IDENTIFIER": "eA==", "RELIEFWEB_APPNAME": "tests"},
        http={"sleep": lambda seconds: None},
        failpoint=failpoint,
    )
    """
)


@pytest.mark.parametrize(
    "step",
    [
        "downloaded:sudan-idps-hdx",  # before anything is stored
        "ingested:sudan-hapi",  # HDX done, HAPI committed but not yet remembered
        "ingested:sudan-reliefweb",  # everything committed, state of the last source lost
    ],
)
def test_a_killed_run_repeated_later_stores_everything_exactly_once(
    tmp_path: Path, server: HTTPServer, http: dict[str, object], step: str
) -> None:
    _serve_all(server)
    config = write_config(tmp_path, server, HDX + HAPI + RELIEFWEB)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(tmp_path / "humstats.toml"), step],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert killed.returncode == -9, killed.stderr
    assert list((config.store.data / ".fetch").iterdir()), "the killed run leaves its downloads"

    again = _run(config, http)
    assert again.exit_code == 0, again.errors
    assert _stored(config) == (12, 12, 6)
    assert not (config.store.data / ".fetch").exists()
    third = _run(config, http)
    assert third.nothing_new and _stored(config) == (12, 12, 6)
