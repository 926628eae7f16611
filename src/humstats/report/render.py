"""Render a report to one self-contained HTML file and, from the same HTML, a PDF.

The HTML carries its CSS and its charts (inline SVG), so it opens offline and can be mailed
as one file. The PDF is that HTML laid out by WeasyPrint with the print rules of the same
stylesheet (A4, page numbers), so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from humstats.aggregate import DEFAULT_PRIORITY, DEFAULT_THRESHOLD
from humstats.errors import ConfigError, MissingDependencyError
from humstats.periods import Period
from humstats.report.context import build_context
from humstats.report.period import parse_period
from humstats.report.places import Aliases

log = logging.getLogger(__name__)

FORMATS: tuple[str, ...] = ("html", "pdf")
TEMPLATE = "report.html.j2"
_BUILTIN = Path(__file__).parent / "templates"


def _environment(template_dir: Path | None) -> jinja2.Environment:
    """Templates in ``template_dir`` override the built-in ones of the same name."""
    search = [str(template_dir)] if template_dir else []
    if template_dir and not Path(template_dir).is_dir():
        raise ConfigError(f"template directory {template_dir} does not exist")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*search, str(_BUILTIN)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def render_html(context: dict[str, Any], template_dir: Path | None = None) -> str:
    """The report as one HTML document. Charts are trusted SVG made by ``charts``; every
    other value, quotes included, is escaped by jinja2's autoescape."""
    environment = _environment(template_dir)
    try:
        template = environment.get_template(TEMPLATE)
    except jinja2.TemplateError as error:
        raise ConfigError(f"cannot load report template: {error}") from error
    panels = [p for item in context["trends"] if item["kind"] == "chart" for p in item["panels"]]
    svg = {c["id"]: Markup(c["svg"]) for c in [*panels, *context["places"]] if c.get("svg")}
    return template.render(**context, svg=svg)


PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF (PDF/UA): headings, tables and figures are structure a screen reader follows."""


class _SvgStyleNoise(logging.Filter):
    """WeasyPrint's CSS parser warns once per SVG presentation property in matplotlib's
    ``style`` attributes (``stroke``, ``fill``…), which its SVG renderer then honours anyway:
    hundreds of lines per report that would bury a real warning."""

    PATTERN = re.compile(r"Ignored `(?:stroke|fill|text-anchor|clip-path|marker|stop-)[\w-]*:")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (self.PATTERN.match(message) and message.endswith("unknown property."))


def write_pdf(html: str, path: Path) -> Path:
    """Lay ``html`` out as an A4, tagged PDF; the engine is imported here because it needs
    system libraries (pango) that a machine may lack."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise MissingDependencyError("PDF reports", "weasyprint") from error
    engine_log = logging.getLogger("weasyprint")
    noise = _SvgStyleNoise()
    engine_log.addFilter(noise)
    try:
        weasyprint.HTML(string=html, base_url=str(path.parent)).write_pdf(
            path, pdf_variant=PDF_VARIANT, pdf_tags=True
        )
    finally:
        engine_log.removeFilter(noise)
    return path


def render_report(
    figures: pl.LazyFrame,
    quarantine: pl.LazyFrame,
    *,
    period: Period | str,
    country: str | None = None,
    formats: Sequence[str] = ("html",),
    out_dir: Path = Path("reports"),
    template_dir: Path | None = None,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    threshold: float = DEFAULT_THRESHOLD,
    sources: pl.LazyFrame | None = None,
    aliases: Aliases | None = None,
    stale_after: Mapping[str, int] | None = None,
    last_issue: dt.datetime | None = None,
) -> list[Path]:
    """Render the report for ``period`` into ``out_dir/<country or all>/<period>.<format>``.

    ``sources`` (the store's sources table) names each dataset or document and when it was
    retrieved; ``aliases`` (``places.load_aliases``) merges spellings of a place;
    ``stale_after`` overrides days after which a total is badged stale, per indicator;
    ``last_issue`` is the previous issue's data cut-off (default: the period's start).
    Returns the paths written, in the order of ``formats``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ConfigError(f"unknown report format {', '.join(unknown)}: use html or pdf")
    if isinstance(period, str):
        period = parse_period(period)
    context = build_context(
        figures,
        quarantine,
        period=period,
        country=country,
        priority=priority,
        threshold=threshold,
        sources=sources,
        aliases=aliases,
        stale_after=stale_after,
        last_issue=last_issue,
    )
    html = render_html(context, template_dir)
    folder = Path(out_dir) / (country.upper() if country else "all")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = folder / f"{period.label}.{fmt}"
        if fmt == "html":
            target.write_text(html, encoding="utf-8")
        else:
            write_pdf(html, target)
        log.info("wrote %s", target)
        written.append(target)
    return written
