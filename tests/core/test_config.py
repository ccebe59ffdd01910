"""Server settings the app depends on."""

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_no_forced_gc_after_every_script_run():
    # A forced gc.collect(2) after each fragment refresh starved the decoder's preparation thread.
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
