"""Sentences to figure rows: one pass over a document, each count decided in order.

``extract_figures(document)`` returns the candidate-figures frame every producer returns (the
schema's columns less the stamped ones, plus ``input_row`` and ``origin``). One pass finds
every number in the text (``numbers.find_quantities``); only sentences holding a count are
read further, so prose without figures costs one regular-expression scan.

The decisions live in the modules this one calls, in data-flow order: ``context`` (the
sentence window of a count, what the document said before), ``classification`` (is it a
figure, of which indicator), then ``measure`` and the choices of place
(``place_choice``), source (``source_choice``) and period (``period_choice``). This module
walks the sentences and tables, keeps a figure stated twice once, and writes the rows.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice

import polars as pl

from humstats.errors import InputError
from humstats.extract import syntax
from humstats.extract.attribution import (
    Attribution,
    ShortNames,
    find_attributions,
    short_names,
)
from humstats.extract.classification import (
    ambiguous,
    classify_count,
    column_indicator,
    continues_event,
    head_of,
    joins_previous,
    respective,
    told_earlier,
    without_mixed_totals,
)
from humstats.extract.context import (
    DATELINE,
    Candidate,
    Context,
    bounds,
    lazy_gazetteer,
    plain,
    tail,
)
from humstats.extract.dates import TextPeriod, publication_period, starts_later
from humstats.extract.indicators import Patterns, Vocabulary, compile_patterns, load_vocabulary
from humstats.extract.measure import (
    TOLL,
    clause_start,
    continues_incident,
    increment,
    measure_of,
    sentence_scope,
)
from humstats.extract.numbers import Quantity, find_quantities
from humstats.extract.period_choice import (
    as_of_heading,
    compared_period,
    footer_periods,
    own_periods,
    period_for,
    remember_heading_period,
    same_period,
)
from humstats.extract.place_choice import country_name, place_for
from humstats.extract.places import DEMONYM, Gazetteer, Place, admin_level
from humstats.extract.sentences import mask_asides, split_sentences, unmask
from humstats.extract.source_choice import lend, opened, remember_source, source_for
from humstats.extract.tables import TextTable, find_text_tables, key_figure_labels
from humstats.readers import Document
from humstats.schema import (
    BREAKDOWN_DEFAULTS,
    DTYPES,
    ORIGIN_COLUMNS,
    STAMPED,
    Indicator,
    Measure,
    Unit,
)

RULES_VERSION = "2"

METHOD = f"text-rules@{RULES_VERSION}"

PERIOD_DEFAULTED = ";period=published"
"""Appended to ``method`` when the text states no reference date for a figure and its period
is the publication date: reports can tell "as of 3 Dec (stated)" from "published 3 Dec"."""

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    **{name: dtype for name, dtype in DTYPES.items() if name not in STAMPED},
    **ORIGIN_COLUMNS,
}
"""Columns of the frame ``extract_figures`` returns, in order."""

_EMPTY = pl.DataFrame(schema=CANDIDATE_SCHEMA)


def extract_figures(
    document: Document,
    vocabulary: Vocabulary | None = None,
    gazetteer: Gazetteer | None = None,
    parse: bool | None = None,
) -> pl.DataFrame:
    """The figures a document states, one row each, as candidate figures for validation.

    ``parse`` (default: when spaCy and its English model are installed) lets a dependency
    parse decide which words a number belongs to in sentences with several counts; False
    runs the rules alone. Raises ``InputError`` when the document has no publication date:
    without it neither the reference period nor the order of figures in the store can be
    known. For many documents ``extract_many`` is faster with the parse.
    """
    return next(extract_many([document], vocabulary, gazetteer, parse))


DOCUMENTS_PER_BATCH = 64
"""Documents ``extract_many`` reads ahead so that their ambiguous sentences are parsed in one
batch: spaCy's cost per sentence falls by half from one sentence a call to batches of 64."""


