"""At most `slots` trainings at once, first come first served, tickets always given back."""

from __future__ import annotations

import threading

import pytest

from labs.finetuning.training_queue import TrainingQueue


def test_one_slot_first_come_first_served_with_positions():
    q = TrainingQueue(slots=1)
    a, b, c = q.join(), q.join(), q.join()
    assert [q.position(t) for t in (a, b, c)] == [0, 1, 2]
    assert not q.try_start(b)  # b came after a
    assert q.try_start(a) and q.running == 1
    assert [q.position(t) for t in (b, c)] == [1, 2]
    assert not q.try_start(b)
    q.leave(a)
    assert q.position(b) == 0 and q.position(c) == 1
    q.leave(b)  # b left before its turn (closed the page)
    assert q.try_start(c)
    q.leave(c)
    q.leave(c)  # twice is harmless
    assert (q.running, q.waiting) == (0, 0)
    with pytest.raises(KeyError):
        q.position(c)


def test_two_slots():
    q = TrainingQueue(slots=2)
    a, b, c = q.join(), q.join(), q.join()
    assert q.try_start(b) and q.try_start(a)  # both within the free slots
    assert q.position(c) == 1 and not q.try_start(c)


def test_never_more_than_the_slots_run_at_once():
    q = TrainingQueue(slots=1)
    running, peak, lock = [0], [0], threading.Lock()

    def user():
        ticket = q.join()
        try:
            while not q.try_start(ticket):
                pass
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            with lock:
                running[0] -= 1
        finally:
            q.leave(ticket)

    threads = [threading.Thread(target=user) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert peak[0] == 1 and q.running == 0 and q.waiting == 0
