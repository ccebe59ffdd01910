"""Memory the process freed is kept for its next use, instead of being handed back to the system.

A step of the model worker in a class allocates tensors of hundreds of megabytes (40 students x 9 rows
x 262,144 logits in float32 is 377 MB) and frees them before the next step. glibc's malloc serves
blocks that large with fresh mmap'ed pages and unmaps them on free, so every step paid one page fault
per 4 KiB page again: on the project's machine, copying 377 MB into fresh memory took 158 ms, into
reused memory 17 ms, and the class's steps went from 1.2 s to 0.95 s. The PyTorch CPU tuning guide
makes the same point with jemalloc/tcmalloc; glibc's own settings do it with no new dependency:

    M_ARENA_MAX 1         every thread allocates from the main heap (a thread's own arena maps large
                          blocks whatever the settings below say)
    M_MMAP_MAX 0          no block gets its own mapping: large ones come from the heap too
    M_TRIM_THRESHOLD max  freed memory at the top of the heap is kept, not trimmed

The cost: memory the process freed is not given back to the system (the class benchmark prints the server's
peak). Linux with glibc only; GPTLAB_KEEP_FREED_MEMORY=0 turns it off.

Set from Python, the settings govern only threads that start before any thread has its own arena: true for
a benchmark, the tests or the command-line tools (gptlab is imported first), not under `streamlit run`, whose
file watchers start threads before the app is imported (glibc then gives later threads arenas of their own,
which still map large blocks). For the server the same settings are given at process start, where glibc reads
them before any thread: MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=... (deploy/gptlab.env.example,
the README's command for a class). `applied_before_threads()` says which case a process is in.
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import threading

ENV = "GPTLAB_KEEP_FREED_MEMORY"
M_TRIM_THRESHOLD, M_MMAP_MAX, M_ARENA_MAX = -1, -4, -8
SETTINGS = ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1))


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def is_glibc() -> bool:
    """Linux with glibc (asked of the C library: platform.libc_ver() reads the Python binary, 6 ms at every start)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError, AttributeError):
        return False


def applied_before_threads() -> bool:
    """True when the settings hold for every thread of this process: given at process start, or applied here
    while this was the only thread."""
    from_start = os.environ.get("MALLOC_ARENA_MAX") == "1" and os.environ.get("MALLOC_MMAP_MAX_") == "0"
    return from_start or _ALONE_WHEN_APPLIED


_ALONE_WHEN_APPLIED = False


def keep_freed_memory() -> bool:
    """Apply the settings above; True when glibc took all of them (False elsewhere or when turned off)."""
    if not enabled() or not is_glibc():
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    global _ALONE_WHEN_APPLIED
    alone = threading.active_count() == 1
    taken = all(mallopt(param, value) == 1 for param, value in SETTINGS)
    _ALONE_WHEN_APPLIED = _ALONE_WHEN_APPLIED or (alone and taken)
    return taken


def fresh_zeros(*shape: int, dtype=None):
    """A zero tensor on fresh pages of its own (Linux, macOS: an anonymous mapping), which the system fills
    with zeros the first time each is touched: pages never used cost nothing.

    For the key/value cache, whose capacity runs ahead of what rows hold (room for 128 tokens while a
    class's rows hold 40-60): torch.zeros writes every page of it at once, and in a class that happens
    while 40 page threads are busy, each page fault waiting on them. The pages go back to the system
    when the tensor is freed. Where anonymous mappings are not available, torch.zeros.
    """
    import mmap

    import torch

    dtype = dtype or torch.get_default_dtype()
    nbytes = math.prod(shape) * torch.empty((), dtype=dtype).element_size()
    if not nbytes or not hasattr(mmap, "MAP_ANONYMOUS"):
        return torch.zeros(shape, dtype=dtype)
    try:
        memory = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    except OSError:
        return torch.zeros(shape, dtype=dtype)
    return torch.frombuffer(memory, dtype=dtype).view(shape)  # the tensor keeps the mapping alive


def cache_zeros(*shape: int, dtype=None):
    """Zeros for a large tensor that lives long (the model worker's key/value cache): torch.zeros where this
    process keeps freed memory in one heap for every thread (`applied_before_threads`: a benchmark, the tests,
    a server started with the MALLOC_* variables), whose pages are already faulted in and come back for free;
    elsewhere (`streamlit run` as the README starts it) blocks this large are fresh pages anyway, and
    `fresh_zeros` touches only those used. Measured here, interleaved: the class's generate scenario through
    `streamlit run` 40.9 and 37.2 s with torch.zeros, 32.4 and 34.6 s with fresh pages; the worker alone in a
    keeping process 27.1 s with torch.zeros, 29.3 s with fresh pages (its first token 1.4 against 3.3 s)."""
    import torch

    if enabled() and applied_before_threads():
        return torch.zeros(shape, dtype=dtype)
    return fresh_zeros(*shape, dtype=dtype)