def extract_many(
    documents: Iterable[Document],
    vocabulary: Vocabulary | None = None,
    gazetteer: Gazetteer | None = None,
    parse: bool | None = None,
) -> Iterator[pl.DataFrame]:
    """``extract_figures`` of each document, in order, one frame each (as a generator).

    Documents are read ``DOCUMENTS_PER_BATCH`` at a time: each is split into sentences and
    counts first, then the sentences of all of them that need the parse are parsed together,
    then each document's figures are decided. The figures are those ``extract_figures`` gives.
    The batch's rows make one frame, and each document gets its slice of it: a frame costs
    about as much to build for four rows as for a batch's hundreds.
    """
    parse = syntax.available() if parse is None else parse and syntax.available()
    vocabulary = vocabulary or load_vocabulary()
    gazetteer = gazetteer or lazy_gazetteer()
    documents = iter(documents)
    while batch := list(islice(documents, DOCUMENTS_PER_BATCH)):
        readings = [_read(document, vocabulary, gazetteer, parse) for document in batch]
        if parse:
            syntax.parse_texts(r.text[a:b] for r in readings if r for a, b in r.to_parse)
        found = [_rows(reading, parse) if reading is not None else [] for reading in readings]
        frame = pl.DataFrame([row for rows in found for row in rows], schema=CANDIDATE_SCHEMA)
        offset = 0
        for rows in found:
            yield frame.slice(offset, len(rows)) if rows else _EMPTY.clear()
            offset += len(rows)


@dataclass
class _Reading:
    """A document cut into sentences and counts, before any figure is decided."""

    document: Document
    context: Context
    sentences: list[tuple[int, int]]
    by_sentence: dict[int, list[Quantity]]
    tables: list[TextTable]
    in_tables: list[Quantity]
    to_parse: list[tuple[int, int]]
    """Sentences whose counts may belong to different words (read when the parse is on)."""

    @property
    def text(self) -> str:
        return self.context.text


def _read(
    document: Document, vocabulary: Vocabulary, gazetteer: Gazetteer, parse: bool
) -> _Reading | None:
    """The document's sentences and counts; None when it states no count at all."""
    meta = document.meta
    if meta.published_date is None:
        raise InputError(document.path, "no publication date; pass --published YYYY-MM-DD")
    text = plain(document.text)  # the same object if unchanged: rows keep the typography as is
    quantities = find_quantities(text, vocabulary)
    if not any(q.is_count for q in quantities):
        return None
    patterns = compile_patterns(vocabulary)
    dateline = DATELINE.match(text)
    context = Context(
        text,
        meta.published_date,
        gazetteer,
        patterns,
        _short_names(vocabulary),
        dateline.end() if dateline else 0,
    )
    sentences = split_sentences(text)
    starts = [s for s, _ in sentences]
    by_sentence: dict[int, list[Quantity]] = {}
    tables = find_text_tables(text)
    in_tables: list[Quantity] = []
    for q in quantities:
        if any(t.start <= q.start < t.end for t in tables):
            in_tables.append(q)  # read by column below, not as prose
            continue
        index = max(0, bisect.bisect_right(starts, q.start) - 1)
        by_sentence.setdefault(index, []).append(q)
    to_parse = [
        sentences[index]
        for index, found in by_sentence.items()
        if parse
        and ambiguous(patterns, text, found)
        and "\n" not in text[slice(*sentences[index])].strip()
    ]
    context.labels = key_figure_labels(
        text, [(q.hedge_start, q.end) for q in quantities if q.is_count]
    )
    context.uncounted = [
        sentence
        for index, sentence in enumerate(sentences)
        if not any(q.is_count for q in by_sentence.get(index, ()))
    ]
    return _Reading(document, context, sentences, by_sentence, tables, in_tables, to_parse)


