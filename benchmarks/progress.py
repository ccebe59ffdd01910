"""How many attempts a second the progress store saves: python -m benchmarks.progress [--url URL]

Last line: progress: backend=B one_writer_per_s=X threads8_per_s=Y
  one_writer_per_s  one thread recording attempts back to back (each one its own committed
                    transaction; SQLite fsyncs each commit: synchronous=FULL)
  threads8_per_s    eight threads, one per student, sharing the store as a Streamlit server does
Without --url: a SQLite file in a temporary folder. A class of 40 clicking "check" every few
seconds needs about 10 a second. Figures, not tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from gptlab.classroom import store as P

    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--records", type=int, default=400, help="per run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'progress.sqlite3'}"
        store = P.ProgressStore(P.make_engine(url))
        code = f"B{time.time_ns() % 10**8}"
        store.create_class(code, "benchmark")
        students = [store.join(code, f"student {i}") for i in range(8)]
        record = P.AttemptRecord("ex1", "bench", "1", "an answer", "partial", 0.5, "feedback")

        start = time.perf_counter()
        for _ in range(args.records):
            store.record(students[0].token, record)
        one = args.records / (time.perf_counter() - start)

        per_thread = max(1, args.records // len(students))

        def write(token: str) -> None:
            for _ in range(per_thread):
                store.record(token, record)

        threads = [threading.Thread(target=write, args=(s.token,)) for s in students]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        many = per_thread * len(students) / (time.perf_counter() - start)
        store.engine.dispose()
    print(f"progress: backend={store.engine.dialect.name} one_writer_per_s={one:.0f} threads8_per_s={many:.0f}")


if __name__ == "__main__":
    main()
