"""HDX HAPI pages on a local server: pagination, the app identifier, unchanged answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pytest_httpserver import HTTPServer

from humstats.config import Config
from humstats.schedule import RunResult, run
from humstats.store import Store
from sources.livesources import DATA, ENVIRON, HAPI, requests_to, serve_hapi, write_config

TODAY = dt.date(2024, 6, 20)
ENDPOINT = "/api/v2/affected-people/idps"
SECRET = ENVIRON["HAPI_APP_IDENTIFIER"]


def _run(config: Config, http: dict[str, object], environ: dict[str, str] = ENVIRON) -> RunResult:
    return run(config, today=TODAY, environ=environ, http=http)


def test_pages_are_read_until_a_short_one(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hapi(server)
    config = write_config(tmp_path, server, HAPI)
    result = _run(config, http)
    assert result.exit_code == 0, result.errors
    requests = requests_to(server, ENDPOINT)
    assert [(r.args["offset"], r.args["limit"]) for r in requests] == [("0", "2"), ("2", "2")]
    assert {r.args["location_code"] for r in requests} == {"SDN"}
    assert {r.args["output_format"] for r in requests} == {"json"}
    figures = Store(config.store.data).figures().collect().sort("value")
    assert figures["value"].to_list() == [1_250_000, 3_400_000, 7_300_000]
    assert figures["location_name"].to_list() == ["North Darfur", "Khartoum", "Sudan"]
    assert set(figures["indicator"]) == {"displaced"} and set(figures["measure"]) == {"stock"}
    assert set(figures["period_start"]) == {dt.date(2024, 5, 1)}
    assert set(figures["period_end"]) == {dt.date(2024, 5, 31)}
    assert set(figures["publisher"]) == {"HDX HAPI"}
    assert set(figures["published_date"]) == {TODAY}
    (url,) = set(figures["source_url"])
    assert url == server.url_for(ENDPOINT) + "?location_code=SDN&output_format=json"


def test_the_app_identifier_goes_in_a_header_and_nowhere_else(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hapi(server)
    config = write_config(tmp_path, server, HAPI)
    _run(config, http)
    for request in requests_to(server, ENDPOINT):
        assert request.headers["X-HDX-HAPI-APP-IDENTIFIER"] == SECRET
        assert SECRET not in request.url
    for path in config.store.data.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_an_unchanged_answer_is_not_ingested_again(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hapi(server)
    config = write_config(tmp_path, server, HAPI)
    _run(config, http)
    second = _run(config, http)
    assert second.exit_code == 0 and second.nothing_new
    (report,) = second.sources
    assert report.skipped == [(report.skipped[0][0], "same content as already stored")]
    assert Store(config.store.data).figures().collect().height == 3


def test_a_missing_app_identifier_fails_the_source_naming_the_variable(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    serve_hapi(server)
    config = write_config(tmp_path, server, HAPI)
    result = _run(config, http, environ={})
    assert result.exit_code == 1
    assert "HAPI_APP_IDENTIFIER (HAPI app identifier) is not set" in result.errors[0]
    assert not requests_to(server, ENDPOINT)


def test_an_endpoint_without_a_mapping_says_so(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    config = write_config(tmp_path, server, HAPI.replace("affected-people/idps", "food/food-price"))
    result = _run(config, http)
    assert result.exit_code == 1
    assert "no mapping for endpoint 'food/food-price'" in result.errors[0]


def test_a_page_that_is_not_a_hapi_answer_fails_the_source(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    server.expect_request(ENDPOINT).respond_with_json({"detail": "Internal error"})
    config = write_config(tmp_path, server, HAPI)
    result = _run(config, http)
    assert result.exit_code == 1
    assert "page 1 is not a HAPI answer" in result.errors[0]
    assert Store(config.store.data).figures().collect().height == 0


def test_refugees_have_a_built_in_mapping_with_origin_sex_and_age_parts(
    tmp_path: Path, server: HTTPServer, http: dict[str, object]
) -> None:
    endpoint = "/api/v2/affected-people/refugees-persons-of-concern"
    server.expect_request(endpoint).respond_with_data(
        (DATA / "hapi-refugees-page-1.json").read_bytes(), content_type="application/json"
    )
    sources = HAPI.replace("affected-people/idps", "affected-people/refugees-persons-of-concern")
    config = write_config(tmp_path, server, sources.replace("page_size = 2", "page_size = 10"))
    result = _run(config, http)
    assert result.exit_code == 0, result.errors
    store = Store(config.store.data)
    figures = store.figures().collect().sort("value", descending=True)
    assert figures.select("country_iso3", "sex", "age", "group", "value").rows() == [
        ("TCD", "all", "all", "origin=SDN", 600_000),
        ("EGY", "all", "all", "origin=SDN", 500_000),
        ("TCD", "f", "all", "origin=SDN", 330_000),
        ("TCD", "all", "0-4", "origin=SDN", 90_000),
    ]
    assert set(figures["indicator"]) == {"refugees"}
    (quarantined,) = store.quarantine().collect().to_dicts()
    assert quarantined["check"] == "filtered-row" and quarantined["failing_value"] == "ASY"