def _rows(reading: _Reading, parse: bool) -> list[dict]:
    """Every figure row of a document, sentence by sentence, a restated figure once."""
    document, context, text = reading.document, reading.context, reading.text
    sentences, by_sentence, tables = reading.sentences, reading.by_sentence, reading.tables
    if parse:  # the batch was parsed ahead: these come from the parse cache
        context.parsed = syntax.parse_sentences(text, reading.to_parse)
    lowered = text.lower()  # one scan for "as of" or a list heading, not one per sentence
    block_dates = "as of" in lowered or "as at" in lowered or ":\n" in text
    rows: list[dict | None] = []
    seen: dict[tuple[str, int], int] = {}
    shares = "%)" in text or "% )" in text
    for index, sentence in enumerate(sentences):
        in_sentence = by_sentence.get(index)
        if in_sentence is None:  # most sentences: no number, no figure, no source lent onward
            if (credit := lend(context, sentence, None)) is not None:
                _credit(document, context, *credit, sentence[0])
            context.unread.append(sentence)
            if block_dates:
                remember_heading_period(context, sentence, [])
            continue
        opened(context)
        attributions: list[Attribution] | None = None
        found = []
        if any(q.is_count for q in in_sentence):
            found, attributions = _sentence_figures(document, context, sentence, in_sentence)
            for figure, row in without_mixed_totals(found, text, sentence[1]):
                if shares and _share_of_earlier(text, figure.quantity, reading.by_sentence):
                    continue
                if figure.revises is not None:
                    _drop(rows, seen, figure.revises, document.offset)
                key = (figure.indicator.value, figure.quantity.value)
                if key not in seen:
                    seen[key] = len(rows)
                    rows.append(row)
                elif _restates_better(row, rows[seen[key]]):
                    rows[seen[key]] = _restated(row, rows[seen[key]])
        if (credit := lend(context, sentence, found)) is not None:
            _credit(document, context, *credit, sentence[0])
        if attributions is None:  # only a sentence with numbers may lend its source onward
            attributions = find_attributions(text, *sentence)
        remember_source(context, attributions)
        if block_dates:
            remember_heading_period(context, sentence, found)
    opened(context)
    for table in tables:
        for figure, row in _table_figures(document, context, table, reading.in_tables):
            key = (figure.indicator.value, figure.quantity.value)
            if key not in seen:
                seen[key] = len(rows)
                rows.append(row)
    if block_dates:
        _date_by_footers(rows, text, context, document.offset)
    if context.earlier:
        _drop_earlier(rows, context.earlier)
    return [row for row in rows if row is not None]


def _drop_earlier(rows: list[dict | None], earlier: list[dict]) -> None:
    """Remove the rows of earlier values ("The previous toll ... indicated 2,012 dead") where
    the document states their indicator otherwise: the text has replaced them. Told alone,
    an earlier value is the only figure the text gives, and stays."""
    is_earlier = {id(row) for row in earlier}
    now = {row["indicator"] for row in rows if row is not None and id(row) not in is_earlier}
    for at, row in enumerate(rows):
        if row is not None and id(row) in is_earlier and row["indicator"] in now:
            rows[at] = None


def _date_by_footers(rows: list[dict | None], text: str, context: Context, offset: int) -> None:
    """Stocks the text left undated take the date of a "Data as of …" note after them in
    their paragraph."""
    for start, end, period in footer_periods(text, context.published):
        for row in rows:
            if (
                row is not None
                and row["measure"] == Measure.STOCK.value
                and row["method"].endswith(PERIOD_DEFAULTED)
                and start <= row["span_start"] - offset < end
            ):
                row["period_start"] = period.start
                row["period_end"] = period.end
                row["date_precision"] = period.precision.value
                row["method"] = METHOD


_SHARE = re.compile(r"\s*\(\s*(\d{1,3})(?:[.,](\d+))?\s*%\s*\)")


