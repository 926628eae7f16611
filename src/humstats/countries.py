"""Countries: every way a source names one, resolved to ISO 3166-1 alpha-3 in one place.

Tables and texts write a country as an ISO code, a name in any form ("Dem. Rep. Congo",
"Côte d'Ivoire"), an OCHA p-code whose first letters are the country's ISO code ("KE007" is
in Kenya: the COD convention), or an agency's own code: UNHCR writes China "CHI" (which looks
like Chile), Sudan "SUD" and Germany "GFR"; ACLED numbers countries by ISO 3166 numeric codes.
``country_iso3`` reads codes and names, ``pcode_country`` reads p-codes (``pcode_levels``
their admin levels), and
``code_scheme``/``agency_iso3`` tell which coding a column uses and translate it. Extraction
from text (``extract/places.py``) and normalisation of tables both call these.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import pycountry

ISO3 = "iso3"
UNHCR = "unhcr"
ISO_NUMERIC = "iso-numeric"
SCHEMES = (ISO3, UNHCR, ISO_NUMERIC)
"""Codings a country column may use; ACLED's numeric country codes are ISO 3166 numeric."""


@cache
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code pycountry knows."""
    return frozenset(c.alpha_3 for c in pycountry.countries)


UNHCR_CODES: dict[str, str] = {
    "ALG": "DZA", "ANG": "AGO", "AUL": "AUS", "AUS": "AUT", "BAH": "BHS", "BAR": "BRB",
    "BHU": "BTN", "BKF": "BFA", "BOT": "BWA", "BRU": "BRN", "BSN": "BIH", "BUL": "BGR",
    "CAR": "CAF", "CHD": "TCD", "CHI": "CHN", "COB": "COG", "COS": "CRI", "DEN": "DNK",
    "ERT": "ERI", "GAM": "GMB", "GFR": "DEU", "GRE": "GRC", "GUA": "GTM", "GUI": "GIN",
    "HAI": "HTI", "HON": "HND", "ICE": "ISL", "ICO": "CIV", "INS": "IDN", "IRE": "IRL",
    "KUW": "KWT", "LEB": "LBN", "LES": "LSO", "MAD": "MDG", "MAL": "MYS", "MAU": "MRT",
    "MLW": "MWI", "MOR": "MAR", "MYA": "MMR", "NEP": "NPL", "NET": "NLD", "NGR": "NER",
    "NIG": "NGA", "PAR": "PRY", "PHI": "PHL", "POR": "PRT", "ROM": "ROU", "RSA": "ZAF",
    "SAL": "SLV", "SPA": "ESP", "SRL": "LKA", "SRV": "VNM", "SUD": "SDN", "SWI": "CHE",
    "TAN": "TZA", "TOG": "TGO", "URU": "URY", "WSH": "ESH", "ZAM": "ZMB", "ZIM": "ZWE",
}  # fmt: skip
"""UNHCR's three-letter country codes that are not the ISO code of the same country (UNHCR
population statistics); every other UNHCR code is the ISO code. ``AUS`` is Austria there."""

UNHCR_UNKNOWN = frozenset({"VAR", "STA", "UKN"})
"""UNHCR codes for "various/unknown" and "stateless": no country, said on purpose."""


NO_ISO_CODES: dict[str, str] = {
    "AB9": "IDMC's Abyei Area, claimed by both Sudan and South Sudan",
}
"""Agencies' own codes for places that are no ISO 3166-1 country and belong to no single one.
A figure coded so cannot be given a country: it keeps the code as its place and is
quarantined with a reason naming it, never guessed into one of the claimants."""


NO_COUNTRY_LABELS: dict[str, str] = {
    "unknown": "unknown", "ukn": "unknown", "not known": "unknown", "inconnu": "unknown",
    "inconnue": "unknown", "desconocido": "unknown", "various": "various", "var": "various",
    "various unknown": "various", "mixed": "various", "mixed unknown": "various",
    "multiple": "various", "multiple countries": "various", "several": "various",
    "divers": "various", "varios": "various", "stateless": "stateless", "sta": "stateless",
    "apatride": "stateless", "apatrides": "stateless", "apatrida": "stateless",
    "apatridas": "stateless", "other": "other", "others": "other", "other countries": "other",
    "autres": "other", "autre": "other", "otros": "other", "otro": "other",
}  # fmt: skip
"""Labels (and UNHCR's codes ``UKN``, ``VAR``, ``STA``) a source gives a figure of several
countries or of none, on purpose: the part is kept under its kind ("origin=unknown"), never
resolved to a country and never mistaken for a missing cell."""


def no_country_label(text: str) -> str | None:
    """ "Various/Unknown" -> "various", "Stateless" -> "stateless": the kind of no-country a
    label states, or None when it states none."""
    return NO_COUNTRY_LABELS.get(_fold(text))


def _fold(name: str) -> str:
    """Lower-case, accents and punctuation gone, words single-spaced."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def _word_set(name: str) -> str:
    words = set(_fold(name).split()) - {"the", "of", "and"}
    return "|".join(sorted(words))


@cache
def _country_index() -> dict[str, str]:
    """Folded name -> ISO3 over pycountry's names, official names and common names, plus the
    word-set of each name so "Congo, The Democratic Republic of the" also matches "Democratic
    Republic of the Congo" and "Iran (Islamic Republic of)" matches "Iran, Islamic Republic of".
    A key two countries share is dropped: no guess between them.
    """
    index: dict[str, str] = {}
    clashes: set[str] = set()
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if not name:
                continue
            for key in (_fold(name), _word_set(name)):
                if index.get(key, country.alpha_3) != country.alpha_3:
                    clashes.add(key)
                index[key] = country.alpha_3
    for key in clashes:
        del index[key]
    return index


VARIANTS: dict[str, str] = {
    "drc": "COD",
    "dr congo": "COD",
    "dem rep congo": "COD",
    "congo kinshasa": "COD",
    "congo drc": "COD",
    "democratic republic of congo": "COD",
    "republic of congo": "COG",
    "congo brazzaville": "COG",
    "turkey": "TUR",
    "russia": "RUS",
    "ivory coast": "CIV",
    "cape verde": "CPV",
    "burma": "MMR",
    "swaziland": "SWZ",
    "macedonia": "MKD",
    "uk": "GBR",
    "great britain": "GBR",
    "vatican": "VAT",
    "car": "CAF",
    "lao pdr": "LAO",
    "south korea": "KOR",
    "north korea": "PRK",
    "micronesia": "FSM",
    "east timor": "TLS",
    "palestine": "PSE",
    "opt": "PSE",
    "occupied palestinian territory": "PSE",
    "occupied palestinian territories": "PSE",
    "palestinian territories": "PSE",
    "state of palestine": "PSE",
    "gaza strip": "PSE",
    "gaza": "PSE",
    "west bank": "PSE",
}
"""Short and UN-style names pycountry does not carry. Kosovo is left out on purpose: it has
no ISO 3166-1 code (XKX is user-assigned), so its figures quarantine as unknown-country rather
than carry a code that joins with nothing."""


@cache
def country_iso3(name: str) -> str | None:
    """The ISO 3166-1 alpha-3 code for a code or name as sources write it, or None.

    Accepts alpha-3 and alpha-2 codes, names in any case or accent ("Cote d'Ivoire"),
    pycountry's official and common names in either word order, and a few short forms
    ("DRC", "Turkey", "occupied Palestinian territory"). No fuzzy matching: a plan called
    "Syria (3RP)" covers refugees outside Syria and must not become SYR.
    """
    text = name.strip()
    if not text:
        return None
    if len(text) in (2, 3) and text.isalpha():
        code = text.upper()
        found = (
            pycountry.countries.get(alpha_3=code)
            if len(code) == 3
            else pycountry.countries.get(alpha_2=code)
        )
        if found is not None:
            return found.alpha_3
    index = _country_index()
    folded = _fold(text)
    for key in (folded, " ".join(ABBREVIATIONS.get(w, w) for w in folded.split())):
        found = VARIANTS.get(key) or index.get(key) or index.get(_word_set(key))
        if found:
            return found
    return None


ABBREVIATIONS = {"rep": "republic", "dem": "democratic", "is": "islands", "st": "saint"}
"""Words the UN-style names of agency tables shorten ("Syrian Arab Rep.", "Dem. Rep. of the
Congo", "Solomon Is."), written out before a second look-up."""


_PCODE = re.compile(r"^([A-Za-z]{2,3})\d")


def pcode_country(pcode: str) -> str | None:
    """The country of an OCHA p-code: COD p-codes start with the country's ISO alpha-2 code
    ("KE007", "SY0203"), a few with alpha-3 ("AFG01"); None when the prefix is no country."""
    match = _PCODE.match(pcode.strip())
    if match is None:
        return None
    prefix = match[1].upper()
    found = (
        pycountry.countries.get(alpha_2=prefix)
        if len(prefix) == 2
        else pycountry.countries.get(alpha_3=prefix)
    )
    if found is None and len(prefix) == 3:
        found = pycountry.countries.get(alpha_2=prefix[:2])
    return found.alpha_3 if found is not None else None


def pcode_levels(pcodes: Iterable[str | None], shallowest: int = 1) -> dict[str, int]:
    """The admin level of each p-code of one column, from its length among the p-codes of
    the same country: under the COD convention a deeper level appends digits to its parent's
    code ("SO11" is a region, "SO1101" one of its districts), so a country's shortest distinct
    length is ``shallowest`` (the shallowest level the table's headers name, else 1), the next
    length one deeper. Values that are no p-code are left out."""
    lengths: dict[str, set[int]] = {}
    found: dict[str, tuple[str, int]] = {}
    for value in pcodes:
        code = (value or "").strip()
        country = pcode_country(code) if code else None
        if country is None:
            continue
        lengths.setdefault(country, set()).add(len(code))
        found[value or ""] = (country, len(code))
    ranks = {country: sorted(sizes) for country, sizes in lengths.items()}
    return {
        value: shallowest + ranks[country].index(size) for value, (country, size) in found.items()
    }


def agency_iso3(code: str, scheme: str) -> str | None:
    """``code`` in ``scheme`` (one of ``SCHEMES``) as ISO alpha-3, or None."""
    text = code.strip().upper()
    if scheme == UNHCR:
        return UNHCR_CODES.get(text) or (text if text in iso3_codes() else None)
    if scheme == ISO_NUMERIC:
        digits = text.lstrip("0") or "0"
        found = pycountry.countries.get(numeric=digits.zfill(3)) if digits.isdigit() else None
        return found.alpha_3 if found is not None else None
    return country_iso3(text)


def code_scheme(values: Iterable[str | None]) -> str:
    """Which coding a column of country codes uses, judged on all its distinct values.

    ISO unless the values are numbers (ISO numeric, as ACLED writes) or some three-letter
    codes are UNHCR's own and none contradicts UNHCR's coding: a column holding "SUD" and
    "CHD" is UNHCR's, so its "CHI" is China, not Chile.
    """
    codes = {v.strip().upper() for v in values if v and v.strip()}
    if codes and all(c.isdigit() for c in codes):
        return ISO_NUMERIC
    letters = {c for c in codes if len(c) == 3 and c.isalpha()}
    if not letters:
        return ISO3
    iso = iso3_codes()
    unhcr_only = {c for c in letters if c in UNHCR_CODES and c not in iso}
    unexplained = {c for c in letters if c not in iso and c not in UNHCR_CODES}
    if unhcr_only and len(unhcr_only) >= len(unexplained - UNHCR_UNKNOWN):
        return UNHCR
    return ISO3


_COMMON_WORDS = frozenset(
    {"and", "per", "can", "arm", "col", "ben", "bar", "mar", "jam", "gin", "pan", "nor", "fin",
     "est", "dom", "nam", "sur", "tun", "ago", "are", "aus", "bel", "cub", "ita", "ton", "tur"}
)  # fmt: skip
"""Three-letter words of file names that are also ISO codes but rarely mean the country."""


def country_in_name(name: str) -> str | None:
    """The one country a file name names ("ipc_somalia_projection.csv", "dtm-hti.json"), or
    None when it names none or several: single-country exports are named so."""
    stem = name.rsplit(".", 1)[0]
    words = [w for w in re.split(r"[^A-Za-z]+", stem) if w]
    found: set[str] = set()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if size == 1 and len(phrase) <= 3:
                if len(phrase) < 3 or phrase.lower() in _COMMON_WORDS:
                    continue
                iso3 = phrase.upper() if phrase.upper() in iso3_codes() else None
            else:
                iso3 = country_iso3(phrase) if len(phrase) > 3 else None
            if iso3:
                found.add(iso3)
    return found.pop() if len(found) == 1 else None
