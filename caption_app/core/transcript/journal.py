"""The append-only session journal (JSON Lines): autosave that survives kill -9 and power loss.

Records, one JSON object a line, each written with a single ``write`` so a crash can only
damage the last line:

* ``header``  (first line): format name, version, session info
* ``stream``  a streaming connection began (reconnects and rollovers chain them)
* ``turn``    a finished turn with its words; a replaced or relabelled turn is written again
  with the same (stream, order) key and the last one wins on read
* ``gap``     a stretch with no captions (reconnect, pause, device change)
* ``marker``  a line of its own (captions moved to another engine)
* ``title``   the session was renamed
* ``end``     the session ended cleanly (or was closed by recovery), with a summary so the
  history can list a session from its first and last lines

Durability without waiting: the session's thread only hands each record to the writer's
bounded queue. A writer thread gives it to the kernel at once (so a kill -9 a moment later
loses nothing: every turn finished more than a second before it is in the file, normally
within a millisecond), and a syncer thread fsyncs what was written (power loss), so a disk that
stalls on fsync (a USB or network home, an encrypted disk waking up) holds up neither the
audio nor the next writes. A write that fails, or a queue that stays full, is reported at the
next append as ``JournalError``.

While a writer is open it holds an advisory lock on its file, so another instance (and the
history) can tell a running session from one whose process died.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from caption_app.core.model.gaps import Gap, Marker, input_of, inputs_said
from caption_app.core.model.turns import Turn, TurnKey
from caption_app.core.transcript import codec
from caption_app.core.transcript.atomic import fsync_directory
from caption_app.core.transcript.errors import TranscriptFileError
from caption_app.core.transcript.locks import lock_exclusive, unlock
from caption_app.core.transcript.model import (
    SessionInfo,
    SessionTranscript,
    StreamInfo,
    TranscriptDocument,
    turn_word_count,
)

JOURNAL_FORMAT = "caption-app-journal"
JOURNAL_VERSION = 1
JOURNAL_SUFFIX = ".jsonl"
QUEUE_RECORDS = 4096
"""Records waiting for the writer at most (minutes of captions): beyond it the disk has not
taken anything for that long, and saving stops with a message instead of waiting for it."""
CLOSE_WAIT_S = 5.0

log = logging.getLogger(__name__)


class JournalError(TranscriptFileError):
    """A journal cannot be read or written; the message names the file and the reason."""


def encode_record(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def turn_record(turn: Turn) -> dict[str, Any]:
    record: dict[str, Any] = {"type": "turn"}
    record.update(codec.turn_fields(turn))
    record["words"] = [codec.word_to_row(w) for w in turn.words]
    return record


def end_record(
    *,
    title: str,
    duration_ms: int,
    words: int,
    turns: int,
    recovered: bool = False,
    billed_audio_s: float | None = None,
    inputs: tuple[str, ...] = (),
) -> dict[str, Any]:
    record = {
        "type": "end",
        "title": title,
        "ended_at": datetime.now(UTC).isoformat(),
        "duration_ms": duration_ms,
        "words": words,
        "turns": turns,
        "recovered": recovered,
    }
    if billed_audio_s is not None:
        record["billed_audio_s"] = round(billed_audio_s, 3)
    if len(inputs) > 1:  # the History lists every input without reading the whole journal
        record["inputs"] = list(inputs)
    return record


class JournalWriter:
    """Appends one session's records to its journal; the appends come from one thread (the
    session's), the writing and syncing happen on two threads of the writer's own."""

    def __init__(self, path: Path, info: SessionInfo) -> None:
        self.path = path
        self._turn_words: dict[TurnKey, int] = {}
        self._words = 0
        self._duration_ms = 0
        self._title = info.title
        self._source = info.source
        self._markers: list[Marker] = []
        """The inputs captions continued from (``input_marker``s), for the end record."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: a journal is never reused or truncated, whatever the caller passes.
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except OSError as exc:
            raise JournalError(path, f"cannot create it ({exc.strerror or exc})") from exc
        lock_exclusive(self._fd)
        self._queue: queue.Queue[bytes | None] = queue.Queue(QUEUE_RECORDS)
        self._problem: str | None = None
        """Why the writer stopped (a failed write); the next append says so."""
        self._closed = False
        self._progress = threading.Condition()
        self._appended = 0
        self._written = 0
        """Records in the file (the kernel has them)."""
        self._synced = 0
        """Records on the disk (fsync'ed)."""
        self._writing_done = False
        header = {
            "type": "header",
            "format": JOURNAL_FORMAT,
            "version": JOURNAL_VERSION,
            "session": codec.info_to_dict(info),
        }
        self._put(encode_record(header))
        self._writer = threading.Thread(target=self._write_all, name="journal-write", daemon=True)
        self._syncer = threading.Thread(target=self._sync_all, name="journal-sync", daemon=True)
        self._writer.start()
        self._syncer.start()

    @classmethod
    def create(cls, directory: Path, info: SessionInfo) -> JournalWriter:
        return cls(directory / f"{info.id}{JOURNAL_SUFFIX}", info)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        # Leaving on an exception writes no end record: the session is offered for recovery.
        self.close(clean=exc_type is None)

    def append_turn(self, turn: Turn) -> None:
        """Journal a finished (or replaced/relabelled) turn (on disk within milliseconds)."""
        count = turn_word_count(turn)
        self._words += count - self._turn_words.get(turn.key, 0)
        self._turn_words[turn.key] = count
        self._duration_ms = max(self._duration_ms, turn.end_ms)
        self._put(encode_record(turn_record(turn)))

    def append_gap(self, gap: Gap) -> None:
        self._duration_ms = max(self._duration_ms, gap.end_ms)
        self._put(encode_record({"type": "gap", **codec.gap_to_dict(gap)}))

    def append_marker(self, marker: Marker) -> None:
        self._duration_ms = max(self._duration_ms, marker.at_ms)
        if input_of(marker):
            self._markers.append(marker)
        self._put(encode_record({"type": "marker", **codec.marker_to_dict(marker)}))

    def append_stream(self, stream: StreamInfo) -> None:
        self._put(encode_record({"type": "stream", **codec.stream_to_dict(stream)}))

    def set_title(self, title: str) -> None:
        self._title = title
        self._put(encode_record({"type": "title", "title": title}))

    def wait_written(self, timeout: float = CLOSE_WAIT_S, *, synced: bool = False) -> bool:
        """Wait until every record appended so far is in the file (``synced``: and on the
        disk); False if that took longer than ``timeout``."""
        target = self._appended
        with self._progress:
            return self._progress.wait_for(
                lambda: (self._synced if synced else self._written) >= target, timeout
            )

    def close(
        self,
        *,
        clean: bool = True,
        captioned_ms: int = 0,
        billed_audio_s: float | None = None,
        timeout: float = CLOSE_WAIT_S,
    ) -> None:
        """Finish the journal; ``clean`` writes the end record that marks a clean end, with
        the audio captioned as the session's length (one definition, wherever shown). Waits
        up to ``timeout`` for the disk; a journal still waiting for it then is left to its
        threads (everything appended is in the kernel's hands or on its way)."""
        if self._closed:
            return
        self._closed = True
        if clean and self._problem is None:
            record = end_record(
                title=self._title,
                duration_ms=max(self._duration_ms, captioned_ms),
                words=self._words,
                turns=len(self._turn_words),
                billed_audio_s=billed_audio_s,
                inputs=inputs_said(self._source, self._markers),
            )
            try:
                self._queue.put(encode_record(record), timeout=timeout)
                self._appended += 1
                self._queue.put(None, timeout=timeout)  # the writer ends after the records
            except queue.Full:
                self._problem = "the disk has not taken any of it for minutes"
        else:
            with contextlib.suppress(queue.Full):
                self._queue.put(None, timeout=timeout)
        self._writer.join(timeout)
        if self._writer.is_alive():
            log.warning("the journal %s is still waiting for the disk", self.path.name)
        problem = self._problem
        if problem is not None and clean:
            raise JournalError(self.path, problem)

    # the session's thread

    def _put(self, data: bytes) -> None:
        if self._closed:
            raise JournalError(self.path, "the journal is already closed")
        if self._problem is not None:
            raise JournalError(self.path, self._problem)
        try:
            self._queue.put_nowait(data)
        except queue.Full:
            self._problem = "the disk has not taken any of it for minutes"
            raise JournalError(self.path, self._problem) from None
        self._appended += 1

    # the writer's threads

    def _write_all(self) -> None:
        """Each batch of records to the kernel at once; then the syncer gets it to the disk."""
        ending = False
        while not ending:
            batch = [self._queue.get()]
            while None not in batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            ending = None in batch
            records = [b for b in batch if b is not None]
            if records and self._problem is None:
                try:
                    _write_fully(self._fd, b"".join(records))
                except OSError as exc:
                    self._problem = f"writing failed ({exc.strerror or exc})"
                    log.error("journal write failed: %s", exc)
            with self._progress:
                self._written += len(records)
                self._writing_done = ending
                self._progress.notify_all()
        self._syncer.join()
        unlock(self._fd)
        os.close(self._fd)

    def _sync_all(self) -> None:
        """fsync whatever was written since the last fsync; a slow one delays only itself."""
        fsync_directory(self.path.parent)  # the new file's name must survive power loss too
        while True:
            with self._progress:
                self._progress.wait_for(lambda: self._written > self._synced or self._writing_done)
                target, done = self._written, self._writing_done
            try:
                os.fsync(self._fd)
            except OSError as exc:
                log.error("journal sync failed: %s", exc)
            with self._progress:
                self._synced = target
                self._progress.notify_all()
            if done and target == self._written:
                return


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def append_to_closed_journal(path: Path, records: list[dict[str, Any]]) -> None:
    """Append records to a journal no writer has open (rename, recovery); fsync'ed.

    A journal cut off mid-line by a crash first gets a newline, so the torn line stays the
    only damaged one instead of swallowing the new record.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
    except OSError as exc:
        raise JournalError(path, f"cannot be opened for writing ({exc.strerror or exc})") from exc
    try:
        size = os.fstat(fd).st_size
        data = b"".join(encode_record(r) for r in records)
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        _write_fully(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class RecoveredSession:
    """A journal read back: the transcript, whether it ended cleanly, and what was skipped."""

    path: Path
    document: TranscriptDocument
    clean_end: bool
    skipped_lines: int
    recovered: bool = False
    """The end record was written by crash recovery, not by the session itself."""


_DAMAGE = (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError)
"""What decoding a damaged or hand-edited record can raise (a date out of range, nesting too
deep to parse, a list where an object belongs)."""


def parse_header(path: Path, line: bytes) -> SessionInfo:
    """Check the first line of a journal; raises ``JournalError`` naming the file."""
    try:
        header = json.loads(line)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JournalError(path, "it is not a Caption App transcript (unreadable start)") from None
    if not isinstance(header, dict) or header.get("format") != JOURNAL_FORMAT:
        raise JournalError(path, "it is not a Caption App transcript")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise JournalError(path, "its format version is missing")
    if version > JOURNAL_VERSION:
        raise JournalError(
            path,
            f"it was written by a newer version of Caption App (journal format {version}; "
            f"this version reads up to {JOURNAL_VERSION}). Update Caption App to open it.",
        )
    try:
        session = header["session"]
        if not isinstance(session, dict):
            raise TypeError("the session is not an object")
        return codec.info_from_dict(session)
    except _DAMAGE as exc:
        raise JournalError(path, f"its session header is damaged ({exc})") from None


def read_journal(path: Path) -> RecoveredSession:
    """Read a journal back, skipping (and counting) damaged lines; never changes the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JournalError(path, f"cannot be read ({exc.strerror or exc})") from exc
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last complete record
    if not lines:
        raise JournalError(path, "it is empty")
    info = parse_header(path, lines[0])
    replay = _Replay(info)
    for line in lines[1:]:
        replay.feed(line)
    return RecoveredSession(
        path=path,
        document=replay.transcript.snapshot(replay.ended_at),
        clean_end=replay.ended_at is not None,
        skipped_lines=replay.skipped,
        recovered=replay.recovered,
    )


