"""ReliefWeb reports through the v2 API: each new report's text goes to the extractor.

The query (countries, disasters, sources, content formats, themes, languages) becomes one
filter of the ``POST /v2/reports`` call, sorted oldest first and read page by page with
``offset``/``limit``. A run asks only for reports posted since the newest one already stored
(the resume point in the state file), or since the configured ``since`` on the first run.

Each report becomes a one-line article feed (``reliefweb-<id>.ndjson``: html or text, title,
publisher, url, published) archived like any input, so its figures carry the report's URL,
its source organisation (short name, as publisher priorities name them: "OCHA") and its
date. A report re-fetched after a crash hashes the same and is not stored twice. Reports that
are only an attached PDF have no body text; they are skipped and the run log says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from humstats.config import ReliefwebSourceConfig
from humstats.sources import Download, Fetched, Skip
from humstats.sources.http import FetchError, HttpClient
from humstats.sources.state import SourceState

FIELDS = (
    "id",
    "title",
    "body",
    "body-html",
    "url",
    "url_alias",
    "date.original",
    "date.created",
    "source.name",
    "source.shortname",
)
MAX_PAGES = 500
GLIDE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}-[A-Z]{3}$")


def _any_of(field: str, values: list[str]) -> dict[str, Any]:
    return {"field": field, "value": values, "operator": "OR"}


def conditions(source: ReliefwebSourceConfig, since: str | None) -> list[dict[str, Any]]:
    """The API filter for the configured query (each list "any of", lists combined with AND)."""
    query = source.query
    found: list[dict[str, Any]] = []
    if query.country:
        codes = [c.lower() for c in query.country if re.fullmatch(r"[A-Za-z]{3}", c)]
        names = [c for c in query.country if not re.fullmatch(r"[A-Za-z]{3}", c)]
        found.append(_either([("country.iso3", codes), ("country.name", names)]))
    if query.disaster:
        glides = [d for d in query.disaster if GLIDE.match(d.upper())]
        ids = [d for d in query.disaster if d.isdigit()]
        names = [d for d in query.disaster if d not in glides and d not in ids]
        found.append(
            _either([("disaster.glide", glides), ("disaster.id", ids), ("disaster.name", names)])
        )
    if query.source:
        found.append(
            _either([("source.shortname", list(query.source)), ("source.name", list(query.source))])
        )
    if query.format:
        found.append(_any_of("format.name", list(query.format)))
    if query.theme:
        found.append(_any_of("theme.name", list(query.theme)))
    if query.language:
        codes = [lang for lang in query.language if len(lang) == 2]
        names = [lang for lang in query.language if len(lang) != 2]
        found.append(_either([("language.code", codes), ("language.name", names)]))
    if since:
        found.append({"field": "date.created", "value": {"from": since}})
    return found


def _either(options: list[tuple[str, list[str]]]) -> dict[str, Any]:
    used = [_any_of(field, values) for field, values in options if values]
    return used[0] if len(used) == 1 else {"operator": "OR", "conditions": used}


def _since(source: ReliefwebSourceConfig, state: SourceState) -> str | None:
    configured = f"{source.since.isoformat()}T00:00:00+00:00" if source.since else None
    candidates = [c for c in (configured, state.cursor) if c]
    return max(candidates) if candidates else None


def _publisher(fields: dict[str, Any]) -> str | None:
    sources = fields.get("source")
    if isinstance(sources, list) and sources and isinstance(sources[0], dict):
        first = sources[0]
        return first.get("shortname") or first.get("name")
    return None


def _article(fields: dict[str, Any], url: str) -> dict[str, Any] | None:
    """The report as one article-feed object, or ``None`` when it has no body text."""
    dates = fields.get("date") if isinstance(fields.get("date"), dict) else {}
    published = str(dates.get("original") or dates.get("created") or "")[:10] or None
    article: dict[str, Any] = {
        "title": fields.get("title"),
        "publisher": _publisher(fields),
        "url": url,
        "published": published,
    }
    html, text = fields.get("body-html"), fields.get("body")
    if isinstance(html, str) and html.strip():
        article["html"] = html
    elif isinstance(text, str) and text.strip():
        article["text"] = text
    else:
        return None
    return article


def fetch(
    source: ReliefwebSourceConfig,
    client: HttpClient,
    state: SourceState,
    workdir: Path,
    *,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Fetched:
    """The reports posted since the resume point, one feed file each."""
    url = f"{source.base_url}/v2/reports"
    appname = source.appname(environ)
    if appname is None:
        raise FetchError(
            url, f"the environment variable {source.appname_env} (ReliefWeb appname) is not set"
        )
    since = _since(source, state)
    body: dict[str, Any] = {
        "filter": {"operator": "AND", "conditions": conditions(source, since)},
        "fields": {"include": list(FIELDS)},
        "sort": ["date.created:asc", "id:asc"],
        "limit": source.page_size,
    }
    if not body["filter"]["conditions"]:
        del body["filter"]
    fetched = Fetched()
    offset = 0
    for page in range(MAX_PAGES):
        try:
            answer = client.get_json(
                url,
                method="POST",
                params={"appname": appname},
                json={**body, "offset": offset},
                secret=("appname",),
            )
        except FetchError as error:
            if error.status == 403:  # since November 2025 ReliefWeb refuses unapproved names
                hint = f"{error.problem}: is the appname in {source.appname_env} approved?"
                raise FetchError(error.url, hint, 403) from error
            raise
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list):
            raise FetchError(url, f"page {page + 1} is not a ReliefWeb answer (no data list)")
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
                raise FetchError(url, f"page {page + 1} holds a report without fields")
            _take(entry, workdir, fetched)
        offset += len(data)
        total = answer.get("totalCount")
        if not data or len(data) < source.page_size or (isinstance(total, int) and offset >= total):
            break
    else:
        raise FetchError(url, f"more than {MAX_PAGES} pages; narrow the query or set since")
    return fetched


def _take(entry: dict[str, Any], workdir: Path, fetched: Fetched) -> None:
    fields = entry["fields"]
    report_id = str(fields.get("id") or entry.get("id"))
    url = str(fields.get("url_alias") or fields.get("url") or entry.get("href") or report_id)
    dates = fields.get("date") if isinstance(fields.get("date"), dict) else {}
    created = str(dates.get("created") or "") or None
    article = _article(fields, url)
    if article is None:
        fetched.skipped.append(
            Skip(report_id, url, "no body text (attachments only)", cursor=created)
        )
        return
    target = workdir / f"reliefweb-{report_id}.ndjson"
    target.write_text(json.dumps(article, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    fetched.downloads.append(Download(report_id, url, target, cursor=created))
