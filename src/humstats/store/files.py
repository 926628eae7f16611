"""Files written whole, and what goes wrong writing them said in one line."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from deltalake.exceptions import DeltaError

from humstats.errors import InputError, StoreError

_CHUNK = 1 << 20


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from error
    return digest.hexdigest(), size


def _write_atomic(target: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _environment(root: Path, error: OSError) -> StoreError:
    """An OS error while writing the store, as one line saying what to fix."""
    hints = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a path in it is a file, not a folder",
        errno.EEXIST: "a path in it is a file, not a folder",
    }
    return StoreError(root, hints.get(error.errno or 0, error.strerror or str(error)))


@contextlib.contextmanager
def _writing(root: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise _environment(root, error) from error
    except DeltaError as error:  # delta-rs reports I/O failures (a full disk) as its own
        raise StoreError(root, _one_line(error)) from error


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _json_object(path: Path) -> dict[str, object] | None:
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None
