"""HDX HAPI: one endpoint with its filters, read page by page into one archived JSON table.

The app identifier (``base64("app name:email")``) is read from the environment variable the
source names and sent in the ``X-HDX-HAPI-APP-IDENTIFIER`` header, so it never appears in a
URL, a log line or the archive. Pages are requested with ``offset``/``limit`` until one comes
back short. The rows of all pages are written as one ``{"data": [...]}`` file, ingested like
any JSON table with the endpoint's mapping: the same answer next run hashes the same and is
not ingested again.

HAPI rows say neither who published them nor when, so figures take the source's
``publisher`` (default "HDX HAPI") and, as publication date, the day HAPI served them; their
``source_url`` is the query (without the app identifier).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from humstats.config import HapiSourceConfig
from humstats.schema import SourceMeta
from humstats.sources import Download, Fetched, Skip
from humstats.sources.http import FetchError, HttpClient
from humstats.sources.state import ItemState, SourceState

HEADER = "X-HDX-HAPI-APP-IDENTIFIER"
API_PATH = "api/v2"
MAX_PAGES = 1000
"""A guard against a server that never sends a short page."""
MAPPINGS = Path(__file__).parent / "mappings"


def builtin_mapping(endpoint: str) -> Path | None:
    """The mapping humstats ships for ``endpoint``, if it has one."""
    path = MAPPINGS / f"hapi-{endpoint.replace('/', '-')}.toml"
    return path if path.is_file() else None


def _params(source: HapiSourceConfig) -> dict[str, Any]:
    return {
        key: [str(v) for v in value] if isinstance(value, tuple) else _text(value)
        for key, value in sorted(source.params.items())
    }


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def query_url(source: HapiSourceConfig) -> str:
    """The public address of the query: what a figure's ``source_url`` points to."""
    query = urlencode({**_params(source), "output_format": "json"}, doseq=True)
    return f"{source.base_url}/{API_PATH}/{source.endpoint}?{query}"


def fetch(
    source: HapiSourceConfig,
    client: HttpClient,
    state: SourceState,
    workdir: Path,
    *,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Fetched:
    """Every row the query returns, as one file (skipped when identical to the last one)."""
    public = query_url(source)
    mapping = source.mapping or builtin_mapping(source.endpoint)
    if mapping is None:
        raise FetchError(
            public,
            f"humstats has no mapping for endpoint {source.endpoint!r}; give the source a mapping",
        )
    identifier = source.app_identifier(environ)
    if identifier is None:
        raise FetchError(
            public,
            f"the environment variable {source.app_identifier_env} (HAPI app identifier) "
            "is not set",
        )
    url = f"{source.base_url}/{API_PATH}/{source.endpoint}"
    rows: list[Any] = []
    for page in range(MAX_PAGES):
        params = {
            **_params(source),
            "output_format": "json",
            "limit": source.page_size,
            "offset": page * source.page_size,
        }
        body = client.get_json(url, params=params, headers={HEADER: identifier})
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise FetchError(public, f"page {page + 1} is not a HAPI answer (no data list)")
        rows.extend(data)
        if len(data) < source.page_size:
            break
    else:
        raise FetchError(public, f"more than {MAX_PAGES} pages; narrow the query with params")
    key = f"{source.endpoint}?{urlencode(_params(source), doseq=True)}"
    fetched = Fetched()
    if not rows:
        fetched.skipped.append(Skip(key, public, "the query returned no rows"))
        return fetched
    target = workdir / f"hapi-{source.endpoint.replace('/', '-')}.json"
    target.write_text(
        json.dumps({"data": rows}, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8"
    )
    served = today or dt.datetime.now(dt.UTC).date()
    meta = SourceMeta(
        publisher=source.publisher,
        source_url=public,
        published_date=served,
        title=f"HDX HAPI {source.endpoint}",
    )
    fetched.downloads.append(Download(key, public, target, meta, mapping, ItemState(url=public)))
    return fetched
