"""``humstats.toml``: what a scheduled run ingests, which reports it renders, where it keeps them.

The file becomes frozen dataclasses, validated by pydantic so that a mistake is found when the
file is read, not half-way through a run at 3 a.m.: an unknown key (a typo), a missing file or
folder, an unknown schedule, format or country each raise one ``ConfigError`` that names the
key (``reports[0].schedule``). Relative paths are resolved against the file's folder, so a
run behaves the same from cron, systemd or an interactive shell.

::

    [store]                       data = "data", reports = "reports", compact_files,
                                  retention_days, log_retention_hours
    [[sources]]                   name, paths (globs), kind, publisher, published, url,
                                  attributed_to, mapping
    [[sources]] kind = "hdx"      name, dataset, resources, formats, mapping, mappings
    [[sources]] kind = "hapi"     name, endpoint, params, app_identifier_env, mapping
    [[sources]] kind = "reliefweb" name, query, since, appname_env
                                  (live sources also: base_url, publisher, attributed_to,
                                  timeout, retries, requests_per_second, page_size)
    [[reports]]                   name, schedule, countries, formats, template, draft
    [priority]                    publishers
    [retry]                       max_failures, backoff_hours
    [limits]                      max_xlsx_mb, max_cell_chars, max_json_depth,
                                  max_number_chars
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import glob
import os
import re
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from humstats.errors import ConfigError
from humstats.schema import SourceMeta, iso3_codes

_STRICT = ConfigDict(extra="forbid")


class Schedule(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class SourceKind(StrEnum):
    TABLE = "table"
    TEXT = "text"


def _base(info: ValidationInfo) -> Path:
    return Path((info.context or {}).get("base", "."))


def _resolve(value: Path, info: ValidationInfo) -> Path:
    return (_base(info) / value.expanduser()).resolve()


def _existing(value: Path, info: ValidationInfo, *, folder: bool) -> Path:
    path = _resolve(value, info)
    if folder and not path.is_dir():
        raise ValueError(f"no such folder {path}")
    if not folder and not path.is_file():
        raise ValueError(f"no such file {path}")
    return path


@dataclass(frozen=True, config=_STRICT)
class StoreConfig:
    """Where the data directory and the rendered reports live."""

    data: Path = Field(default=Path("data"), validate_default=True)
    reports: Path = Field(default=Path("reports"), validate_default=True)
    compact_files: int | None = Field(default=None, ge=1)
    """``humstats run`` compacts the store once its tables hold more data files than this
    (None: ``store.COMPACT_THRESHOLD``)."""
    retention_days: float | None = Field(default=None, ge=0)
    """How long compaction keeps replaced files (None: ``store.RETENTION``): how far back
    another engine's time travel reaches (humstats' ``--as-of`` reaches every version)."""
    log_retention_hours: float | None = Field(default=None, ge=0)
    """How long compaction keeps the tables' logs (None: ``store.LOG_RETENTION``, a minute).
    Every open and commit lists the whole log; ``--as-of`` reaches as far back either way
    (the store records its versions), another engine's time travel only this far."""

    @field_validator("data", "reports")
    @classmethod
    def _relative_to_file(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info)


@dataclass(frozen=True, config=_STRICT)
class SourceConfig:
    """A stream of inputs: files matching ``paths``, with the metadata they usually lack."""

    name: Annotated[str, Field(min_length=1)]
    paths: Annotated[tuple[str, ...], Field(min_length=1)]
    """Absolute glob patterns (``**`` reaches into subfolders)."""
    kind: SourceKind | None = None
    """Tables or texts; ``None`` lets each file's suffix decide."""
    publisher: str | None = None
    published: dt.date | None = None
    url: str | None = None
    attributed_to: str | None = None
    mapping: Path | None = None

    @field_validator("paths")
    @classmethod
    def _patterns_under_existing_folders(
        cls, patterns: tuple[str, ...], info: ValidationInfo
    ) -> tuple[str, ...]:
        """A pattern may match nothing yet (an empty inbox), but its folder must exist: a
        misspelt inbox would otherwise be an inbox that never receives anything."""
        resolved = []
        for pattern in patterns:
            full = _base(info) / Path(pattern).expanduser()
            if not glob.has_magic(str(full)):
                if not full.exists():
                    raise ValueError(f"no such file or folder {full}")
                resolved.append(str(full.resolve()))
                continue
            folder = pattern_folder(full)
            if not folder.is_dir():
                raise ValueError(f"no such folder {folder}")
            resolved.append(str(folder.resolve() / full.relative_to(folder)))
        return tuple(resolved)

    @field_validator("mapping")
    @classmethod
    def _mapping_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _existing(value, info, folder=False)

    @model_validator(mode="after")
    def _mapping_only_for_tables(self) -> SourceConfig:
        if self.mapping is not None and self.kind is SourceKind.TEXT:
            raise ValueError("mapping describes table columns; this source has kind = 'text'")
        return self

    @property
    def meta(self) -> SourceMeta:
        """Defaults for inputs of this source that do not say who published them, or when."""
        return SourceMeta(
            publisher=self.publisher,
            source_url=self.url,
            published_date=self.published,
            attributed_to=self.attributed_to,
        )


