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


def test_a_read_during_a_new_parse_gets_the_last_complete_table(installed, monkeypatch):
    # Streamlit parses again when a config.toml changes: it starts from the defaults and fills them in. A read
    # in the middle must still get the project's value (.streamlit/config.toml: no usage statistics).
    assert config.get_option("browser.gatherUsageStats") is False
    apply_file = config._update_config_with_toml
    seen: list = []

    def midway(raw_toml, where_defined):  # the new table holds the defaults here, this file not applied yet
        reader = threading.Thread(target=lambda: seen.append(config.get_option("browser.gatherUsageStats")))
        reader.start()
        reader.join(10)
        return apply_file(raw_toml, where_defined)

    monkeypatch.setattr(config, "_update_config_with_toml", midway)
    config.get_config_options(force_reparse=True)
    assert seen and set(seen) == {False}  # one read per config.toml found
    assert config.get_option("browser.gatherUsageStats") is False  # and the new table once complete


def test_the_server_installs_it():
    import subprocess
    import sys
    from pathlib import Path

    code = "import streamlit_app; from ui import config_reads; assert config_reads.installed()"
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
