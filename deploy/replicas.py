"""Several GPT Lab replicas behind one nginx, each browser pinned to one replica.

    python -m deploy.replicas run [--replicas 2 | --ports 8501,8502] [--listen 8080] [--env-file FILE]
                                  [--state-dir DIR] [--nginx PATH] [--python PATH] [--session-timeout 4h]
    python -m deploy.replicas nginx-config --upstream 127.0.0.1:8501 --upstream 127.0.0.1:8502 [--listen 80]

`run` starts N replicas of the app (`streamlit run streamlit_app.py`, one port each, on 127.0.0.1),
waits until each answers `/_stcore/health`, then starts nginx as a child process (no daemon, no
root needed: its configuration, pid file, logs and temporary folders live in the state folder) with a
configuration generated for those ports. It prints one line `replicas: ready at <url> ...` and stays in
the foreground: it restarts a replica whose process ends, logs each replica's health every
--health-interval seconds, and on SIGTERM or Ctrl-C stops nginx and every replica. The state folder
holds `replicas.json` (addresses, pids, logs), `logs/` and `nginx/`.

`nginx-config` prints the same configuration for replicas that run elsewhere (other machines, or
systemd units: deploy/systemd/), as a file for /etc/nginx/conf.d/ (it belongs inside nginx's `http`
block). deploy/nginx/gptlab.conf is its output for two replicas on ports 8501 and 8502.

What every replica must share (the launcher gives all of them one environment: the --env-file, else
its own environment): GPTLAB_DATABASE_URL (one PostgreSQL; required), GPTLAB_INSTRUCTOR_SECRET,
STREAMLIT_SERVER_COOKIE_SECRET (generated once into the state folder when unset), the code version,
and Streamlit's server settings (XSRF, CORS, upload size, disconnected-session TTL). See the README,
"Serving a department: several replicas".

Stickiness. Streamlit keeps a tab's whole session (widgets, the signed-in student, media files such as
a CSV download, uploads) in the memory of the replica that holds its websocket; the browser's other
requests (a reconnect after a network blip, `/media/...`, `/_stcore/upload_file/...`) must reach the
same replica. nginx sets a cookie `gptlab_replica=<name>` on every response, naming the replica that
answered; a request that carries it goes to that replica (its own upstream group, the other replicas
as backups). A new browser (no cookie) goes to the balanced group, round robin. `ip_hash` would put a
whole classroom behind one NAT address on one replica; Debian's nginx has no `sticky` directive (an
nginx Plus feature), and `hash $cookie__streamlit_xsrf` would move a browser whenever Streamlit
re-masks that cookie, which it does on every page load.

Standard library only: it runs with any Python 3.11; the replicas run with --python (default: this
interpreter, which must then have the app's requirements).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
COOKIE = "gptlab_replica"
HEALTH_PATH = "/_stcore/health"
STREAM_PATH = "/_stcore/stream"
DEFAULT_STATE_DIR = Path("~/.local/state/gpt-lab/replicas")
DEFAULT_ACCESS_LOG = "/var/log/nginx/gptlab-access.log"

# Streamlit settings the launcher gives every replica unless the environment sets them. Replicas must
# agree on them: they are one site for the browser. TTL: a session whose websocket dropped (Wi-Fi blip,
# laptop lid) is kept this long for the tab to reconnect to it, on its own replica.
SHARED_STREAMLIT_DEFAULTS = {
    "STREAMLIT_SERVER_HEADLESS": "true",
    "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "true",
    "STREAMLIT_SERVER_ENABLE_CORS": "true",
    "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "200",
    "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "300",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
DATABASE_ENV = "GPTLAB_DATABASE_URL"
SECRET_ENV = "GPTLAB_INSTRUCTOR_SECRET"


class DeployError(RuntimeError):
    """Something a department must fix before the replicas can run; the message says what."""


# --- the nginx configuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replica:
    name: str  # the cookie's value and the upstream group's suffix: r1, r2, ...
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def replicas_at(addresses: Sequence[str]) -> list[Replica]:
    """Replicas r1, r2, ... at "host:port" addresses (a bare port means 127.0.0.1)."""
    out = []
    for i, address in enumerate(addresses, 1):
        address = address.strip()
        host, _, port = address.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        if not port.isdigit() or not 0 < int(port) < 65536 or not re.fullmatch(r"[\w.:-]+", host):
            raise DeployError(f"not a host:port address: {address!r}")
        out.append(Replica(f"r{i}", host, int(port)))
    if not out:
        raise DeployError("no replica given")
    if len({r.address for r in out}) != len(out):
        raise DeployError("the same replica address is given twice")
    return out


def _duration(value: str) -> str:
    if not re.fullmatch(r"\d+(ms|s|m|h|d)?", value):
        raise DeployError(f"not an nginx duration: {value!r} (e.g. 300s, 4h)")
    return value


def site_config(replicas: Sequence[Replica], *, listen: str = "80", server_name: str = "_",
                session_timeout: str = "4h", http_timeout: str = "300s", max_upload_mb: int = 200,
                access_log: str = DEFAULT_ACCESS_LOG) -> str:
    """nginx's http-level configuration for these replicas: maps, upstream groups, the server."""
    session_timeout, http_timeout = _duration(session_timeout), _duration(http_timeout)
    if not re.fullmatch(r"[\w.:\[\]*-]+", listen) or not re.fullmatch(r"[\w.* -]+", server_name):
        raise DeployError(f"unusable listen address or server name: {listen!r}, {server_name!r}")
    names = ", ".join(f"{r.name}={r.address}" for r in replicas)
    lines = [
        f"# GPT Lab: {len(replicas)} app replica{'s' if len(replicas) > 1 else ''} behind nginx, each browser "
        f"pinned to one ({names}).",
        "# Generated by `python -m deploy.replicas` (see the README, \"Serving a department: several replicas\").",
        "# It belongs inside nginx's http block: on Debian, put it in /etc/nginx/conf.d/.",
        "",
        "# A websocket upgrade is passed on; any other request keeps the upstream connection for reuse.",
        "map $http_upgrade $gptlab_connection {",
        "    default upgrade;",
        "    \"\"      \"\";",
        "}",
        "",
        f"# Stickiness, read: a browser that carries the cookie {COOKIE} goes to the replica it names (that",
        "# replica's own group below, the others as backups). No cookie, or an unknown name: round robin.",
        f"map $cookie_{COOKIE} $gptlab_upstream {{",
        "    default gptlab_balanced;",
        *[f"    {r.name} gptlab_{r.name};" for r in replicas],
        "}",
        "",
        "# Stickiness, written: every response names the replica that answered it (the last address when",
        "# nginx had to try another), so a browser whose replica went down is pinned to the one that took over.",
        "# A session cookie: HttpOnly (no script needs it), SameSite=Lax, gone when the browser closes.",
        "map $upstream_addr $gptlab_set_cookie {",
        "    default \"\";",
        *[f"    \"~(^|\\s){re.escape(r.address)}$\" \"{COOKIE}={r.name}; Path=/; HttpOnly; SameSite=Lax\";"
          for r in replicas],
        "}",
        "",
        "# Where a browser without a cookie lands. Passive health checks: a replica that refuses or times out",
        "# max_fails times is left out for fail_timeout; `zone` shares that and the round robin across workers.",
        "upstream gptlab_balanced {",
        "    zone gptlab_balanced 64k;",
        *[f"    server {r.address} max_fails=3 fail_timeout=10s;" for r in replicas],
        "    keepalive 16;",
        "}",
    ]
    for r in replicas:
        lines += [
            "",
            f"upstream gptlab_{r.name} {{",
            f"    zone gptlab_{r.name} 64k;",
            f"    server {r.address} max_fails=3 fail_timeout=10s;",
            *[f"    server {other.address} backup;" for other in replicas if other != r],
            "    keepalive 8;",
            "}",
        ]
    lines += [
        "",
        "# Paths only, never query strings: a lab's URL carries the student's own text.",
        "log_format gptlab '$remote_addr [$time_local] \"$request_method $uri\" $status $body_bytes_sent '",
        f"                  'pinned=$cookie_{COOKIE} upstream=$upstream_addr time=$request_time';",
        "",
        "server {",
        f"    listen {listen};",
        f"    server_name {server_name};",
        "    server_tokens off;",
        f"    access_log {access_log} gptlab;",
        "",
        f"    client_max_body_size {max_upload_mb + 1}m;  # every replica's server.maxUploadSize, plus the form's overhead",
        "    proxy_request_buffering off;  # an upload streams to the replica that will keep it",
        "    proxy_max_temp_file_size 0;  # nginx never writes a response to disk",
        "",
        "    proxy_http_version 1.1;",
        "    # With its port: Streamlit accepts a websocket when its Origin matches Host; otherwise it compares",
        "    # the Origin with this machine's addresses (asking the internet for the external one) and refuses it.",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        "    proxy_set_header X-Real-IP $remote_addr;",
        "    proxy_set_header Upgrade $http_upgrade;",
        "    proxy_set_header Connection $gptlab_connection;",
        "    proxy_connect_timeout 5s;",
        "    add_header Set-Cookie $gptlab_set_cookie always;",
        "",
        "    # Streamlit's websocket: one per open tab, for the whole class. The replica pings it every 30 s,",
        "    # so these timeouts only end a connection whose replica stopped answering.",
        f"    location = {STREAM_PATH} {{",
        "        proxy_pass http://$gptlab_upstream;",
        f"        proxy_read_timeout {session_timeout};",
        f"        proxy_send_timeout {session_timeout};",
        "    }",
        "",
        "    # The page, its static files, /_stcore/health, media (downloads, images) and uploads.",
        "    location / {",
        "        proxy_pass http://$gptlab_upstream;",
        f"        proxy_read_timeout {http_timeout};",
        f"        proxy_send_timeout {http_timeout};",
        "    }",
        "",
        "    # Each replica's own health, for a monitor on this machine: /_gptlab/health/r1 ...",
    ]
    for r in replicas:
        lines += [
            f"    location = /_gptlab/health/{r.name} {{",
            "        allow 127.0.0.1;",
            "        allow ::1;",
            "        deny all;",
            "        add_header Set-Cookie \"\" always;",
            f"        proxy_pass http://{r.address}{HEALTH_PATH};",
            "        proxy_read_timeout 10s;",
            "    }",
        ]
    lines += ["}", ""]
    return "\n".join(lines)


