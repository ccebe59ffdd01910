"""Tries to read secrets, the app's process and files, and the folders above its own."""

import os


def causal_mask(T):
    parent = os.getppid()
    leaked = []
    attempts = [
        lambda: open("/etc/passwd").read(),
        lambda: open("/etc/shadow").read(),
        lambda: open("/proc/self/environ", "rb").read(),
        lambda: open(f"/proc/{parent}/environ", "rb").read(),
        lambda: open(f"/proc/{parent}/cmdline", "rb").read(),
        lambda: open(f"/proc/{parent}/mem", "rb").read(10),
        lambda: os.listdir(f"/proc/{parent}/cwd"),
        lambda: os.listdir(".."),
        lambda: os.listdir("/"),
        lambda: open("../../../../../../etc/hostname").read(),
        lambda: open(os.path.expanduser("~/.bash_history")).read(),
        lambda: os.readlink(f"/proc/{parent}/cwd"),
        lambda: open(f"/proc/{parent}/cwd/labs/attention/exercises.py").read(),  # the answers
    ]
    for attempt in attempts:
        try:
            leaked.append(str(attempt())[:200])
        except BaseException:
            pass
    return leaked
