"""Normalisation on the sample datasets (counts verified by hand) and on bad inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humstats.errors import ConfigError, InputError
from humstats.normalize import (
    Mapping,
    country_iso3,
    load_mapping,
    mapping_from_hxl,
    normalize_table,
    parse_counts,
    parse_period,
)
from humstats.periods import Period
from humstats.readers import Table, read
from humstats.schema import (
    COLUMNS,
    DTYPES,
    ORIGIN_COLUMNS,
    QUARANTINE_COLUMNS,
    STAMPED,
    DatePrecision,
    SourceMeta,
    is_total,
)
from humstats.validate import validate_figures

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "examples" / "tables"
MAPPINGS = ROOT / "examples" / "mappings"
DATA = ROOT / "tests" / "data"
SUFFIX = {"gaza-casualties-daily": ".json", "iom-dtm-sudan-idps-r3": ".xlsx"}


def sample(name: str, meta: SourceMeta = SourceMeta()):
    table = read(TABLES / f"{name}{SUFFIX.get(name, '.csv')}")
    return table, normalize_table(table, meta, load_mapping(MAPPINGS / f"{name}.toml"))


def validated(figures: pl.DataFrame):
    stamped = figures.with_columns(
        pl.format("t:{}:{}", "input_row", "origin").alias("figure_id"),
        pl.lit("raw/test").alias("source_file"),
        pl.lit("batch").alias("batch_id"),
        pl.lit(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), pl.Datetime("us", "UTC")).alias(
            "ingested_at"
        ),
    )
    return validate_figures(stamped)


def small(name: str, mapping: str = "simple.toml", meta: SourceMeta = SourceMeta()):
    return normalize_table(read(DATA / name), meta, load_mapping(DATA / mapping))


# Counts verified by hand with Python's csv/json modules on the files, independent of humstats:
# figures = non-missing cells in the mapped figure columns; quarantine as noted.
DATASETS = [
    # name, candidates, quarantined by normalize, quarantined by the schema afterwards
    ("acled-ukraine-2022", 4243, 0, 0),
    ("cod-ps-subnational-population", 1293, 1, 0),  # Menaka (ML10): empty Population
    # killed_cum 1033 + injured_cum 1025 + killed 1013 + injured 985; 18 days carry none
    ("gaza-casualties-daily", 4056, 18, 0),
    # two records end after they were created (ids 120949, 118814): published-before-period
    ("idmc-idu-india-events", 113, 0, 2),
    ("iom-dtm-sudan-idps-r3", 1370, 0, 0),  # 685 locations x (IND, HH)
    ("ocha-pin-plans-2022", 29, 13, 0),  # 14 plans without a code, Philippines resolved
    ("ucdp-ged-bangladesh", 601, 0, 1),  # event 84006: best 3 outside low 0 .. high 0
    ("ukraine-ocha-sitrep-timeseries", 192, 0, 0),  # 50+39+50+50 + 3 flash-appeal cells
]


@pytest.mark.parametrize(("name", "figures", "early", "late"), DATASETS)
def test_sample_dataset_counts(name: str, figures: int, early: int, late: int) -> None:
    _, normalized = sample(name)
    assert normalized.figures.height == figures
    assert normalized.quarantine.height == early
    assert validated(normalized.figures).quarantine.height == late


@pytest.mark.parametrize(("name", "figures", "early", "late"), DATASETS[:3])
def test_frames_have_the_candidate_shape(name: str, figures: int, early: int, late: int) -> None:
    _, normalized = sample(name)
    expected = {c: DTYPES[c] for c in COLUMNS if c not in STAMPED} | ORIGIN_COLUMNS
    assert dict(normalized.figures.schema) == expected
    assert normalized.figures.select("input_row", "origin").is_unique().all()
    assert tuple(normalized.quarantine.columns) == QUARANTINE_COLUMNS


def test_dtm_totals_and_zamzam() -> None:
    _, normalized = sample("iom-dtm-sudan-idps-r3")
    figures = normalized.figures
    totals = dict(figures.group_by("unit").agg(pl.col("value").sum()).iter_rows())
    assert totals == {"people": 3_086_553, "households": 619_971}  # SOURCE.md, both ways
    zamzam = figures.filter(pl.col("location_name") == "Zamzam Camp").sort("unit")
    assert zamzam["value"].to_list() == [60_157, 243_946]
    assert zamzam["unit"].to_list() == ["households", "people"]
    row = zamzam.row(1, named=True)
    assert (row["indicator"], row["measure"], row["admin_level"]) == ("displaced", "stock", 3)
    assert row["period_start"] == row["period_end"] == dt.date(2021, 5, 18)
    assert row["quote"] == "Zamzam Camp, Al Fasher, North Darfur: IND 243946 (IOM DTM, 2021-05-18)"
    assert row["pcode"] is None  # DTM codes are not p-codes
    assert row["origin"] == "IND"


def test_dtm_us_style_dates() -> None:
    table, normalized = sample("iom-dtm-sudan-idps-r3")
    us = table.frame.with_row_index("i", offset=table.first_row).filter(
        pl.col("DoA").str.contains("/")
    )
    assert us.height == 16
    row = us.row(0, named=True)
    month, day, year = map(int, row["DoA"].split("/"))
    got = normalized.figures.filter(pl.col("input_row") == row["i"])["period_start"]
    assert set(got) == {dt.date(year, month, day)}


def test_ucdp_best_low_high() -> None:
    table, normalized = sample("ucdp-ged-bangladesh")
    assert normalized.figures["value"].sum() == 1_362
    row_of = table.frame.with_row_index("i", offset=table.first_row).filter(
        pl.col("id") == "73811"
    )["i"][0]
    figure = normalized.figures.filter(pl.col("input_row") == row_of).row(0, named=True)
    assert (figure["value"], figure["value_low"], figure["value_high"]) == (138, 138, 300)
    assert figure["qualifier"] == "approx"
    assert figure["location_name"] == "Logang town"
    assert figure["period_start"] == dt.date(1992, 4, 10)


def test_pin_yemen_and_plans_without_country() -> None:
    _, normalized = sample("ocha-pin-plans-2022")
    yemen = normalized.figures.filter(pl.col("country_iso3") == "YEM").row(0, named=True)
    assert yemen["value"] == 23_458_603
    assert (yemen["indicator"], yemen["method"], yemen["location_name"]) == (
        "in_need",
        "hxl",
        "Yemen",
    )
    assert (yemen["period_start"], yemen["period_end"], yemen["date_precision"]) == (
        dt.date(2022, 1, 1),
        dt.date(2022, 12, 31),
        "year",
    )
    reasons = normalized.quarantine
    assert set(reasons["check"]) == {"unknown-country"}
    syria = reasons.filter(pl.col("failing_value") == "Syria (3RP)").row(0, named=True)
    assert syria["reason"] == (
        "unknown-country: no ISO 3166-1 country matches (Syria (3RP)) in column "
        "Interagency Response Plans at row 39"
    )
    assert '"In Need":"20100000"' in syria["raw"]


def test_acled_month_precision_and_total() -> None:
    table, normalized = sample("acled-ukraine-2022")
    assert normalized.figures["value"].sum() == 6_200  # SOURCE.md
    assert normalized.figures["quote"].is_unique().all()  # event ids keep like events apart
    row_of = table.frame.with_row_index("i", offset=table.first_row).filter(
        pl.col("event_id_cnty") == "UKR54932"
    )["i"][0]
    bucha = normalized.figures.filter(pl.col("input_row") == row_of).row(0, named=True)
    assert (bucha["value"], bucha["location_name"], bucha["date_precision"]) == (
        345,
        "Bucha",
        "month",
    )
    assert (bucha["period_start"], bucha["period_end"]) == (
        dt.date(2022, 3, 1),
        dt.date(2022, 3, 31),
    )
    # a month still running at publication ends at publication
    assert normalized.figures["period_end"].max() == dt.date(2022, 4, 26)


def test_idmc_dates_and_qualifiers() -> None:
    table, normalized = sample("idmc-idu-india-events")
    rows = table.frame.with_row_index("i", offset=table.first_row)
    kakching = rows.filter(pl.col("id") == "113050")["i"][0]
    figure = normalized.figures.filter(pl.col("input_row") == kakching).row(0, named=True)
    # 2023-05-27T12:00:00.000Z is 28 May, as the event itself says
    assert (figure["value"], figure["period_start"]) == (2_000, dt.date(2023, 5, 28))
    counts = dict(normalized.figures.group_by("qualifier").len().iter_rows())
    assert counts == {"exact": 100, "approx": 10, "at_least": 3}


def test_ukraine_sitrep_stocks_per_agency() -> None:
    _, normalized = sample("ukraine-ocha-sitrep-timeseries")
    last = normalized.figures.filter(pl.col("period_start") == dt.date(2022, 4, 25))
    got = {(r["indicator"], r["attributed_to"]): r["value"] for r in last.iter_rows(named=True)}
    assert got == {
        ("killed", "OHCHR"): 2_665,
        ("injured", "OHCHR"): 3_053,
        ("refugees", "UNHCR"): 5_200_000,
        ("displaced", "IOM"): 7_707_000,
    }
    pin = normalized.figures.filter(pl.col("indicator") == "in_need")
    assert pin["value"].to_list() == [12_000_000]


def test_gaza_keeps_reported_figures_only() -> None:
    _, normalized = sample("gaza-casualties-daily")
    day = normalized.figures.filter(pl.col("period_start") == dt.date(2023, 12, 31))
    got = dict(day.select("origin", "value").iter_rows())
    assert (got["killed_cum"], got["injured_cum"]) == (21_822, 56_451)
    assert not normalized.figures["origin"].str.starts_with("ext_").any()
    credited = normalized.figures.group_by("attributed_to").len().sort("len", descending=True)
    assert credited["attributed_to"].to_list() == [
        "Gaza Ministry of Health (Telegram)",
        "Gaza Government Media Office (Telegram)",
        None,
    ]


# -- HXL alone --------------------------------------------------------------------------------


def test_wide_hxl_counts_totals_once() -> None:
    normalized = normalize_table(
        read(DATA / "wide_hxl.csv"),
        SourceMeta(publisher="Test Desk", published_date=dt.date(2024, 6, 1)),
    )
    figures = normalized.figures.filter(pl.col("sex") == "all").sort("input_row", "origin")
    # "(rounded)" repeats the total: not a figure of its own
    assert figures.select("origin", "value", "unit").rows() == [
        ("Households", 2_500, "households"),
        ("IDPs", 12_500, "people"),
        ("Households", 1_600, "households"),
        ("IDPs", 8_000, "people"),
    ]
    # female/male breakdowns are stored as parts of the total, never as totals
    parts = normalized.figures.filter(pl.col("sex") != "all")
    assert parts.select("origin", "value", "sex", "indicator").sort("sex").rows() == [
        ("IDPs female", 6_400, "f", "displaced"),
        ("IDPs male", 6_100, "m", "displaced"),
    ]
    may = figures.row(0, named=True)
    assert (may["period_start"], may["period_end"], may["date_precision"]) == (
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 31),
        "month",
    )
    assert figures.row(2, named=True)["date_precision"] == "year"


def test_mapping_from_hxl_bounds_and_places() -> None:
    mapping = mapping_from_hxl(
        {
            "best": "#affected+killed",
            "low": "#affected+killed+min",
            "high": "#affected+killed+max",
            "town": "#loc+name",
            "province": "#adm1+name",
            "pcode": "#adm1+code",
            "iso": "#country+code",
            "start": "#date+start",
            "year": "#date+year",
        }
    )
    (figure,) = mapping.figures
    assert (figure.column, figure.low, figure.high) == ("best", "low", "high")
    assert [(p.name, p.admin_level, p.pcode) for p in mapping.places] == [
        ("town", None, None),
        ("province", 1, "pcode"),
    ]
    assert mapping.columns["period_start"] == "start" and "date" not in mapping.columns


def test_table_without_figures_or_mapping() -> None:
    with pytest.raises(InputError, match="no figure columns"):
        normalize_table(read(DATA / "other_layout.csv"), SourceMeta())


def test_missing_required_column_names_file_and_column() -> None:
    table = read(DATA / "other_layout.csv")
    with pytest.raises(InputError) as raised:
        normalize_table(table, SourceMeta(), load_mapping(DATA / "simple.toml"))
    message = str(raised.value)
    assert message.startswith(f"cannot read {DATA / 'other_layout.csv'}: missing column ")
    assert "'location'" in message and "'killed'" in message


# -- bad values ---------------------------------------------------------------------------------


def test_negative_value_is_left_to_the_schema() -> None:
    normalized = small("negative.csv")
    assert normalized.figures["value"].to_list() == [-5, 7]
    validation = validated(normalized.figures)
    assert validation.quarantine["check"].to_list() == ["negative-value"]


def test_future_date_is_left_to_the_schema() -> None:
    normalized = small("future_date.csv")
    assert normalized.figures["period_start"].to_list() == [
        dt.date(2099, 5, 1),
        dt.date(2024, 5, 1),
    ]
    (row,) = validated(normalized.figures).quarantine.to_dicts()
    assert "future-date" in row["check"] and row["location_name"] == "Aleppo"


def test_unknown_countries() -> None:
    normalized = small("unknown_country.csv")
    assert normalized.figures["country_iso3"].to_list() == ["SYR"]
    quarantine = normalized.quarantine
    assert quarantine["failing_value"].to_list() == ["Atlantis", "Kosovo"]
    assert quarantine["check"].unique().to_list() == ["unknown-country"]
    assert quarantine["input_row"].to_list() == [2, 4]


def test_duplicated_rows_are_quarantined_after_the_first() -> None:
    normalized = small("duplicated_rows.csv")
    assert normalized.figures["input_row"].to_list() == [2, 3]
    (row,) = normalized.quarantine.to_dicts()
    assert (row["check"], row["input_row"]) == ("duplicate-row", 4)
    assert row["reason"].startswith("duplicate-row: the same cells as an earlier row")
    assert validated(normalized.figures).valid


def test_rows_alike_in_figure_fields_but_not_in_every_cell_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "event_id,country,location,date,killed\n"
        "E1,SYR,Aleppo,2024-05-01,0\nE2,SYR,Aleppo,2024-05-01,0\nE2,SYR,Aleppo,2024-05-01,0\n"
    )
    normalized = normalize_table(read(path), SourceMeta(), load_mapping(DATA / "simple.toml"))
    assert normalized.figures["input_row"].to_list() == [2, 3]
    assert normalized.quarantine["input_row"].to_list() == [4]


def test_thousand_digit_number() -> None:
    normalized = small("thousand_digits.csv")
    assert normalized.figures["value"].to_list() == [12_500]
    (row,) = normalized.quarantine.to_dicts()
    assert (row["check"], row["column"], row["input_row"]) == ("implausible-value", "killed", 2)
    assert row["reason"].startswith("implausible-value: too many digits to be a count")


def test_formula_cells() -> None:
    normalized = small("formula_cells.csv")
    assert normalized.figures["value"].to_list() == [3]
    assert normalized.quarantine["check"].to_list() == ["formula-cell"] * 3
    assert normalized.quarantine["failing_value"][0].startswith("=HYPERLINK(")


def test_latin1_table() -> None:
    normalized = small("latin1.csv", "latin1.toml")
    assert normalized.figures.select("country_iso3", "value").rows() == [
        ("CIV", 12),
        ("SEN", 1_500),
    ]


def test_notes_footer_and_missing_tokens() -> None:
    normalized = small("notes_footer.tsv", "notes_footer.toml")
    assert normalized.figures.select("location_name", "value").rows() == [("Aleppo", 12)]
    assert normalized.quarantine.select("check", "input_row").rows() == [
        ("missing-value", 6),
        ("missing-value", 7),
    ]


def test_decimal_comma_locale() -> None:
    normalized = small("decimal_comma.csv", "decimal_comma.toml")
    assert normalized.figures["value"].to_list() == [1_234_567, 12_500]
    assert normalized.quarantine.select("check", "failing_value").rows() == [
        ("non-integer-value", "12,5")
    ]


# -- mappings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(MAPPINGS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_mappings_load(path: Path) -> None:
    assert isinstance(load_mapping(path), Mapping)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums = {}", "unknown key 'colums'"),
        ('[columns]\nplace = "x"', "unknown key columns.'place'"),
        ('[[figures]]\ncolumn = "x"\nindicator = "deaths"', "figures[1].indicator 'deaths'"),
        ('[[figures]]\nindicator = "killed"', "figures[1] needs a column"),
        ('[constants]\nmeasure = "total"', "constants.measure 'total'"),
        ('[constants]\ncountry = "Atlantis"', "constants.country 'Atlantis' is no country"),
        ('[dates]\ntimezone = "Mars/Olympus"', "dates.timezone 'Mars/Olympus'"),
        ('[numbers]\ndecimal = ";"', "numbers.decimal"),
        ("not toml [", "is not valid TOML"),
    ],
)
def test_bad_mappings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"^.*{path}.*"):
        load_mapping(path)
    with pytest.raises(ConfigError) as raised:
        load_mapping(path)
    assert message in str(raised.value)


# -- numbers, dates, countries ------------------------------------------------------------------


def counts(*cells: str | None, decimal: str = ".") -> tuple[list, list]:
    value, check, _ = parse_counts(pl.Series(cells, dtype=pl.String), decimal)
    return value.to_list(), check.to_list()


def test_hedged_cells() -> None:
    parsed = parse_counts(pl.Series(["<5", "100+", "~2,000", ">= 10", "c. 40", "+5", "7"]))
    assert parsed.value.to_list() == [5, 100, 2_000, 10, 40, 5, 7]
    assert parsed.hedge.to_list() == [
        "at_most",
        "at_least",
        "approx",
        "at_least",
        "approx",
        None,
        None,
    ]


def test_hedged_cells_set_the_qualifier(tmp_path: Path) -> None:
    path = tmp_path / "hedged.csv"
    path.write_text(
        "Country,Date,Killed\n#country+code,#date,#affected+killed\n"
        "SYR,2024-05-01,<5\nSYR,2024-05-02,12\n"
    )
    normalized = normalize_table(
        read(path), SourceMeta(publisher="X", published_date=dt.date(2024, 6, 1))
    )
    assert normalized.figures.select("value", "qualifier").rows() == [(5, "at_most"), (12, "exact")]


def test_count_cells() -> None:
    assert counts("243946.0", "12,500", "12 500", " 7 ", "1.2e6", "N/A", "-", None, "-5") == (
        [243_946, 12_500, 12_500, 7, 1_200_000, None, None, None, -5],
        [None] * 9,
    )
    assert counts("12.5", "abc", "=1+1", "@SUM(A1)", "9" * 30, "5%")[1] == [
        "non-integer-value",
        "unparseable-number",
        "formula-cell",
        "formula-cell",
        "implausible-value",
        "unparseable-number",
    ]


@settings(max_examples=200, deadline=None)
@given(
    number=st.integers(min_value=0, max_value=10**15),
    style=st.sampled_from([",", " ", "\u00a0", "'", ".", ""]),
)
def test_formatted_counts_round_trip(number: int, style: str) -> None:
    decimal = "," if style == "." else "."
    text = f"{number:,}".replace(",", style)
    assert counts(text, decimal=decimal) == ([number], [None])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), DatePrecision.YEAR)),
        ("2024-02", Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29), DatePrecision.MONTH)),
        ("2024-W19", Period(dt.date(2024, 5, 6), dt.date(2024, 5, 12), DatePrecision.WEEK)),
        ("2024-05-18", Period(dt.date(2024, 5, 18), dt.date(2024, 5, 18))),
        ("2021-05-18 00:00:00", Period(dt.date(2021, 5, 18), dt.date(2021, 5, 18))),
        ("2023-11-06T23:30:00Z", Period(dt.date(2023, 11, 6), dt.date(2023, 11, 6))),
        ("2024-02-30", None),
        ("soon", None),
    ],
)
def test_periods(text: str, expected: Period | None) -> None:
    assert parse_period(text) == expected


def test_timestamps_in_a_time_zone() -> None:
    assert parse_period("2023-11-06T11:00:00.000Z", timezone="Pacific/Auckland").start == (
        dt.date(2023, 11, 7)
    )


def test_slashed_dates_need_a_side() -> None:
    assert parse_period("3/4/2021") is None
    assert parse_period("3/4/2021", day_first=True).start == dt.date(2021, 4, 3)
    assert parse_period("3/4/2021", formats=("%m/%d/%Y",)).start == dt.date(2021, 3, 4)


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("SYR", "SYR"),
        ("sy", "SYR"),
        ("Syrian Arab Republic", "SYR"),
        ("Syria", "SYR"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("DRC", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo", "COG"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("occupied Palestinian territory", "PSE"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Russia", "RUS"),
        ("Kosovo", None),
        ("Syria (3RP)", None),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_iso3(name: str, iso3: str | None) -> None:
    assert country_iso3(name) == iso3


def test_meta_flags_override_table_columns(tmp_path: Path) -> None:
    path = tmp_path / "hxl.csv"
    path.write_text(
        "Country,Date,Killed,Source\n#country+code,#date,#affected+killed,"
        "#meta+source\nSYR,2024-05-01,4,OCHA\n"
    )
    table = read(path)
    own = normalize_table(table, SourceMeta(published_date=dt.date(2024, 6, 1)))
    assert own.figures["publisher"].to_list() == ["OCHA"]
    flagged = normalize_table(
        table, SourceMeta(publisher="UNHCR", published_date=dt.date(2024, 6, 1))
    )
    assert flagged.figures["publisher"].to_list() == ["UNHCR"]


def test_empty_table_frame_is_handled() -> None:
    table = Table(
        frame=pl.DataFrame({"Killed": [None, "N/A"]}, schema={"Killed": pl.String}),
        path=Path("inline.csv"),
        hxl={"Killed": "#affected+killed"},
    )
    normalized = normalize_table(
        table, SourceMeta(publisher="X", published_date=dt.date(2024, 1, 1))
    )
    assert normalized.figures.height == 0
    assert normalized.quarantine["check"].to_list() == ["missing-value"]


def test_hxl_part_columns_are_parts() -> None:
    mapping = mapping_from_hxl(
        {
            "killed": "#affected+killed",
            "civilians": "#affected+killed+civilians",
            "new": "#affected+killed+new",
            "idps": "#affected+idps+ind",
            "hh": "#affected+idps+hh",
            "girls": "#affected+idps+children+f",
        }
    )
    by_column = {f.column: f for f in mapping.figures}
    assert list(by_column) == ["killed", "civilians", "new", "idps", "hh", "girls"]
    assert [by_column[c].measure for c in ("killed", "new", "idps", "hh")] == [
        "stock",
        "flow",
        None,
        None,
    ]
    assert by_column["civilians"].group == "subset=civilians"
    assert (by_column["girls"].sex, by_column["girls"].age) == ("f", "0-17")
    assert not any(
        (by_column[c].sex, by_column[c].group) != (None, None) for c in ("killed", "idps")
    )


def test_long_hxl_table_names_the_indicator_per_row() -> None:
    normalized = normalize_table(
        read(DATA / "long_hxl.csv"),
        SourceMeta(publisher="Test Desk", published_date=dt.date(2024, 6, 1)),
    )
    assert normalized.figures.select("indicator", "measure", "value").rows() == [
        ("killed", "flow", 12),
        ("displaced", "stock", 4_500),
        ("in_need", "stock", 900),
    ]
    (bad,) = normalized.quarantine.to_dicts()
    assert (bad["check"], bad["failing_value"], bad["column"]) == (
        "unknown-indicator",
        "goats",
        "Indicator",
    )


def test_a_repeated_hashtag_column_is_checked_never_ignored(tmp_path: Path) -> None:
    source = tmp_path / "repeated.csv"
    source.write_text(
        "Country,IDPs,IDPs (rounded),IDPs (other count)\n"
        "#country+code,#affected+idps,#affected+idps,#affected+idps\n"
        "SDN,12500,13000,12500\n"
        "TCD,8000,8000,9100\n",
        encoding="utf-8",
    )
    normalized = normalize_table(
        read(source), SourceMeta(publisher="Test Desk", published_date=dt.date(2024, 6, 1))
    )
    assert normalized.figures["value"].to_list() == [12_500, 8_000]
    (bad,) = normalized.quarantine.to_dicts()
    assert (bad["check"], bad["column"], bad["input_row"]) == (
        "repeated-column",
        "IDPs (other count)",
        4,
    )
    assert "9100 against 8000" in bad["reason"]


def test_a_value_repeated_on_every_place_row_is_the_countrys_figure(tmp_path: Path) -> None:
    source = tmp_path / "national.csv"
    source.write_text(
        "Date,Country,Province,Country population,IDPs\n"
        "#date,#country+code,#adm1+name,#population,#affected+idps\n"
        "2024-05,SDN,North Darfur,48000000,100\n"
        "2024-05,SDN,South Darfur,48000000,200\n"
        "2024-06,SDN,North Darfur,48100000,150\n"
        "2024-06,SDN,South Darfur,48100000,150\n",
        encoding="utf-8",
    )
    normalized = normalize_table(
        read(source), SourceMeta(publisher="Test Desk", published_date=dt.date(2024, 7, 1))
    )
    population = normalized.figures.filter(pl.col("indicator") == "population")
    assert population.select("value", "admin_level", "location_name").rows() == [
        (48_000_000, 0, None),
        (48_100_000, 0, None),
    ]
    idps = normalized.figures.filter(pl.col("indicator") == "displaced")
    assert idps["admin_level"].to_list() == [1, 1, 1, 1]  # equal by chance in June only
    assert normalized.quarantine["check"].to_list() == ["repeated-figure", "repeated-figure"]


@pytest.mark.parametrize(
    ("cell", "decimal"),
    [("1,2,3", "."), ("1 2 3", "."), ("12,5", "."), ("1,23", "."), ("1.2.3", ","), ("12 3", ",")],
)
def test_separators_that_group_nothing_are_quarantined_not_joined(cell: str, decimal: str) -> None:
    assert counts(cell, decimal=decimal) == ([None], ["ambiguous-number"])


def test_regular_groupings_still_read() -> None:
    assert counts("12,500", "1 234 567", "12,34,567", "1'000", "12,500.0") == (
        [12_500, 1_234_567, 1_234_567, 1_000, 12_500],
        [None] * 5,
    )


def test_digits_of_other_scripts_are_digits() -> None:
    cells = ("١٢٣", "١٢٬٥٠٠", "۱۲۳۴", "४५", "~١٠٠")
    assert counts(*cells) == ([123, 12_500, 1_234, 45, 100], [None] * 5)


def test_ragged_rows_are_quarantined_with_their_extra_cells(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "Country,Date,Killed\n#country+code,#date,#affected+killed\n"
        "SYR,2024-05-01,5\nSYR,2024-05-02,12,13\nSYR,2024-05-03,7\n"
    )
    normalized = normalize_table(
        read(path), SourceMeta(publisher="X", published_date=dt.date(2024, 6, 1))
    )
    assert normalized.figures["value"].to_list() == [5, 7]
    (row,) = normalized.quarantine.to_dicts()
    assert row["check"] == "ragged-row" and int(row["input_row"]) == 4
    assert row["failing_value"] == "13" and "more cells than the header" in row["reason"]


def test_a_year_in_an_hxl_header_dates_the_column_when_no_column_does(tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    source.write_text(
        'Country,In Need 2017\n#country,#inneed\nNiger,"1,135,999"\n', encoding="utf-8"
    )
    normalized = normalize_table(
        read(source), SourceMeta(publisher="Test Desk", published_date=dt.date(2018, 1, 1))
    )
    figure = normalized.figures.row(0, named=True)
    assert (figure["period_start"], figure["period_end"], figure["date_precision"]) == (
        dt.date(2017, 1, 1),
        dt.date(2017, 12, 31),
        "year",
    )


def test_admin_level_from_pcode_length_when_no_hashtag_names_it() -> None:
    meta = SourceMeta(publisher="OCHA", published_date=dt.date(2022, 7, 5))
    figures = normalize_table(read(DATA / "pcode_levels_hxl.csv"), meta).figures
    levels = dict(zip(figures["pcode"], figures["admin_level"], strict=True))
    assert levels == {
        "SO24": 1, "SO22": 1, "SO2401": 2, "SO2402": 2, "SO2203": 2, "SO2204": 2, "SO2801": 2,
        "KE0701": 1,
    }  # fmt: skip
    countries = dict(zip(figures["pcode"], figures["country_iso3"], strict=True))
    assert countries["KE0701"] == "KEN" and countries["SO2801"] == "SOM"


def test_an_admin2_hashtag_fixes_the_level_whatever_the_length() -> None:
    meta = SourceMeta(publisher="OCHA", published_date=dt.date(2022, 7, 5))
    figures = normalize_table(read(DATA / "pcode_adm2_hxl.csv"), meta).figures
    assert figures["admin_level"].to_list() == [2, 2]
    assert figures["country_iso3"].to_list() == ["SOM", "SOM"]


def test_an_agency_code_of_no_country_is_quarantined_naming_the_code() -> None:
    meta = SourceMeta(publisher="IDMC", published_date=dt.date(2023, 5, 11))
    normalized = normalize_table(read(DATA / "idmc_codes_hxl.csv"), meta)
    assert normalized.figures["country_iso3"].to_list() == ["SDN", "SSD"]
    checks = dict(zip(normalized.quarantine["check"], normalized.quarantine["reason"], strict=True))
    assert set(checks) == {"no-iso-country", "unknown-country"}
    assert "AB9: IDMC's Abyei Area" in checks["no-iso-country"]
    assert "(XYZ)" in checks["unknown-country"]
    abyei = normalized.quarantine.filter(pl.col("check") == "no-iso-country")
    assert abyei["location_name"].to_list() == ["Abyei Area"]


def test_an_agency_code_of_no_country_is_read_however_it_is_written(tmp_path: Path) -> None:
    table = tmp_path / "codes.csv"
    table.write_text(
        "ISO3,Year,Displaced\n#country+code,#date+year,#affected+idps\n"
        'SDN,2022,10\n"  ab9 ",2022,20\nAb9,2022,30\n',
        encoding="utf-8",
    )
    meta = SourceMeta(publisher="IDMC", published_date=dt.date(2023, 5, 11))
    normalized = normalize_table(read(table), meta)
    assert normalized.figures["value"].to_list() == [10]
    quarantine = normalized.quarantine.sort("input_row")
    assert quarantine["check"].to_list() == ["no-iso-country", "no-iso-country"]
    assert quarantine["failing_value"].to_list() == [
        "ab9: IDMC's Abyei Area, claimed by both Sudan and South Sudan",
        "Ab9: IDMC's Abyei Area, claimed by both Sudan and South Sudan",
    ]


def test_unknown_various_and_stateless_origins_are_parts_of_the_host_total() -> None:
    meta = SourceMeta(publisher="UNHCR", published_date=dt.date(2023, 6, 14))
    normalized = normalize_table(read(DATA / "unhcr_origin_asylum_hxl.csv"), meta)
    figures = normalized.figures
    assert normalized.quarantine.height == 0
    # no origin row passes for the asylum country's total, so none is added into one
    assert figures.filter(is_total()).height == 0
    groups = dict(zip(figures["input_row"], figures["group"], strict=True))
    assert groups == {
        3: "origin=SDN",
        4: "origin=CAF",
        5: "origin=unknown",
        6: "origin=stateless",
        7: "origin=various",
        8: "origin=SYR",
        9: "origin=other",
    }
    assert set(figures["country_iso3"]) == {"TCD", "DEU"}
    assert validated(figures).quarantine.height == 0


def test_a_mapped_pcode_column_gives_country_and_level() -> None:
    normalized = small("pcode_column.csv", "pcode_column.toml")
    figures = normalized.figures
    assert normalized.quarantine.height == 0
    levels = dict(zip(figures["pcode"], figures["admin_level"], strict=True))
    assert levels == {"SO24": 1, "SO2401": 2, "SO22": 1, "SO2204": 2}
    assert set(figures["country_iso3"]) == {"SOM"}


@pytest.mark.parametrize("sample", [1, 4, 10_000])
@pytest.mark.parametrize("differing_date", ["2024-05", "2024-07"])
def test_a_column_is_national_by_all_its_rows_whatever_rows_are_looked_at_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: int, differing_date: str
) -> None:
    """The first rows may rule a column out (two values on one date), never rule it in: a
    column equal on every place's row of the first dates but not of a later one stays a
    column of places."""
    import humstats.normalize.rows

    monkeypatch.setattr(humstats.normalize.rows, "_NATIONAL_SAMPLE", sample)
    lines = [
        "Date,Country,Province,IDPs,Country population",
        "#date,#country+code,#adm1+name,#affected+idps,#population",
    ]
    for month, population in (
        ("2024-05", 48_000_000),
        ("2024-06", 48_100_000),
        ("2024-07", 48_200_000),
    ):
        for province, idps in (
            ("North Darfur", 100),
            ("South Darfur", 200 if month == differing_date else 100),
        ):
            lines.append(f"{month},SDN,{province},{idps},{population}")
    source = tmp_path / "national.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    normalized = normalize_table(
        read(source), SourceMeta(publisher="Test Desk", published_date=dt.date(2024, 8, 1))
    )
    population = normalized.figures.filter(pl.col("indicator") == "population")
    assert population.select("value", "admin_level").rows() == [
        (48_000_000, 0),
        (48_100_000, 0),
        (48_200_000, 0),
    ]
    idps = normalized.figures.filter(pl.col("indicator") == "displaced")
    assert idps["admin_level"].to_list() == [1] * 6
    assert normalized.quarantine["check"].to_list() == ["repeated-figure"] * 3
