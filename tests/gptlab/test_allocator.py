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
