"""Tries to leave files behind outside its folder, through every path trick it knows."""

import os


def causal_mask(T):
    written = []
    for path in ("/tmp/gptlab-sandbox-pwned", "../gptlab-sandbox-pwned", "/dev/shm/gptlab-sandbox-pwned",
                 os.path.join(os.getcwd(), "..", "gptlab-sandbox-pwned")):
        try:
            with open(path, "w") as handle:
                handle.write("pwned")
            written.append(path)
        except BaseException:
            pass
    try:
        os.symlink("/tmp", "escape")
        with open("escape/gptlab-sandbox-pwned", "w") as handle:
            handle.write("pwned")
        written.append("symlink")
    except BaseException:
        pass
    try:
        folder = os.open("..", os.O_RDONLY)
        descriptor = os.open("gptlab-sandbox-pwned", os.O_WRONLY | os.O_CREAT, dir_fd=folder)
        os.write(descriptor, b"pwned")
        written.append("dir_fd")
    except BaseException:
        pass
    return written