def standalone_config(replicas: Sequence[Replica], prefix: Path, *, workers: str = "auto", connections: int = 4096,
                      **site) -> str:
    """A complete nginx.conf that runs without root: everything it writes lives under `prefix`."""
    if not re.fullmatch(r"auto|[1-9]\d*", workers):
        raise DeployError(f"nginx workers: 'auto' or a number, not {workers!r}")
    if connections < 16:
        raise DeployError(f"nginx worker_connections: at least 16, not {connections}")
    logs, tmp = prefix / "logs", prefix / "tmp"
    site.setdefault("access_log", str(logs / "access.log"))
    body = site_config(replicas, **site)
    indented = "\n".join(("    " + line) if line else "" for line in body.splitlines())
    return "\n".join([
        "# nginx for GPT Lab's replicas, generated by `python -m deploy.replicas run`; runs in the foreground.",
        "daemon off;",
        f"worker_processes {workers};",
        f"pid {prefix / 'nginx.pid'};",
        f"error_log {logs / 'error.log'} warn;",
        "",
        "events {",
        f"    worker_connections {connections};  # two per open tab (browser side, replica side)",
        "}",
        "",
        "http {",
        f"    client_body_temp_path {tmp / 'body'};",
        f"    proxy_temp_path {tmp / 'proxy'};",
        f"    fastcgi_temp_path {tmp / 'fastcgi'};",
        f"    uwsgi_temp_path {tmp / 'uwsgi'};",
        f"    scgi_temp_path {tmp / 'scgi'};",
        "    default_type application/octet-stream;",
        "",
        indented,
        "}",
        "",
    ])


