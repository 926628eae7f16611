"""Prose inputs: ``.txt``, ``.md`` with optional front matter, and ``.html`` pages.

Each file becomes one ``Document``. Markdown front matter (``title``, ``publisher``, ``url``,
``published``) is read with python-frontmatter; an HTML page's main content and its meta tags
(site name, publication date, canonical URL) with trafilatura, so navigation, footers and
cookie banners never reach the extractor.

``Document.offset`` is where the text starts in the raw file, so a figure's span points into
the archived bytes (decoded as UTF-8). For HTML the text is extracted, not copied, so spans
point into the extracted main text and the offset is 0.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError, MissingDependencyError
from humstats.readers import Document
from humstats.schema import SourceMeta

MARKDOWN_SUFFIXES = {".md", ".markdown"}
_PROSE = re.compile(r"\w+\s+\w+\s+\w+")
"""At least three words in a row: a page holding only menu items has no main text."""
HTML_SUFFIXES = {".html", ".htm"}
_MARKUP = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->", re.I | re.S)
"""Raw HTML a Markdown or text file may carry whose text is code or hidden, never prose."""


def blank_markup(text: str) -> str:
    """``text`` with scripts, style sheets and HTML comments blanked out: numbers in code
    are never figures. Blanked with spaces (newlines kept), so spans still point into the
    raw file."""
    return _MARKUP.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def parse_published(value: object, path: Path) -> dt.date | None:
    """A publication date from metadata: a date, a datetime or an ISO string (time ignored)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError as error:
        raise InputError(path, f"published date {text!r} is not YYYY-MM-DD") from error


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def meta_from(fields: dict, path: Path) -> SourceMeta:
    """SourceMeta from front matter or a feed object's fields (contract names)."""
    return SourceMeta(
        publisher=_text(fields.get("publisher")),
        source_url=_text(fields.get("url") or fields.get("source_url")),
        published_date=parse_published(fields.get("published"), path),
        title=_text(fields.get("title")),
    )


def decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from error


def html_document(html: str, path: Path, index: int = 0) -> Document:
    """The main content of an HTML page and what its meta tags say about it."""
    try:
        import trafilatura
    except ImportError as error:  # pragma: no cover - a core dependency
        raise MissingDependencyError("reading HTML", "trafilatura") from error
    if "<html" not in html[:2000].lower():
        html = f"<html><body>{html}</body></html>"  # a fragment, as feeds often carry
    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = (extracted.text or "") if extracted is not None else ""
    if not text.strip():
        # Too short for trafilatura's main-content heuristics (a snippet, a feed's html
        # field): keep all visible text rather than nothing.
        text = trafilatura.html2txt(html) or ""
        extracted = trafilatura.extract_metadata(html)
    if not text.strip() or not _PROSE.search(text):
        raise InputError(path, "no main text found in the HTML page")
    meta = SourceMeta(
        publisher=_text(getattr(extracted, "sitename", None)),
        source_url=_text(getattr(extracted, "url", None)),
        published_date=parse_published(getattr(extracted, "date", None), path),
        title=_text(getattr(extracted, "title", None)),
    )
    return Document(text, path, meta, index, 0)


def markdown_document(text: str, path: Path) -> Document:
    import frontmatter

    try:
        fields, body = frontmatter.parse(text)
    except Exception as error:  # the YAML/TOML parsers raise their own error types
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise InputError(path, f"bad front matter: {first}") from error
    offset = text.find(body) if body else len(text)
    return Document(blank_markup(body), path, meta_from(fields, path), 0, max(offset, 0))


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Document]:
    """One document from a text, Markdown or HTML file."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from error
    text = decode(raw, path)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return [html_document(text, path)]
    if suffix in MARKDOWN_SUFFIXES:
        return [markdown_document(text, path)]
    return [Document(blank_markup(text), path, SourceMeta(), 0, 0)]
