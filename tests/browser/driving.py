"""Driving the real app in headless Chromium: start a server, wait for a page, check and photograph it.

The fixtures that use these (server, browser, page) are in tests/conftest.py.
"""

from __future__ import annotations

import json
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


# Every app these tests started, by origin ("http://127.0.0.1:PORT"): the only addresses a page may reach.
APP_ORIGINS: set[str] = set()
_ORIGIN_OF: dict[int, str] = {}  # server process id -> its origin


def is_app_url(url: str) -> bool:
    """A request to one of the apps these tests started (http or its websocket), nothing else."""
    if url.startswith(("ws://", "wss://")):
        url = "http" + url[2:]
    return any(url == origin or url.startswith(origin + "/") for origin in APP_ORIGINS)


def is_base_path_probe(url: str) -> bool:
    """The two requests Streamlit's frontend sends before it knows where the server lives.

    Opened at /<page>, the frontend cannot tell a page of an app at / from an app served under /<page>/
    (server.baseUrlPath), so it tries /<page>/_stcore/health and /<page>/_stcore/host-config first, gets
    404, and then uses /_stcore/... The app cannot change this: the guess happens in Streamlit's
    index.html before any of our code runs, and the only way to skip it (window.__streamlit.BACKEND_BASE_URL)
    is for pages that embed Streamlit. It costs one 404 pair and about 100 ms on a page's first load.
    """
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    parts = path.strip("/").split("/")
    return len(parts) == 3 and parts[1] == "_stcore" and parts[2] in ("health", "host-config")


class NetworkGuard:
    """Lets a browser context reach only the apps these tests started; records everything else.

    Every other request is aborted before it leaves (so a classroom's offline conditions hold here too) and
    kept in `outside`; a websocket elsewhere is recorded too. `failed` keeps the app's responses of 400 and
    above, except Streamlit's base-path probes (is_base_path_probe).
    """

    def __init__(self, context) -> None:
        self.outside: list[str] = []
        self.failed: list[str] = []
        context.route("**/*", self._route)
        context.on("page", self._watch)
        for pg in context.pages:
            self._watch(pg)

    def _route(self, route) -> None:
        if is_app_url(route.request.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _watch(self, pg) -> None:
        pg.on("websocket", lambda ws: None if is_app_url(ws.url) else self.outside.append(ws.url))
        pg.on("response", self._response)

    def _response(self, response) -> None:
        if response.status >= 400 and not is_base_path_probe(response.url):
            self.failed.append(f"{response.status} {response.url}")

    def check(self) -> None:
        assert not self.outside, f"requests that left the app: {sorted(set(self.outside))}"
        assert not self.failed, f"failed requests to the app: {self.failed}"


def new_page(browser, **context_options):
    """A page in a fresh context (a new browser profile) behind a NetworkGuard: `pg.guard`, `pg.dialogs`."""
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, "locale": "en-US",
                                     **context_options})
    guard = NetworkGuard(context)
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    pg.guard = guard
    return pg


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
    APP_ORIGINS.add(url)
    _ORIGIN_OF[proc.pid] = url
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
    APP_ORIGINS.discard(_ORIGIN_OF.pop(proc.pid, ""))
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
    guard = getattr(pg, "guard", None)
    assert guard is not None, "open pages with the `page` fixture or driving.new_page: they guard the network"
    guard.check()
    icons = pg.evaluate("() => [...document.querySelectorAll('link[rel~=\"icon\"]')].map(l => l.href)")
    assert icons and all(i.startswith("data:") or is_app_url(i) for i in icons), icons  # the favicon is ours


def download_notebook(pg, label: str) -> tuple[str, dict, list[str]]:
    """Click the page's notebook button named `label`: the file's name, the notebook, and each cell's source."""
    with pg.expect_download() as info:
        pg.get_by_role("button", name=label).click()
    download = info.value
    notebook = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in notebook["cells"]]
    return download.suggested_filename, notebook, sources
