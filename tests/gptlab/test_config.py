"""Server settings the app depends on."""

import re
import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_no_forced_gc_after_every_script_run():
    # A forced gc.collect(2) after each fragment refresh starved the decoder's preparation thread.
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"


CDN = re.compile(r"https?://[^\s\"')>]*(?:cdn|unpkg\.com|jsdelivr|googleapis|cloudflare|d3js\.org|code\.jquery\.com)",
                 re.IGNORECASE)


def test_nothing_the_app_serves_points_at_a_cdn():
    """Classrooms are offline: a page, lesson or asset that names a CDN would show a blank view or a dead link.
    The vendored libraries are served too (inlined into the bertviz views): they are checked like the rest."""
    root = Path(__file__).resolve().parents[2]
    served = [root / "streamlit_app.py", root / "router.py", *(root / "app_pages").rglob("*.py"), *(root / "gptlab").rglob("*.py"), *(p for p in (root / "labs").rglob("*") if p.is_file() and "__pycache__" not in p.parts),
              *(p for p in (root / "ui").rglob("*") if p.is_file() and "__pycache__" not in p.parts),
              *(root / "lessons").rglob("*.md"), *(root / ".streamlit").rglob("*.toml")]
    found = [f"{p.relative_to(root)}: {m.group(0)}" for p in served
             for m in CDN.finditer(p.read_text(encoding="utf-8", errors="replace"))]
    assert not found, found
