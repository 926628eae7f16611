"""The ``humstats`` command line: a thin layer that parses options, calls the library and
formats what it returns. Library errors become one line on stderr and an exit code."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.console import Console
from rich.table import Table as RichTable

from humstats.errors import HumstatsError, shown
from humstats.export import Format, write_frame
from humstats.schema import BREAKDOWNS, Indicator, Sex, SourceMeta


class _Group(click.Group):
    """Turns every ``HumstatsError`` into ``Error: …`` and its exit code; bugs still show."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except HumstatsError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=_Group)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),  # a file here is one "Error:" line from the store
    default=lambda: os.environ.get("HUMSTATS_DATA", "data"),
    show_default="./data or $HUMSTATS_DATA",
    help="Data directory (raw archive and processed store).",
)
@click.version_option(package_name="humstats")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path) -> None:
    """Humanitarian figures with their provenance: ingest, validate, aggregate, report."""
    _configure_logging(quiet=True, log_format="text")  # warnings (a damaged batch) on stderr
    ctx.obj = {"data_dir": data_dir}


def _data_dir(ctx: click.Context) -> Path:
    return ctx.obj["data_dir"]


def format_option(default: Format = Format.TABLE) -> Callable[[Callable[..., Any]], Any]:
    """The one ``--format`` every command that prints figures shares."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice([f.value for f in Format]),
        default=default.value,
        show_default=True,
        callback=lambda _ctx, _param, value: Format(value),
        help="Output format (data to stdout).",
    )


escape_option = click.option(
    "--escape-formulas/--no-escape-formulas",
    default=True,
    show_default=True,
    help="In CSV and HXL, write text cells starting with = + - @ tab or CR with a leading ' "
    "so spreadsheets never run them as formulas.",
)


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from humstats.store import parse_as_of

    if value is None:
        return None
    try:
        return parse_as_of(value)
    except HumstatsError as error:
        raise click.BadParameter(str(error).removeprefix(f"--as-of {value!r}: ")) from None


def as_of_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The one ``--as-of`` of every command that reads the store."""
    return click.option(
        "--as-of",
        "as_of",
        callback=_as_of,
        metavar="WHEN",
        help="Read the store as it was then: a date (end of day, UTC), an ISO timestamp "
        "or a store version number.",
    )(command)


def output_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of stdout.",
    )(command)


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Metadata flags that override what an input says about itself."""
    for option in reversed(
        [
            click.option("--publisher", help="Who published the input(s)."),
            click.option("--url", help="URL of the input's document."),
            click.option(
                "--published",
                type=click.DateTime(["%Y-%m-%d"]),
                help="Publication date, YYYY-MM-DD.",
            ),
            click.option(
                "--country",
                callback=_country_option,
                help="ISO3 code or name of the country a single-country input is about.",
            ),
        ]
    ):
        command = option(command)
    return command


def _country_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from humstats.countries import country_iso3

    iso3 = country_iso3(value)
    if iso3 is None:
        raise click.BadParameter(f"{value!r} is no country (give an ISO3 code such as SDN)")
    return iso3


def _meta(
    publisher: str | None,
    url: str | None,
    published: dt.datetime | None,
    country: str | None = None,
) -> SourceMeta:
    return SourceMeta(
        publisher=publisher,
        source_url=url,
        published_date=published.date() if published else None,
        country_iso3=country,
    )


def _emit(frame: pl.DataFrame, fmt: Format, output: Path | None, escape: bool = True) -> None:
    if output is not None:
        with output.open("wb") as sink:
            write_frame(frame, fmt, sink, escape=escape)
        return
    if fmt is Format.PARQUET and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: use --output FILE or redirect stdout.")
    write_frame(frame, fmt, sys.stdout.buffer, escape=escape)
    sys.stdout.flush()


def _progress() -> Any:
    """A progress bar on stderr when it is a terminal; silent in cron and pipes."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    return Progress(console=console, transient=True, disable=not console.is_terminal)


def _ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    mapping: Path | None,
    meta: SourceMeta,
    dry_run: bool,
) -> Any:
    from humstats.run import expand_paths, ingest

    with _progress() as progress:
        task = progress.add_task("ingesting", total=len(expand_paths(paths)))
        return ingest(
            paths,
            data_dir=_data_dir(ctx),
            mapping=mapping,
            meta=meta,
            dry_run=dry_run,
            on_input=lambda _path: progress.advance(task),
        )


