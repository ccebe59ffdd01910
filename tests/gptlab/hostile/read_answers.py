"""Tries to read the answer file itself (the references of every code exercise), by its absolute path
(given as the case, as a submission could guess it) and through the app's working folder."""

import os


def causal_mask(references_path):
    parent = os.getppid()
    leaked = []
    attempts = [
        lambda: open(references_path).read(),
        lambda: open(references_path, "rb").read(),
        lambda: os.open(references_path, os.O_RDONLY),
        lambda: open(f"/proc/{parent}/cwd/labs/attention/exercises.py").read(),
        lambda: open(f"/proc/{parent}/root{references_path}").read(),
        lambda: open("/proc/self/cwd/" + "../" * 12 + references_path.lstrip("/")).read(),
    ]
    for attempt in attempts:
        try:
            leaked.append(str(attempt())[:200])
        except BaseException:
            pass
    return leaked
