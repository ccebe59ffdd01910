"""An app server's part of the outbox in a process of its own, for the kill test of gptlab.classroom.outbox.

    python tests/gptlab/outbox_keeper.py DATABASE_URL OUTBOX_PATH STUDENT_KEY N

Checks N attempts while the database is away: each is kept (and "kept I" printed once it is on disk),
a write to the database is tried and fails; then it waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gptlab.classroom import outbox as O  # noqa: E402
from gptlab.classroom import store as P  # noqa: E402


def main() -> None:
    url, path, key, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    box = O.Outbox(path, url)
    for n in range(1, count + 1):
        record = P.AttemptRecord(f"tokenization.ex{n}", "tokenization", "1", f"answer {n}",
                                 "correct" if n % 2 else "wrong", float(n % 2), f"feedback {n}", f"shown {n}")
        box.add(key, record)
        print(f"kept {n}", flush=True)
        try:  # as ui.classroom.record_attempt does: the database is asked after the attempt is kept
            box.flush(P.ProgressStore(url), wait_s=5)
        except Exception:  # noqa: BLE001 - away, as expected: the attempt waits
            pass
        assert box.state(box.pending()[-1].attempt_uid) == O.PENDING
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
