import platform

import pytest

from gptlab import allocator


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_the_c_library_is_recognised():
    assert allocator.is_glibc() is True


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_glibc_takes_every_setting():
    assert allocator.keep_freed_memory() is True


def test_it_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(allocator.ENV, "0")
    assert allocator.keep_freed_memory() is False


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
@pytest.mark.parametrize("thread_first, expected", [(False, "True"), (True, "False")])
def test_it_says_whether_it_came_before_every_thread(thread_first, expected):
    """Under `streamlit run` a thread exists before the app imports gptlab: the settings then miss later threads,
    and the process must say so (the variables at process start are the remedy)."""
    import os
    import subprocess
    import sys

    code = ("import threading\n"
            + ("e = threading.Event(); threading.Thread(target=e.wait, daemon=True).start()\n" if thread_first else "")
            + "import gptlab\nfrom gptlab import allocator\nprint(allocator.applied_before_threads())\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == expected


def test_the_variables_at_process_start_count_as_before_every_thread(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "1")
    monkeypatch.setenv("MALLOC_MMAP_MAX_", "0")
    assert allocator.applied_before_threads() is True


@pytest.mark.skipif(platform.system() != "Linux", reason="reads the process's resident memory from /proc")
def test_fresh_zeros_are_zeros_paid_for_only_where_touched_and_given_back():
    import gc

    import torch

    def resident_mb() -> float:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    small = allocator.fresh_zeros(3, 4, dtype=torch.bfloat16)
    assert small.shape == (3, 4) and small.dtype == torch.bfloat16 and not small.any()
    small[1, 2] = 5
    assert small.sum() == 5
    assert allocator.fresh_zeros(0, 7).shape == (0, 7)
    before = resident_mb()
    big = allocator.fresh_zeros(64, 1024, 1024)  # 256 MB of zeros
    assert resident_mb() - before < 64  # nothing touched yet: not resident
    big[:8].fill_(1.0)  # 32 MB written
    assert 24 < resident_mb() - before < 128 and int(torch.count_nonzero(big[8:])) == 0
    del big
    gc.collect()
    assert resident_mb() - before < 16  # the pages went back with the tensor


@pytest.mark.parametrize("keeping", [True, False])
def test_the_cache_takes_kept_heap_memory_where_the_process_keeps_it_and_fresh_pages_elsewhere(monkeypatch, keeping):
    import torch

    fresh = []
    monkeypatch.delenv(allocator.ENV, raising=False)
    monkeypatch.setattr(allocator, "applied_before_threads", lambda: keeping)
    monkeypatch.setattr(allocator, "fresh_zeros", lambda *shape, dtype=None: fresh.append(shape) or torch.zeros(shape))
    cache = allocator.cache_zeros(4, 1, 128, 256, dtype=torch.float32)
    assert cache.shape == (4, 1, 128, 256) and not cache.any()
    assert fresh == ([] if keeping else [(4, 1, 128, 256)])
