"""What the live sources remember between runs, in ``processed/sources-state.json``.

Per source: when it was last fetched, how that went, its counts, and per item (an HDX
resource, a HAPI query, a ReliefWeb report) the validators that let the next run ask "has it
changed?" — ETag, Last-Modified, content hash — plus ReliefWeb's resume point. It lives apart
from the figure tables: losing it costs one full download, never a figure, because the store's
content hashes still keep anything from being ingested twice.

The file is small and rewritten whole through a temporary file and a rename, so a crash
leaves the old state or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_FILE = "sources-state.json"


@dataclass
class ItemState:
    """One fetched thing and how to ask whether it changed."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    status: str | None = None
    message: str | None = None


@dataclass
class SourceState:
    """The last fetch of one configured source."""

    kind: str
    last_fetch: str | None = None
    status: str | None = None
    """``ok``, ``partial`` (some items failed) or ``failed`` (nothing could be read)."""
    message: str | None = None
    fetched: int = 0
    skipped: int = 0
    failed: int = 0
    figures: int = 0
    cursor: str | None = None
    """ReliefWeb: the newest report date stored; the next query starts there."""
    items: dict[str, ItemState] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SourceState:
        items = {key: ItemState(**value) for key, value in (raw.get("items") or {}).items()}
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__ and k != "items"}
        return cls(**known, items=items)


class StateFile:
    """The state of every source, loaded once per run and saved after each source."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sources: dict[str, SourceState] = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self.sources = {
                    name: SourceState.from_dict(value)
                    for name, value in (raw.get("sources") or {}).items()
                }
            except (OSError, ValueError, TypeError, AttributeError) as error:
                # Only costs conditional requests: the content hashes still prevent re-ingest.
                log.warning("%s is unreadable (%s); fetching every source afresh", path, error)

    @classmethod
    def of(cls, processed_dir: Path) -> StateFile:
        return cls(processed_dir / STATE_FILE)

    def get(self, name: str, kind: str) -> SourceState:
        state = self.sources.get(name)
        if state is None or state.kind != kind:
            state = self.sources[name] = SourceState(kind=kind)
        return state

    def save(self) -> None:
        document = {
            "version": 1,
            "sources": {name: asdict(state) for name, state in sorted(self.sources.items())},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
