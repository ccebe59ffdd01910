"""A separate process that writes attempts, for the concurrency and crash tests of gptlab.classroom.store.

    python tests/gptlab/progress_writer.py URL --token T --count N       write as an existing student
    python tests/gptlab/progress_writer.py URL --join CODE --count N     create class CODE, join it

Prints "ready" once imported (then waits for --go FILE to exist, if given), "token T" after
joining, and "committed ID" after each attempt is committed, flushed at once: whatever it printed
before being killed is in the database.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gptlab.classroom import store as progress  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--token")
    parser.add_argument("--join", metavar="CLASS_CODE")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--go", type=Path, help="start only once this file exists")
    args = parser.parse_args()

    print("ready", flush=True)
    while args.go is not None and not args.go.exists():
        time.sleep(0.005)
    store = progress.ProgressStore(progress.make_engine(args.url))  # first use: may create the tables
    token = args.token
    if args.join:
        store.create_class(args.join, f"class {args.join}")
        token = store.join(args.join, f"writer {args.join}").token
        print(f"token {token}", flush=True)
    for i in range(args.count):
        record = progress.AttemptRecord(
            exercise_id=f"ex{i % 7}",
            lesson_id="concurrency",
            checker_version="1",
            answer=f"answer {i} from {token[:6]}\nline 2, \"quoted\" ✓",
            status=progress.STATUSES[i % len(progress.STATUSES)],
            score=(i % 11) / 10,
            feedback="",
        )
        print(f"committed {store.record(token, record)}", flush=True)
    store.engine.dispose()


if __name__ == "__main__":
    main()
