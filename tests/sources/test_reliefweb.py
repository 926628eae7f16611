"""ReliefWeb v2 reports on a local server: query, pages, resume point, 429, provenance."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from humstats.config import Config
from humstats.schedule import RunResult, run
from humstats.sources.reliefweb import conditions
from humstats.sources.state import StateFile
from humstats.store import Store
from sources.livesources import (
    ENVIRON,
    RELIEFWEB,
    reliefweb_pages,
    reliefweb_reports,
    requests_to,
    serve_reliefweb,
    write_config,
)

TODAY = dt.date(2024, 6, 20)


def _run(config: Config, http: dict[str, object]) -> RunResult:
    return run(config, today=TODAY, environ=ENVIRON, http=http)


def _since(request: Request) -> str | None:
    for condition in request.get_json()["filter"]["conditions"]:
        if condition.get("field") == "date.created":
            return condition["value"]["from"]
    return None


def test_the_query_becomes_the_api_filter(tmp_path: Path, server: HTTPServer) -> None:
    config = write_config(
        tmp_path,
        server,
        RELIEFWEB.replace(
            'query = { country = ["SDN"], format = ["Situation Report", "Flash Update"] }',
            'query = { country = ["SDN", "South Sudan"], disaster = ["FL-2024-000123-SDN"], '
            'source = ["OCHA"], language = ["en"] }',
        ),
    )
    (source,) = config.sources
    assert conditions(source, "2024-06-01T00:00:00+00:00") == [
        {
            "operator": "OR",
            "conditions": [
                {"field": "country.iso3", "value": ["sdn"], "operator": "OR"},
                {"field": "country.name", "value": ["South Sudan"], "operator": "OR"},
            ],
        },
        {"field": "disaster.glide", "value": ["FL-2024-000123-SDN"], "operator": "OR"},
        {
            "operator": "OR",
            "conditions": [
                {"field": "source.shortname", "value": ["OCHA"], "operator": "OR"},
                {"field": "source.name", "value": ["OCHA"], "operator": "OR"},
            ],
        },
        {"field": "language.code", "value": ["en"], "operator": "OR"},
        {"field": "date.created", "value": {"from": "2024-06-01T00:00:00+00:00"}},
    ]


def test_first_run_stores_each_report_with_its_url_source_and_date(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_reliefweb(server)
    config = write_config(tmp_path, server, RELIEFWEB)
    result = _run(config, http)
    assert result.exit_code == 0, result.errors
    requests = requests_to(server, "/v2/reports")
    assert [r.get_json()["offset"] for r in requests] == [0, 2]
    assert {r.args["appname"] for r in requests} == {"tests"}
    assert _since(requests[0]) == "2024-06-01T00:00:00+00:00"
    (report,) = result.sources
    assert len(report.fetched) == 3 and report.figures == 4
    assert report.skipped == [
        (
            server.url_for("/report/sudan/sudan-displacement-map-june-2024"),
            "no body text (attachments only)",
        )
    ]
    figures = Store(config.store.data).figures().collect()
    rows = {(f["indicator"], f["value"]): f for f in figures.to_dicts()}
    assert set(rows) == {
        ("displaced", 130_000),
        ("killed", 226),
        ("refugees", 15_000),
        ("in_need", 25_000_000),
    }
    killed = rows[("killed", 226)]
    assert killed["source_url"] == server.url_for(
        "/report/sudan/sudan-situation-report-5-june-2024"
    )
    assert killed["publisher"] == "OCHA" and killed["published_date"] == dt.date(2024, 6, 5)
    refugees = rows[("refugees", 15_000)]
    assert refugees["publisher"] == "UNHCR" and refugees["published_date"] == dt.date(2024, 6, 8)
    # each report is archived on its own, as an article feed line
    assert len({f["source_file"] for f in figures.to_dicts()}) == 3
    raw = config.store.data / killed["source_file"]
    assert json.loads(raw.read_text(encoding="utf-8"))["url"] == killed["source_url"]


def test_a_later_run_resumes_from_the_newest_report_stored(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_reliefweb(server)
    config = write_config(tmp_path, server, RELIEFWEB)
    _run(config, http)
    state = StateFile.of(config.store.data / "processed").sources["sudan-reliefweb"]
    assert state.cursor == "2024-06-13T08:00:00+00:00"
    server.clear_log()
    second = _run(config, http)
    assert second.exit_code == 0
    (request,) = requests_to(server, "/v2/reports")
    assert _since(request) == "2024-06-13T08:00:00+00:00"
    assert second.sources[0].figures == 0
    assert Store(config.store.data).figures().collect().height == 4


def test_429_then_success(
    tmp_path: Path, server: HTTPServer, http: dict[str, object], fake_time
) -> None:  # type: ignore[no-untyped-def]
    pages = reliefweb_pages(server)
    calls: list[int] = []

    def limited(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            return Response("Too many requests", status=429, headers={"Retry-After": "30"})
        return pages(request)

    server.expect_request("/v2/reports", method="POST").respond_with_handler(limited)
    config = write_config(tmp_path, server, RELIEFWEB)
    result = _run(config, http)
    assert result.exit_code == 0, result.errors
    assert 30.0 in fake_time.sleeps
    assert len(calls) == 3 and result.sources[0].figures == 4


def test_the_appname_never_reaches_the_log_or_the_state(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    server.expect_request("/v2/reports", method="POST").respond_with_data("down", status=503)
    config = write_config(tmp_path, server, RELIEFWEB)
    environ = {"RELIEFWEB_APPNAME": "my-secret-appname"}
    result = run(config, today=TODAY, environ=environ, http=http)
    assert result.exit_code == 1
    assert "HTTP 503" in result.errors[0]
    for path in config.store.data.rglob("*"):
        if path.is_file():
            assert b"my-secret-appname" not in path.read_bytes(), path


def test_an_unreadable_report_holds_the_resume_point_and_is_retried(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    reports = reliefweb_reports(server)
    reports[1]["fields"]["body-html"] = "<ul><li>Home</li><li>Map</li></ul>"  # no prose at all
    server.expect_request("/v2/reports", method="POST").respond_with_handler(
        reliefweb_pages(server, reports)
    )
    config = write_config(tmp_path, server, RELIEFWEB)
    first = _run(config, http)
    assert first.exit_code == 1
    (report,) = first.sources
    unreadable_url = server.url_for("/report/sudan/sudan-flash-update-on-arrivals-in-chad")
    assert [url for url, _ in report.unreadable] == [unreadable_url]
    assert "no main text" in report.unreadable[0][1]
    assert report.status == "partial" and report.figures == 3
    state = StateFile.of(config.store.data / "processed").sources["sudan-reliefweb"]
    assert state.cursor == "2024-06-05T14:20:00+00:00"  # the report before the unreadable one

    server.clear_log()
    second = _run(config, http)
    requests = requests_to(server, "/v2/reports")
    assert {_since(request) for request in requests} == {"2024-06-05T14:20:00+00:00"}
    assert [url for url, _ in second.sources[0].unreadable] == [unreadable_url]
    assert Store(config.store.data).figures().collect().height == 3
