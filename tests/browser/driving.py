"""Driving the real app in headless Chromium: start a server, wait for a page, check and photograph it.

The fixtures that use these (server, browser, page) are in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "browser" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests (.ci/run does)")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(**extra_env: str):
    port = _free_port()
    SHOTS.mkdir(parents=True, exist_ok=True)
    # a file, not a pipe: nobody reads a pipe while tests run, and a full pipe blocks the server
    log = open(SHOTS / f"server-{port}.log", "w")
    env = {**os.environ, "GPTLAB_AUTO_PREPARE": "0", "HF_HUB_OFFLINE": "1", **extra_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not become healthy:\n" + Path(log.name).read_text())
    return proc, url


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_ready(pg, timeout=60_000) -> None:
    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # the script has finished when the app says it is not running
    pg.wait_for_function(
        """() => { const a = document.querySelector('[data-testid="stApp"]');
                   return a && a.getAttribute('data-test-script-state') === 'notRunning'; }""",
        timeout=timeout,
    )
    settle(pg)


_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__glRan = false;
    if (window.__glRunWatch) window.__glRunWatch.disconnect();
    // attributeOldValue: a run that starts and ends between two callbacks still leaves 'running' as an old value
    window.__glRunWatch = new MutationObserver(records => {
        if (records.some(r => r.oldValue === 'running') || app.getAttribute('data-test-script-state') === 'running')
            window.__glRan = true;
    });
    window.__glRunWatch.observe(app, {attributes: true, attributeOldValue: true,
                                      attributeFilter: ['data-test-script-state']});
}"""


def rerun_after(pg, action, timeout=60_000) -> None:
    """Do `action` (a click, a key press) and wait until the script run it starts has finished.

    A fixed pause before `wait_ready` would race: a run that had not started yet looks finished. Here the
    page records every change of the app's run state from before the action on, so a run is seen however
    late it starts or however quickly it ends.
    """
    pg.evaluate(_WATCH_RUNS)
    action()
    pg.wait_for_function("() => window.__glRan === true", timeout=timeout)
    wait_ready(pg, timeout)


def settle(pg, timeout_ms: int = 20_000) -> None:
    """Wait until no element is still a loading skeleton and the page height stops changing."""
    pg.wait_for_function(
        """() => !document.querySelector('[data-testid="stSkeleton"], [class*="Skeleton"]')""",
        timeout=timeout_ms,
    )
    last = -1
    for _ in range(40):
        height = pg.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
        if height == last:
            return
        last = height
        pg.wait_for_timeout(250)


def check_page(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls an inner container, so grow the viewport to the content for a full picture.
    height = pg.evaluate(
        "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
    )
    width = pg.viewport_size["width"]
    pg.set_viewport_size({"width": width, "height": min(int(height) + 40, 16_000)})
    settle(pg)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    pg.set_viewport_size({"width": width, "height": 1000})
    exceptions = pg.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert not pg.dialogs, f"a script ran from user text: {pg.dialogs}"