def pattern_folder(pattern: str | Path) -> Path:
    """The folder every match of a glob pattern lies under: its parts before the first
    wildcard. A source's folder must exist even when its pattern matches nothing yet, and a
    link a pattern matches must not lead out of it."""
    fixed = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed)


_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_HTTP_URL = re.compile(r"https?://[^\s/?#]+[^\s?#]*")


def _http_url(value: str) -> str:
    if not _HTTP_URL.fullmatch(value):
        raise ValueError("expected an http(s) URL without query, such as 'https://host/path'")
    return value.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


@dataclass(frozen=True, config=_STRICT, kw_only=True)
class LiveSourceConfig:
    """What every source fetched over HTTP shares: where the API lives and how politely to ask.

    ``base_url`` is always configurable, so a test (or a mirror) can stand in for the service.
    ``publisher`` and ``attributed_to`` fill in what the service does not say.
    """

    name: Annotated[str, Field(min_length=1)]
    base_url: HttpUrl
    publisher: str | None = None
    attributed_to: str | None = None
    timeout: Annotated[float, Field(gt=0, le=600)] = 60.0
    """Seconds to wait for a connection or for the next bytes of a response."""
    retries: Annotated[int, Field(ge=0, le=10)] = 4
    """Further attempts after a 429, a 5xx, a timeout or a dropped connection."""
    requests_per_second: Annotated[float, Field(gt=0, le=100)] = 1.0
    """At most this many requests a second to one host, across the run's sources."""


@dataclass(frozen=True, config=_STRICT, kw_only=True)
class HdxSourceConfig(LiveSourceConfig):
    """A dataset on HDX (CKAN): its resources that match are fetched whenever they change."""

    kind: Literal["hdx"] = "hdx"
    dataset: Annotated[str, Field(min_length=1)]
    """The dataset's name (``sudan-displacement-data``) or id."""
    base_url: HttpUrl = "https://data.humdata.org"
    resources: tuple[str, ...] = ()
    """Patterns (``*.csv``, ``*idp*``) on a resource's name or file name; empty: every one."""
    formats: tuple[str, ...] = ()
    """Resource formats as HDX labels them (``CSV``, ``XLSX``); empty: any format."""
    mapping: Path | None = None
    """The mapping for every table resource without one of its own in ``mappings``."""
    mappings: dict[str, Path] = Field(default_factory=dict)
    """Resource pattern → mapping file, for datasets whose resources differ in layout."""

    @field_validator("mapping")
    @classmethod
    def _mapping_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _existing(value, info, folder=False)

    @field_validator("mappings")
    @classmethod
    def _mappings_exist(cls, value: dict[str, Path], info: ValidationInfo) -> dict[str, Path]:
        checked = {}
        for pattern, path in value.items():
            try:
                checked[pattern] = _existing(path, info, folder=False)
            except ValueError as error:
                raise ValueError(f"{pattern!r}: {error}") from error
        return checked

    def wants(self, name: str, filename: str, fmt: str) -> bool:
        """Whether a resource with this name, file name and format is to be fetched."""
        by_name = not self.resources or any(
            _matches(pattern, name) or _matches(pattern, filename) for pattern in self.resources
        )
        by_format = not self.formats or fmt.strip().lower() in {f.lower() for f in self.formats}
        return by_name and by_format

    def mapping_for(self, name: str, filename: str) -> Path | None:
        for pattern, path in self.mappings.items():
            if _matches(pattern, name) or _matches(pattern, filename):
                return path
        return self.mapping


def _matches(pattern: str, text: str) -> bool:
    return fnmatch.fnmatchcase(text.lower(), pattern.lower())


