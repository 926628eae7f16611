"""``humstats run`` over live sources on a local server: first run, unchanged second run,
changes, failures of one source, and a killed run repeated later."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
from livesources import (
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
from pytest_httpserver import HTTPServer

from humstats.schedule import run
from humstats.store import Store

TODAY = dt.date(2024, 6, 20)


def _run(config, http, **options):  # type: ignore[no-untyped-def]
    return run(config, today=TODAY, environ=ENVIRON, http=http, **options)


def test_first_run_stores_every_source_with_provenance(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hdx(server)
    serve_hapi(server)
    serve_reliefweb(server)
    config = write_config(tmp_path, server, HDX + HAPI + RELIEFWEB)
    result = _run(config, http)
    assert result.exit_code == 0, result.errors
    figures = Store(config.store.data).figures().collect()
    by_source = {s.name: s.figures for s in result.sources}
    print(by_source, result.errors)
    print(figures.select("indicator", "value", "publisher", "source_url", "published_date"))
