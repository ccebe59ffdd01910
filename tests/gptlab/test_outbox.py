"""gptlab.classroom.outbox on a real PostgreSQL server that the test stops and starts again while attempts are
checked, and with the app server's process killed while attempts wait: nothing lost, nothing written twice,
the order kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gptlab.classroom import outbox as O
from gptlab.classroom import store as P
from tests import postgres

KEEPER = Path(__file__).with_name("outbox_keeper.py")


@pytest.fixture(scope="module")
def pg_server():
    """A PostgreSQL server of this module's own: the tests stop and restart it."""
    try:
        server = postgres.start()
    except postgres.PostgresUnavailable as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{error} (CI=true: PostgreSQL must be available in CI)", pytrace=False)
        pytest.skip(str(error))
    yield server
    postgres.stop(server)


@pytest.fixture
def pg(pg_server):
    """A fresh database on the server (running when the test starts), and a store on it."""
    url = postgres.create_database(pg_server.admin_url)
    store = P.ProgressStore(P.make_engine(url))
    yield url, store
    store.engine.dispose()
    if not _running(pg_server):  # a failed test may leave it stopped
        postgres.restart(pg_server)
    postgres.drop_database(pg_server.admin_url, url)


def _running(server) -> bool:
    done = subprocess.run(postgres._command(server.run_as, server.bin_dir / "pg_ctl", "-D", server.data_dir, "status"),
                          capture_output=True, cwd=server.data_dir.parent)
    return done.returncode == 0


def attempt(n: int) -> P.AttemptRecord:
    return P.AttemptRecord(f"tokenization.ex{n}", "tokenization", "1", f"answer {n}", "correct" if n % 2 else "wrong",
                           float(n % 2), f"feedback {n}", f"shown {n}")


def saved_answers(store: P.ProgressStore, code: str) -> list[str]:
    return [row.answer for row in store.attempts(code)]


def test_attempts_checked_while_postgres_restarts_are_written_once_and_in_order(pg, pg_server, tmp_path):
    url, store = pg
    store.create_class("PG-1", "restart")
    student = store.join("PG-1", "Ana")
    box = O.Outbox(tmp_path / "outbox.sqlite3", url)

    kept = [box.add(student.key, attempt(1))]
    assert box.flush(store) == O.FlushResult(1, 0, 0, None)
    assert box.state(kept[0].attempt_uid) == O.WRITTEN

    postgres.halt(pg_server)  # the database goes away in the middle of the class
    for n in (2, 3, 4):
        kept.append(box.add(student.key, attempt(n)))
        result = box.flush(store, wait_s=5)
        assert result.written == 0 and result.pending == n - 1 and result.error  # kept, not lost
    assert [item.attempt_uid for item in box.pending(student.key)] == [k.attempt_uid for k in kept[1:]]
    assert all(box.state(k.attempt_uid) == O.PENDING for k in kept[1:])

    postgres.restart(pg_server)
    kept.append(box.add(student.key, attempt(5)))
    assert box.flush(store) == O.FlushResult(4, 0, 0, None)
    assert saved_answers(store, "PG-1") == [f"answer {n}" for n in range(1, 6)]  # in the order they were checked
    saved = store.attempts("PG-1")
    assert [row.answer_shown for row in saved] == [f"shown {n}" for n in range(1, 6)]
    assert [row.created_at for row in saved] == [k.checked_at for k in kept]  # when checked, not when written

    # written once: a second flush, and the same attempt id written again by hand, add nothing
    assert box.flush(store) == O.FlushResult(0, 0, 0, None)
    again = store.record_for_key(student.key, attempt(3), attempt_uid=kept[2].attempt_uid)
    assert again == saved[2].attempt_id
    assert len(store.attempts("PG-1")) == 5


def test_an_attempt_written_whose_reply_was_lost_is_not_written_twice(pg, tmp_path):
    url, store = pg
    store.create_class("PG-2", "lost reply")
    student = store.join("PG-2", "Bruno")
    box = O.Outbox(tmp_path / "outbox.sqlite3", url)
    item = box.add(student.key, attempt(7))
    store.record_for_key(student.key, item.record, attempt_uid=item.attempt_uid, checked_at=item.checked_at)
    assert box.flush(store).written == 1  # the database already had it: found, not duplicated
    assert saved_answers(store, "PG-2") == ["answer 7"]


def test_a_student_unknown_to_the_database_does_not_hold_up_the_others(pg, tmp_path):
    url, store = pg
    store.create_class("PG-3", "gone")
    student = store.join("PG-3", "Carla")
    box = O.Outbox(tmp_path / "outbox.sqlite3", url)
    ghost = box.add("0" * 64, attempt(1))
    box.add(student.key, attempt(2))
    assert box.flush(store) == O.FlushResult(1, 0, 1, None)
    assert box.state(ghost.attempt_uid) == O.FAILED
    assert saved_answers(store, "PG-3") == ["answer 2"]


def test_attempts_kept_by_a_killed_app_server_are_written_after_the_restart(pg, pg_server, tmp_path):
    url, store = pg
    store.create_class("PG-4", "killed")
    student = store.join("PG-4", "Dora")
    path = tmp_path / "outbox.sqlite3"
    postgres.halt(pg_server)

    keeper = subprocess.Popen([sys.executable, str(KEEPER), url, str(path), student.key, "4"],
                              stdout=subprocess.PIPE, text=True)
    try:
        lines = [keeper.stdout.readline().strip() for _ in range(4)]
        assert lines == [f"kept {n}" for n in range(1, 5)]  # each line printed once its attempt was on disk
    finally:
        keeper.send_signal(signal.SIGKILL)  # the app server dies while the attempts wait
        keeper.wait()
    assert keeper.returncode == -signal.SIGKILL

    postgres.restart(pg_server)
    box = O.Outbox(path, url)  # the app server starts again: its drainer writes what was kept, by itself
    assert box.count() == 4
    drainer = O.OutboxDrainer(box, lambda: store, first_wait_s=0.05, max_wait_s=0.2, idle_wait_s=0.2)
    try:
        deadline = time.monotonic() + 60
        while box.count() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        drainer.stop()
    assert box.count() == 0
    assert saved_answers(store, "PG-4") == [f"answer {n}" for n in range(1, 5)]


def test_the_outbox_file_holds_no_return_code(pg, tmp_path):
    url, store = pg
    store.create_class("PG-5", "secrets")
    student = store.join("PG-5", "Eva")
    path = tmp_path / "outbox.sqlite3"
    O.Outbox(path, url).add(student.key, attempt(1))
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("outbox.sqlite3"))
    assert student.token.encode() not in raw and student.token.replace("-", "").encode() not in raw
    assert student.key.encode() in raw