# --- the environment every replica shares ---------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (systemd's EnvironmentFile subset): '#' comments, optional quotes, `export` allowed."""
    values: dict[str, str] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise DeployError(f"{path}:{n}: not KEY=VALUE")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def cookie_secret(state_dir: Path) -> str:
    """The state folder's cookie secret, made once (0600): the same for every replica and every restart."""
    path = state_dir / "cookie-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def shared_environment(base: Mapping[str, str], state_dir: Path) -> dict[str, str]:
    """The one environment every replica gets; refuses what would make replicas disagree."""
    env = dict(base)
    placeholders = sorted(k for k, v in env.items() if k.startswith(("GPTLAB_", "STREAMLIT_")) and "CHANGE-ME" in v)
    if placeholders:
        raise DeployError(f"replace the CHANGE-ME placeholder in: {', '.join(placeholders)}")
    url = env.get(DATABASE_ENV, "").strip()
    if not url:
        raise DeployError(f"{DATABASE_ENV} is not set: the replicas must share one PostgreSQL database "
                          f"(e.g. {DATABASE_ENV}=postgresql+psycopg://gptlab:...@db-host/gptlab)")
    if not url.startswith("postgresql"):
        raise DeployError(f"{DATABASE_ENV} must be a PostgreSQL URL for several replicas "
                          f"(each machine's SQLite file would hold only its own students' progress)")
    if not env.get(COOKIE_SECRET_ENV, "").strip():
        env[COOKIE_SECRET_ENV] = cookie_secret(state_dir)
    for key, value in SHARED_STREAMLIT_DEFAULTS.items():
        env.setdefault(key, value)
    if not env.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "").isdigit():
        raise DeployError("STREAMLIT_SERVER_MAX_UPLOAD_SIZE must be a whole number of megabytes")
    return env