def _share_of_earlier(text: str, q: Quantity, by_sentence: dict[int, list[Quantity]]) -> bool:
    """A count followed by its share in brackets ("228 (72%) severe cases" in a list under
    318 cases) is a part of the earlier number that share is of: a breakdown, not a total.
    The arithmetic decides, within the rounding of the share as written."""
    share = _SHARE.match(text, q.end)
    if share is None:
        return False
    decimals = share[2] or ""
    percent = float(f"{share[1]}.{decimals or 0}")
    tolerance = 10.0 ** -len(decimals)
    return any(
        o.is_count and o.value > q.value and abs(100 * q.value / o.value - percent) < tolerance
        for found in by_sentence.values()
        for o in found
        if o.end <= q.start
    )


def _credit(
    document: Document,
    context: Context,
    figures: list[tuple[Candidate, dict]],
    source: str,
    near: int,
) -> None:
    """Write the source a later sentence lent (``source_choice.lend``) into the rows."""
    if document.text is not context.text:
        source = _as_written(document.text, context.text, source, near) or source
    for figure, row in figures:
        row["attributed_to"] = source
        row["confidence"] = _confidence(figure, source)


def _drop(
    rows: list[dict | None], seen: dict[tuple[str, int], int], revised: Candidate, offset: int
) -> None:
    """Remove the row of a figure the text later revised: what was known then is no figure
    of the text (its place in ``rows`` is kept, as ``seen`` points into it)."""
    key = (revised.indicator.value, revised.quantity.value)
    at = seen.pop(key, None)
    if at is not None and rows[at] is not None:
        if rows[at]["span_start"] == offset + revised.quantity.start:
            rows[at] = None
        else:
            seen[key] = at  # the same figure stated elsewhere: that statement stands


@cache
def _short_names(vocabulary: Vocabulary) -> ShortNames:
    return short_names(vocabulary.organisations)


