"""The ``humstats`` command line: a thin layer that parses options, calls the library and
formats what it returns. Library errors become one line on stderr and an exit code."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from humstats.errors import HumstatsError


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
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("HUMSTATS_DATA", "data"),
    show_default="./data or $HUMSTATS_DATA",
    help="Data directory (raw archive and processed store).",
)
@click.version_option(package_name="humstats")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path) -> None:
    """Humanitarian figures with their provenance: ingest, validate, aggregate, report."""
    ctx.obj = {"data_dir": data_dir}


@cli.command()
@click.option("--period", help="A month (2024-12) or an ISO week (2024-W49).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
@click.option("--country", help="ISO 3166-1 alpha-3 code, e.g. SYR; default: every country.")
@click.option(
    "--format", "formats", default="html", show_default=True,
    help="Comma-separated output formats: html, pdf.",
)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="reports",
    show_default=True, help="Reports land in OUT/<country or all>/<period>.<format>.",
)
@click.option(
    "--template", "template_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Directory whose templates override the built-in ones (report.html.j2, report.css).",
)
@click.pass_context
def report(
    ctx: click.Context,
    period: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    country: str | None,
    formats: str,
    out_dir: Path,
    template_dir: Path | None,
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
    store = Store(ctx.obj["data_dir"])
    written = render_report(
        store.figures(),
        store.quarantine(),
        period=chosen,
        country=country,
        formats=[f.strip().lower() for f in formats.split(",") if f.strip()],
        out_dir=out_dir,
        template_dir=template_dir,
    )
    for path in written:
        click.echo(str(path))


def main() -> None:
    cli(prog_name="humstats")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
