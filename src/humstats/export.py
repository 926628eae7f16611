"""Figures out of the store, in the formats analysts' tools read.

HXL export is the contract's hashtags in reverse: one column per indicator present, so a
figure's value sits under its indicator's hashtag, with ``+min``/``+max`` for its bounds.

CSV and HXL are opened in spreadsheets, which run a cell starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return as a formula (a quote or place name from a hostile table can
be one). Such text cells are written with a leading ``'``, the OWASP convention for CSV
injection, unless the caller turns it off. Nested cells (lists, structs: the ``runs`` view's
reports and errors) are written to CSV as JSON text.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import BinaryIO

import polars as pl

from humstats.hxl import INDICATOR_HXL
from humstats.schema import BREAKDOWNS, Indicator, is_projected, is_total


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"
    HXL = "hxl"


FIELD_HXL: dict[str, str] = {
    "figure_id": "#meta+id",
    "measure": "#meta+measure",
    "qualifier": "#meta+qualifier",
    "unit": "#meta+unit",
    "location_name": "#loc+name",
    "country_iso3": "#country+code",
    "admin_level": "#loc+level",
    "pcode": "#loc+code",
    "period_start": "#date+start",
    "period_end": "#date+end",
    "published_date": "#date+reported",
    "publisher": "#meta+source",
    "attributed_to": "#meta+attributed",
    "source_url": "#meta+url",
    "quote": "#description",
    "sex": "#meta+sex",
    "age": "#meta+age",
    "cause": "#meta+cause",
    "group": "#meta+group",
    "projected": "#meta+projected",
}
"""Figure fields other than values → the HXL hashtags they export under."""

TABLE_COLUMNS = (
    "indicator",
    "value",
    "qualifier",
    "measure",
    "location_name",
    "country_iso3",
    "period_end",
    "publisher",
    "attributed_to",
)
"""What a person reading a terminal needs to tell figures apart; other formats carry all."""


def to_hxl(figures: pl.DataFrame) -> pl.DataFrame:
    """A text frame whose first row is the hashtag row, values spread over indicator columns."""
    indicators = [i for i in Indicator if i.value in set(figures["indicator"].to_list())]
    spread = []
    tags = [FIELD_HXL[c] for c in FIELD_HXL if c in figures.columns]
    for indicator in indicators:
        tag = INDICATOR_HXL[indicator]
        mine = pl.col("indicator") == indicator.value
        for column, suffix in (("value", ""), ("value_low", "+min"), ("value_high", "+max")):
            if column not in figures.columns:
                continue  # a query's result may carry the value alone
            spread.append(
                pl.when(mine)
                .then(pl.col(column))
                .alias(f"{indicator.value}{suffix.replace('+', '_')}")
            )
            tags.append(f"{tag}{suffix}")
    body = figures.select(*(pl.col(c) for c in FIELD_HXL if c in figures.columns), *spread).cast(
        pl.String
    )
    header = pl.DataFrame([tags], schema=body.columns, orient="row")
    return pl.concat([header, body])


FORMULA_START = r"^[=+\-@\t\r]"
"""What a spreadsheet takes for the start of a formula (OWASP's CSV injection list)."""


def escape_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as formulas, with a leading ``'``."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists, arrays and structs as JSON text, which CSV can hold."""
    nested = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object)
    ]
    return frame.with_columns(
        pl.Series(
            name,
            [
                None if value is None else json.dumps(value, default=str, ensure_ascii=False)
                for value in frame[name].to_list()
            ],
            dtype=pl.String,
        )
        for name in nested
    )


def write_frame(frame: pl.DataFrame, fmt: Format, sink: BinaryIO, *, escape: bool = True) -> None:
    """Write ``frame`` to a binary stream (stdout's buffer or a file); ``escape`` guards CSV
    and HXL cells that a spreadsheet would run as formulas."""
    if fmt in (Format.CSV, Format.HXL):
        frame = flatten_nested(frame)
        if escape:
            frame = escape_formulas(frame)
    if fmt is Format.CSV:
        frame.write_csv(sink)
    elif fmt is Format.JSON:
        frame.write_json(sink)
        sink.write(b"\n")
    elif fmt is Format.PARQUET:
        frame.write_parquet(sink)
    elif fmt is Format.HXL:
        to_hxl(frame).write_csv(sink)
    else:
        wanted = [c for c in TABLE_COLUMNS if c in frame.columns]
        if set(BREAKDOWNS) <= set(frame.columns) and frame.height:
            # the breakdowns are shown only when some figure is a part: they tell it apart
            split = frame.select(~is_total() | is_projected()).to_series().any()
            if split:
                wanted[1:1] = BREAKDOWNS
        shown = frame.select(wanted) if wanted else frame
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            fmt_str_lengths=40,
            tbl_width_chars=200,
            thousands_separator=",",
        ):
            sink.write(f"{shown}\n".encode())
