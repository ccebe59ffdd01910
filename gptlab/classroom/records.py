"""What saved progress is made of, without a database: the records (classes, students, attempts, standings),
their limits and input checks, and the errors a progress store raises (each with its message's string key).

gptlab.classroom.store keeps them in SQLite or PostgreSQL (through SQLAlchemy) and re-exports every name here.
The app's pages import this module, not the store, for what they show (a name's length limit, a student's
session, a lesson's standing): SQLAlchemy is imported only when progress is written or read.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gptlab.classroom.codes import canonical_code

# --------------------------------------------------------------------------------------------
# Limits and vocabularies

CLASS_CODE_PATTERN = re.compile(r"[A-Z0-9-]{3,20}")
MAX_CLASS_NAME_CHARS = 80
MAX_NAME_CHARS = 40  # a student's display name, after normalising
MAX_ID_CHARS = 100  # exercise and lesson ids
MAX_VERSION_CHARS = 40  # checker versions
MAX_ANSWER_CHARS = 20_000  # longer answers are cut: a code answer of 20k characters is already huge
MAX_FEEDBACK_CHARS = 4_000
STATUSES = ("correct", "partial", "wrong", "error")  # "error": the answer could not be graded
SOLVED = "correct"
UID_PATTERN = re.compile(r"[0-9a-f]{32}")  # an attempt id chosen at check time: uuid4().hex
# The class of personal profiles (students studying alone): "_" is outside CLASS_CODE_PATTERN, so no
# instructor can create, join or view it by its code.
PERSONAL_CLASS = "_PERSONAL"


# --------------------------------------------------------------------------------------------
# Errors: each carries a `key` for gptlab.i18n (strings under [progress] in gptlab/strings/<lang>.toml)


class ProgressError(Exception):
    """Base class; `key` names the user-facing message, `params` fill its placeholders."""

    code = "progress"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.params = params

    @property
    def key(self) -> str:
        return f"progress.error.{self.code}"


class InvalidClassCode(ProgressError, ValueError):
    code = "bad_class_code"


class InvalidClassName(ProgressError, ValueError):
    code = "bad_class_name"


class InvalidName(ProgressError, ValueError):
    code = "bad_name"


class InvalidAttempt(ProgressError, ValueError):
    code = "bad_attempt"


class ClassNotFound(ProgressError, LookupError):
    code = "class_not_found"


class ClassExists(ProgressError):
    code = "class_exists"


class NameTaken(ProgressError):
    code = "name_taken"


class UnknownStudent(ProgressError, LookupError):
    code = "unknown_student"


ERRORS: tuple[type[ProgressError], ...] = (
    InvalidClassCode,
    InvalidClassName,
    InvalidName,
    InvalidAttempt,
    ClassNotFound,
    ClassExists,
    NameTaken,
    UnknownStudent,
)

# --------------------------------------------------------------------------------------------
# Records and results


@dataclass(frozen=True)
class ClassInfo:
    code: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class StudentSession:
    """Who is working. `token` is the student's secret (their return code); only its hash is stored."""

    token: str = field(repr=False)
    student_id: int
    name: str
    class_code: str  # PERSONAL_CLASS for a personal profile

    @property
    def personal(self) -> bool:
        """A personal profile: a student studying alone, in no instructor's class."""
        return self.class_code == PERSONAL_CLASS

    @property
    def key(self) -> str:
        """What identifies the student in the database without being their secret (the token's hash)."""
        return student_key(self.token)


@dataclass(frozen=True)
class AttemptRecord:
    """One graded answer, as the exercise widget hands it over."""

    exercise_id: str
    lesson_id: str
    checker_version: str
    answer: str
    status: str  # one of STATUSES
    score: float  # 0..1
    feedback: str = ""
    answer_shown: str = ""  # the answer as the student saw it (a choice's text, not its id); "" when the same


@dataclass(frozen=True)
class Grade:
    """What a checker says about an answer; `regrade` takes a function returning one (or a tuple)."""

    status: str
    score: float
    feedback: str = ""


@dataclass(frozen=True)
class SavedAttempt:
    """One stored row, original or regrade; also what a CSV line reads back into. (The graded answer itself
    is gptlab.exercises.model.Attempt; its `stored_status` maps its verdict onto STATUSES here.)"""

    attempt_id: int
    regrade_of: int | None  # the original attempt this row regrades; None for an original
    class_code: str
    student_id: int
    student_name: str
    exercise_id: str
    lesson_id: str
    checker_version: str
    status: str
    score: float
    feedback: str
    answer: str
    created_at: datetime  # UTC: when the answer was checked
    answer_shown: str = ""  # the answer as the student saw it; "" for rows saved before it was kept


