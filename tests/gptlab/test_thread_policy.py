"""The thread policy `import gptlab` sets before torch starts its OpenMP threads (gptlab/__init__.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = "import json, os, gptlab; print(json.dumps({k: os.environ.get(k) for k in ('OMP_WAIT_POLICY', 'GOMP_SPINCOUNT')}))"


def policy(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"}}
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env={**clean, **env}, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_threads_sleep_after_a_short_spin_by_default():
    assert policy() == {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "3000"}


def test_a_value_set_by_the_user_wins():
    assert policy(OMP_WAIT_POLICY="ACTIVE", GOMP_SPINCOUNT="0") == {"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": "0"}
    assert policy(GOMP_SPINCOUNT="100") == {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "100"}


def test_a_policy_set_by_the_user_keeps_its_own_spin():
    """libgomp lets GOMP_SPINCOUNT replace the spin a policy implies: ACTIVE must stay ACTIVE."""
    assert policy(OMP_WAIT_POLICY="ACTIVE") == {"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": None}
    assert policy(OMP_WAIT_POLICY="PASSIVE") == {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": None}