def _sentence_figures(
    document: Document, context: Context, sentence: tuple[int, int], in_sentence: list[Quantity]
) -> tuple[list[tuple[Candidate, dict]], list[Attribution] | None]:
    """The figures of one sentence with their rows, and the sentence's sources if read."""
    text, patterns = context.text, context.patterns
    s0, s1 = sentence
    full_mask, asides = mask_asides(text, s0, s1)
    periods: list[TextPeriod] | None = None
    attributions: list[Attribution] | None = None
    first_count = min(q.hedge_start for q in in_sentence if q.is_count)
    limits = [  # counts that may be people: each bounds its neighbours' windows
        o
        for o in in_sentence
        if o.is_count
        and head_of(patterns, full_mask, o.end) != "thing"
        and not tail(full_mask, max(s0, o.hedge_start - 40), o.hedge_start).endswith(
            patterns.not_before
        )
    ]
    found: list[tuple[Candidate, dict]] = []
    listed = respective(patterns, full_mask, limits, sentence)
    parsed = {}
    doc = context.parsed.get(sentence)
    if len(limits) > 1 and doc is not None:
        spans = [(o.start, o.end) for o in limits]
        parsed = dict(zip(limits, syntax.domains(doc, s0, spans), strict=True))
    for q in in_sentence:
        if not q.is_count:
            continue
        aside = next(((a, b) for a, b in asides if a <= q.start < b), None)
        masked = unmask(full_mask, text, aside) if aside else full_mask
        attach = masked
        if others := parsed.get(q):
            attach = syntax.blank(masked, others)
        visible = [o for o in limits if o is not q and attach[o.start] != " "]
        lower, upper = bounds(sentence, attach, visible, q, aside)
        figure = listed.get(q) or classify_count(
            context, patterns, masked, q, lower, upper, sentence, attach
        )
        if figure is None and (shared := _sharing_predicate(patterns, masked, q, visible)):
            # "Over 75,000 people in Sunamganj and 30,000 in Sylhet are taking refuge", "twelve
            # staff members and ten patients were killed": the pair's one predicate stands
            # after the second count, and the first reads it too
            visible.remove(shared)
            lower, upper = bounds(sentence, masked, visible, q, aside)
            figure = classify_count(context, patterns, masked, q, lower, upper, sentence)
        if figure is None and attach is not masked:
            # the parse left the number no cue of its own ("..., bringing the total to 2.06
            # million"): its domain is too narrow, so the rules' windows read it
            attach = masked
            visible = [o for o in limits if o is not q]
            lower, upper = bounds(sentence, attach, visible, q, aside)
            figure = classify_count(context, patterns, masked, q, lower, upper, sentence)
        if figure is None or (
            figure.indicator in _NEEDS
            and starts_later(text, q.end, _clause_end(masked, q.end, upper), context.published)
        ):
            continue  # "in need of food aid from August", written in August: foreseen
        if periods is None:
            periods = own_periods(text, full_mask, context.published, sentence, in_sentence)
            if not periods and (same := same_period(context, sentence)) is not None:
                periods = [same]
        if attributions is None:
            attributions = find_attributions(text, s0, s1)
        place = place_for(context, figure, lower, upper)
        period = compared_period(text, masked, context.published, q, lower, upper) or period_for(
            q, periods, lower, upper, s0, first_count
        )
        if period is None and figure.inherited:
            period = context.previous_period
        if period is None:
            period = context.heading_period
        period = as_of_heading(context, period)
        source = source_for(context, attributions, figure)
        ours = _not_anothers(periods, masked, sentence, limits, q)
        near = [p for p in ours if lower <= p.span[0] < upper + 40]
        told = measure_of(
            text,
            masked,
            sentence,
            q,
            lower,
            upper,
            near or [p for p in ours if not p.as_of] or _heading_window(context),
            figure.indicator,
            # event words in the clause of a count read as a running total are that count's
            sentence_scope(masked, sentence, limits, q)
            if context.previous_measure is Measure.STOCK
            else None,
        )
        if told is None and any(p.as_of for p in ours):
            told = Measure.STOCK  # "As of 3 February, ... reporting 6974 cases and 114 deaths"
        measure = told or context.toll_measure or Measure.STOCK
        if not periods and continues_event(context, masked, q, s0, upper):
            measure = context.previous_measure
            period = period or context.previous_period
        elif (
            not periods
            and _near_previous(context, sentence)
            and context.previous_measure is Measure.FLOW
            and continues_incident(masked, sentence, q, upper, context.previous_period)
        ):
            measure = Measure.FLOW
            period = period or context.previous_period
        elif (
            joins_previous(context, masked, q, sentence)
            or _elided(context, figure, masked, sentence)
        ) and not any(p.span[0] >= q.hedge_start for p in near):
            measure = context.previous_measure
        row = _row(document, figure, measure, place, period, source, sentence, context)
        if told_earlier(masked, q, lower, sentence, measure):
            context.earlier.append(row)
        if told and figure.indicator in TOLL and not increment(masked, q, lower, upper):
            context.toll_measure = measure
        context.previous = figure
        context.previous_measure = measure
        context.previous_place = place
        context.previous_period = period
        found.append((figure, row))
    return found, attributions


_NEEDS = frozenset({Indicator.IN_NEED, Indicator.FOOD_INSECURE})


_PAIRED_PLACES = re.compile(
    r"(?:[^\S\n]+(?:people|persons|individuals))?[^\S\n]+(?:in|across)[^\S\n]+(?:the[^\S\n]+)?"
    r"[A-Z][\w'’-]*(?:[^\S\n]+[A-Z][\w'’-]*){0,2},?[^\S\n]+and[^\S\n]+"
)
_PAIRED_NOUNS = re.compile(r"[^\S\n]+(?:[\w'’-]+[^\S\n]+){1,2}and[^\S\n]+")
_ELIDED_IN = re.compile(r"(?:[^\S\n]+(?:people|persons|individuals))?[^\S\n]+(?:in|across)\s")


