"""A local stand-in for HDX, HAPI and ReliefWeb: pytest-httpserver serving the answers in
``tests/data/sources`` (real formats, made-up content), and a clock that never sleeps.

Imported by the tests of this folder as ``sources.livesources``."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from humstats.config import Config, load_config

DATA = Path(__file__).parent.parent / "data" / "sources"
PLACEHOLDER = "http://server.test"
RESOURCE_PATH = "/dataset/5b1c7a3e/resource/{}/download/{}"
IDPS = RESOURCE_PATH.format("7d2e5a90-1111", "sudan-idps-by-state.csv")
RETURNEES = RESOURCE_PATH.format("7d2e5a90-2222", "sudan-returnees.csv")
ENVIRON = {"HAPI_APP_IDENTIFIER": "dGVzdHM6dGVzdHNAZXhhbXBsZS5vcmc=", "RELIEFWEB_APPNAME": "tests"}


def base(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def fixture_text(name: str, server: HTTPServer) -> str:
    return (DATA / name).read_text(encoding="utf-8").replace(PLACEHOLDER, base(server))


def fixture_json(name: str, server: HTTPServer) -> Any:
    return json.loads(fixture_text(name, server))


@dataclass
class FakeTime:
    """``sleep`` that only moves ``clock`` forward, and remembers every wait."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def conditional_file(path: Path, etag: str) -> Any:
    """A handler serving ``path`` with an ETag, answering 304 when the client already has it."""

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(
            path.read_bytes(),
            content_type="text/csv",
            headers={"ETag": etag, "Last-Modified": "Wed, 12 Jun 2024 08:15:04 GMT"},
        )

    return handler


def serve_hdx(server: HTTPServer, idps: str = "hdx-idps.csv", etag: str = '"v1"') -> None:
    server.expect_request(
        "/api/3/action/package_show", query_string={"id": "sudan-displacement-data"}
    ).respond_with_json(fixture_json("hdx-package-show.json", server))
    server.expect_request(IDPS).respond_with_handler(conditional_file(DATA / idps, etag))
    server.expect_request(RETURNEES).respond_with_handler(
        conditional_file(DATA / "hdx-returnees.csv", '"r1"')
    )


def hapi_pages(request: Request) -> Response:
    offset = int(request.args.get("offset", "0"))
    page = {0: "hapi-idps-page-1.json", 2: "hapi-idps-page-2.json"}.get(offset)
    if page is None:
        return Response('{"data": []}', content_type="application/json")
    return Response((DATA / page).read_bytes(), content_type="application/json")


def serve_hapi(server: HTTPServer) -> None:
    server.expect_request("/api/v2/affected-people/idps").respond_with_handler(hapi_pages)


def reliefweb_reports(server: HTTPServer) -> list[dict[str, Any]]:
    return [
        report
        for name in ("reliefweb-page-1.json", "reliefweb-page-2.json")
        for report in fixture_json(name, server)["data"]
    ]


def reliefweb_pages(server: HTTPServer, reports: list[dict[str, Any]] | None = None) -> Any:
    """Pages of ``reports`` (default: the fixtures'), honouring the ``date.created`` filter."""
    reports = reliefweb_reports(server) if reports is None else reports

    def handler(request: Request) -> Response:
        body = request.get_json()
        since = next(
            (
                c["value"]["from"]
                for c in body.get("filter", {}).get("conditions", [])
                if c.get("field") == "date.created"
            ),
            "",
        )
        chosen = [r for r in reports if r["fields"]["date"]["created"] >= since]
        offset, limit = body.get("offset", 0), body["limit"]
        page = chosen[offset : offset + limit]
        answer = {"totalCount": len(chosen), "count": len(page), "data": page}
        return Response(json.dumps(answer), content_type="application/json")

    return handler


def serve_reliefweb(server: HTTPServer) -> None:
    server.expect_request("/v2/reports", method="POST").respond_with_handler(
        reliefweb_pages(server)
    )


def write_config(folder: Path, server: HTTPServer, sources: str, reports: str = "") -> Config:
    url = base(server)
    text = textwrap.dedent(sources).replace("{url}", url) + textwrap.dedent(reports)
    path = folder / "humstats.toml"
    path.write_text('[store]\ndata = "data"\nreports = "reports"\n\n' + text, encoding="utf-8")
    return load_config(path)


HDX = """
[[sources]]
name = "sudan-idps-hdx"
kind = "hdx"
dataset = "sudan-displacement-data"
resources = ["*.csv"]
base_url = "{url}"
"""
HAPI = """
[[sources]]
name = "sudan-hapi"
kind = "hapi"
endpoint = "affected-people/idps"
params = { location_code = "SDN" }
page_size = 2
base_url = "{url}"
"""
RELIEFWEB = """
[[sources]]
name = "sudan-reliefweb"
kind = "reliefweb"
query = { country = ["SDN"], format = ["Situation Report", "Flash Update"] }
since = 2024-06-01
page_size = 2
base_url = "{url}"
"""


def requests_to(server: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in server.log if request.path == path]
