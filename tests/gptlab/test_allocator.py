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
