"""Streamlit's configuration read without its lock (ui.config_reads): the same values, and no waiting."""

from __future__ import annotations

import threading

import pytest
from streamlit import config

from ui import config_reads


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(config, "get_option", config.get_option)  # put back whatever was there after the test
    config_reads.install()
    yield


def test_every_option_reads_as_streamlit_reads_it(installed):
    assert config_reads.installed()
    keys = list(config.get_config_options())
    assert len(keys) > 100
    for key in keys:
        assert config.get_option(key) == config_reads._streamlit_get_option(key), key
    with pytest.raises(RuntimeError, match="not defined"):
        config.get_option("no.suchOption")


def test_a_read_does_not_wait_for_the_lock(installed):
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another thread holds Streamlit's configuration lock (as a preempted reader does)
        with config._config_lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    read: list = []
    reader = threading.Thread(target=lambda: read.append(config.get_option("global.minCachedMessageSize")))
    reader.start()
    reader.join(10)  # with Streamlit's own get_option the reader waits until the lock is released
    finished = not reader.is_alive()
    release.set()
    holder.join()
    reader.join()
    assert finished and read == [config_reads._streamlit_get_option("global.minCachedMessageSize")]


def test_the_server_installs_it():
    import streamlit_app  # noqa: F401  (the server's entry point)

    assert config_reads.installed()
