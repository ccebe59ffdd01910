"""Saved progress: classes, students and an append-only log of attempts, in SQLite or PostgreSQL.

No attempt row is ever updated or deleted. A regrade appends a row that points at the original
(`regrade_of`), so the history stays whole and the current verdict of an answer is its newest row.

Who may read what: a student's methods take the student's secret token (their return code,
gptlab.classroom.codes) and see that student's rows only. The class views (`exercise_summary`,
`student_summary`, `attempts`) take a class code: the caller authorises them, and GPT Lab's instructor
page does so with the server's instructor secret. A student studying alone has a personal profile: a
student of the reserved class PERSONAL_CLASS, which no class code can name, so no class view shows it.

Every attempt may carry an id chosen when it was checked (`attempt_uid`): writing it again is a no-op,
so an attempt kept on the app server while the database was away (gptlab.classroom.outbox) is written
once however many times the write is retried.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import threading
import time
import weakref
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Double,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from gptlab.classroom.codes import canonical_code, new_return_code
# The records, their limits and checks, and the errors: defined without SQLAlchemy (the pages import them from
# there), re-exported here so that the store's callers find everything under one name.
from gptlab.classroom.location import database_url  # noqa: F401  (re-exported)
from gptlab.classroom.records import (  # noqa: F401  (re-exported)
    CLASS_CODE_PATTERN,
    ERRORS,
    MAX_ANSWER_CHARS,
    MAX_CLASS_NAME_CHARS,
    MAX_FEEDBACK_CHARS,
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_VERSION_CHARS,
    PERSONAL_CLASS,
    SOLVED,
    STATUSES,
    UID_PATTERN,
    AttemptRecord,
    ClassExists,
    ClassInfo,
    ClassNotFound,
    ExerciseProgress,
    ExerciseSummary,
    Grade,
    InvalidAttempt,
    InvalidClassCode,
    InvalidClassName,
    InvalidName,
    LessonProgress,
    NameTaken,
    ProgressError,
    SavedAttempt,
    StudentSession,
    StudentSummary,
    UnknownStudent,
    _attempt_values,
    _check_grade,
    _check_id,
    _clean_text,
    _one_line,
    check_attempt,
    name_key,
    normalize_class_code,
    normalize_name,
    student_key,
)

UTC = timezone.utc
Clock = Callable[[], datetime]
T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Engine settings

PG_CONNECT_TIMEOUT_S = 5  # a database host that does not answer is "away" after this, not after TCP's minutes

SQLITE_BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for the lock before SQLite gives up
WRITE_RETRIES = 8  # then we retry that many times more, with jittered backoff
_SCHEMA_LOCK_KEY = 0x6770746C6162  # "gptlab": PostgreSQL advisory lock held while creating tables
_WRITE = "gptlab_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)

# --------------------------------------------------------------------------------------------
# Schema


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: progress times are UTC and must say so")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

classes = Table(
    "progress_classes",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(MAX_CLASS_NAME_CHARS), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

students = Table(
    "progress_students",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("class_code", String(20), ForeignKey(classes.c.code), nullable=False),
    Column("display_name", String(MAX_NAME_CHARS), nullable=False),
    Column("name_key", Text, nullable=False),  # NFKC + casefold: "Ana" and "ＡＮＡ" are one name
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("class_code", "name_key"),
)

attempts = Table(
    "progress_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("student_id", Integer, ForeignKey(students.c.id), nullable=False),
    Column("exercise_id", String(MAX_ID_CHARS), nullable=False),
    Column("lesson_id", String(MAX_ID_CHARS), nullable=False),
    Column("checker_version", String(MAX_VERSION_CHARS), nullable=False),
    Column("answer", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("score", Double, nullable=False),
    Column("feedback", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("regrade_of", Integer, ForeignKey("progress_attempts.id"), nullable=True),
    # Added later (see _MIGRATIONS): databases from before them get the columns when first opened.
    Column("attempt_uid", String(32), nullable=True),  # chosen at check time; NULL for regrades and old rows
    Column("answer_shown", Text, nullable=True),
    CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
    CheckConstraint("status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES)), name="status"),
    Index(None, "student_id", "exercise_id"),
    Index(None, "exercise_id"),
    Index(None, "regrade_of"),
    Index("uq_progress_attempts_attempt_uid", "attempt_uid", unique=True),
)

# Columns added after the first release, in order: (table, column). ALTER TABLE ... ADD COLUMN of a
# nullable column, the same on SQLite and PostgreSQL; old rows read NULL.
_MIGRATIONS = ((attempts, "attempt_uid"), (attempts, "answer_shown"))

# The current verdict of each answer: the newest row among the original and its regrades.
_root = func.coalesce(attempts.c.regrade_of, attempts.c.id)


def _current_ids(*where) -> Any:
    """Subquery of the ids of current rows (one per original attempt), filtered by `where`."""
    return select(func.max(attempts.c.id).label("id")).where(*where).group_by(_root).subquery()


# --------------------------------------------------------------------------------------------
# Engines: one per URL, configured for many concurrent writers


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # SQLAlchemy emits BEGIN itself (_sqlite_begin); the driver's own transaction guessing is off.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # WAL: readers never block the writer nor each other, and a crash mid-write leaves the last
    # committed state. synchronous=FULL also fsyncs the log at each commit, so an attempt the app
    # reported as saved survives a power cut too (NORMAL would only survive an app crash); a
    # classroom writes a few attempts a second, far below what FULL allows.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the lock at BEGIN (IMMEDIATE): a deferred transaction that reads then writes
    # can fail at once with "database is locked" when another writer got in between, whatever
    # the busy timeout; waiting for the lock up front is what makes concurrent writers safe.
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    """A new engine for `url`, configured for GPT Lab (prefer `engine_for`, which caches)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver we ship (psycopg 3)
    if parsed.get_backend_name() == "postgresql":
        # pre_ping: a restarted server is not an error; connect_timeout: a host gone away fails fast.
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        # One shared connection, else every connection gets its own empty database: tests only.
        engine = create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        if not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, pool_size=8, max_overflow=16
        )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """The one engine of this process for `url`."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = make_engine(url)
        return engine


_SCHEMA_READY: weakref.WeakSet[Engine] = weakref.WeakSet()
_SCHEMA_LOCK = threading.Lock()


def ensure_schema(engine: Engine) -> None:
    """Create the tables if missing and add later columns to older ones; idempotent, and safe when
    several processes do it at once."""
    with _SCHEMA_LOCK:
        if engine in _SCHEMA_READY:
            return

        def create(conn: Connection) -> None:
            if conn.dialect.name == "postgresql":
                # Two servers creating the same table at once collide in PostgreSQL's catalog.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            metadata.create_all(conn)  # checks first; inside SQLite's BEGIN IMMEDIATE, so serialized
            _migrate(conn)
            if conn.execute(select(classes.c.code).where(classes.c.code == PERSONAL_CLASS)).first() is None:
                conn.execute(insert(classes).values(code=PERSONAL_CLASS, name="personal profiles",
                                                    created_at=datetime.now(UTC)))

        _run(engine, create, write=True)
        _SCHEMA_READY.add(engine)


def _migrate(conn: Connection) -> None:
    """Add the columns of _MIGRATIONS an older database lacks, and their indexes."""
    added = False
    for table, name in _MIGRATIONS:
        present = {column["name"] for column in inspect(conn).get_columns(table.name)}
        if name not in present:
            column = table.c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}")
            added = True
    if added:
        for index in attempts.indexes:
            index.create(conn, checkfirst=True)


def _is_lock_error(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "locked" in message or "busy" in message


def _run(engine: Engine, work: Callable[[Connection], T], *, write: bool) -> T:
    """Run `work` in one transaction; a SQLite lock timeout is retried (nothing was written)."""
    for attempt in itertools.count():
        try:
            with engine.connect() as conn:
                conn.execution_options(**{_WRITE: write})
                with conn.begin():
                    return work(conn)
        except OperationalError as error:
            if engine.dialect.name != "sqlite" or not _is_lock_error(error) or attempt >= WRITE_RETRIES:
                raise
            time.sleep(random.uniform(0.01, 0.05) * 2**attempt)
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------
# Grades


def _as_grade(result: Grade | Sequence[Any]) -> Grade:
    return result if isinstance(result, Grade) else Grade(*result)


# --------------------------------------------------------------------------------------------
# The store


def _attempt_from_row(row: Any) -> SavedAttempt:
    return SavedAttempt(
        attempt_id=row.id,
        regrade_of=row.regrade_of,
        class_code=row.class_code,
        student_id=row.student_id,
        student_name=row.display_name,
        exercise_id=row.exercise_id,
        lesson_id=row.lesson_id,
        checker_version=row.checker_version,
        status=row.status,
        score=row.score,
        feedback=row.feedback,
        answer=row.answer,
        created_at=row.created_at,
        answer_shown=row.answer_shown or "",
    )


_ATTEMPT_COLUMNS = (
    attempts.c.id,
    attempts.c.regrade_of,
    students.c.class_code,
    attempts.c.student_id,
    students.c.display_name,
    attempts.c.exercise_id,
    attempts.c.lesson_id,
    attempts.c.checker_version,
    attempts.c.status,
    attempts.c.score,
    attempts.c.feedback,
    attempts.c.answer,
    attempts.c.created_at,
    attempts.c.answer_shown,
)


class ProgressStore:
    """Classes, students and attempts in one database. Thread-safe; share one per server."""

    def __init__(self, engine: Engine | str | None = None, *, clock: Clock | None = None) -> None:
        if engine is None:
            engine = database_url()
        self.engine = engine_for(engine) if isinstance(engine, str) else engine
        self._clock = clock or (lambda: datetime.now(UTC))
        ensure_schema(self.engine)

    @property
    def location(self) -> str:
        """Where progress is saved, password masked."""
        return self.engine.url.render_as_string(hide_password=True)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        return now.astimezone(UTC)

    def _read(self, work: Callable[[Connection], T]) -> T:
        return _run(self.engine, work, write=False)

    def _write(self, work: Callable[[Connection], T]) -> T:
        return _run(self.engine, work, write=True)

    # -- classes ---------------------------------------------------------------------------

    def create_class(self, code: str, name: str) -> ClassInfo:
        """A new class; students join it with its code."""
        code = normalize_class_code(code)
        name = _one_line(name, MAX_CLASS_NAME_CHARS, InvalidClassName)
        row = {"code": code, "name": name, "created_at": self._now()}
        try:
            self._write(lambda conn: conn.execute(insert(classes).values(row)))
        except IntegrityError:
            raise ClassExists(f"class {code} exists", code=code) from None
        return ClassInfo(code, name, row["created_at"])

    def class_info(self, code: str) -> ClassInfo:
        code = normalize_class_code(code)
        row = self._read(lambda conn: conn.execute(select(classes).where(classes.c.code == code)).first())
        if row is None:
            raise ClassNotFound(f"no class {code}", code=code)
        return ClassInfo(row.code, row.name, row.created_at)

    def list_classes(self) -> tuple[ClassInfo, ...]:
        """Every class, newest first (the personal profiles' reserved class is no class)."""
        query = (
            select(classes)
            .where(classes.c.code != PERSONAL_CLASS)
            .order_by(classes.c.created_at.desc(), classes.c.code)
        )
        rows = self._read(lambda conn: list(conn.execute(query)))
        return tuple(ClassInfo(row.code, row.name, row.created_at) for row in rows)

    # -- students --------------------------------------------------------------------------

    def join(self, class_code: str, display_name: str) -> StudentSession:
        """Enter a class under a name not yet taken there; keep the token to come back (`resume`)."""
        code = normalize_class_code(class_code)
        name = normalize_name(display_name)
        token = new_return_code()

        def add(conn: Connection) -> int:
            if conn.execute(select(classes.c.code).where(classes.c.code == code)).first() is None:
                raise ClassNotFound(f"no class {code}", code=code)
            return self._add_student(conn, code, name, name_key(name), token)

        try:
            student_id = self._write(add)
        except IntegrityError:
            raise NameTaken(f"{name!r} is taken in {code}", name=name, code=code) from None
        return StudentSession(token, student_id, name, code)

    def create_profile(self, display_name: str) -> StudentSession:
        """A personal profile for a student studying alone: saved progress and a return code, no class.

        Names need not be unique here: nobody else sees them.
        """
        name = normalize_name(display_name)
        token = new_return_code()
        key = student_key(token)
        student_id = self._write(lambda conn: self._add_student(conn, PERSONAL_CLASS, name, f"personal:{key}", token))
        return StudentSession(token, student_id, name, PERSONAL_CLASS)

    def _add_student(self, conn: Connection, code: str, name: str, key: str, token: str) -> int:
        row = {"class_code": code, "display_name": name, "name_key": key, "token_hash": student_key(token),
               "created_at": self._now()}
        return conn.execute(insert(students).values(row).returning(students.c.id)).scalar_one()

    def resume(self, token: str) -> StudentSession:
        """The student whose return code this is (case, spaces and dashes do not matter); UnknownStudent otherwise.

        The session keeps the code as the student's own: grouped, in capitals (an older code as it was).
        """
        row = self._read(lambda conn: self._student(conn, token))
        code = canonical_code(token)
        shown = "-".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else token.strip()
        return StudentSession(shown, row.id, row.display_name, row.class_code)

    @classmethod
    def _student(cls, conn: Connection, token: object) -> Any:
        return cls._student_by_key(conn, student_key(token) if isinstance(token, str) and token.strip() else "")

    @staticmethod
    def _student_by_key(conn: Connection, key: str) -> Any:
        row = None
        if key:
            row = conn.execute(select(students).where(students.c.token_hash == key)).first()
        if row is None:
            raise UnknownStudent("unknown student token")
        return row

    # -- attempts --------------------------------------------------------------------------

    def record(
        self, token: str, attempt: AttemptRecord, *, attempt_uid: str | None = None, checked_at: datetime | None = None
    ) -> int:
        """Append one attempt of the student holding `token`; returns its id once committed.

        With `attempt_uid` (chosen when the answer was checked) the write is idempotent: when a row with
        that id exists already, nothing is written and its id is returned. `checked_at` (UTC) is when the
        answer was checked, when that was earlier than now.
        """
        return self.record_for_key(student_key(token), attempt, attempt_uid=attempt_uid, checked_at=checked_at)

    def record_for_key(
        self, key: str, attempt: AttemptRecord, *, attempt_uid: str | None = None, checked_at: datetime | None = None
    ) -> int:
        """`record` for the student whose token hashes to `key` (StudentSession.key): what an attempt kept
        for later (gptlab.classroom.outbox) holds instead of the student's secret."""
        values = _attempt_values(attempt)
        if attempt_uid is not None and (not isinstance(attempt_uid, str) or not UID_PATTERN.fullmatch(attempt_uid)):
            raise InvalidAttempt(f"attempt_uid must be 32 lower-case hex digits, got {attempt_uid!r}")
        if checked_at is not None and checked_at.tzinfo is None:
            raise InvalidAttempt("checked_at must be an aware datetime")

        def add(conn: Connection) -> int:
            student = self._student_by_key(conn, key)
            if attempt_uid is not None:
                found = conn.execute(
                    select(attempts.c.id, attempts.c.student_id).where(attempts.c.attempt_uid == attempt_uid)
                ).first()
                if found is not None:
                    if found.student_id != student.id:
                        raise InvalidAttempt("attempt_uid belongs to another student")
                    return found.id
            row = {**values, "student_id": student.id, "created_at": checked_at or self._now(),
                   "regrade_of": None, "attempt_uid": attempt_uid}
            return conn.execute(insert(attempts).values(row).returning(attempts.c.id)).scalar_one()

        try:
            return self._write(add)
        except IntegrityError:
            if attempt_uid is None:
                raise
            # Another writer inserted the same attempt between our look and our insert: it is written.
            found = self._read(lambda conn: conn.execute(
                select(attempts.c.id).where(attempts.c.attempt_uid == attempt_uid)).scalar_one_or_none())
            if found is None:
                raise
            return found

    def my_attempts(self, token: str, exercise_id: str | None = None) -> tuple[SavedAttempt, ...]:
        """The student's own answers, each with its current verdict, oldest first."""

        def read(conn: Connection) -> tuple[SavedAttempt, ...]:
            student = self._student(conn, token)
            where = [attempts.c.student_id == student.id]
            if exercise_id is not None:
                where.append(attempts.c.exercise_id == exercise_id)
            current = _current_ids(*where)
            query = (
                select(*_ATTEMPT_COLUMNS)
                .join(students, students.c.id == attempts.c.student_id)
                .join(current, current.c.id == attempts.c.id)
                .order_by(_root)
            )
            return tuple(_attempt_from_row(row) for row in conn.execute(query))

        return self._read(read)

    def _per_exercise(self, conn: Connection, *where) -> list[Any]:
        """(student_id, exercise_id, best, solved, attempts) over current verdicts."""
        current = _current_ids(*where)
        query = (
            select(
                attempts.c.student_id,
                attempts.c.exercise_id,
                func.max(attempts.c.score).label("best"),
                func.max(case((attempts.c.status == SOLVED, 1), else_=0)).label("solved"),
                func.count().label("attempts"),
            )
            .join(current, current.c.id == attempts.c.id)
            .group_by(attempts.c.student_id, attempts.c.exercise_id)
        )
        return list(conn.execute(query))

    def best_scores(self, token: str) -> dict[str, float]:
        """{exercise_id: best current score} for the student holding `token` only."""

        def read(conn: Connection) -> dict[str, float]:
            student = self._student(conn, token)
            rows = self._per_exercise(conn, attempts.c.student_id == student.id)
            return {row.exercise_id: row.best for row in rows}

        return self._read(read)

    def lesson_progress(
        self, token: str, lesson_id: str, exercise_ids: Iterable[str] | None = None
    ) -> LessonProgress:
        """One student's standing on a lesson's exercises (those given, in order; else those tried)."""

        def read(conn: Connection) -> LessonProgress:
            student = self._student(conn, token)
            where = [attempts.c.student_id == student.id]
            wanted = None if exercise_ids is None else list(dict.fromkeys(exercise_ids))
            where.append(attempts.c.lesson_id == lesson_id if wanted is None else attempts.c.exercise_id.in_(wanted))
            found = {row.exercise_id: row for row in self._per_exercise(conn, *where)}
            order = sorted(found) if wanted is None else wanted
            return LessonProgress(
                lesson_id,
                tuple(
                    ExerciseProgress(ex, found[ex].attempts, found[ex].best, bool(found[ex].solved))
                    if ex in found
                    else ExerciseProgress(ex, 0, None, False)
                    for ex in order
                ),
            )

        return self._read(read)

    # -- class views: the caller authorises them (GPT Lab: the instructor secret) -----------

    def exercise_summary(self, class_code: str) -> tuple[ExerciseSummary, ...]:
        """Per exercise: how many students tried it, how many solved it, the success rate."""
        code = self.class_info(class_code).code
        in_class = attempts.c.student_id.in_(select(students.c.id).where(students.c.class_code == code))
        rows = self._read(lambda conn: self._per_exercise(conn, in_class))
        tried: dict[str, list[Any]] = {}
        for row in rows:
            tried.setdefault(row.exercise_id, []).append(row)
        summaries = []
        for exercise_id in sorted(tried):
            group = tried[exercise_id]
            correct = sum(1 for row in group if row.solved)
            summaries.append(
                ExerciseSummary(
                    exercise_id=exercise_id,
                    students_attempted=len(group),
                    students_correct=correct,
                    success_rate=correct / len(group),
                    attempts=sum(row.attempts for row in group),
                )
            )
        return tuple(summaries)

    def student_summary(self, class_code: str) -> tuple[StudentSummary, ...]:
        """Per student of the class (those with no attempt too), by name."""
        code = self.class_info(class_code).code

        def read(conn: Connection) -> tuple[list[Any], list[Any], list[Any]]:
            roster = list(conn.execute(select(students).where(students.c.class_code == code)))
            in_class = attempts.c.student_id.in_(select(students.c.id).where(students.c.class_code == code))
            per_exercise = self._per_exercise(conn, in_class)
            last = list(
                conn.execute(
                    select(attempts.c.student_id, func.max(attempts.c.created_at).label("last"))
                    .where(in_class, attempts.c.regrade_of.is_(None))
                    .group_by(attempts.c.student_id)
                )
            )
            return roster, per_exercise, last

        roster, per_exercise, last = self._read(read)
        last_by_student = {row.student_id: row.last for row in last}
        by_student: dict[int, list[Any]] = {}
        for row in per_exercise:
            by_student.setdefault(row.student_id, []).append(row)
        summaries = []
        for student in roster:
            rows = by_student.get(student.id, [])
            summaries.append(
                StudentSummary(
                    student_id=student.id,
                    name=student.display_name,
                    exercises_attempted=len(rows),
                    exercises_correct=sum(1 for row in rows if row.solved),
                    mean_best_score=sum(row.best for row in rows) / len(rows) if rows else None,
                    attempts=sum(row.attempts for row in rows),
                    last_activity=last_by_student.get(student.id),
                    joined_at=student.created_at,
                )
            )
        return tuple(sorted(summaries, key=lambda s: (name_key(s.name), s.student_id)))

    def attempts(self, class_code: str) -> tuple[SavedAttempt, ...]:
        """Every row of the class, originals and regrades, in the order they were written."""
        code = self.class_info(class_code).code
        query = (
            select(*_ATTEMPT_COLUMNS)
            .join(students, students.c.id == attempts.c.student_id)
            .where(students.c.class_code == code)
            .order_by(attempts.c.id)
        )
        return self._read(lambda conn: tuple(_attempt_from_row(row) for row in conn.execute(query)))

    def attempts_csv(self, class_code: str) -> str:
        """The class's full history as CSV (see `attempts_to_csv`)."""
        return attempts_to_csv(self.attempts(class_code))

    # -- regrading -------------------------------------------------------------------------

    def regrade(
        self,
        exercise_id: str,
        new_checker_version: str,
        grade: Callable[[str], Grade | Sequence[Any]],
        *,
        batch: int = 200,
    ) -> int:
        """Grade again every answer to `exercise_id` not yet graded by `new_checker_version`.

        Appends one row per answer (regrade_of = the original); returns how many. Safe to rerun:
        answers already at that version are skipped, so an interrupted regrade just continues.
        """
        _check_id(new_checker_version, "checker_version", MAX_VERSION_CHARS)
        done = 0
        after = 0  # original ids are walked in order, one batch at a time
        while True:
            current = _current_ids(attempts.c.exercise_id == exercise_id, _root > after)
            query = (
                select(attempts, _root.label("root"))
                .join(current, current.c.id == attempts.c.id)
                .order_by(_root)
                .limit(batch)
            )
            rows = self._read(lambda conn: list(conn.execute(query)))
            if not rows:
                return done
            after = rows[-1].root
            stale = [row for row in rows if row.checker_version != new_checker_version]
            # The checker runs outside any transaction: it may be slow (a sandboxed code answer).
            graded = []
            for row in stale:
                result = _as_grade(grade(row.answer))
                score = _check_grade(result.status, result.score)
                graded.append(
                    {
                        "student_id": row.student_id,
                        "exercise_id": row.exercise_id,
                        "lesson_id": row.lesson_id,
                        "checker_version": new_checker_version,
                        "answer": row.answer,
                        "answer_shown": row.answer_shown,
                        "status": result.status,
                        "score": score,
                        "feedback": _clean_text(str(result.feedback)[:MAX_FEEDBACK_CHARS]),
                        "regrade_of": row.root,
                    }
                )
            if graded:
                done += self._write(partial(self._append_regrades, graded=graded, version=new_checker_version))

    def _append_regrades(self, conn: Connection, graded: list[dict[str, Any]], version: str) -> int:
        """Insert the regrades whose original is still not at `version` (a concurrent regrade may have won)."""
        roots = [row["regrade_of"] for row in graded]
        current = _current_ids(_root.in_(roots))
        already = set(
            conn.execute(
                select(_root).join(current, current.c.id == attempts.c.id).where(attempts.c.checker_version == version)
            ).scalars()
        )
        now = self._now()
        fresh = [{**row, "created_at": now} for row in graded if row["regrade_of"] not in already]
        if fresh:
            conn.execute(insert(attempts), fresh)
        return len(fresh)


# --------------------------------------------------------------------------------------------
# CSV export and import

CSV_COLUMNS = (
    "attempt_id",
    "regrade_of",
    "class_code",
    "student_id",
    "student_name",
    "exercise_id",
    "lesson_id",
    "checker_version",
    "status",
    "score",
    "feedback",
    "answer",
    "answer_shown",
    "created_at",
)
_CSV_COLUMNS_BEFORE_ANSWER_SHOWN = tuple(c for c in CSV_COLUMNS if c != "answer_shown")  # older exports
# A spreadsheet runs a cell starting with one of these as a formula ("=HYPERLINK(...)"): such a
# cell gets a leading apostrophe. A cell that already starts with one gets another, so reading
# back strips exactly one and the round trip is exact.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_TEXT_COLUMNS = frozenset(
    {"class_code", "student_name", "exercise_id", "lesson_id", "checker_version", "status", "feedback", "answer",
     "answer_shown"}
)


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "score":
        return repr(value)  # shortest text that reads back as the same float
    if column == "created_at":
        return value.isoformat(timespec="microseconds")
    text_value = str(value)
    if column in _TEXT_COLUMNS and text_value.startswith(_FORMULA_START):
        return "'" + text_value
    return text_value


