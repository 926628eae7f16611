"""The HTTP client against a real local server: retries, Retry-After, rate, timeouts, secrets."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from humstats.sources.http import FetchError, HttpClient, public_url
from sources.livesources import FakeTime


def _client(fake_time: FakeTime, **options: object) -> HttpClient:
    settings: dict[str, object] = {
        "sleep": fake_time.sleep,
        "clock": fake_time.clock,
        "timeout": 5.0,
        "requests_per_second": 1000.0,
    }
    return HttpClient(**(settings | options))  # type: ignore[arg-type]


def _answers(*responses: Response):  # type: ignore[no-untyped-def]
    """A handler giving ``responses`` in turn, then repeating the last one."""
    queue = list(responses)

    def handler(request: Request) -> Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def test_429_then_success_waits_as_long_as_retry_after_says(
    server: HTTPServer, fake_time: FakeTime
) -> None:
    server.expect_request("/data").respond_with_handler(
        _answers(Response("slow down", status=429, headers={"Retry-After": "7"}), Response("ok"))
    )
    with _client(fake_time) as client:
        response = client.request("GET", server.url_for("/data"))
    assert response.status_code == 200 and response.text == "ok"
    assert fake_time.sleeps == [7.0]
    assert len(server.log) == 2


def test_retry_after_as_an_http_date(server: HTTPServer, fake_time: FakeTime) -> None:
    now = dt.datetime(2024, 6, 20, 12, 0, 0, tzinfo=dt.UTC)
    server.expect_request("/data").respond_with_handler(
        _answers(
            Response(status=503, headers={"Retry-After": "Thu, 20 Jun 2024 12:01:30 GMT"}),
            Response("ok"),
        )
    )
    with _client(fake_time, now=lambda: now) as client:
        client.request("GET", server.url_for("/data"))
    assert fake_time.sleeps == [90.0]


def test_5xx_backs_off_exponentially_then_gives_up(server: HTTPServer, fake_time: FakeTime) -> None:
    server.expect_request("/data").respond_with_data("down", status=502)
    with _client(fake_time, retries=3, backoff=1.0) as client, pytest.raises(FetchError) as caught:
        client.request("GET", server.url_for("/data"))
    assert fake_time.sleeps == [1.0, 2.0, 4.0]
    assert len(server.log) == 4
    assert caught.value.status == 502
    assert str(caught.value).endswith("HTTP 502 BAD GATEWAY (4 attempts)")


def test_a_client_error_is_not_retried(server: HTTPServer, fake_time: FakeTime) -> None:
    server.expect_request("/data").respond_with_data("no", status=404)
    with _client(fake_time) as client, pytest.raises(FetchError, match="HTTP 404"):
        client.request("GET", server.url_for("/data"))
    assert len(server.log) == 1 and fake_time.sleeps == []


def test_a_server_asking_to_wait_too_long_is_down_for_this_run(
    server: HTTPServer, fake_time: FakeTime
) -> None:
    server.expect_request("/data").respond_with_data(
        "", status=429, headers={"Retry-After": "86400"}
    )
    with _client(fake_time) as client, pytest.raises(FetchError, match="retry after 86400s"):
        client.request("GET", server.url_for("/data"))
    assert fake_time.sleeps == []


def test_requests_to_one_host_are_spaced_by_the_rate(
    server: HTTPServer, fake_time: FakeTime
) -> None:
    server.expect_request("/data").respond_with_data("ok")
    with _client(fake_time, requests_per_second=2.0) as client:
        for _ in range(3):
            client.request("GET", server.url_for("/data"))
    assert fake_time.sleeps == [0.5, 0.5]


def test_the_rate_is_shared_by_clients_of_one_run(server: HTTPServer, fake_time: FakeTime) -> None:
    server.expect_request("/data").respond_with_data("ok")
    slots: dict[str, float] = {}
    for _ in range(2):
        with _client(fake_time, requests_per_second=1.0, slots=slots) as client:
            client.request("GET", server.url_for("/data"))
    assert fake_time.sleeps == [1.0]


def test_a_timeout_is_retried_then_reported(server: HTTPServer, fake_time: FakeTime) -> None:
    release = threading.Event()

    def stalled(request: Request) -> Response:
        release.wait(10)
        return Response("late")

    server.expect_request("/slow").respond_with_handler(stalled)
    try:
        with (
            _client(fake_time, timeout=0.2, retries=1) as client,
            pytest.raises(FetchError, match=r"timed out after 0\.2s") as caught,
        ):
            client.request("GET", server.url_for("/slow"))
    finally:
        release.set()
    assert caught.value.status is None
    assert fake_time.sleeps == [1.0]


def test_a_body_that_is_not_json_is_a_fetch_error(server: HTTPServer, fake_time: FakeTime) -> None:
    server.expect_request("/api").respond_with_data("<html>maintenance</html>")
    with _client(fake_time) as client, pytest.raises(FetchError, match="not JSON"):
        client.get_json(server.url_for("/api"), params={"appname": "s3cret"}, secret=("appname",))


def test_secret_parameters_never_appear_in_messages(
    server: HTTPServer, fake_time: FakeTime
) -> None:
    server.expect_request("/api").respond_with_data("", status=403)
    params = {"appname": "s3cret", "q": "x"}
    with _client(fake_time) as client, pytest.raises(FetchError) as caught:
        client.request("GET", server.url_for("/api"), params=params, secret=("appname",))
    assert "s3cret" not in str(caught.value)
    assert "appname=%2A%2A%2A&q=x" in str(caught.value)


def test_public_url_masks_only_the_secret_parameters() -> None:
    masked = public_url("https://h/x?appname=abc&limit=2", ["appname"])
    assert masked == "https://h/x?appname=%2A%2A%2A&limit=2"
    assert public_url("https://h/x?limit=2", ["appname"]) == "https://h/x?limit=2"


def test_a_download_streams_into_the_target_file(
    server: HTTPServer, fake_time: FakeTime, tmp_path: Path
) -> None:
    body = b"a,b\n" * 50_000
    server.expect_request("/file.csv").respond_with_data(body, content_type="text/csv")
    target = tmp_path / "sub" / "file.csv"
    with _client(fake_time) as client:
        response = client.request("GET", server.url_for("/file.csv"), target=target)
    assert response.status_code == 200 and target.read_bytes() == body


@given(
    secret=st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
    other=st.text(max_size=20),
)
def test_a_secret_value_never_survives_masking(secret: str, other: str) -> None:
    url = httpx.URL("https://api.example.org/v2/reports", params={"q": other, "appname": secret})
    masked = public_url(url, ["appname"])
    assert httpx.URL(masked).params["appname"] == "***"
    assert httpx.URL(masked).params["q"] == other


@given(gaps=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=20))
def test_requests_to_one_host_never_come_closer_than_the_interval(gaps: list[float]) -> None:
    fake = FakeTime()
    client = HttpClient(sleep=fake.sleep, clock=fake.clock, requests_per_second=2.0)
    starts = []
    for gap in gaps:
        fake.now += gap  # the caller's own work between requests
        client._wait_turn(httpx.URL("https://hapi.example.org/x"), client.interval)
        starts.append(fake.now)
    client.close()
    assert all(b - a >= 0.5 - 1e-9 for a, b in itertools.pairwise(starts))
