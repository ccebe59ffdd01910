"""Attempts kept on the app server until the progress database has them: durably, in order, written once.

Every checked answer of a signed-in student goes here first (a local SQLite file, fsynced at each
commit), then to the progress database (`flush`). When the database is away (a PostgreSQL restart in
the middle of a class), the attempts wait here, through app restarts too, and are written when it
answers again: in the order they were checked, each exactly once, since each carries the id chosen
when it was checked (`attempt_uid`) and the store ignores a second write of the same id.

The file holds the students' keys (their return codes' hashes, as the database does), never the codes.
`OutboxDrainer` is the thread that keeps retrying while attempts wait. Pure Python: no Streamlit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from gptlab.classroom import records as R

if TYPE_CHECKING:  # the store (and SQLAlchemy) only when the database is written: OutboxDrainer opens it
    from gptlab.classroom.store import ProgressStore

UTC = timezone.utc
OUTBOX_ENV = "GPTLAB_PROGRESS_OUTBOX"
LOCK_WAIT_S = 10.0  # a check waits this long for another flush in progress, then leaves its attempt to the drainer
KEEP_WRITTEN = timedelta(days=1)  # written entries are kept this long (a page asks whether its attempt was saved)
PENDING, WRITTEN, FAILED = "pending", "written", "failed"

_log = logging.getLogger("gptlab.classroom.outbox")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- the order attempts were checked in, on this server
    attempt_uid TEXT NOT NULL UNIQUE,
    target TEXT NOT NULL,                    -- sha256 of the database URL the attempt is for
    student_key TEXT NOT NULL,
    exercise_id TEXT NOT NULL,
    lesson_id TEXT NOT NULL,
    checker_version TEXT NOT NULL,
    answer TEXT NOT NULL,
    answer_shown TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    feedback TEXT NOT NULL,
    checked_at TEXT NOT NULL,                -- ISO 8601, UTC
    state TEXT NOT NULL DEFAULT 'pending',   -- pending, written, failed
    attempt_id INTEGER,                      -- the database's id, once written
    failure TEXT,                            -- why the database refused it (failed)
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_target_state ON outbox (target, state, seq);
"""


def default_path(database_url: str) -> Path:
    """GPTLAB_PROGRESS_OUTBOX, else beside a SQLite progress file, else in GPT Lab's cache folder."""
    given = os.environ.get(OUTBOX_ENV, "").strip()
    if given:
        return Path(given).expanduser().resolve()
    if database_url.startswith("sqlite:///") and database_url.removeprefix("sqlite:///") not in ("", ":memory:"):
        database = Path(database_url.removeprefix("sqlite:///"))
        return database.with_name(database.name + ".outbox")
    from gptlab.models import cache_dir  # cheap: gptlab.models imports nothing heavy at import

    return cache_dir().resolve() / "progress-outbox.sqlite3"


