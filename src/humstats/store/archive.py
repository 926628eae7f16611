"""The raw archive: every input kept byte for byte, named by its content."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from humstats.errors import shown
from humstats.store.files import _sha256, _write_atomic, _writing
from humstats.store.layout import _SUFFIX, META_SUFFIX


@dataclass(frozen=True)
class Archived:
    """An input as the archive holds it."""

    sha256: str
    source_file: str
    """Path of the archived copy relative to the data directory: ``raw/ab/ab…ef.csv``."""
    original: Path
    size: int


class Archive:
    """The raw archive's part of ``Store``: where an input sits, and keeping it there."""

    def identify(self, path: Path) -> Archived:
        """Where ``path`` sits (or would sit) in the archive, without copying it."""
        sha, size = _sha256(path)
        source_file = f"raw/{sha[:2]}/{sha}{_archive_suffix(path)}"
        return Archived(sha256=sha, source_file=source_file, original=path, size=size)

    def archive(self, path: Path) -> Archived:
        """Keep ``path`` unchanged under ``raw/``, named by content; idempotent.

        A copy of another size (an old store's metadata written over a JSON input) is
        replaced by the input's bytes. Raises ``StoreError`` when the store cannot be written.
        """
        self._local("archiving an input")
        archived = self.identify(path)
        target = self.root / archived.source_file
        with _writing(self.root):
            if not (target.is_file() and target.stat().st_size == archived.size):
                _write_atomic(target, lambda tmp: shutil.copyfile(path, tmp))
            meta_path = self.meta_path(archived.source_file)
            if not meta_path.exists():
                meta = {
                    "sha256": archived.sha256,
                    "original_name": shown(path.name),
                    "original_path": shown(path.resolve()),
                    "size": archived.size,
                    "archived_at": dt.datetime.now(dt.UTC).isoformat(),
                }
                _write_atomic(
                    meta_path,
                    lambda tmp: tmp.write_text(
                        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                    ),
                )
        return archived

    def raw_path(self, source_file: str) -> Path:
        return self.root / source_file

    def meta_path(self, source_file: str) -> Path:
        """The metadata record of an archived input: ``raw/ab/ab…ef.meta.json``."""
        path = self.raw_path(source_file)
        return path.with_name(path.name.split(".", 1)[0] + META_SUFFIX)


def _archive_suffix(path: Path) -> str:
    """The input's last suffix, lower-cased, when it is a plain one (``.csv``); a name like
    ``x.c*v`` or ``a.b c`` is archived without a suffix rather than with odd characters."""
    suffix = path.suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""
