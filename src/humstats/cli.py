"""The ``humstats`` command line: a thin layer that parses options, calls the library and
formats what it returns. Library errors become one line on stderr and an exit code."""

from __future__ import annotations

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


def main() -> None:
    cli(prog_name="humstats")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
