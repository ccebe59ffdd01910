"""A first-come, first-served queue for training runs: at most `slots` run at once on the server.

A run needs several GB and both CPU cores; two at once would make both crawl, ten would exhaust
memory. Each user takes a ticket, waits for their turn (their position is known at every moment)
and always gives the ticket back, whether the run finished, failed or was abandoned.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Ticket:
    number: int


class TrainingQueue:
    def __init__(self, slots: int = 1) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._waiting: list[Ticket] = []
        self._running: set[Ticket] = set()

    def join(self) -> Ticket:
        with self._lock:
            ticket = Ticket(next(self._numbers))
            self._waiting.append(ticket)
            return ticket

    def position(self, ticket: Ticket) -> int:
        """0 when the ticket may run (or runs); otherwise its place in line, 1 being next."""
        with self._lock:
            if ticket in self._running:
                return 0
            if ticket not in self._waiting:
                raise KeyError("unknown or finished ticket")
            free = self.slots - len(self._running)
            index = self._waiting.index(ticket)
            return 0 if index < free else index - free + 1  # 1: next in line

    def try_start(self, ticket: Ticket) -> bool:
        """Start the run if a slot is free and nobody who came earlier is still waiting."""
        with self._lock:
            if ticket in self._running:
                return True
            free = self.slots - len(self._running)
            if free > 0 and ticket in self._waiting[:free]:
                self._waiting.remove(ticket)
                self._running.add(ticket)
                return True
            return False

    def leave(self, ticket: Ticket) -> None:
        """Give the ticket back (finished, failed, stopped or abandoned); safe to call twice."""
        with self._lock:
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)
