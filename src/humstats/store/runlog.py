"""The run log: one JSON line per ingest or run, appended whole."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from humstats.store.files import _writing


class RunLog:
    """``Store``'s part that writes and reads ``processed/runs.jsonl``."""

    def log_run(self, record: dict[str, object]) -> None:
        """Append one JSON line; a line is written whole or, after a crash, not at all.

        A torn last line (a crash or a full disk mid-write) is ended first, so it never
        swallows the record appended after it.
        """
        self._local("the run log")
        line = (json.dumps(record, default=str, ensure_ascii=False) + "\n").encode("utf-8")
        with _writing(self.root):
            self.processed_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.runs_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def runs(
        self, last: int | None = None, *, containing: str | None = None
    ) -> list[dict[str, object]]:
        """The run log, oldest first (only the ``last`` lines, read from the end of the file,
        when given); a torn line (a crash mid-write) is skipped. With ``containing``, only
        lines holding that text are parsed: a scan of years of hourly runs for the few that
        matter (failed inputs) reads the file but decodes almost none of it."""
        if not self.runs_path.exists():
            return []
        lines = _tail(self.runs_path, last) if last is not None else None
        if lines is None:
            text = self.runs_path.read_text(encoding="utf-8", errors="replace")
            lines = text.splitlines()
        records = [
            record
            for line in lines
            if containing is None or containing in line
            if (record := _record(line)) is not None
        ]
        return records[-last:] if last is not None else records

    def runs_newest_first(self, block: int = 64 * 1024) -> Iterator[dict[str, object]]:
        """The run log from its end, one record at a time, so a caller that needs only the
        recent past (the last rendered period) stops early; a torn line is skipped."""
        try:
            handle = self.runs_path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            end = handle.seek(0, os.SEEK_END)
            rest = b""
            while end > 0:
                start = max(0, end - block)
                handle.seek(start)
                lines = (handle.read(end - start) + rest).split(b"\n")
                end = start
                rest = lines.pop(0) if start > 0 else b""  # may start mid-line
                for line in reversed(lines):
                    if (record := _record(line.decode("utf-8", "replace"))) is not None:
                        yield record


def _record(line: str) -> dict[str, object] | None:
    """One run-log line as its record; None for a torn or foreign line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def _tail(path: Path, count: int) -> list[str]:
    """The last ``count`` (+1, a torn one may be skipped) lines, reading back from the end."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        block = 64 * 1024
        while True:
            start = max(0, size - block)
            handle.seek(start)
            chunk = handle.read(size - start)
            lines = chunk.splitlines()
            if start == 0 or len(lines) > count + 1:
                kept = lines if start == 0 else lines[1:]
                return [line.decode("utf-8", "replace") for line in kept[-(count + 1) :]]
            block *= 4