ParamValue = str | int | float | bool | tuple[str | int, ...]


@dataclass(frozen=True, config=_STRICT, kw_only=True)
class HapiSourceConfig(LiveSourceConfig):
    """One HDX HAPI endpoint with its filters, read page by page."""

    kind: Literal["hapi"] = "hapi"
    endpoint: str
    """The path under ``/api/v2/``, such as ``affected-people/idps``."""
    base_url: HttpUrl = "https://hapi.humdata.org"
    params: dict[str, ParamValue] = Field(default_factory=dict)
    """Filters as HAPI names them: ``location_code``, ``admin_level``, ``…_start_min``."""
    app_identifier_env: Annotated[str, Field(pattern=_ENV_NAME)] = "HAPI_APP_IDENTIFIER"
    """The environment variable that holds the app identifier (never the identifier itself)."""
    mapping: Path | None = None
    """How the endpoint's columns become figures; built in for the endpoints humstats knows."""
    page_size: Annotated[int, Field(ge=1, le=10_000)] = 10_000
    publisher: str | None = "HDX HAPI"

    @field_validator("endpoint")
    @classmethod
    def _endpoint_path(cls, value: str) -> str:
        path = value.strip().strip("/").removeprefix("api/v2/")
        if not re.fullmatch(r"[a-z0-9_-]+(/[a-z0-9_-]+)*", path):
            raise ValueError("expected an endpoint path such as 'affected-people/idps'")
        return path

    @field_validator("params")
    @classmethod
    def _no_secret_or_paging(cls, value: dict[str, ParamValue]) -> dict[str, ParamValue]:
        for key in ("app_identifier", "offset", "limit", "output_format"):
            if key in value:
                raise ValueError(
                    f"{key!r} is set by humstats"
                    + (" from app_identifier_env" if key == "app_identifier" else "")
                )
        return value

    @field_validator("mapping")
    @classmethod
    def _mapping_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _existing(value, info, folder=False)

    def app_identifier(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The secret, read from the environment when it is needed, so it is never stored."""
        value = (os.environ if environ is None else environ).get(self.app_identifier_env, "")
        return value.strip() or None


@dataclass(frozen=True, config=_STRICT)
class ReliefwebQuery:
    """Which ReliefWeb reports: each list is "any of these"; the lists combine with AND."""

    country: tuple[str, ...] = ()
    """ISO3 codes (``SDN``) or country names."""
    disaster: tuple[str, ...] = ()
    """Disaster names, GLIDE numbers (``FL-2024-000123-SDN``) or ReliefWeb ids."""
    source: tuple[str, ...] = ()
    """Organisations by short name (``OCHA``) or full name."""
    format: tuple[str, ...] = ()
    """Content formats: ``Situation Report``, ``Flash Update``, ``News and Press Release``…"""
    theme: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    """Language names or codes (``English``, ``en``)."""


@dataclass(frozen=True, config=_STRICT, kw_only=True)
class ReliefwebSourceConfig(LiveSourceConfig):
    """Reports from ReliefWeb's v2 API; each new report's text goes to the extractor."""

    kind: Literal["reliefweb"] = "reliefweb"
    base_url: HttpUrl = "https://api.reliefweb.int"
    query: ReliefwebQuery = Field(default_factory=ReliefwebQuery)
    since: dt.date | None = None
    """Reports posted from this day on; later runs resume from the newest report stored."""
    appname_env: Annotated[str, Field(pattern=_ENV_NAME)] = "RELIEFWEB_APPNAME"
    """The environment variable holding the appname ReliefWeb approved for you."""
    page_size: Annotated[int, Field(ge=1, le=1000)] = 100

    def appname(self, environ: Mapping[str, str] | None = None) -> str | None:
        value = (os.environ if environ is None else environ).get(self.appname_env, "")
        return value.strip() or None


LIVE_KINDS = ("hdx", "hapi", "reliefweb")


def _source_tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return str(kind) if kind in LIVE_KINDS else "local"


AnySource = Annotated[
    Annotated[SourceConfig, Tag("local")]
    | Annotated[HdxSourceConfig, Tag("hdx")]
    | Annotated[HapiSourceConfig, Tag("hapi")]
    | Annotated[ReliefwebSourceConfig, Tag("reliefweb")],
    Discriminator(_source_tag),
]
"""A ``[[sources]]`` entry: local files (``kind`` table, text or absent) or a live service."""


@dataclass(frozen=True, config=_STRICT)
class ReportConfig:
    """A report rendered once each period closes (and as a draft while it is open)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    """Also the name of the report's folder under ``[store] reports``."""
    schedule: Schedule
    countries: tuple[str, ...] = ()
    """ISO3 codes, one report each; empty means one report over every country."""
    formats: tuple[Literal["html", "pdf"], ...] = ("html",)
    """The formats ``humstats report --format`` renders (the contract)."""
    template: Path | None = None
    draft: bool = False
    """Also render the open period's draft on every run."""
    stale_after: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    """Days after which a total to date is badged stale, per indicator (``{ killed = 7 }``);
    indicators not named keep the report's defaults."""

    @field_validator("countries")
    @classmethod
    def _known_countries(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        upper = tuple(code.strip().upper() for code in codes)
        unknown = [code for code in upper if code not in iso3_codes()]
        if unknown:
            raise ValueError(f"unknown ISO3 country code {unknown[0]!r}")
        return upper

    @field_validator("template")
    @classmethod
    def _template_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return None if value is None else _existing(value, info, folder=True)


@dataclass(frozen=True, config=_STRICT)
class PriorityConfig:
    publishers: tuple[str, ...] = ()
    """Preferred first when figures for the same place and date tie."""


@dataclass(frozen=True, config=_STRICT)
class RetryConfig:
    """How a scheduled run treats an input that failed: it is tried again on a later run,
    waiting ``backoff_hours`` after the first failure and twice as long after each further
    one, and parked (no longer tried, until its content changes or it is ingested by hand)
    after ``max_failures`` failed runs."""

    max_failures: Annotated[int, Field(ge=1)] = 5
    backoff_hours: Annotated[float, Field(ge=0)] = 1.0


@dataclass(frozen=True, config=_STRICT)
class Limits:
    """What one input may make the readers hold; past a limit the input is refused with a
    message naming the limit, so a hostile file costs an error line, not the machine."""

    max_xlsx_mb: Annotated[float, Field(gt=0)] = 512
    """Decompressed size of a workbook's parts (a 5 MB zip bomb inflates to gigabytes)."""
    max_cell_chars: Annotated[int, Field(gt=0)] = 100_000
    """Characters in one table cell (Excel's own limit is 32,767)."""
    max_json_depth: Annotated[int, Field(gt=0)] = 64
    """Nesting of arrays and objects in a JSON input."""
    max_number_chars: Annotated[int, Field(gt=0)] = 100
    """Characters of one number in a JSON input."""


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, config=_STRICT)
class Config:
    """A whole ``humstats.toml``."""

    store: StoreConfig
    sources: tuple[AnySource, ...] = ()
    reports: tuple[ReportConfig, ...] = ()
    priority: PriorityConfig | None = None
    retry: RetryConfig = RetryConfig()
    limits: Limits = DEFAULT_LIMITS

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        """Names key the run log's record of what was rendered, so they must not repeat."""
        for section, items in (("sources", self.sources), ("reports", self.reports)):
            seen: set[str] = set()
            for item in items:
                if item.name in seen:
                    raise ValueError(f"{section}: name {item.name!r} is used twice")
                seen.add(item.name)
        return self

    @property
    def publishers(self) -> tuple[str, ...] | None:
        """The configured publisher priority, or ``None`` for the built-in one."""
        return self.priority.publishers if self.priority is not None else None


_TAGS = ("local", *LIVE_KINDS)


def _location(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith("function-") and part not in ("tuple", "list", *_TAGS):
            text += f".{part}" if text else part
    return text


def _describe(error: Any) -> str:
    where = _location(error["loc"])
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        return f"unknown key {where}"
    if error["type"] in ("missing", "missing_argument", "missing_keyword_argument"):
        return f"missing key {where}"
    message = error["msg"].removeprefix("Value error, ")
    message = message[0].lower() + message[1:]
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{where}: {message}{shown}" if where else f"{message}{shown}"


def load_config(path: str | Path) -> Config:
    """Read and check ``path``; every problem becomes one ``ConfigError`` naming its key."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: no such configuration file") from error
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    raw.setdefault("store", {})
    try:
        return TypeAdapter(Config).validate_python(raw, context={"base": path.resolve().parent})
    except ValidationError as error:
        problems = "; ".join(_describe(e) for e in error.errors())
        raise ConfigError(f"{path}: {problems}") from error
