"""Forks, spawns and execs from inside the function; returns how many children it managed to start."""

import os


def causal_mask(T):
    started = 0
    for attempt in (
        lambda: os.fork(),
        lambda: os.system("touch /tmp/gptlab-sandbox-pwned"),
        lambda: os.posix_spawn("/bin/sh", ["sh", "-c", "touch /tmp/gptlab-sandbox-pwned"], {}),
        lambda: os.execv("/bin/sh", ["sh", "-c", "touch /tmp/gptlab-sandbox-pwned"]),
        lambda: __import__("subprocess").run(["touch", "/tmp/gptlab-sandbox-pwned"]),
        lambda: __import__("multiprocessing").Process(target=print).start(),
    ):
        try:
            if attempt() == 0:
                while True:  # a child that got through would spin here forever
                    pass
            started += 1
        except BaseException:
            pass
    return started