def new_attempt_uid() -> str:
    """The id of an attempt, chosen when it is checked: 128 random bits."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class PendingAttempt:
    seq: int
    attempt_uid: str
    student_key: str
    record: R.AttemptRecord
    checked_at: datetime  # UTC


@dataclass(frozen=True)
class FlushResult:
    written: int  # attempts this flush wrote (or found written already)
    pending: int  # attempts still waiting for the database
    failed: int  # attempts the database refused for good in this flush (e.g. the student is gone)
    error: str | None = None  # why the flush stopped early: the database is away; None otherwise


def _target(database_url: str) -> str:
    return hashlib.sha256(database_url.encode("utf-8")).hexdigest()


class Outbox:
    """The attempts of one progress database (`database_url`) kept on this server. Thread- and process-safe."""

    def __init__(self, path: Path | str, database_url: str) -> None:
        self.path = Path(path)
        self.target = _target(database_url)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._flush_lock = threading.Lock()
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            # WAL and FULL sync: an attempt reported as kept survives a crash and a power cut.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.row_factory = sqlite3.Row
            yield conn
        finally:
            conn.close()

    # -- keeping -------------------------------------------------------------------------------

    def add(self, student_key: str, record: R.AttemptRecord, *, attempt_uid: str | None = None,
            checked_at: datetime | None = None) -> PendingAttempt:
        """Keep one checked attempt (committed to disk when this returns); InvalidAttempt if the store would refuse it."""
        R.check_attempt(record)
        uid = attempt_uid or new_attempt_uid()
        if not R.UID_PATTERN.fullmatch(uid):
            raise R.InvalidAttempt(f"bad attempt_uid {uid!r}")
        when = (checked_at or datetime.now(UTC)).astimezone(UTC)
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO outbox (attempt_uid, target, student_key, exercise_id, lesson_id, checker_version,"
                " answer, answer_shown, status, score, feedback, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (uid, self.target, student_key, record.exercise_id, record.lesson_id, record.checker_version,
                 record.answer, record.answer_shown, record.status, float(record.score), record.feedback,
                 when.isoformat()),
            )
            seq = cursor.lastrowid
        return PendingAttempt(seq, uid, student_key, record, when)

    @staticmethod
    def _pending_from_row(row: sqlite3.Row) -> PendingAttempt:
        record = R.AttemptRecord(row["exercise_id"], row["lesson_id"], row["checker_version"], row["answer"],
                                 row["status"], row["score"], row["feedback"], row["answer_shown"])
        return PendingAttempt(row["seq"], row["attempt_uid"], row["student_key"], record,
                              datetime.fromisoformat(row["checked_at"]))

    def pending(self, student_key: str | None = None) -> tuple[PendingAttempt, ...]:
        """The attempts still waiting, oldest first (one student's when `student_key` is given)."""
        query = "SELECT * FROM outbox WHERE target = ? AND state = 'pending'"
        args: tuple = (self.target,)
        if student_key is not None:
            query += " AND student_key = ?"
            args += (student_key,)
        with self._connect() as conn:
            return tuple(self._pending_from_row(row) for row in conn.execute(query + " ORDER BY seq", args))

    def count(self) -> int:
        """How many attempts wait for this database."""
        with self._connect() as conn:
            return conn.execute("SELECT COUNT(*) FROM outbox WHERE target = ? AND state = 'pending'",
                                (self.target,)).fetchone()[0]

    def state(self, attempt_uid: str) -> str | None:
        """PENDING, WRITTEN, FAILED, or None for an id this outbox does not know (or no longer remembers)."""
        with self._connect() as conn:
            row = conn.execute("SELECT state FROM outbox WHERE attempt_uid = ?", (attempt_uid,)).fetchone()
        return None if row is None else row["state"]

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _exclusive(self, wait_s: float) -> Iterator[bool]:
        """One flush at a time on this outbox, across threads and processes; yields whether we got it."""
        deadline = time.monotonic() + wait_s
        if not self._flush_lock.acquire(timeout=max(wait_s, 0.0)):
            yield False
            return
        try:
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock_file:
                while True:
                    try:
                        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            yield False
                            return
                        time.sleep(0.05)
                try:
                    yield True
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._flush_lock.release()

    def flush(self, store: ProgressStore, *, wait_s: float = LOCK_WAIT_S) -> FlushResult:
        """Write the waiting attempts to `store`, oldest first; stop at the first the database cannot take now.

        An attempt the database refuses for good (its student is unknown there, the record is malformed)
        is set aside as failed, logged, and does not hold up the others.
        """
        written = failed = 0
        with self._exclusive(wait_s) as mine:
            if not mine:
                return FlushResult(0, self.count(), 0, "another flush is in progress")
            for item in self.pending():
                try:
                    attempt_id = store.record_for_key(item.student_key, item.record, attempt_uid=item.attempt_uid,
                                                      checked_at=item.checked_at)
                except (R.UnknownStudent, R.InvalidAttempt) as error:
                    _log.error("attempt %s of %s refused by the progress database, set aside: %s",
                               item.attempt_uid, item.record.exercise_id, error)
                    self._finish(item.attempt_uid, FAILED, failure=f"{type(error).__name__}: {error}")
                    failed += 1
                    continue
                except Exception as error:  # noqa: BLE001 - the database is away: keep the rest for later
                    remaining = self.count()
                    _log.warning("progress database unreachable, %d attempt(s) kept on this server: %s",
                                 remaining, type(error).__name__)
                    return FlushResult(written, remaining, failed, f"{type(error).__name__}: {error}"[:500])
                self._finish(item.attempt_uid, WRITTEN, attempt_id=attempt_id)
                written += 1
            self._forget_old()
        if written:
            _log.info("wrote %d kept attempt(s) to the progress database", written)
        return FlushResult(written, self.count(), failed, None)

    def _finish(self, attempt_uid: str, state: str, *, attempt_id: int | None = None, failure: str | None = None) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE outbox SET state = ?, attempt_id = ?, failure = ?, done_at = ? WHERE attempt_uid = ?",
                         (state, attempt_id, failure, datetime.now(UTC).isoformat(), attempt_uid))

    def _forget_old(self) -> None:
        cutoff = (datetime.now(UTC) - KEEP_WRITTEN).isoformat()
        with self._connect() as conn:
            conn.execute("DELETE FROM outbox WHERE state = 'written' AND done_at < ?", (cutoff,))


_DRAINERS: weakref.WeakSet = weakref.WeakSet()  # every running drainer of this process


def stop_drainers() -> None:
    """Stop every drainer of this process (what is kept stays kept; the next start writes it)."""
    for drainer in list(_DRAINERS):
        drainer.stop()


class OutboxDrainer:
    """A daemon thread that flushes an outbox while attempts wait: at once when woken, then backing off
    (1 s, 2 s, 4 s... up to `max_wait_s`) while the database stays away."""

    def __init__(self, outbox: Outbox, store: Callable[[], ProgressStore], *, first_wait_s: float = 1.0,
                 max_wait_s: float = 30.0, idle_wait_s: float = 60.0) -> None:
        self.outbox = outbox
        self._store = store
        self._first, self._max, self._idle = first_wait_s, max_wait_s, idle_wait_s
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gptlab-outbox", daemon=True)
        self._thread.start()
        _DRAINERS.add(self)

    def wake(self) -> None:
        """Try now (an attempt was just kept)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        self._thread.join(timeout=30)
        _DRAINERS.discard(self)

    def _run(self) -> None:
        wait = 0.0  # the first round runs at once: attempts kept before a restart are written on start
        while not self._stopped.is_set():
            self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                if self.outbox.count() == 0:
                    wait = self._idle
                    continue
                result = self.outbox.flush(self._store())
            except Exception:  # noqa: BLE001 - the thread must outlive any failure
                _log.exception("outbox drainer failed; retrying")
                result = FlushResult(0, 1, 0, "drainer failure")
            if result.error is None and result.pending == 0:
                wait = self._idle
            else:
                wait = self._first if wait >= self._idle or wait == 0 else min(wait * 2, self._max)
