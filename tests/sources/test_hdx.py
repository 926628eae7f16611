"""HDX datasets (CKAN package_show + resources) on a local server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from humstats.config import Config
from humstats.schedule import RunResult, run
from humstats.sources.state import StateFile
from humstats.store import Store
from sources.livesources import (
    DATA,
    ENVIRON,
    HDX,
    IDPS,
    RETURNEES,
    conditional_file,
    fixture_json,
    requests_to,
    serve_hdx,
    write_config,
)

TODAY = dt.date(2024, 6, 20)


def _run(config: Config, http: dict[str, object]) -> RunResult:
    return run(config, today=TODAY, environ=ENVIRON, http=http)


def _batches(config: Config) -> int:
    """Batches committed so far, as the run log records them (whatever the store's layout)."""
    return sum(len(record.get("batches") or []) for record in Store(config.store.data).runs())


def _figures(config: Config) -> int:
    return Store(config.store.data).figures().collect().height


def test_first_run_fetches_matching_resources_with_their_provenance(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hdx(server)
    config = write_config(tmp_path, server, HDX)
    result = _run(config, http)
    assert result.exit_code == 0, result.errors
    (report,) = result.sources
    assert report.figures == 5 and len(report.fetched) == 2 and report.status == "ok"
    assert not requests_to(
        server, "/dataset/5b1c7a3e/resource/7d2e5a90-3333/download/methodology.pdf"
    )
    figures = Store(config.store.data).figures().collect().sort("value")
    by_url = {url: group for (url,), group in figures.group_by("source_url", maintain_order=True)}
    assert set(by_url) == {server.url_for(IDPS), server.url_for(RETURNEES)}
    idps = by_url[server.url_for(IDPS)]
    assert sorted(idps["value"]) == [980_000, 1_250_000, 3_400_000]
    assert set(idps["indicator"]) == {"displaced"}
    assert set(idps["publisher"]) == {"IOM"}
    assert set(idps["attributed_to"]) == {"IOM DTM"}
    assert set(idps["published_date"]) == {dt.date(2024, 6, 12)}
    assert set(by_url[server.url_for(RETURNEES)]["published_date"]) == {dt.date(2024, 6, 10)}
    # archived unchanged, like a local input
    (archived,) = set(idps["source_file"])
    assert (config.store.data / archived).read_bytes() == (DATA / "hdx-idps.csv").read_bytes()


def test_unchanged_second_run_downloads_nothing_and_stores_nothing(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hdx(server)
    config = write_config(tmp_path, server, HDX)
    _run(config, http)
    batches, figures = _batches(config), _figures(config)
    assert (batches, figures) == (2, 5)  # one batch per resource
    server.clear_log()
    second = _run(config, http)
    assert second.exit_code == 0 and second.nothing_new
    for path, etag in ((IDPS, '"v1"'), (RETURNEES, '"r1"')):
        (request,) = requests_to(server, path)
        assert request.headers["If-None-Match"] == etag
    assert [response.status_code for _, response in server.log[1:]] == [304, 304]
    assert (_batches(config), _figures(config)) == (batches, figures)
    (report,) = second.sources
    assert report.fetched == [] and {reason for _, reason in report.skipped} == {
        "not modified since the last run (HTTP 304)"
    }
    logged = Store(config.store.data).runs()[-1]["sources"][0]
    assert logged["skipped"][0]["reason"] == "not modified since the last run (HTTP 304)"


def test_a_changed_resource_is_fetched_and_its_new_figures_stored(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hdx(server)
    config = write_config(tmp_path, server, HDX)
    _run(config, http)
    server.clear()
    serve_hdx(server, idps="hdx-idps-changed.csv", etag='"v2"')
    second = _run(config, http)
    (report,) = second.sources
    assert report.fetched == [server.url_for(IDPS)]
    assert report.skipped == [
        (server.url_for(RETURNEES), "not modified since the last run (HTTP 304)")
    ]
    assert report.figures == 4
    assert _figures(config) == 5 + 4
    state = StateFile.of(config.store.data / "processed").sources["sudan-idps-hdx"]
    assert state.items["7d2e5a90-1111-4c3b-8a4e-000000000001"].etag == '"v2"'


def test_a_server_without_validators_sends_the_same_bytes_and_nothing_is_reingested(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    server.expect_request("/api/3/action/package_show").respond_with_json(
        fixture_json("hdx-package-show.json", server)
    )
    server.expect_request(IDPS).respond_with_data((DATA / "hdx-idps.csv").read_bytes())
    server.expect_request(RETURNEES).respond_with_data((DATA / "hdx-returnees.csv").read_bytes())
    config = write_config(tmp_path, server, HDX)
    _run(config, http)
    batches = _batches(config)
    second = _run(config, http)
    (report,) = second.sources
    assert {reason for _, reason in report.skipped} == {"same content as already stored"}
    assert _batches(config) == batches and _figures(config) == 5


def test_an_unreadable_resource_is_archived_reported_and_retried_next_run(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02PK\x03\x04 not a table \xff\xfe")
    server.expect_request("/api/3/action/package_show").respond_with_json(
        fixture_json("hdx-package-show.json", server)
    )
    server.expect_request(IDPS).respond_with_handler(conditional_file(garbage, '"bad"'))
    server.expect_request(RETURNEES).respond_with_handler(
        conditional_file(DATA / "hdx-returnees.csv", '"r1"')
    )
    config = write_config(tmp_path, server, HDX)
    first = _run(config, http)
    assert first.exit_code == 1
    (report,) = first.sources
    assert report.status == "partial" and report.figures == 2
    ((url, message),) = report.unreadable
    assert url == server.url_for(IDPS) and message.startswith(f"cannot read {url}")
    assert any(url in error for error in first.errors)
    archived = list((config.store.data / "raw").rglob("*.csv"))
    assert garbage.read_bytes() in [path.read_bytes() for path in archived]

    server.clear_log()
    second = _run(config, http)
    assert second.exit_code == 1
    (retry,) = requests_to(server, IDPS)
    assert "If-None-Match" not in retry.headers  # downloaded again, not "not modified"

    server.clear()
    serve_hdx(server, etag='"fixed"')
    third = _run(config, http)
    assert third.exit_code == 0 and third.sources[0].figures == 3
    assert _figures(config) == 5


def test_a_dataset_without_matching_resources_fails_naming_what_it_has(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hdx(server)
    config = write_config(tmp_path, server, HDX.replace('["*.csv"]', '["*.geojson"]'))
    result = _run(config, http)
    assert result.exit_code == 1
    assert "no resource matches" in result.errors[0]
    assert "'sudan-idps-by-state.csv'" in result.errors[0]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html><body>Maintenance</body></html>", "not JSON"),
        (
            json.dumps(
                {"success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}
            ),
            "Not found",
        ),
        (
            json.dumps({"success": True, "result": {"name": "x", "resources": "none"}}),
            "no resources",
        ),
    ],
)
def test_a_malformed_package_show_fails_the_source_with_a_reason(
    tmp_path: Path, server: HTTPServer, http: dict[str, object], body: str, problem: str
) -> None:
    server.expect_request("/api/3/action/package_show").respond_with_data(body)
    config = write_config(tmp_path, server, HDX)
    result = _run(config, http)
    assert result.exit_code == 1
    (report,) = result.sources
    assert report.status == "failed" and problem in (report.message or "")
    assert _figures(config) == 0


def test_resources_are_chosen_by_pattern_and_format(tmp_path: Path, server: HTTPServer) -> None:
    config = write_config(
        tmp_path, server, HDX.replace('resources = ["*.csv"]', 'formats = ["pdf"]')
    )
    (source,) = config.sources
    assert source.wants("Methodology note", "methodology.pdf", "PDF")
    assert not source.wants("x", "sudan-idps-by-state.csv", "CSV")
    by_name = write_config(tmp_path, server, HDX.replace('["*.csv"]', '["Sudan returnees*"]'))
    assert by_name.sources[0].wants("Sudan returnees by state", "sudan-returnees.csv", "CSV")
    assert not by_name.sources[0].wants("sudan-idps-by-state.csv", "sudan-idps-by-state.csv", "CSV")


def test_a_mapping_per_resource_applies_to_that_resource_only(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    (tmp_path / "returnees.toml").write_text(
        '[[figures]]\ncolumn = "Returnees"\nindicator = "returnees"\nmeasure = "flow"\n',
        encoding="utf-8",
    )
    serve_hdx(server)
    sources = HDX + 'mappings = { "sudan-returnees*" = "returnees.toml" }\n'
    config = write_config(tmp_path, server, sources)
    _run(config, http)
    figures = Store(config.store.data).figures().collect()
    measures = dict(
        figures.group_by("indicator").agg(measure=pl.col("measure").unique()).iter_rows()
    )
    assert measures == {"displaced": ["stock"], "returnees": ["flow"]}


def test_a_server_with_only_last_modified_answers_304_to_if_modified_since(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    stamp = "Wed, 12 Jun 2024 08:15:04 GMT"

    def by_date(path: Path):  # type: ignore[no-untyped-def]
        def handler(request: Request) -> Response:
            if request.headers.get("If-Modified-Since") == stamp:
                return Response(status=304)
            return Response(path.read_bytes(), headers={"Last-Modified": stamp})

        return handler

    server.expect_request("/api/3/action/package_show").respond_with_json(
        fixture_json("hdx-package-show.json", server)
    )
    server.expect_request(IDPS).respond_with_handler(by_date(DATA / "hdx-idps.csv"))
    server.expect_request(RETURNEES).respond_with_handler(by_date(DATA / "hdx-returnees.csv"))
    config = write_config(tmp_path, server, HDX)
    _run(config, http)
    server.clear_log()
    second = _run(config, http)
    assert [r.status_code for _, r in server.log[1:]] == [304, 304]
    assert all("If-None-Match" not in q.headers for q, _ in server.log)
    assert second.nothing_new and _figures(config) == 5