@dataclass(frozen=True)
class ExerciseProgress:
    exercise_id: str
    attempts: int  # answers submitted (regrades not counted)
    best_score: float | None  # None: not attempted
    solved: bool  # some answer's current verdict is "correct"


@dataclass(frozen=True)
class LessonProgress:
    lesson_id: str
    exercises: tuple[ExerciseProgress, ...]

    @property
    def total(self) -> int:
        return len(self.exercises)

    @property
    def attempted(self) -> int:
        return sum(1 for e in self.exercises if e.attempts)

    @property
    def solved(self) -> int:
        return sum(1 for e in self.exercises if e.solved)


@dataclass(frozen=True)
class ExerciseSummary:
    exercise_id: str
    students_attempted: int
    students_correct: int
    success_rate: float  # students_correct / students_attempted
    attempts: int  # answers submitted by the whole class


@dataclass(frozen=True)
class StudentSummary:
    student_id: int
    name: str
    exercises_attempted: int
    exercises_correct: int
    mean_best_score: float | None  # over the exercises attempted; None when none
    attempts: int
    last_activity: datetime | None  # last answer submitted; None when none
    joined_at: datetime


# --------------------------------------------------------------------------------------------
# Input checks and normalisation


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def student_key(token: object) -> str:
    """The hash a student's token is stored under: of its canonical form for a return code (case,
    spaces and dashes do not matter), of the text itself for codes issued before them."""
    if not isinstance(token, str):
        return ""
    code = canonical_code(token)
    return _hash_secret(code if code is not None else token.strip())


def _clean_text(value: str) -> str:
    """Text every backend can store: lone surrogates and NUL (PostgreSQL refuses it) become U+FFFD."""
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value.replace("\x00", "\ufffd")


def _has_control(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def normalize_class_code(raw: object) -> str:
    """Class codes are case-insensitive: ' abc-12 ' -> 'ABC-12'."""
    code = raw.strip().upper() if isinstance(raw, str) else ""
    if not code.isascii() or not CLASS_CODE_PATTERN.fullmatch(code):
        raise InvalidClassCode(f"bad class code: {raw!r}", min=3, max=20)
    return code


def _one_line(raw: object, limit: int, error: type[ProgressError]) -> str:
    """NFC, whitespace runs collapsed to one space, no control characters, 1..limit characters."""
    if not isinstance(raw, str):
        raise error(f"expected text, got {type(raw).__name__}", max=limit)
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value or len(value) > limit or _has_control(value):
        raise error(f"bad value: {raw[:limit + 10]!r}", max=limit)
    return value


def normalize_name(raw: object) -> str:
    """The display name as shown: trimmed, NFC, single spaces, 1..MAX_NAME_CHARS characters."""
    return _one_line(raw, MAX_NAME_CHARS, InvalidName)


def name_key(name: str) -> str:
    """What makes two names the same person: NFKC case-folded, invisible format characters dropped."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def _check_grade(status: object, score: object) -> float:
    if status not in STATUSES:
        raise InvalidAttempt(f"status must be one of {STATUSES}, got {status!r}")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        raise InvalidAttempt(f"score must be a finite number, got {score!r}")
    if not 0 <= score <= 1:
        raise InvalidAttempt(f"score must be within 0..1, got {score!r}")
    return float(score) + 0.0  # + 0.0 turns -0.0 into 0.0


def _check_id(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or _has_control(value):
        raise InvalidAttempt(f"{what} must be 1..{limit} printable characters, got {value!r}")
    return value


def _attempt_values(record: AttemptRecord) -> dict[str, Any]:
    """The row for `record`, checked; the answer and feedback are capped, never refused."""
    if not all(isinstance(v, str) for v in (record.answer, record.feedback, record.answer_shown)):
        raise InvalidAttempt("answer, answer_shown and feedback must be text")
    return {
        "exercise_id": _check_id(record.exercise_id, "exercise_id", MAX_ID_CHARS),
        "lesson_id": _check_id(record.lesson_id, "lesson_id", MAX_ID_CHARS),
        "checker_version": _check_id(record.checker_version, "checker_version", MAX_VERSION_CHARS),
        "answer": _clean_text(record.answer[:MAX_ANSWER_CHARS]),
        "status": record.status,
        "score": _check_grade(record.status, record.score),
        "feedback": _clean_text(record.feedback[:MAX_FEEDBACK_CHARS]),
        "answer_shown": _clean_text(record.answer_shown[:MAX_ANSWER_CHARS]) or None,
    }


def check_attempt(record: AttemptRecord) -> None:
    """Raise InvalidAttempt now for a record `record` would refuse later (e.g. before keeping it to write)."""
    _attempt_values(record)
