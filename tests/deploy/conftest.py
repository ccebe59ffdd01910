"""Fixtures of the deployment tests: PostgreSQL, nginx, and `python -m deploy.replicas run` in front of them.

PostgreSQL comes from the suite's shared fixture (tests/conftest.py: a throwaway server from
Debian's binaries, or GPTLAB_TEST_POSTGRES_URL). nginx is Debian's, run by the launcher as this user with everything it
writes in a temporary folder. Without nginx the tests are skipped with the reason, except under CI
(CI=true), where that is a failure: .ci/run installs nginx.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import postgres
from tests.conftest import _in_ci, _unavailable

ROOT = Path(__file__).resolve().parents[2]
SECRET = "the department's instructor secret, 2026"


def _free_ports(n: int) -> list[int]:
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        message = "the deployment tests need nginx (Debian: apt-get install nginx)"
        if _in_ci():
            pytest.fail(message + " (CI=true: .ci/run installs it)", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """One fresh database for the module's deployment, dropped afterwards."""
    try:
        url, reason = postgres.create_database(postgres_admin_url), ""
    except Exception as error:  # a given URL without CREATEDB, a server gone away...
        url, reason = "", f"cannot create a test database: {error}"
    if reason:
        _unavailable(reason)
    yield url
    postgres.drop_database(postgres_admin_url, url)


class ProgressView:
    """The test's own reading of the shared database. The only place these tests import the app's code."""

    def __init__(self, url: str) -> None:
        from gptlab.classroom import store  # moves with the app's layout: update this line only

        self._progress = store
        self.store = store.ProgressStore(url)

    def attempts(self, class_code: str):
        return self.store.attempts(class_code)

    def student_name(self, return_code: str) -> str:
        return self.store.resume(return_code).name

    def read_csv(self, text: str):
        return self._progress.read_attempts_csv(text)


@pytest.fixture(scope="module")
def progress_view(database_url: str) -> ProgressView:
    return ProgressView(database_url)


@dataclass
class Deployment:
    url: str  # nginx, the students' address
    state_dir: Path
    addresses: dict[str, str]  # replica name (the cookie's value) -> host:port
    proc: subprocess.Popen
    launcher_log: Path

    def state(self) -> dict:
        return json.loads((self.state_dir / "replicas.json").read_text())

    def access_log(self) -> list[str]:
        path = Path(self.state()["nginx"]["access_log"])
        return path.read_text().splitlines() if path.exists() else []

    def replica_log(self, name: str) -> str:
        return (self.state_dir / "logs" / f"replica-{name}.log").read_text(errors="replace")

    def launcher_output(self) -> str:
        return self.launcher_log.read_text(errors="replace")


@pytest.fixture(scope="module")
def deployment(nginx_binary, database_url, prepared_decoder, tmp_path_factory) -> Iterator[Deployment]:
    """Two replicas and nginx started by the launcher, all sharing the module's PostgreSQL database."""
    state_dir = tmp_path_factory.mktemp("replicas")
    proxy_port, *replica_ports = _free_ports(3)
    env = {**os.environ, "GPTLAB_DATABASE_URL": database_url, "GPTLAB_INSTRUCTOR_SECRET": SECRET,
           "GPTLAB_AUTO_PREPARE": "0", "HF_HUB_OFFLINE": "1"}
    env.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)  # the launcher makes one for both replicas
    log_path = state_dir / "launcher.log"
    with open(log_path, "w") as log:  # a file, not a pipe nobody reads
        proc = subprocess.Popen(
            [sys.executable, "-m", "deploy.replicas", "run", "--ports", ",".join(map(str, replica_ports)),
             "--listen", f"127.0.0.1:{proxy_port}", "--state-dir", str(state_dir), "--nginx", nginx_binary,
             "--health-interval", "2", "--ready-timeout", "300"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.time() + 360
    while "replicas: ready at" not in log_path.read_text():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"the launcher did not get ready:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.5)
    print(f"deployment: {state_dir}", flush=True)
    addresses = {r["name"]: r["address"] for r in json.loads((state_dir / "replicas.json").read_text())["replicas"]}
    yield Deployment(f"http://127.0.0.1:{proxy_port}", state_dir, addresses, proc, log_path)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(90)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    print(log_path.read_text()[-2000:], flush=True)