def _report_inputs(result: Any, dry_run: bool) -> None:
    verb = "would store" if dry_run else "stored"
    for outcome in result.inputs:
        if outcome.status == "unreadable":
            click.echo(f"Error: {outcome.message}", err=True)
        elif outcome.status == "unchanged":
            click.echo(f"{shown(outcome.path)}: already ingested, nothing new", err=True)
        else:
            click.echo(
                f"{shown(outcome.path)}: {verb} {outcome.figures:,} figures, "
                f"quarantined {outcome.quarantined:,} rows",
                err=True,
            )


def _exit_code(result: Any, strict: bool) -> int:
    if result.failed or (strict and result.quarantine.height):
        return 1
    return 0


paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
mapping_option = click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file describing a table's layout (columns → fields, constants).",
)
strict_option = click.option("--strict", is_flag=True, help="Exit 1 when any row is quarantined.")


def config_option(help: str) -> Callable[[Callable[..., Any]], Any]:
    """``--config``, the same for every command that reads humstats.toml."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="humstats.toml",
        show_default=True,
        help=help,
    )


@cli.command("ingest")
@paths_argument
@mapping_option
@source_options
@strict_option
@click.pass_context
def ingest_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    mapping: Path | None,
    publisher: str | None,
    url: str | None,
    published: dt.datetime | None,
    country: str | None,
    strict: bool,
) -> None:
    """Archive, validate and store figures from tables and texts."""
    meta = _meta(publisher, url, published, country)
    result = _ingest(ctx, paths, mapping, meta, dry_run=False)
    _report_inputs(result, dry_run=False)
    if result.committed:
        click.echo(f"batch {result.batch_id} committed to {_data_dir(ctx)}", err=True)
    elif not result.failed:
        click.echo("nothing new to store", err=True)
    ctx.exit(_exit_code(result, strict))


@cli.command("validate")
@paths_argument
@mapping_option
@source_options
@strict_option
@format_option()
@click.pass_context
def validate_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    mapping: Path | None,
    publisher: str | None,
    url: str | None,
    published: dt.datetime | None,
    country: str | None,
    strict: bool,
    fmt: Format,
) -> None:
    """Dry run: what would be stored, and what quarantined and why. Stores nothing."""
    meta = _meta(publisher, url, published, country)
    result = _ingest(ctx, paths, mapping, meta, dry_run=True)
    _report_inputs(result, dry_run=True)
    inputs = {i.source_file: shown(i.path) for i in result.inputs if i.source_file}
    problems = result.quarantine.select(
        pl.col("source_file").replace_strict(inputs, default=pl.col("source_file")).alias("input"),
        "input_row",
        "check",
        "column",
        "failing_value",
        "reason",
    )
    if fmt is Format.TABLE:
        click.echo(_preview(result.figures, problems, failed=bool(result.failed)), nl=False)
    else:
        _emit(problems, fmt, None)
    ctx.exit(_exit_code(result, strict))


PREVIEW_ROWS = 20
"""Figures a dry run shows, as ``humstats figures`` prints them; the count says the rest."""


def _preview(figures: pl.DataFrame, problems: pl.DataFrame, *, failed: bool) -> str:
    """What a dry run would store (the first figures, as ``figures`` prints them) and what
    it would quarantine, by reason, then row by row. "No problems" only when there are
    none: an unreadable input is a problem."""
    import io

    out = io.StringIO()
    if figures.height:
        shown = figures.sort("span_start", "figure_id", nulls_last=True)
        sink = io.BytesIO()
        write_frame(shown.head(PREVIEW_ROWS), Format.TABLE, sink)
        more = f" (first {PREVIEW_ROWS})" if figures.height > PREVIEW_ROWS else ""
        out.write(f"would store {figures.height:,} figures{more}:\n")
        out.write(sink.getvalue().decode())
    if problems.height:
        by_check = (
            problems.select(pl.col("check").str.split("; ").explode())
            .group_by("check")
            .len("rows")
            .sort("rows", "check", descending=[True, False])
        )
        out.write(f"would quarantine {problems.height:,} rows, by reason:\n")
        for check, rows in by_check.iter_rows():
            out.write(f"  {check}: {rows:,}\n")
        with pl.Config(
            tbl_rows=50,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            fmt_str_lengths=60,
            tbl_width_chars=160,
        ):
            out.write(f"{problems.drop('check')}\n")
    elif not failed:
        out.write("no problems found\n")
    return out.getvalue()


@cli.command("map")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@source_options
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the TOML here."
)
@click.pass_context
def map_command(
    ctx: click.Context,
    path: Path,
    publisher: str | None,
    url: str | None,
    published: dt.datetime | None,
    country: str | None,
    output: Path | None,
) -> None:
    """Draft a mapping for a table without usable HXL.

    \b
    The TOML goes to stdout (or --output); a preview of what it would store, and what
    quarantine, goes to stderr. Check it, edit it, then: humstats ingest --mapping FILE PATH
    """
    from humstats.normalize.draft import draft_mapping
    from humstats.run import ingest

    meta = _meta(publisher, url, published, country)
    draft = draft_mapping(path, meta)
    if output is not None:
        output.write_text(draft.toml, encoding="utf-8")
        click.echo(f"mapping written to {output}", err=True)
    else:
        click.echo(draft.toml, nl=False)
    for note in draft.notes:
        click.echo(f"note: {note}", err=True)
    if meta.publisher is None or meta.published_date is None:
        click.echo("preview: pass --publisher and --published to see what it would store", err=True)
        return
    result = ingest([path], data_dir=_data_dir(ctx), mapping=draft.mapping, meta=meta, dry_run=True)
    _report_inputs(result, dry_run=True)
    problems = result.quarantine.select("input_row", "check", "column", "failing_value", "reason")
    click.echo(_preview(result.figures, problems, failed=bool(result.failed)), err=True, nl=False)


@cli.command("status")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def status_command(ctx: click.Context, fmt: str) -> None:
    """What the store holds: counts by indicator, country and source; runs; quarantine."""
    from humstats.status import store_status

    status = store_status(_data_dir(ctx))
    click.echo(status.to_json() if fmt == "json" else status.render())


@cli.command("check")
@click.pass_context
def check_command(ctx: click.Context) -> None:
    """Verify the store: every archived input against its content hash, every data file
    and metadata record readable. One line per problem on stdout; exit 1 if any."""
    from humstats.store import Store

    store = Store(_data_dir(ctx))
    problems = store.check()
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problems in the store at {store.root}", err=True)
        ctx.exit(1)
    click.echo(f"store {store.root}: every archived input and data file is intact", err=True)


@cli.command("figures")
@click.option(
    "--indicator",
    multiple=True,
    type=click.Choice([i.value for i in Indicator]),
    help="Only these indicators (repeatable).",
)
@click.option("--country", multiple=True, help="Only these ISO3 codes (repeatable).")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="Reference period ends on or after."
)
@click.option(
    "--until", type=click.DateTime(["%Y-%m-%d"]), help="Reference period ends on or before."
)
@click.option(
    "--latest",
    is_flag=True,
    help="Only the latest figure per indicator and place (totals only, unless --breakdowns).",
)
@click.option(
    "--breakdowns",
    is_flag=True,
    help="With --latest: the latest figure of each part too (per sex, age, cause, group).",
)
@click.option("--totals", is_flag=True, help="Only totals: no part of a breakdown, no projection.")
@click.option(
    "--sex", multiple=True, type=click.Choice([s.value for s in Sex]), help="Only this sex."
)
@click.option("--age", multiple=True, help="Only this age range (all, 0-17, 18+; repeatable).")
@click.option(
    "--cause", multiple=True, help="Only this cause (all, conflict, disaster; repeatable)."
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="KEY=VALUE",
    help="Only parts of this group (origin=SDN; repeatable, all must hold).",
)
@as_of_option
@format_option()
@escape_option
@output_option
@click.pass_context
def figures_command(
    ctx: click.Context,
    indicator: tuple[str, ...],
    country: tuple[str, ...],
    since: dt.datetime | None,
    until: dt.datetime | None,
    latest: bool,
    breakdowns: bool,
    totals: bool,
    sex: tuple[str, ...],
    age: tuple[str, ...],
    cause: tuple[str, ...],
    groups: tuple[str, ...],
    as_of: Any,
    fmt: Format,
    escape_formulas: bool,
    output: Path | None,
) -> None:
    """Stored figures, filtered, with every provenance field.

    A total and its parts (by sex, age, cause or group) are separate figures: all are listed
    unless --totals; --latest picks among totals unless --breakdowns or a breakdown filter.
    """
    from humstats.schema import is_projected, is_total
    from humstats.store import Store

    store = Store(_data_dir(ctx))

    def build() -> pl.DataFrame:
        figures = store.figures(as_of)
        for name, wanted in (("sex", sex), ("age", age), ("cause", cause)):
            if wanted:
                figures = figures.filter(pl.col(name).fill_null("all").is_in(wanted))
        for pair in groups:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--group")
            figures = figures.filter(
                pl.concat_str(pl.lit(";"), pl.col("group"), pl.lit(";")).str.contains(
                    f";{key.strip()}={value.strip()};", literal=True
                )
            )
        if totals:
            figures = figures.filter(is_total() & ~is_projected())
        if indicator:
            figures = figures.filter(pl.col("indicator").is_in(indicator))
        if country:
            figures = figures.filter(pl.col("country_iso3").is_in([c.upper() for c in country]))
        if since:
            figures = figures.filter(pl.col("period_end") >= since.date())
        if until:
            figures = figures.filter(pl.col("period_end") <= until.date())
        if latest:
            from humstats.aggregate import latest as latest_figures

            split = breakdowns or sex or age or cause or groups
            figures = latest_figures(figures, by=BREAKDOWNS if split else ())
        return figures.sort("indicator", "country_iso3", "period_end", "figure_id").collect()

    # a damaged batch is skipped with a warning (Store.read)
    _emit(store.read(build), fmt, output, escape_formulas)


def _params(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}")
        params[name.strip().lstrip("$")] = text
    return params


@cli.command("query")
@click.argument("sql")
@click.option(
    "--param",
    "params",
    multiple=True,
    callback=_params,
    metavar="NAME=VALUE",
    help="Value for $NAME in the SQL (repeatable); bound by DuckDB, never pasted into the SQL.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=300,
    show_default=True,
    help="Seconds the query may run before it is stopped (0: no limit).",
)
@click.option(
    "--memory-limit",
    default="2GB",
    show_default=True,
    help="Memory DuckDB may use (e.g. 500MB, 4GB); beyond it, it spills or stops.",
)
@as_of_option
@format_option()
@escape_option
@output_option
@click.pass_context
def query_command(
    ctx: click.Context,
    sql: str,
    params: dict[str, str],
    timeout: float,
    memory_limit: str,
    as_of: Any,
    fmt: Format,
    escape_formulas: bool,
    output: Path | None,
) -> None:
    """Read-only SQL over the views figures, quarantine, sources, runs and latest.
    Ctrl-C stops a running query.

    \b
    humstats query "SELECT publisher, count(*) AS n FROM figures GROUP BY ALL"
    humstats query 'SELECT * FROM latest WHERE country_iso3 = $c' --param c=SDN
    """
    from humstats.query import query

    frame = query(
        _data_dir(ctx), sql, params, as_of=as_of, timeout=timeout, memory_limit=memory_limit
    )
    if fmt is Format.HXL and not {"indicator", "value"} <= set(frame.columns):
        raise click.UsageError("--format hxl needs the columns indicator and value in the result")
    if fmt is not Format.TABLE:
        _emit(frame, fmt, output, escape_formulas)
        return
    # Every column, as selected, and no thousands separators: a result's integers may be
    # years or ids, not counts of people.
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_hide_dataframe_shape=True,
        fmt_str_lengths=40,
        tbl_width_chars=200,
    ):
        text = f"{frame}\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _configure_logging(quiet: bool, log_format: str) -> None:
    """Messages of the library's loggers to stderr: plain lines, or JSON for log shippers."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("humstats").setLevel(logging.WARNING if quiet else logging.INFO)


