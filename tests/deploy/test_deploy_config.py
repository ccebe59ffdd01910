"""The deployment's configuration without starting anything: the nginx files, the shared environment.

nginx itself checks the generated files (`nginx -t`) when it is installed; the stickiness maps are
checked here against the strings nginx gives them.
"""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import replicas as R

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_the_committed_nginx_file_is_what_the_generator_prints():
    """deploy/nginx/gptlab.conf never drifts from the code: regenerate it with the command below."""
    printed = subprocess.run(
        [sys.executable, "-m", "deploy.replicas", "nginx-config", "--upstream", "127.0.0.1:8501",
         "--upstream", "127.0.0.1:8502", "--listen", "80"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert (DEPLOY / "nginx" / "gptlab.conf").read_text() == printed


def _map(config: str, variable: str) -> list[tuple[str, str]]:
    block = re.search(rf"map \S+ \${variable} {{\n(.*?)\n}}", config, re.S).group(1)
    return [tuple(re.findall(r'"[^"]*"|\S+', line.strip().rstrip(";"))) for line in block.splitlines()]


def test_every_replica_has_its_own_group_with_the_others_as_backups():
    replicas = R.replicas_at(["10.0.0.5:8501", "10.0.0.6:8501", "127.0.0.1:8503"])
    config = R.site_config(replicas)
    assert _map(config, "gptlab_upstream") == [("default", "gptlab_balanced"), ("r1", "gptlab_r1"),
                                               ("r2", "gptlab_r2"), ("r3", "gptlab_r3")]
    for r in replicas:
        group = re.search(rf"upstream gptlab_{r.name} {{\n(.*?)\n}}", config, re.S).group(1)
        servers = re.findall(r"server (\S+)( backup)?", group)
        assert servers[0] == (r.address, "")  # its own replica first
        assert sorted(s for s, backup in servers[1:] if backup) == sorted(o.address for o in replicas if o != r)
    balanced = re.search(r"upstream gptlab_balanced {\n(.*?)\n}", config, re.S).group(1)
    assert re.findall(r"server (\S+)", balanced) == [r.address for r in replicas]
    assert "backup" not in balanced and "hash" not in balanced and "ip_hash" not in config


def test_the_cookie_names_the_replica_that_answered_even_after_a_retry():
    replicas = R.replicas_at(["127.0.0.1:8501", "127.0.0.1:8502", "127.0.0.1:18501"])
    rules = _map(R.site_config(replicas), "gptlab_set_cookie")
    assert rules[0] == ("default", '""')

    def cookie(upstream_addr: str) -> str:
        for pattern, value in rules[1:]:
            if re.search(pattern.strip('"')[1:], upstream_addr):  # nginx: "~regex", PCRE
                return value.strip('"')
        return ""

    assert cookie("127.0.0.1:8501").startswith("gptlab_replica=r1;")
    assert cookie("127.0.0.1:18501").startswith("gptlab_replica=r3;")  # not r1: whole addresses only
    assert cookie("127.0.0.1:8501, 127.0.0.1:8502").startswith("gptlab_replica=r2;")  # r1 refused, r2 answered
    assert cookie("gptlab_r1") == ""  # every server failed: nginx's own error, no cookie
    flags = cookie("127.0.0.1:8502").split("; ")[1:]
    assert flags == ["Path=/", "HttpOnly", "SameSite=Lax"]


def test_websockets_get_upgrade_headers_the_host_with_its_port_and_long_timeouts():
    config = R.site_config(R.replicas_at(["8501", "8502"]), session_timeout="5h", http_timeout="120s")
    assert "proxy_set_header Host $http_host;" in config  # not $host: it drops the port
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "proxy_set_header Connection $gptlab_connection;" in config
    assert "proxy_http_version 1.1;" in config
    stream = re.search(r"location = /_stcore/stream {\n(.*?)\n    }", config, re.S).group(1)
    assert "proxy_read_timeout 5h;" in stream and "proxy_send_timeout 5h;" in stream
    rest = re.search(r"location / {\n(.*?)\n    }", config, re.S).group(1)
    assert "proxy_read_timeout 120s;" in rest
    assert '"$request_method $uri"' in config and "$request " not in config and "$args" not in config


@pytest.mark.parametrize("bad", [dict(session_timeout="4 hours"), dict(listen="80; evil"),
                                 dict(server_name="a;b")])
def test_values_that_would_break_the_file_are_refused(bad):
    with pytest.raises(R.DeployError):
        R.site_config(R.replicas_at(["8501"]), **bad)


@pytest.mark.parametrize("bad", [[], ["8501", "127.0.0.1:8501"], ["host:port"], ["a;b:8501"], ["70000"]])
def test_replica_addresses_are_checked(bad):
    with pytest.raises(R.DeployError):
        R.replicas_at(bad)


def test_nginx_accepts_the_standalone_and_the_site_configuration(nginx_binary, tmp_path):
    nginx = nginx_binary
    replicas = R.replicas_at(["127.0.0.1:8501", "127.0.0.1:8502", "[::1]:8503"])
    prefix = tmp_path / "nginx"
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True)
    conf = prefix / "nginx.conf"
    conf.write_text(R.standalone_config(replicas, prefix, listen="127.0.0.1:18080", workers="1"))
    done = subprocess.run([nginx, "-t", "-p", f"{prefix}/", "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # the committed site file, inside a minimal http block as Debian's nginx.conf includes conf.d/
    site = (DEPLOY / "nginx" / "gptlab.conf").read_text().replace("listen 80;", "listen 127.0.0.1:18081;")
    site = site.replace(R.DEFAULT_ACCESS_LOG, str(prefix / "logs" / "site-access.log"))
    wrapper = prefix / "site.conf"
    wrapper.write_text(f"pid {prefix}/site.pid;\nerror_log {prefix}/logs/site-error.log;\nevents {{}}\nhttp {{\n"
                       + "".join(f"    {p}_temp_path {prefix}/tmp/{p};\n"
                                 for p in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                       + site + "}\n")
    done = subprocess.run([nginx, "-t", "-p", f"{prefix}/", "-c", str(wrapper)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- the shared environment ------------------------------------------------------------------------------------

PG = "postgresql+psycopg://gptlab:pw@db/gptlab"


def test_replicas_need_one_postgresql(tmp_path):
    with pytest.raises(R.DeployError, match="GPTLAB_DATABASE_URL is not set"):
        R.shared_environment({}, tmp_path)
    with pytest.raises(R.DeployError, match="PostgreSQL"):
        R.shared_environment({"GPTLAB_DATABASE_URL": "sqlite:///progress.sqlite3"}, tmp_path)
    with pytest.raises(R.DeployError, match="CHANGE-ME"):
        R.shared_environment({"GPTLAB_DATABASE_URL": PG, "GPTLAB_INSTRUCTOR_SECRET": "CHANGE-ME"}, tmp_path)


def test_one_cookie_secret_for_every_replica_made_once_and_kept_private(tmp_path):
    first = R.shared_environment({"GPTLAB_DATABASE_URL": PG}, tmp_path)
    again = R.shared_environment({"GPTLAB_DATABASE_URL": PG}, tmp_path)  # a restart of the launcher
    secret = first["STREAMLIT_SERVER_COOKIE_SECRET"]
    assert len(secret) == 64 and again["STREAMLIT_SERVER_COOKIE_SECRET"] == secret
    assert stat.S_IMODE((tmp_path / "cookie-secret").stat().st_mode) == 0o600
    given = R.shared_environment({"GPTLAB_DATABASE_URL": PG, "STREAMLIT_SERVER_COOKIE_SECRET": "s" * 40}, tmp_path)
    assert given["STREAMLIT_SERVER_COOKIE_SECRET"] == "s" * 40
    assert first["STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION"] == "true" and first["HF_HUB_OFFLINE"] == "1"
    kept = R.shared_environment({"GPTLAB_DATABASE_URL": PG, "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "50"}, tmp_path)
    assert kept["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"] == "50"


def test_the_example_environment_file_reads_and_names_every_shared_setting(tmp_path):
    values = R.read_env_file(DEPLOY / "gptlab.env.example")
    for key in ("GPTLAB_DATABASE_URL", "GPTLAB_INSTRUCTOR_SECRET", "STREAMLIT_SERVER_COOKIE_SECRET",
                *R.SHARED_STREAMLIT_DEFAULTS):
        assert key in values, key
    with pytest.raises(R.DeployError, match="CHANGE-ME"):  # an unedited copy is refused
        R.shared_environment(values, tmp_path)
    path = tmp_path / "env"
    path.write_text("# comment\n\nexport A='x y'\nB=\"q\"\nC=1=2\n")
    assert R.read_env_file(path) == {"A": "x y", "B": "q", "C": "1=2"}
    path.write_text("not a setting\n")
    with pytest.raises(R.DeployError, match=":1:"):
        R.read_env_file(path)


def test_the_launcher_stops_at_once_on_a_missing_database(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "deploy.replicas", "run", "--state-dir", str(tmp_path), "--nginx", "/bin/true"],
        cwd=ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60,
    )
    assert done.returncode == 2 and "GPTLAB_DATABASE_URL is not set" in done.stderr