class _Replay:
    def __init__(self, info: SessionInfo) -> None:
        self.transcript = SessionTranscript(info)
        self.skipped = 0
        self.ended_at: datetime | None = None
        self.recovered = False

    def feed(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
            self._apply(record)
        except (UnicodeDecodeError, *_DAMAGE):
            self.skipped += 1  # a torn or damaged line: keep everything else

    def _apply(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        if kind == "turn":
            words = tuple(codec.word_from_row(row) for row in record["words"])
            self.transcript.put_turn(codec.turn_from_fields(record, words))
        elif kind == "gap":
            gap = codec.gap_from_dict(record)
            self.transcript.add_gap(gap.start_ms, gap.end_ms, gap.reason)
        elif kind == "marker":
            marker = codec.marker_from_dict(record)
            self.transcript.add_marker(marker.at_ms, marker.text)
        elif kind == "stream":
            stream = codec.stream_from_dict(record)
            self.transcript.add_stream(stream.index, stream.session_id, stream.offset_ms)
        elif kind == "title":
            title = record["title"]
            if not isinstance(title, str):
                raise ValueError("title is not text")
            self.transcript.rename(title)
        elif kind == "end":
            title = record.get("title")
            if isinstance(title, str):
                self.transcript.rename(title)
            self.ended_at = codec.parse_time(record["ended_at"])
            self.recovered = bool(record.get("recovered", False))
            self.transcript.set_totals(
                int(_number(record, "duration_ms") or 0), _number(record, "billed_audio_s")
            )
        # Unknown record types from a newer minor revision are ignored, not counted as damage.


def _number(record: dict[str, Any], name: str) -> Any:
    """A summary figure of the end record, or None: a damaged one costs only itself."""
    value = record.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if 0 <= value < 1e12 else None
