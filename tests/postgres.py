"""A throwaway PostgreSQL server for tests: Debian's binaries, a temporary cluster on a free port.

PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user and
its commands run through `runuser`. Nothing system-wide is started or left behind.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No server could be started here; the message says why."""


@dataclass(frozen=True)
class PostgresServer:
    admin_url: str  # SQLAlchemy URL of the `postgres` database, superuser, no password
    data_dir: Path
    bin_dir: Path
    run_as: str | None  # the user the server runs as when we are root


def find_bin_dir() -> Path | None:
    """Where `initdb` and `pg_ctl` live: Debian's newest /usr/lib/postgresql/N/bin, else the PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for directory in reversed(candidates):
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(os.path.realpath(initdb)).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(server_user: str | None, *args: str | Path) -> list[str]:
    command = [str(a) for a in args]
    return ["runuser", "-u", server_user, "--", *command] if server_user else command


def start(timeout_s: int = 60) -> PostgresServer:
    """Initialise and start a cluster in a new temporary folder; PostgresUnavailable if impossible."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql)")
    run_as = None
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and `runuser` is missing: cannot drop to the postgres user")
        try:
            import pwd

            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no `postgres` user to run the server") from None
        run_as = "postgres"
    root = Path(tempfile.mkdtemp(prefix="gptlab-pg-"))
    if run_as:
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, log = root / "data", root / "server.log"
    try:
        _check(
            _command(
                run_as, bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"
            ),
            "initdb",
            cwd=root,
        )
        last_error = ""
        for _ in range(3):  # the free port may be taken between looking and binding
            port = _free_port()
            options = f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root}"
            done = subprocess.run(
                _command(
                    run_as, bin_dir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", str(timeout_s), "-o", options, "start"
                ),
                capture_output=True,
                text=True,
                cwd=root,  # the postgres user may not be allowed into our working directory
            )
            if done.returncode == 0:
                url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
                return PostgresServer(url, data, bin_dir, run_as)
            last_error = done.stderr + done.stdout + (log.read_text(errors="replace") if log.exists() else "")
        raise PostgresUnavailable(f"pg_ctl start failed: {last_error.strip()[-2000:]}")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def halt(server: PostgresServer) -> None:
    """Stop the server and keep its data: `restart` brings it back on the same port (a restart mid-class)."""
    _check(_command(server.run_as, server.bin_dir / "pg_ctl", "-D", server.data_dir, "-m", "fast", "-w", "stop"),
           "pg_ctl stop", cwd=server.data_dir.parent)


def restart(server: PostgresServer, timeout_s: int = 60) -> None:
    """Start a halted server again, on its port."""
    from sqlalchemy.engine import make_url

    root = server.data_dir.parent
    options = f"-c port={make_url(server.admin_url).port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root}"
    _check(_command(server.run_as, server.bin_dir / "pg_ctl", "-D", server.data_dir, "-l", root / "server.log", "-w",
                    "-t", str(timeout_s), "-o", options, "start"), "pg_ctl start", cwd=root)


def _check(command: list[str], what: str, cwd: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-2000:]}")


def stop(server: PostgresServer) -> None:
    """Stop the server and delete its folder."""
    try:
        subprocess.run(
            _command(server.run_as, server.bin_dir / "pg_ctl", "-D", server.data_dir, "-m", "fast", "-w", "stop"),
            capture_output=True,
            timeout=120,
            cwd=server.data_dir.parent,
        )
    finally:
        shutil.rmtree(server.data_dir.parent, ignore_errors=True)


def create_database(admin_url: str) -> str:
    """A new empty database on the server of `admin_url`; returns its URL."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"gptlab_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = make_url(url).database
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()
