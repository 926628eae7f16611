"""Validation turns candidate figures into two frames: those that pass ``FigureSchema`` and a
quarantine that says, for every other row, which checks failed and on what value.

Bad data never raises here: a row that fails is kept with its reasons, as frictionless keeps
errors as data. Only a frame of the wrong *shape* (a bug upstream) raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandera.errors
import polars as pl

from humstats.schema import COLUMNS, QUARANTINE_COLUMNS, ROW_CHECK_FIELDS, FigureSchema

_BUILTIN_CHECKS: tuple[tuple[str, str], ...] = (
    ("not_nullable", "missing"),
    ("isin", "unknown"),
    ("field_uniqueness", "duplicate"),
    ("greater_than", "out-of-range"),
    ("less_than", "out-of-range"),
    ("str_length", "bad-length"),
)


def _check_name(check: str, column: str) -> str:
    """pandera's built-in check names, in the kebab-case users filter on."""
    if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check):
        return check
    for prefix, name in _BUILTIN_CHECKS:
        if check.startswith(prefix):
            return f"{name}-{column.replace('_', '-')}"
    return re.sub(r"[^a-z0-9]+", "-", check.lower()).strip("-")


@dataclass(frozen=True)
class Validation:
    """What a batch of candidates became: stored figures and quarantined rows."""

    figures: pl.DataFrame
    quarantine: pl.DataFrame

    @property
    def valid(self) -> bool:
        return self.quarantine.is_empty()

    def problems(self) -> pl.DataFrame:
        """One row per check that failed, for a summary (check, count)."""
        return (
            self.quarantine.select(pl.col("check").str.split("; ").explode())
            .group_by("check")
            .len("rows")
            .sort("rows", "check", descending=[True, False])
        )


def validate_figures(candidates: pl.DataFrame) -> Validation:
    """Check stamped candidates against ``FigureSchema``.

    ``candidates`` holds every figure column plus ``input_row`` (where the row came from).
    Figures that pass keep exactly ``COLUMNS``; the others become quarantine rows (all text)
    with ``check``, ``reason``, ``column``, ``failing_value``, ``input_row`` and ``raw``.
    """
    figures = candidates.select(COLUMNS)
    try:
        FigureSchema.validate(figures, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    else:
        return Validation(figures, empty_quarantine())
    if failures["index"].null_count():
        shape_errors = failures.filter(pl.col("index").is_null())
        raise ValueError(f"candidate frame does not fit FigureSchema:\n{shape_errors}")

    names = {
        (check, column): _check_name(check, column)
        for check, column in failures.select("check", "column").unique().iter_rows()
    }
    per_row = (
        failures.with_columns(
            pl.concat_str("check", "column", separator="\x00")
            .replace_strict({f"{c}\x00{col}": name for (c, col), name in names.items()})
            .alias("check"),
            pl.when(pl.col("schema_context") == "DataFrameSchema")
            .then(pl.lit(None, pl.String))
            .otherwise(pl.col("column"))
            .alias("column"),
        )
        .with_columns(
            pl.when(pl.col("column").is_null())
            .then(pl.lit(None, pl.String))
            .otherwise(pl.col("failure_case"))
            .alias("failing_value")
        )
        .with_columns(
            reason=pl.when(pl.col("column").is_null())
            .then(_row_check_reason())
            .otherwise(
                pl.format("{}: {}={}", "check", "column", pl.col("failing_value").fill_null("null"))
            ),
            column=pl.col("column").fill_null(
                pl.col("check").replace_strict(
                    {c: ", ".join(f) for c, f in ROW_CHECK_FIELDS.items()}, default=None
                )
            ),
        )
        .group_by(pl.col("index").cast(pl.UInt32))
        .agg(
            pl.col("check").unique(maintain_order=True).str.join("; "),
            pl.col("reason").unique(maintain_order=True).str.join("; "),
            pl.col("column").drop_nulls().unique(maintain_order=True).str.join("; "),
            pl.col("failing_value").drop_nulls().unique(maintain_order=True).str.join("; "),
        )
        .with_columns(pl.col("column", "failing_value").replace("", None))
        .sort("index")
    )
    # the failing rows are a gather away, and the mask a scatter: neither numbers nor
    # compares every row of the batch
    rows = per_row["index"]
    failing = pl.repeat(False, candidates.height, dtype=pl.Boolean, eager=True).scatter(rows, True)
    failed = candidates[rows].hstack(per_row.drop("index"))
    return Validation(figures=figures.filter(~failing), quarantine=to_quarantine(failed))


def _row_check_reason() -> pl.Expr:
    """ "published-before-period: period_end=2023-08-10, published_date=2023-08-05": a row
    check's failure case is the whole row as JSON, of which the reason shows the fields the
    check compared."""
    reason = pl.col("check")
    for check, fields in ROW_CHECK_FIELDS.items():
        values = [
            pl.format(
                f"{field}={{}}",
                pl.col("failure_case").str.json_path_match(f"$.{field}").fill_null("null"),
            )
            for field in fields
        ]
        reason = (
            pl.when(pl.col("check") == check)
            .then(pl.format("{}: {}", "check", pl.concat_str(values, separator=", ")))
            .otherwise(reason)
        )
    return reason


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(QUARANTINE_COLUMNS, pl.String)).with_columns(
        pl.col("input_row").cast(pl.Int64)
    )


def to_quarantine(rows: pl.DataFrame) -> pl.DataFrame:
    """Any frame of failed rows in the quarantine's shape: figure columns as text, ``raw`` as
    JSON of the row when it has no ``raw`` yet, missing columns null."""
    if "raw" not in rows.columns:
        figure_part = [c for c in COLUMNS if c in rows.columns]
        rows = rows.with_columns(
            raw=pl.struct(pl.col(figure_part).cast(pl.String)).struct.json_encode()
        )
    return (
        pl.concat(
            [empty_quarantine(), rows.select(c for c in rows.columns if c in QUARANTINE_COLUMNS)],
            how="diagonal_relaxed",
        )
        .select(
            pl.col("input_row").cast(pl.Int64),
            *(pl.col(c).cast(pl.String) for c in QUARANTINE_COLUMNS if c != "input_row"),
        )
        .select(QUARANTINE_COLUMNS)
    )