@cli.command("run")
@config_option("The configuration: sources, reports, store.")
@click.option("--draft", is_flag=True, help="Also render each report's open period as a draft.")
@click.option(
    "--source",
    "only",
    multiple=True,
    metavar="NAME",
    help="Run only this source (repeatable); no report is rendered.",
)
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors (quiet cron mail).")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per message on stderr, for journald or a log shipper.",
)
@click.pass_context
def run_command(
    ctx: click.Context,
    config_path: Path,
    draft: bool,
    only: tuple[str, ...],
    quiet: bool,
    log_format: str,
) -> None:
    """One scheduled batch: ingest what is new, render due reports, log the run.

    Exit 0 all good, 1 some input or report failed, 2 configuration error, 3 another run
    holds the lock. Data and reports go where humstats.toml says (--data is not used).
    """
    from humstats.config import load_config
    from humstats.schedule import run

    _configure_logging(quiet, log_format)
    result = run(load_config(config_path), draft=draft, sources=only or None)
    ctx.exit(result.exit_code)


@cli.command("sources")
@config_option("The configuration whose sources to list.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def sources_command(config_path: Path, fmt: str) -> None:
    """Configured sources (local paths, HDX, HAPI, ReliefWeb) with their last fetch and status.

    Counts are those of the last run that read each source.
    """
    import json

    from humstats.config import load_config
    from humstats.sources import describe_sources

    rows = describe_sources(load_config(config_path))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = RichTable(show_lines=False)
    columns = ("name", "kind", "last_fetch", "status", "fetched", "skipped", "failed", "figures")
    for column in columns:
        table.add_column(
            column.replace("_", " "), justify="right" if column in columns[4:] else "left"
        )
    for row in rows:
        table.add_row(*(str(row[c] if row[c] is not None else "–") for c in columns))
    Console(width=160).print(table)
    for row in rows:
        if row["message"]:
            click.echo(f"{row['name']}: {row['message']}", err=True)


@cli.command("report")
@click.option("--period", help="A month (2024-12) or an ISO week (2024-W49).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
@click.option("--country", help="ISO 3166-1 alpha-3 code, e.g. SYR; default: every country.")
@click.option(
    "--format",
    "formats",
    default="html",
    show_default=True,
    help="Comma-separated output formats: html, pdf.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="reports",
    show_default=True,
    help="Reports land in OUT/<country or all>/<period>.<format>.",
)
@click.option(
    "--template",
    "template_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Directory whose templates override the built-in ones (report.html.j2, report.css).",
)
@as_of_option
@click.pass_context
def report_command(
    ctx: click.Context,
    period: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    country: str | None,
    formats: str,
    out_dir: Path,
    template_dir: Path | None,
    as_of: Any,
) -> None:
    """Render a report for a period: headline figures with their sources, trends, the
    places, where sources disagree, data quality and every figure used."""
    if period and (start or end):
        raise click.UsageError("Use either --period or --from/--to, not both.")
    if not period and not (start and end):
        raise click.UsageError("Give --period, or both --from and --to.")
    from humstats.report import parse_period, period_between, render_report
    from humstats.store import Store

    chosen = parse_period(period) if period else period_between(start.date(), end.date())
    store = Store(_data_dir(ctx))

    def render() -> list[Path]:
        snapshot = store.snapshot(as_of)  # damaged files found by a failed read are left out
        return render_report(
            snapshot.read("figures"),
            snapshot.read("quarantine"),
            period=chosen,
            country=country,
            formats=[f.strip().lower() for f in formats.split(",") if f.strip()],
            out_dir=out_dir,
            template_dir=template_dir,
            sources=snapshot.read("sources"),
        )

    try:
        written = store.read(render)
    except OSError as error:  # a full disk, a read-only --out: one line, not a traceback
        raise click.ClickException(
            f"cannot write the report to {shown(out_dir)}: {error.strerror or error}"
        ) from error
    for path in written:
        click.echo(str(path))


@cli.command("compact")
@click.option(
    "--retain",
    "retain_days",
    type=click.FloatRange(min=0),
    help="Days of history --as-of keeps reaching (default 7): older replaced files go.",
)
@click.option(
    "--log-retain",
    "log_hours",
    type=click.FloatRange(min=0),
    help="Hours of the tables' logs to keep (default: a minute; every command lists the "
    "whole log). --as-of a version or a date reaches back as far either way (the store records "
    "its versions); other engines' time travel reaches only this far.",
)
@click.pass_context
def compact_command(ctx: click.Context, retain_days: float | None, log_hours: float | None) -> None:
    """Merge small data files and delete replaced ones past the retention window.

    Rows are never changed: the same figures read back before and after."""
    from humstats.store import RETENTION, Store

    retention = RETENTION if retain_days is None else dt.timedelta(days=retain_days)
    log_retention = None if log_hours is None else dt.timedelta(hours=log_hours)
    done = Store(_data_dir(ctx)).compact(retention=retention, log_retention=log_retention)
    click.echo(
        f"compacted {_data_dir(ctx)}: {done.files_before:,} data files -> "
        f"{done.files_after:,}, {done.removed:,} old files deleted",
        err=True,
    )


@cli.command("diff")
@click.option(
    "--from",
    "start",
    required=True,
    callback=_as_of,
    metavar="WHEN",
    help="Earlier moment: a date, an ISO timestamp or a store version.",
)
@click.option("--to", "end", callback=_as_of, metavar="WHEN", help="Later moment (default: now).")
@format_option()
@output_option
@click.pass_context
def diff_command(
    ctx: click.Context, start: Any, end: Any, fmt: Format, output: Path | None
) -> None:
    """Figures added, superseded and quarantined between two moments: what changed
    between two reports."""
    from humstats.diff import diff

    changes = diff(_data_dir(ctx), start, end)
    counts = ", ".join(f"{n:,} {change}" for change, n in changes.counts().items())
    click.echo(counts, err=True)
    frame = changes.to_frame()
    if fmt is not Format.TABLE:
        _emit(frame, fmt, output)
        return
    # the change column first, then what names each figure (the table format's own
    # columns would leave out the change)
    wanted = (
        "change",
        "figure_id",
        "indicator",
        "value",
        "country_iso3",
        "location_name",
        "period_end",
        "publisher",
        "superseded_by",
        "check",
    )
    with pl.Config(
        tbl_rows=-1, tbl_hide_dataframe_shape=True, fmt_str_lengths=40, tbl_width_chars=200
    ):
        text = f"{frame.select(c for c in wanted if c in frame.columns)}\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@cli.command("migrate")
@click.pass_context
def migrate_command(ctx: click.Context) -> None:
    """Convert a store of batch folders (before Delta Lake) in place, checked by row counts
    and content hashes before the folders are deleted."""
    from humstats.store import Store

    checked = Store(_data_dir(ctx)).migrate()
    if not checked:
        click.echo("nothing to migrate: the store is already in Delta Lake tables", err=True)
    for table, (rows, digest) in checked.items():
        click.echo(f"{table}: {rows:,} rows, content hash {digest} (checked)", err=True)


_EXTRACT_COLUMNS = (  # (figure column, header, keep on one line)
    ("indicator", "indicator", True),
    ("value", "value", True),
    ("qualifier", "qualifier", True),
    ("measure", "measure", True),
    ("country_iso3", "iso3", True),
    ("period_end", "as of", True),
    ("location_name", "where", False),
    ("attributed_to", "source", False),
    ("quote", "quote", False),
)


def _print_extracted(figures: pl.DataFrame) -> None:
    """Figures with the sentence each comes from, folded to fit: a text is read by eye."""
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = RichTable(show_lines=True)
    for name, header, fixed in _EXTRACT_COLUMNS:
        table.add_column(
            header,
            no_wrap=fixed,
            overflow="fold",
            min_width=None if fixed else 12,
            justify="right" if name == "value" else "left",
        )
    for row in figures.select(name for name, _, _ in _EXTRACT_COLUMNS).iter_rows():
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


@cli.command("extract")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@source_options
@format_option()
@output_option
def extract_command(
    paths: tuple[Path, ...],
    publisher: str | None,
    url: str | None,
    published: dt.datetime | None,
    country: str | None,
    fmt: Format,
    output: Path | None,
) -> None:
    """Show the figures texts yield, with their quotes, without storing them."""
    from humstats.extract.text import extract_paths

    figures = extract_paths(paths, _meta(publisher, url, published, country))
    if fmt is Format.TABLE and output is None:
        _print_extracted(figures)
        click.echo(f"{figures.height} figures", err=True)
    else:
        _emit(figures, fmt, output)


def main() -> None:
    cli(prog_name="humstats")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