# --- processes ---------------------------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the launcher dies without stopping it (Linux; elsewhere a no-op)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def _listen_host_port(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise DeployError(f"--listen: a port or host:port, not {listen!r}")
    return host.strip("[]"), int(port)


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


@dataclass
class Running:
    replica: Replica
    log: Path
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    quick_exits: int = 0
    healthy: bool | None = None


@dataclass
class Launcher:
    replicas: list[Replica]
    listen: str
    state_dir: Path
    env: dict[str, str]
    python: str = sys.executable
    app: Path = APP
    nginx: str = "nginx"
    workers: str = "auto"
    server_name: str = "_"
    session_timeout: str = "4h"
    http_timeout: str = "300s"
    ready_timeout: float = 300.0
    health_interval: float = 10.0
    restart: bool = True
    connections: int = 4096  # nginx's worker_connections, lowered to what the open-files limit allows
    log: object = print
    running: list[Running] = field(default_factory=list)
    nginx_proc: subprocess.Popen | None = None
    stopping: bool = False

    @property
    def prefix(self) -> Path:
        return self.state_dir / "nginx"

    @property
    def url(self) -> str:
        host, port = _listen_host_port(self.listen)
        host = host if host and host not in {"0.0.0.0", "::", "*"} else "127.0.0.1"
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    def say(self, message: str) -> None:
        self.log(f"replicas: {message}")

    # -- starting ----------------------------------------------------------------------------------------------

    def raise_open_files_limit(self) -> None:
        """Every open tab holds a socket in nginx (two) and in its replica: lift the soft limit to the hard one."""
        try:
            import resource

            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
            if soft != resource.RLIM_INFINITY and soft < wanted:
                resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
                soft = wanted
        except (ImportError, ValueError, OSError):
            return
        if soft != resource.RLIM_INFINITY:
            self.connections = max(16, min(4096, soft // 2 - 32))

    def check_ports(self) -> None:
        host, port = _listen_host_port(self.listen)
        busy = [r.address for r in self.replicas if not port_free(r.host, r.port)]
        if not port_free(host if host not in {"", "*"} else "0.0.0.0", port):
            busy.append(self.listen)
        if busy:
            raise DeployError(f"port(s) already in use: {', '.join(busy)}")

    def start_replica(self, item: Running) -> None:
        r = item.replica
        command = [self.python, "-m", "streamlit", "run", str(self.app), "--server.port", str(r.port),
                   "--server.address", r.host]
        log = open(item.log, "a")  # a file, not a pipe: nobody has to read it for the replica to go on
        log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {r.name} on {r.address}\n")
        log.flush()
        item.proc = subprocess.Popen(command, cwd=self.app.parent, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_die_with_parent)
        log.close()
        item.started_at = time.monotonic()
        item.healthy = None

    def health_url(self, r: Replica) -> str:
        return f"http://{r.address}{HEALTH_PATH}"

    def wait_replicas(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        waiting = list(self.running)
        while waiting:
            if self.stopping:
                raise DeployError("stopped while the replicas were starting")
            for item in list(waiting):
                if item.proc.poll() is not None:
                    raise DeployError(f"{item.replica.name} ended with code {item.proc.returncode} before it was "
                                      f"ready; its log ({item.log}):\n{_tail(item.log)}")
                if healthy(self.health_url(item.replica)):
                    item.healthy = True
                    waiting.remove(item)
                    self.say(f"{item.replica.name} ready on {item.replica.address} (pid {item.proc.pid})")
            if waiting and time.monotonic() > deadline:
                names = ", ".join(i.replica.name for i in waiting)
                raise DeployError(f"not healthy after {self.ready_timeout:.0f} s: {names} "
                                  f"(logs in {self.state_dir / 'logs'})")
            if waiting:
                time.sleep(0.5)

    def write_nginx_config(self) -> Path:
        for sub in ("logs", "tmp"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        conf = self.prefix / "nginx.conf"
        max_upload = int(self.env.get("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", "200"))
        conf.write_text(standalone_config(
            self.replicas, self.prefix, workers=self.workers, connections=self.connections, listen=self.listen,
            server_name=self.server_name,
            session_timeout=self.session_timeout, http_timeout=self.http_timeout, max_upload_mb=max_upload))
        return conf

    def start_nginx(self) -> None:
        conf = self.write_nginx_config()
        base = [self.nginx, "-p", f"{self.prefix}/", "-c", str(conf)]
        test = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            raise DeployError(f"nginx refuses the configuration {conf}:\n{(test.stderr + test.stdout).strip()}")
        out = open(self.prefix / "logs" / "nginx.out", "a")
        self.nginx_proc = subprocess.Popen(base, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True, preexec_fn=_die_with_parent)
        out.close()
        deadline = time.monotonic() + 30
        while not healthy(self.url + HEALTH_PATH):
            if self.stopping:
                raise DeployError("stopped while nginx was starting")
            if self.nginx_proc.poll() is not None or time.monotonic() > deadline:
                raise DeployError(f"nginx did not start or does not answer on {self.url}:\n"
                                  f"{_tail(self.prefix / 'logs' / 'error.log')}{_tail(self.prefix / 'logs' / 'nginx.out')}")
            time.sleep(0.2)

    def write_state(self) -> None:
        state = {
            "url": self.url,
            "cookie": COOKIE,
            "replicas": [{"name": i.replica.name, "address": i.replica.address,
                          "pid": i.proc.pid if i.proc else None, "log": str(i.log), "restarts": i.restarts}
                         for i in self.running],
            "nginx": {"pid": self.nginx_proc.pid if self.nginx_proc else None,
                      "config": str(self.prefix / "nginx.conf"),
                      "access_log": str(self.prefix / "logs" / "access.log"),
                      "error_log": str(self.prefix / "logs" / "error.log")},
        }
        tmp = self.state_dir / "replicas.json.tmp"
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(self.state_dir / "replicas.json")

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        nginx = shutil.which(self.nginx) or (self.nginx if Path(self.nginx).exists() else None)
        if nginx is None:
            raise DeployError(f"nginx not found ({self.nginx!r}); on Debian: apt-get install nginx")
        self.nginx = nginx
        if not self.app.exists():
            raise DeployError(f"no app at {self.app}")
        probe = subprocess.run([self.python, "-c", "import streamlit"], capture_output=True, text=True)
        if probe.returncode != 0:
            raise DeployError(f"{self.python} cannot import streamlit: pass --python, the interpreter of the "
                              f"app's virtual environment (e.g. .venv/bin/python)")
        self.check_ports()
        self.raise_open_files_limit()  # before any child starts: they inherit it
        self.running = [Running(r, self.state_dir / "logs" / f"replica-{r.name}.log") for r in self.replicas]
        for item in self.running:
            self.start_replica(item)
        self.say(f"starting {len(self.running)} replicas: "
                 + ", ".join(f"{i.replica.name}={i.replica.address} (pid {i.proc.pid})" for i in self.running))
        self.wait_replicas()
        self.start_nginx()
        self.write_state()
        everywhere = _listen_host_port(self.listen)[0] in {"", "0.0.0.0", "::", "*"}
        self.say(f"ready at {self.url}/{' (and on every address of this machine)' if everywhere else ''} "
                 f"(nginx pid {self.nginx_proc.pid}; "
                 + ", ".join(f"{i.replica.name}={i.replica.address}" for i in self.running)
                 + f"; state in {self.state_dir})")

    # -- running -----------------------------------------------------------------------------------------------

    def supervise(self) -> int:
        next_health = time.monotonic() + self.health_interval
        while not self.stopping:
            if self.nginx_proc.poll() is not None:
                self.say(f"nginx ended with code {self.nginx_proc.returncode}; stopping\n"
                         f"{_tail(self.prefix / 'logs' / 'error.log')}")
                return 1
            for item in self.running:
                if item.proc.poll() is None or self.stopping:
                    continue
                code, lived = item.proc.returncode, time.monotonic() - item.started_at
                if not self.restart:
                    self.say(f"{item.replica.name} ended with code {code}; not restarting (--no-restart)")
                    return 1
                # a replica that dies at once again and again waits longer each time (up to a minute)
                item.quick_exits = item.quick_exits + 1 if lived < 30 else 0
                delay = min(60, 2 ** item.quick_exits) if item.quick_exits else 0
                self.say(f"{item.replica.name} ended with code {code} after {lived:.0f} s; its sessions are gone; "
                         f"restarting{f' in {delay} s' if delay else ''} (nginx sends its browsers to the others "
                         f"meanwhile)")
                if delay and self._sleep(delay):
                    break
                self.start_replica(item)
                item.restarts += 1
                self.write_state()
            if time.monotonic() >= next_health:
                next_health = time.monotonic() + self.health_interval
                for item in self.running:
                    ok = healthy(self.health_url(item.replica), timeout=5)
                    if ok != item.healthy:
                        self.say(f"{item.replica.name} {'healthy' if ok else 'NOT healthy'} ({item.replica.address})")
                        item.healthy = ok
            self._sleep(0.5)
        return 0

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless asked to stop; True when stopping."""
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.2, end - time.monotonic()))
        return self.stopping

    def stop(self) -> None:
        self.stopping = True
        procs = ([self.nginx_proc] if self.nginx_proc else []) + [i.proc for i in self.running if i.proc]
        for p in procs:
            if p.poll() is None:
                p.terminate()  # nginx: fast shutdown; streamlit: closes its sessions and exits
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


# --- command line --------------------------------------------------------------------------------------------


def _ports(value: str) -> list[int]:
    try:
        ports = [int(p) for p in value.split(",") if p.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated port numbers, not {value!r}") from None
    if not ports:
        raise argparse.ArgumentTypeError("no port given")
    return ports


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m deploy.replicas", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def common(q: argparse.ArgumentParser, listen: str) -> None:
        q.add_argument("--listen", default=listen, help=f"nginx's [host:]port (default {listen})")
        q.add_argument("--server-name", default="_", help="nginx server_name (default _: any)")
        q.add_argument("--session-timeout", default="4h",
                       help="how long a silent websocket stays open through nginx (default 4h: a class)")
        q.add_argument("--http-timeout", default="300s", help="other requests' read/send timeout (default 300s)")

    run = sub.add_parser("run", help="start N replicas and nginx; stay in the foreground")
    common(run, "8080")
    run.add_argument("--replicas", type=int, default=2, help="how many replicas (default 2)")
    run.add_argument("--first-port", type=int, default=8501, help="ports first-port, first-port+1, ... (default 8501)")
    run.add_argument("--ports", type=_ports, help="the replicas' ports, comma-separated (overrides --replicas)")
    run.add_argument("--env-file", type=Path, help="KEY=VALUE file with the shared settings (deploy/gptlab.env.example)")
    run.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR, help=f"default {DEFAULT_STATE_DIR}")
    run.add_argument("--nginx", default="nginx" if shutil.which("nginx") else "/usr/sbin/nginx")
    run.add_argument("--nginx-workers", default="auto")
    run.add_argument("--python", default=sys.executable, help="the interpreter with the app's requirements")
    run.add_argument("--app", type=Path, default=APP, help="the entry script (default this checkout's)")
    run.add_argument("--ready-timeout", type=float, default=300.0, help="seconds for the replicas to get healthy")
    run.add_argument("--health-interval", type=float, default=10.0, help="seconds between health checks")
    run.add_argument("--no-restart", action="store_true", help="stop everything when a replica ends")

    cfg = sub.add_parser("nginx-config", help="print the nginx configuration for replicas at these addresses")
    common(cfg, "80")
    cfg.add_argument("--upstream", action="append", required=True, metavar="HOST:PORT", help="a replica (repeat)")
    cfg.add_argument("--max-upload-mb", type=int, default=200, help="the replicas' server.maxUploadSize")
    cfg.add_argument("--access-log", default=DEFAULT_ACCESS_LOG)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if args.command == "nginx-config":
            sys.stdout.write(site_config(
                replicas_at(args.upstream), listen=args.listen, server_name=args.server_name,
                session_timeout=args.session_timeout, http_timeout=args.http_timeout,
                max_upload_mb=args.max_upload_mb, access_log=args.access_log))
            return 0
        if args.replicas < 1:
            raise DeployError("--replicas: at least 1")
        ports = args.ports or [args.first_port + i for i in range(args.replicas)]
        state_dir = args.state_dir.expanduser().resolve()
        base = dict(os.environ)
        if args.env_file:
            base.update(read_env_file(args.env_file))  # the file is the deployment's word: it wins
        env = shared_environment(base, state_dir)
        if not env.get(SECRET_ENV, "").strip() and not (args.app.parent / ".streamlit" / "secrets.toml").exists():
            print(f"replicas: warning: {SECRET_ENV} is not set: the instructor page stays locked on every replica",
                  flush=True)
        launcher = Launcher(
            replicas_at([str(p) for p in ports]), args.listen, state_dir, env, python=args.python,
            app=args.app.resolve(), nginx=args.nginx, workers=args.nginx_workers, server_name=args.server_name,
            session_timeout=args.session_timeout, http_timeout=args.http_timeout, ready_timeout=args.ready_timeout,
            health_interval=args.health_interval, restart=not args.no_restart,
            log=lambda line: print(line, flush=True),
        )
    except DeployError as error:
        print(f"replicas: {error}", file=sys.stderr, flush=True)
        return 2

    def on_signal(signum, _frame) -> None:
        launcher.stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    code = 0
    try:
        launcher.start()
        code = launcher.supervise()
    except DeployError as error:
        print(f"replicas: {error}", file=sys.stderr, flush=True)
        code = 1
    finally:
        launcher.say("stopping nginx and the replicas")
        launcher.stop()
        launcher.say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
