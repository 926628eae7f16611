"""The ``humstats`` command line: a thin layer that parses options, calls the library and
formats what it returns. Library errors become one line on stderr and an exit code."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table as RichTable

from humstats.errors import HumstatsError
from humstats.schema import SourceMeta


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


@cli.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--publisher", help="Who published the text (overrides the input's metadata).")
@click.option("--url", help="URL of the text (overrides the input's metadata).")
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date YYYY-MM-DD (overrides the input's metadata).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def extract(
    paths: tuple[Path, ...],
    publisher: str | None,
    url: str | None,
    published: dt.datetime | None,
    fmt: str,
) -> None:
    """Show the figures texts yield, without storing them."""
    from humstats.extract.text import extract_paths

    override = SourceMeta(
        publisher=publisher,
        source_url=url,
        published_date=published.date() if published else None,
    )
    figures = extract_paths(paths, override)
    if fmt == "json":
        click.echo(figures.write_json())
        return
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = RichTable(show_lines=True)
    for name, header, fixed in _EXTRACT_COLUMNS:
        table.add_column(header, no_wrap=fixed, overflow="fold", min_width=None if fixed else 12,
                         justify="right" if name == "value" else "left")
    for row in figures.select(name for name, _, _ in _EXTRACT_COLUMNS).iter_rows():
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)
    click.echo(f"{figures.height} figures", err=True)


def main() -> None:
    cli(prog_name="humstats")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
