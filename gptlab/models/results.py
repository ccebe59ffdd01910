"""A worker's results as each reader receives them (no torch here: pages import it before any model)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any


def own_error(exc: BaseException) -> BaseException:
    """The worker's error as one reader raises it: a copy of its own, the same type and message, with the
    worker's error as its cause (where it failed). One error reaches many readers (every request of a failed
    step, the sessions waiting for one shared job), and raising the one object from each page's thread added
    that page's frames to its single traceback, from forty threads at once."""
    try:  # built without __init__: one that builds its message from its argument would build it twice
        own = type(exc).__new__(type(exc), *exc.args)
        own.__dict__.update(vars(exc))
        if "__notes__" in own.__dict__:
            own.__notes__ = list(exc.__notes__)
        if not _same(own, exc):  # state kept outside args and __dict__ (ImportError.name, OSError.filename ...)
            return exc
    except Exception:  # noqa: BLE001 - an error that cannot be copied is raised as it is
        return exc
    own.__traceback__ = None
    own.__cause__ = exc  # (and the context is not shown again)
    return own


def result_of(future: Future, timeout: float | None = None) -> Any:
    """future.result(timeout), an error raised as the caller's own (own_error): result() raises the stored
    object itself, and its traceback grows before anyone can catch it."""
    error = future.exception(timeout)  # waits; raises TimeoutError or CancelledError as result() would
    if error is not None:
        raise own_error(error)
    return future.result()


def _same(own: BaseException, exc: BaseException) -> bool:
    """The copy says everything the error says: type, args, text and every public attribute."""
    if type(own) is not type(exc) or own.args != exc.args or str(own) != str(exc):
        return False
    for name in dir(exc):
        if name.startswith("_"):
            continue
        try:
            value = getattr(exc, name)
        except AttributeError:  # (OSError.characters_written, unset)
            if hasattr(own, name):
                return False
            continue
        if callable(value):
            continue
        copied = getattr(own, name)
        if copied is not value and copied != value:
            return False
    return True