def _sharing_predicate(
    patterns: Patterns, masked: str, q: Quantity, visible: list[Quantity]
) -> Quantity | None:
    """The count right after ``q`` when the two are one subject joined by "and", told apart by
    their places ("N people in X and M in Y") or their people nouns ("N soldiers and M
    civilians"), so that the predicate after both says what each counts."""
    following = min((o for o in visible if o.start > q.end), key=lambda o: o.start, default=None)
    if following is None or " and " not in masked[q.end : following.hedge_start]:
        return None
    if _PAIRED_PLACES.fullmatch(masked, q.end, following.hedge_start):
        return following if _ELIDED_IN.match(masked, following.end) else None
    if (
        _PAIRED_NOUNS.fullmatch(masked, q.end, following.hedge_start)
        and head_of(patterns, masked, q.end) == "people"
        and head_of(patterns, masked, following.end) == "people"
    ):
        return following
    return None


def _not_anothers(
    periods: list[TextPeriod],
    masked: str,
    sentence: tuple[int, int],
    counts: list[Quantity],
    q: Quantity,
) -> list[TextPeriod]:
    """The periods of ``q``'s sentence less those told in the clause of an increment before it
    ("floods killed an additional nine people in the last 24 hours, 164 others were injured and
    72 were missing"): the window says when the increment came, not the totals beside it."""
    clause = clause_start(masked, sentence[0], q.hedge_start)
    increments = [
        o.end
        for o in counts
        if o is not q and o.end <= clause and increment(masked, o, sentence[0], sentence[1])
    ]
    if not increments:
        return periods
    return [p for p in periods if not any(end <= p.span[0] < clause for end in increments)]


_NO_NOUN = re.compile(r"\s+(?:in|at|from|across)\b", re.I)
"""A place right after a count: no noun of its own ("71 in Morelos")."""


def _elided(context: Context, figure: Candidate, masked: str, sentence: tuple[int, int]) -> bool:
    """A count with no noun of its own after a figure of the same indicator in its sentence
    ("has risen to 328 in Iran and seven in Iraqi Kurdistan", "94 died in Mexico City, 71 in
    Morelos"): more of the same count, so the same measure."""
    previous, q = context.previous, figure.quantity
    if previous is None or context.previous_measure is None or previous.sentence != sentence:
        return False
    return (
        previous.indicator == figure.indicator
        and not increment(masked, q, *sentence)  # "an increase of 620": new, not more of it
        and not tail(masked, max(sentence[0], q.hedge_start - 20), q.hedge_start).endswith(
            " to"
        )  # "bringing the toll to 68,120 in Gaza": a level of its own
        and (figure.inherited or _NO_NOUN.match(masked, q.end) is not None)
    )


def _clause_end(masked: str, start: int, upper: int) -> int:
    comma = masked.find(",", start, upper)
    return upper if comma < 0 else comma


def _near_previous(context: Context, sentence: tuple[int, int]) -> bool:
    """Whether the figure before stands in this sentence or the one right before it."""
    previous = context.previous
    return previous is not None and (
        previous.sentence == sentence
        or not context.text[previous.sentence[1] : sentence[0]].strip()
    )


def _heading_window(context: Context) -> list[TextPeriod]:
    """The window a list heading states, for a count whose sentence states no period."""
    heading = context.heading_period
    return [heading] if heading is not None and heading.flow else []


def _table_figures(
    document: Document, context: Context, table: TextTable, quantities: list[Quantity]
) -> list[tuple[Candidate, dict]]:
    """One figure per count under a people column, placed by the row's first cell: running
    totals of a report, dated by its "as of" heading when it has one."""
    text = context.text
    columns = [column_indicator(context.patterns, text[a:b]) for a, b in table.header]
    found = []
    for cells in table.rows:
        line = (cells[0][0], cells[-1][1])
        for (a, b), indicator in zip(cells, columns, strict=True):
            q = next((q for q in quantities if a <= q.start < b and q.is_count), None)
            if indicator is None or q is None:
                continue
            figure = Candidate(q, indicator, None, line, people=True)
            place = place_for(context, figure, *line)
            context.previous, context.previous_place = figure, place
            found.append(
                (
                    figure,
                    _row(
                        document,
                        figure,
                        Measure.STOCK,
                        place,
                        context.heading_period,
                        table.source,
                        line,
                        context,
                    ),
                )
            )
    return found


