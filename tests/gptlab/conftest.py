"""Fixtures of the core tests: a real PostgreSQL server for the progress store.

`postgres_admin_url` is GPTLAB_TEST_POSTGRES_URL when set (a role allowed to CREATE DATABASE),
else a throwaway cluster started from Debian's binaries for the session. Where none can be had the
tests are skipped with the reason, except under CI (CI=true), where that is a failure: CI installs
PostgreSQL, so a skip there would hide a broken setup.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests import postgres


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL tests need a server: {reason}"
    if _in_ci():
        pytest.fail(message + " (CI=true: PostgreSQL must be available in CI)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    given = os.environ.get("GPTLAB_TEST_POSTGRES_URL", "").strip()
    if given:
        yield given
        return
    try:
        server = postgres.start()
    except postgres.PostgresUnavailable as error:
        reason = str(error)
    else:
        reason = ""
    if reason:
        _unavailable(reason)
    try:
        yield server.admin_url
    finally:
        postgres.stop(server)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    try:
        url, reason = postgres.create_database(postgres_admin_url), ""
    except Exception as error:  # a given URL without CREATEDB, a server gone away...
        where = make_url(postgres_admin_url).render_as_string(hide_password=True)
        url, reason = "", f"cannot create a test database at {where}: {error}"
    if reason:
        _unavailable(reason)
    yield url
    postgres.drop_database(postgres_admin_url, url)