def attempts_to_csv(rows: Iterable[SavedAttempt]) -> str:
    """RFC 4180 CSV (CRLF, quoted where needed), one line per row, formula-safe for spreadsheets."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(column, getattr(row, column)) for column in CSV_COLUMNS])
    return out.getvalue()



def read_attempts_csv(data: str) -> tuple[SavedAttempt, ...]:
    """The rows `attempts_to_csv` wrote, exactly; ValueError when the header is not ours."""
    reader = csv.reader(io.StringIO(data.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    columns = tuple(header or ())
    if columns not in (CSV_COLUMNS, _CSV_COLUMNS_BEFORE_ANSWER_SHOWN):
        raise ValueError(f"not a GPT Lab attempts CSV: header {header!r}")
    rows = []
    for line_number, cells in enumerate(reader, start=2):
        if len(cells) != len(columns):
            raise ValueError(f"line {line_number}: {len(cells)} cells, expected {len(columns)}")
        raw: Mapping[str, str] = {"answer_shown": "", **dict(zip(columns, cells))}
        value = {
            column: cell[1:] if column in _TEXT_COLUMNS and cell.startswith("'") else cell
            for column, cell in raw.items()
        }
        created = datetime.fromisoformat(value["created_at"])
        if created.tzinfo is None:
            raise ValueError(f"line {line_number}: created_at without a time zone")
        rows.append(
            SavedAttempt(
                attempt_id=int(value["attempt_id"]),
                regrade_of=int(value["regrade_of"]) if value["regrade_of"] else None,
                class_code=value["class_code"],
                student_id=int(value["student_id"]),
                student_name=value["student_name"],
                exercise_id=value["exercise_id"],
                lesson_id=value["lesson_id"],
                checker_version=value["checker_version"],
                status=value["status"],
                score=float(value["score"]),
                feedback=value["feedback"],
                answer=value["answer"],
                created_at=created.astimezone(UTC),
                answer_shown=value["answer_shown"],
            )
        )
    return tuple(rows)
