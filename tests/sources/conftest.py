"""Fixtures for the live-source tests (helpers are in ``livesources.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from sources.livesources import FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def http(fake_time: FakeTime) -> dict[str, object]:
    """HTTP client settings for runs in tests: no real waiting."""
    return {"sleep": fake_time.sleep, "clock": fake_time.clock, "timeout": 5.0}


@pytest.fixture
def server(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    yield httpserver
    httpserver.clear()