def _restates_better(new: dict, old: dict) -> bool:
    """A figure stated twice counts once; a later hedged or sourced restatement says more
    ("Floods displace 1.2 million" in a headline, "more than 1.2 million, the agency said")."""
    hedged = new["qualifier"] != "exact" and old["qualifier"] == "exact"
    sourced = new["attributed_to"] is not None and old["attributed_to"] is None
    return hedged or (sourced and new["qualifier"] == old["qualifier"])


def _restated(new: dict, old: dict) -> dict:
    """A restatement that states no period of its own ("The number of people displaced was 2.4
    million") keeps the window and measure of the statement it restates ("forced 2.4 million
    people to flee their homes in 2022"): one figure, told once with its time."""
    if new["method"].endswith(PERIOD_DEFAULTED) and not old["method"].endswith(PERIOD_DEFAULTED):
        kept = ("measure", "period_start", "period_end", "date_precision", "method")
        return new | {name: old[name] for name in kept}
    return new


def _row(
    document: Document,
    figure: Candidate,
    measure: Measure,
    place: Place | None,
    period: TextPeriod | None,
    source: str | None,
    sentence: tuple[int, int],
    context: Context,
) -> dict:
    q = figure.quantity
    meta = document.meta
    method = METHOD if period is not None else METHOD + PERIOD_DEFAULTED
    period = period or publication_period(context.published)
    if measure is Measure.STOCK and not period.as_of and period.start != period.end:
        period = TextPeriod(period.end, period.end, period.precision, False, period.span)
    iso3 = place.iso3 if place is not None else None
    if place is None:
        location = None
    elif place.level == DEMONYM and iso3:
        location = country_name(iso3)
    else:
        location = place.name
    s0, s1 = sentence
    if document.text is not context.text:  # read with plain quotes: give back the published
        source = _as_written(document.text, context.text, source, s0)
        location = _as_written(document.text, context.text, location, s0)
    return {
        "indicator": figure.indicator.value,
        "measure": measure.value,
        "value": q.value,
        "value_low": q.low,
        "value_high": q.high,
        "qualifier": q.qualifier.value,
        "unit": Unit.PEOPLE.value,
        "location_name": location,
        "country_iso3": iso3,
        "admin_level": admin_level(place) if place is not None else None,
        "pcode": place.pcode if place is not None else None,
        "period_start": period.start,
        "period_end": period.end,
        "date_precision": period.precision.value,
        "published_date": context.published,
        "publisher": meta.publisher,
        "attributed_to": source,
        "source_url": meta.source_url,
        "quote": " ".join(document.text[s0:s1].split()),
        "span_start": document.offset + q.start,
        "span_end": document.offset + q.end,
        "method": method,
        "confidence": _confidence(figure, source),
        **BREAKDOWN_DEFAULTS,
        "input_row": document.index,
        "origin": f"{document.offset + q.start}:{figure.indicator.value}",
    }


def _as_written(original: str, read: str, words: str | None, near: int) -> str | None:
    """``words`` as the document prints them ("Government’s Relief … Department", "Sana’a"):
    the text is read with plain quotes one character for one, so the same offsets hold the
    published characters: the first mention from the figure's sentence on, else the last
    before it (a source lent from an earlier sentence)."""
    if not words or not any(c in words for c in "'\" "):
        return words
    at = read.find(words, near)
    if at < 0:
        at = read.rfind(words, 0, near + len(words))
    return original[at : at + len(words)] if at >= 0 else words


def _confidence(figure: Candidate, source: str | None) -> float:
    score = 0.55
    if figure.cue is not None and figure.cue.distance <= 20:
        score += 0.2
    if figure.people:
        score += 0.1
    if source:
        score += 0.1
    if figure.inherited:
        score -= 0.2
    if figure.quantity.spelled:
        score -= 0.05
    return round(min(max(score, 0.05), 0.99), 2)
