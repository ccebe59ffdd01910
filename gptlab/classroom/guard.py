"""A server-wide limit on wrong tries of a secret: per client address and overall, growing delays, a lock-out.

Each scope (one client address; the whole server) counts the wrong tries of the last `window_s`
seconds. After a scope's `free_tries` wrong tries, its next try is accepted only `first_delay_s`
after the last wrong one, then twice that, and so on up to `max_delay_s`; after `lockout_after`
wrong tries it is locked out for `lockout_s`. A try that comes too early is refused without being
compared with the secret at all, so parallel sessions cannot guess faster than the limit: with the
default policy, at most 10 guesses per address and 30 on the whole server per 15 minutes.

Pure Python (no Streamlit); the clock is injectable so tests need no sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

_log = logging.getLogger("gptlab.classroom.guard")

GRANTED, WRONG, WAIT, LOCKED = "granted", "wrong", "wait", "locked"
OVERALL = "*"  # the scope of every address together


@dataclass(frozen=True)
class Limit:
    """The rule of one scope."""

    free_tries: int  # wrong tries with no delay after them
    first_delay_s: float  # the delay after the first counted wrong try; it doubles with each one after
    max_delay_s: float  # the delay never grows beyond this
    lockout_after: int  # this many wrong tries within the window lock the scope out...
    lockout_s: float  # ...for this long after the last of them
    window_s: float  # wrong tries older than this are forgotten

    def delay_after(self, wrong: int) -> float:
        """Seconds to wait after the `wrong`-th wrong try of the window (0 while tries are free)."""
        if wrong >= self.lockout_after:
            return self.lockout_s
        counted = wrong - self.free_tries
        if counted <= 0:
            return 0.0
        return min(self.first_delay_s * 2 ** (counted - 1), self.max_delay_s)


@dataclass(frozen=True)
class GuardPolicy:
    per_address: Limit = Limit(free_tries=0, first_delay_s=1.0, max_delay_s=60.0, lockout_after=10,
                               lockout_s=900.0, window_s=900.0)
    overall: Limit = Limit(free_tries=10, first_delay_s=1.0, max_delay_s=60.0, lockout_after=30,
                           lockout_s=900.0, window_s=900.0)


@dataclass(frozen=True)
class Outcome:
    verdict: str  # GRANTED, WRONG (compared, not the secret), WAIT or LOCKED (refused without comparing)
    wait_s: float = 0.0  # how long until the next try is accepted (WRONG, WAIT, LOCKED)
    scope: str = ""  # for WAIT and LOCKED: "address" or "overall", the scope that refused


@dataclass
class _Scope:
    wrong_at: deque = field(default_factory=deque)  # times of the window's wrong tries, oldest first


class SecretGuard:
    """Compares tries with a secret under the policy's limits. Thread-safe; share one per server."""

    def __init__(self, policy: GuardPolicy | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or GuardPolicy()
        self._clock = clock
        self._lock = threading.Lock()
        self._scopes: dict[str, _Scope] = {}

    def _scope(self, key: str, limit: Limit, now: float) -> _Scope:
        scope = self._scopes.setdefault(key, _Scope())
        while scope.wrong_at and scope.wrong_at[0] <= now - limit.window_s:
            scope.wrong_at.popleft()
        return scope

    @staticmethod
    def _open_at(scope: _Scope, limit: Limit) -> float:
        """When this scope accepts its next try (-inf when it does at once)."""
        if not scope.wrong_at:
            return float("-inf")
        return scope.wrong_at[-1] + limit.delay_after(len(scope.wrong_at))

    def attempt(self, address: str | None, is_right: Callable[[], bool]) -> Outcome:
        """Compare one try (`is_right()` is called only when the limits allow the try)."""
        address = address or "unknown"
        policy = self.policy
        with self._lock:  # the check, the comparison and the count are one step: no two sessions slip through
            now = self._clock()
            mine = self._scope(f"address:{address}", policy.per_address, now)
            everyone = self._scope(OVERALL, policy.overall, now)
            for scope, limit, name in ((mine, policy.per_address, "address"), (everyone, policy.overall, "overall")):
                open_at = self._open_at(scope, limit)
                if now < open_at:
                    locked = len(scope.wrong_at) >= limit.lockout_after
                    _log.info("instructor secret: try from %s refused (%s %s, %.0f s left)", address, name,
                              "locked out" if locked else "delay", open_at - now)
                    return Outcome(LOCKED if locked else WAIT, open_at - now, name)
            if is_right():
                mine.wrong_at.clear()
                return Outcome(GRANTED)
            mine.wrong_at.append(now)
            everyone.wrong_at.append(now)
            wait = max(self._open_at(mine, policy.per_address), self._open_at(everyone, policy.overall)) - now
            _log.warning("instructor secret: wrong try from %s (%d from this address and %d on the server in the "
                         "last %d min); next try in %.0f s", address, len(mine.wrong_at), len(everyone.wrong_at),
                         policy.per_address.window_s // 60, max(wait, 0.0))
            return Outcome(WRONG, max(wait, 0.0))
