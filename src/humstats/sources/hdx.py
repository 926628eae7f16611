"""HDX datasets through CKAN's ``package_show``: fetch the dataset's matching resources when
they change.

HDX updates resources in place, so "has it changed?" is asked of each resource with a
conditional GET (``If-None-Match`` with the ETag, ``If-Modified-Since`` with the
Last-Modified of the copy we stored). A ``304`` costs no download; a server that ignores the
headers sends the file again, and the store's content hash stops it from being ingested twice.

Every figure of a resource keeps the resource's URL (``source_url``), the dataset's
organisation (``publisher``), the dataset's source (``attributed_to``, e.g. "IOM DTM") and the
resource's last modification day (``published_date``).

hdx-python-api is not used: reading a public dataset is one ``package_show`` call, and the
library brings a configuration system, CKAN write support and its own downloader, none of
which does conditional requests, per-host rates or retries the way the other sources here do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from humstats.config import HdxSourceConfig
from humstats.readers import TABLE_SUFFIXES, TEXT_SUFFIXES
from humstats.schema import SourceMeta
from humstats.sources import Download, Fetched, Skip
from humstats.sources.http import FetchError, HttpClient
from humstats.sources.state import ItemState, SourceState

FORMAT_SUFFIXES = {
    "csv": ".csv",
    "text/csv": ".csv",
    "xlsx": ".xlsx",
    "xls": ".xlsx",
    "json": ".json",
    "geojson": ".json",
    "html": ".html",
    "txt": ".txt",
}
"""HDX's format labels → the suffix our readers know, for resources whose URL has none."""


def package_show(source: HdxSourceConfig, client: HttpClient) -> dict[str, Any]:
    """The dataset's metadata; a CKAN error or a body that is not CKAN's is a ``FetchError``."""
    url = f"{source.base_url}/api/3/action/package_show"
    body = client.get_json(url, params={"id": source.dataset})
    result = body.get("result") if isinstance(body, dict) else None
    if not (isinstance(body, dict) and body.get("success") is True and isinstance(result, dict)):
        error = body.get("error") if isinstance(body, dict) else None
        detail = error.get("message") if isinstance(error, dict) else None
        shown = f"{url}?id={source.dataset}"
        raise FetchError(shown, detail or "not a CKAN package_show answer (no success/result)")
    resources = result.get("resources")
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise FetchError(f"{url}?id={source.dataset}", "the dataset lists no resources")
    return result


def _filename(resource: dict[str, Any]) -> str:
    """The resource's file name, with a suffix our readers know when HDX says its format."""
    path_name = unquote(PurePosixPath(urlsplit(str(resource.get("url") or "")).path).name)
    name = path_name or str(resource.get("name") or resource.get("id") or "resource")
    name = name.replace("/", "_").replace("\\", "_")
    suffix = Path(name).suffix.lower()
    if suffix not in TABLE_SUFFIXES and suffix not in TEXT_SUFFIXES:
        known = FORMAT_SUFFIXES.get(str(resource.get("format") or "").strip().lower())
        if known:
            name += known
    return name


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def fetch(
    source: HdxSourceConfig,
    client: HttpClient,
    state: SourceState,
    workdir: Path,
    *,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Fetched:
    """Download the dataset's matching resources that changed since the last run."""
    dataset = package_show(source, client)
    organisation = dataset.get("organization") or {}
    publisher = organisation.get("title") if isinstance(organisation, dict) else None
    fetched = Fetched()
    chosen = []
    for resource in dataset["resources"]:
        name = str(resource.get("name") or "")
        filename = _filename(resource)
        if resource.get("url") and source.wants(name, filename, str(resource.get("format") or "")):
            chosen.append((resource, name, filename))
    if not chosen:
        names = ", ".join(repr(str(r.get("name"))) for r in dataset["resources"][:10])
        raise FetchError(
            f"{source.base_url}/dataset/{source.dataset}",
            f"no resource matches resources={list(source.resources)} "
            f"formats={list(source.formats)}; the dataset has {names or 'none'}",
        )
    for resource, name, filename in chosen:
        key = str(resource.get("id") or resource["url"])
        url = str(resource["url"])
        previous = state.items.get(key)
        headers = {}
        if previous and previous.url == url and previous.status in {"stored", "unchanged"}:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        target = workdir / key.replace("/", "_")[:80] / filename
        try:
            response = client.request("GET", url, headers=headers, target=target)
        except FetchError as error:
            fetched.failed.append(Skip(key, url, error.problem))
            continue
        if response.status_code == 304:
            fetched.skipped.append(Skip(key, url, "not modified since the last run (HTTP 304)"))
            continue
        if not target.exists():
            fetched.failed.append(Skip(key, url, f"HTTP {response.status_code} without a file"))
            continue
        title = " — ".join(str(t) for t in (dataset.get("title"), name) if t)
        meta = SourceMeta(
            publisher=publisher,
            source_url=url,
            published_date=_date(resource.get("last_modified"))
            or _date(resource.get("metadata_modified"))
            or _date(dataset.get("last_modified")),
            attributed_to=dataset.get("dataset_source") or None,
            title=title or None,
        )
        validators = ItemState(
            url=url,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )
        fetched.downloads.append(
            Download(key, url, target, meta, source.mapping_for(name, filename), validators)
        )
    return fetched
