"""``humstats.toml``: what a scheduled run ingests, which reports it renders, where it keeps them.

The file becomes frozen dataclasses, validated by pydantic so that a mistake is found when the
file is read, not half-way through a run at 3 a.m.: an unknown key (a typo), a missing file or
folder, an unknown schedule, format or country each raise one ``ConfigError`` that names the
key (``reports[0].schedule``). Relative paths are resolved against the file's folder, so a
run behaves the same from cron, systemd or an interactive shell.

::

    [store]                       data = "data", reports = "reports", compact_files,
                                  retention_days
    [[sources]]                   name, paths (globs), kind, publisher, published, url,
                                  attributed_to, mapping
    [[reports]]                   name, schedule, countries, formats, template, draft
    [priority]                    publishers
"""

from __future__ import annotations

import datetime as dt
import glob
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
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
    """How far back ``--as-of`` reaches after a compaction (None: ``store.RETENTION``)."""

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
            folder = Path(*_takewhile_literal(full.parts))
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


def _takewhile_literal(parts: tuple[str, ...]) -> list[str]:
    fixed = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return fixed


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
class Config:
    """A whole ``humstats.toml``."""

    store: StoreConfig
    sources: tuple[SourceConfig, ...] = ()
    reports: tuple[ReportConfig, ...] = ()
    priority: PriorityConfig | None = None

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


def _location(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith("function-") and part not in ("tuple", "list"):
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
