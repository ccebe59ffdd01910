"""The code sandbox (issue #7) against honest and hostile submissions; CI runs it as root.

Every test checks afterwards that no process and no folder of the sandbox is left (fixture
`sandbox_tmp`); every hostile test also checks that an honest run right after still works.
The hostile submissions are files in tests/gptlab/hostile/ (never imported: they are only read).
"""

from __future__ import annotations

import builtins
import json
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import psutil
import pytest

from gptlab.exercises import sandbox
from gptlab.exercises.sandbox import CaseOutcome, SandboxLimits, SandboxRun, run_function

HOSTILE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).resolve().parents[2]
REFERENCES = ROOT / "labs" / "attention" / "exercises.py"  # answers of code exercises (causal_mask's reference)
# Hostile tests that are about the mechanism use short limits; one test keeps the defaults.
FAST = SandboxLimits(cpu_seconds=1, wall_seconds=4)
ROOMY = SandboxLimits(cpu_seconds=10, wall_seconds=30)  # runs that must complete, on a slow or busy machine
PWNED = Path("/tmp/gptlab-sandbox-pwned")

HONEST_MASK = '''
import numpy as np

def causal_mask(T):
    """0 on and below the diagonal, -inf above: position t sees 0..t."""
    mask = np.zeros((T, T))
    mask[np.triu_indices(T, 1)] = -np.inf
    return mask
'''


def reference_mask(T: int) -> list[list[float]]:
    return [[0.0 if j <= i else -math.inf for j in range(T)] for i in range(T)]


def hidden_cases(seed: int = 0) -> list[list[int]]:
    """Inputs the submission never saw, as the exercise checkers make them (seeded: the same on every run)."""
    rng = random.Random(seed)
    return [[rng.randint(3, 9)] for _ in range(3)]


def score(run: SandboxRun, cases: list[list[int]]) -> float:
    """What the caller's verdict would give: exact plain-data equality with the reference."""
    if run.status != "ok":
        return 0.0
    right = sum(o.ok and o.value == reference_mask(*case) for o, case in zip(run.outcomes, cases))
    return right / len(cases)


def hostile(name: str) -> str:
    return (HOSTILE / f"{name}.py").read_text()


def sandbox_processes(folder: str) -> list[psutil.Process]:
    """Live processes of this test's sandboxes, of any user: by command line or working folder.

    (Not every process of the sandbox user: other test runs on the machine may have theirs.)"""
    found = []
    for process in psutil.process_iter(["cmdline", "cwd", "status"]):
        try:
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            cmdline = " ".join(process.info["cmdline"] or [])
            if folder in cmdline or (process.info["cwd"] or "").startswith(folder):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.fixture(autouse=True)
def sandbox_tmp(monkeypatch):
    """Sandbox folders go to a folder of this test; afterwards nothing may be left in it or running."""
    folder = tempfile.mkdtemp(prefix="gptlab-sandbox-tests-")
    os.chmod(folder, 0o711)  # the sandbox user must be able to enter its own folder below
    monkeypatch.setattr(tempfile, "tempdir", folder)
    PWNED.unlink(missing_ok=True)
    yield folder
    try:
        assert os.listdir(folder) == [], "a sandbox folder was left behind"
        assert sandbox_processes(folder) == [], "a sandbox process survived"
        assert psutil.Process().children(recursive=True) == [], "a child process survived"
        assert not PWNED.exists(), "a submission wrote outside its folder"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def assert_still_serving() -> None:
    """The app keeps answering: an honest run right after works and is graded fully."""
    cases = hidden_cases()
    run = run_function(HONEST_MASK, "causal_mask", cases)
    assert run.status == "ok", run
    assert score(run, cases) == 1.0


# --------------------------------------------------------------------------------------------------
# Honest submissions


def test_causal_mask_returns_numpy_with_minus_infinity():
    cases = [[1], [4], [7]]
    run = run_function(HONEST_MASK, "causal_mask", cases)
    assert run.status == "ok" and run.message == ""
    assert [o.value for o in run.outcomes] == [reference_mask(1), reference_mask(4), reference_mask(7)]
    assert all(o.ok and o.error == "" for o in run.outcomes)
    assert isinstance(run.outcomes[1].value[0][1], float) and run.outcomes[1].value[0][1] == -math.inf


def test_layers_of_isolation_are_reported():
    run, layers = sandbox._execute(HONEST_MASK, "causal_mask", [[2]], SandboxLimits())
    assert run.status == "ok"
    assert {"rlimits", "audit"} <= set(layers)
    if os.geteuid() == 0:
        assert "user" in layers  # RLIMIT_NPROC only binds once root is gone


def test_a_function_that_fails_on_one_case_only():
    source = "def invert(x):\n    if x == 0:\n        raise ZeroDivisionError('no inverse for 0')\n    return 1 / x\n"
    run = run_function(source, "invert", [[2], [0], [4]])
    assert run.status == "ok"
    assert run.outcomes[0] == CaseOutcome(True, 0.5, "")
    assert run.outcomes[1].ok is False and run.outcomes[1].value is None
    assert run.outcomes[1].error == "ZeroDivisionError: no inverse for 0 (line 3)"
    assert run.outcomes[2] == CaseOutcome(True, 0.25, "")


def test_syntax_error_names_the_line():
    run = run_function("import math\n\ndef f(x)\n    return x\n", "f", [[1]])
    assert run.status == "error" and run.outcomes == ()
    assert run.message.startswith("SyntaxError at line 3")


def test_error_at_import_names_the_line():
    run = run_function("x = 1\ny = undefined_name\ndef f(x):\n    return x\n", "f", [[1]])
    assert run.status == "error"
    assert "NameError" in run.message and "line 2" in run.message


def test_missing_or_uncallable_function():
    assert run_function("def g(x):\n    return x\n", "f", [[1]]).message == "no function named f"
    run = run_function("f = 3\n", "f", [[1]])
    assert run.status == "error" and "not a function" in run.message


def test_empty_and_too_long_code_are_refused_before_starting():
    assert run_function("   \n", "f", [[1]]) == SandboxRun("error", (), "the code is empty", "")
    run = run_function("x = 1\n" * 20_000, "f", [[1]])
    assert run.status == "error" and "too long" in run.message


def test_caller_mistakes_raise():
    with pytest.raises(ValueError):
        run_function("def f(x):\n    return x\n", "not a name", [[1]])
    with pytest.raises(ValueError):
        run_function("def f(x):\n    return x\n", "f", [[1]], SandboxLimits(cpu_seconds=0))
    with pytest.raises(TypeError):
        run_function("def f(x):\n    return x\n", "f", [[object()]])


def test_plain_values_of_every_kind_come_back():
    source = '''
import numpy as np
from collections import Counter, OrderedDict, namedtuple
from enum import IntEnum

Point = namedtuple("Point", "x y")
class Level(IntEnum):
    HIGH = 3

def values(arg):
    return {
        "tuple": (1, 2), "none": None, "bool": True, "str": "olá 😀 <script>", "nan": float("nan"),
        "np_scalar": np.float32(0.5), "np_int": np.arange(3), "np_bool": np.array([True, False]),
        "counter": Counter("aab"), "ordered": OrderedDict(b=1), "point": Point(1, 2), "level": Level.HIGH,
        "arg": arg, "big": 2**70,
    }
'''
    run = run_function(source, "values", [[np.array([[1.5, 2.0]])]])
    assert run.status == "ok", run
    value = run.outcomes[0].value
    assert math.isnan(value.pop("nan"))
    assert value == {
        "tuple": [1, 2], "none": None, "bool": True, "str": "olá 😀 <script>", "np_scalar": 0.5,
        "np_int": [0, 1, 2], "np_bool": [True, False], "counter": {"a": 2, "b": 1}, "ordered": {"b": 1},
        "point": [1, 2], "level": 3, "arg": [[1.5, 2.0]], "big": 2**70,
    }
    assert type(value["level"]) is int and type(value["bool"]) is bool


def test_values_that_are_not_plain_data_fail_their_case():
    source = "def f(kind):\n    return {'complex': 1j, 'set': {1}, 'key': {1: 2}, 'fn': print}[kind]\n"
    run = run_function(source, "f", [["complex"], ["set"], ["key"], ["fn"]])
    assert run.status == "ok"
    assert [o.ok for o in run.outcomes] == [False] * 4
    assert run.outcomes[0].error.startswith("TypeError: returned a complex")
    assert "keys of type int" in run.outcomes[2].error


def test_unicode_and_markup_in_output_arrive_intact():
    source = "def f(x):\n    print('olá, 世界 😀 <script>alert(1)</script>')\n    print('\\ud800')\n    return x\n"
    run = run_function(source, "f", [[1]])
    assert run.status == "ok"
    assert run.stdout.startswith("olá, 世界 😀 <script>alert(1)</script>\n")
    assert "\\ud800" in run.stdout  # a lone surrogate is escaped, not an error


def test_output_past_the_cap_is_truncated_and_stops_the_run():
    limits = SandboxLimits(max_output_bytes=1000)
    run = run_function("def f(x):\n    print('é' * 3000)\n    return x\n", "f", [[1]], limits)
    assert run.status == "limit" and "output" in run.message
    assert len(run.stdout.encode()) <= 1000 and run.stdout.startswith("é" * 100)
    assert_still_serving()


def test_standard_modules_and_numpy_work_and_torch_says_why_not():
    source = '''
import math, random, itertools, functools, collections, statistics, dataclasses, typing, heapq, re
import numpy as np

@dataclasses.dataclass(frozen=True)
class Pair:
    a: int
    b: int

def f(x):
    rng = np.random.default_rng(0)
    return [math.comb(5, 2), statistics.mean([1, 2, 3]), Pair(1, 2).b, float(np.fft.fft([1, 0])[0].real),
            int(rng.integers(0, 1)), list(itertools.accumulate([1, 2]))]
'''
    run = run_function(source, "f", [[0]])
    assert run.status == "ok", run
    assert run.outcomes[0].value == [10, 2, 2, 1.0, 0, [1, 3]]
    run = run_function(hostile("monkeypatch_torch"), "causal_mask", [[2]])
    assert run.status == "error" and "'torch' is not available" in run.message


def test_busy_when_every_slot_is_taken():
    holding, release = threading.Event(), threading.Event()

    def hold_all_slots():
        for _ in range(sandbox.MAX_SANDBOXES):
            sandbox._slots.acquire()
        holding.set()
        release.wait(30)
        for _ in range(sandbox.MAX_SANDBOXES):
            sandbox._slots.release()

    holder = threading.Thread(target=hold_all_slots)
    holder.start()
    try:
        assert holding.wait(30)
        run = run_function(HONEST_MASK, "causal_mask", [[2]])
        assert run.status == "busy" and run.outcomes == () and "at most" in run.message
    finally:
        release.set()
        holder.join()
    assert_still_serving()


def test_max_sandboxes_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("GPTLAB_MAX_SANDBOXES", "5")
    assert sandbox._max_sandboxes() == 5
    for bad in ("zero", "", "0", "-3"):
        monkeypatch.setenv("GPTLAB_MAX_SANDBOXES", bad)
        assert sandbox._max_sandboxes() in (1, 2)


@pytest.mark.skipif(sandbox.MAX_SANDBOXES < 2, reason="needs two sandbox slots")
def test_the_app_keeps_answering_while_a_sandbox_spins():
    spinning = {}
    spinner = threading.Thread(target=lambda: spinning.update(
        run=run_function(hostile("infinite_loop"), "causal_mask", [[3]], FAST)))
    spinner.start()
    try:
        assert_still_serving()
    finally:
        spinner.join()
    assert spinning["run"].status == "timeout"


def test_hidden_inputs_are_not_visible_at_import_time():
    cases = [[7919], [104729]]
    run = run_function(hostile("peek_at_cases"), "causal_mask", cases)
    assert run.status == "ok"
    for outcome in run.outcomes:
        assert "7919" not in outcome.value and "104729" not in outcome.value


# --------------------------------------------------------------------------------------------------
# Hostile submissions: (file, status, limits). Each must score 0 and leave nothing behind.

HOSTILE_STATUS = [
    ("infinite_loop_at_import", "timeout", FAST),
    ("sleep_at_import", "timeout", SandboxLimits(cpu_seconds=1, wall_seconds=2)),
    ("ignore_signals", "timeout", FAST),
    ("fork_bomb", "error", FAST),
    ("huge_allocation", "limit", FAST),
    ("huge_numpy_allocation", "limit", FAST),
    ("endless_printing", "limit", FAST),
    ("huge_file", "limit", FAST),
    ("many_files", "limit", FAST),
    ("c_stack_overflow", "error", FAST),
    ("ctypes_crash", "error", FAST),
    ("numpy_ctypes_crash", "error", FAST),
    ("exit_at_import", "error", FAST),
    ("sys_exit_at_import", "error", FAST),
    ("exit_in_function", "error", FAST),
    ("forged_results_at_import", "error", FAST),
    ("monkeypatch_torch", "error", FAST),
]


@pytest.mark.parametrize(("name", "status", "limits"), HOSTILE_STATUS, ids=[h[0] for h in HOSTILE_STATUS])
def test_hostile_submission_is_stopped(name, status, limits):
    cases = hidden_cases()
    run = run_function(hostile(name), "causal_mask", cases, limits)
    assert run.status == status, run
    assert run.outcomes == () and score(run, cases) == 0.0
    assert len(run.stdout.encode()) <= limits.max_output_bytes
    assert_still_serving()


def test_infinite_loop_with_the_default_limits():
    run = run_function(hostile("infinite_loop"), "causal_mask", [[3]])
    assert run.status == "timeout" and run.outcomes == ()
    assert "CPU" in run.message or "wall-clock" in run.message
    assert_still_serving()


def test_crashes_and_limits_say_what_happened():
    assert "SIGSEGV" in run_function(hostile("c_stack_overflow"), "causal_mask", [[3]], FAST).message
    assert "memory" in run_function(hostile("huge_allocation"), "causal_mask", [[3]], FAST).message
    assert "file" in run_function(hostile("huge_file"), "causal_mask", [[3]], FAST).message
    assert "before returning results" in run_function(hostile("exit_in_function"), "causal_mask", [[3]], FAST).message
    assert "exit()" in run_function(hostile("sys_exit_at_import"), "causal_mask", [[3]], FAST).message
    assert "wall-clock" in run_function(hostile("sleep_at_import"), "causal_mask", [[3]],
                                        SandboxLimits(cpu_seconds=1, wall_seconds=2)).message


FAILING_CASES = [
    ("fork_bomb_in_function", lambda value: value == 0),
    ("deep_recursion", None),
    ("always_equal", None),
    ("read_files", lambda value: value == []),
    ("write_outside", lambda value: value == []),
    ("signal_the_app", lambda value: value == []),
    ("huge_return_value", None),
    ("deeply_nested_return", None),
    ("harness_tampering", lambda value: value == [[1.0]]),
    ("fake_verdict", lambda value: value == [[1.0]]),
    ("equal_subclasses", lambda value: value != reference_mask(3)),
    ("deep_folders", lambda value: isinstance(value, int)),
]


@pytest.mark.parametrize(("name", "check"), FAILING_CASES, ids=[h[0] for h in FAILING_CASES])
def test_hostile_function_scores_zero(name, check):
    """The run completes, but every case fails or returns what the code really computed."""
    cases = hidden_cases()
    # These runs must finish (a hostile value is judged, not timed out): a huge return value took more than FAST's
    # 1 s of CPU on a busy CI machine, so they get a budget that only a hang would exceed.
    run = run_function(hostile(name), "causal_mask", cases, ROOMY)
    assert run.status == "ok", run
    assert score(run, cases) == 0.0
    for outcome in run.outcomes:
        if check is None:
            assert outcome.ok is False and outcome.error, outcome
        else:
            assert outcome.ok and check(outcome.value), outcome
    assert_still_serving()


def test_fake_verdicts_in_the_output_are_only_output():
    cases = hidden_cases()
    run = run_function(hostile("fake_verdict"), "causal_mask", cases, FAST)
    assert '"score": 1' in run.stdout and "ALL TESTS PASSED" in run.stdout
    assert [o.value for o in run.outcomes] == [[[1.0]]] * len(cases)
    assert score(run, cases) == 0.0


def test_results_forged_on_the_pipe_cannot_beat_hidden_inputs():
    cases = [[T] for T in random.Random(1).sample(range(3, 10), 3)]  # never 2, the forger's guess
    run = run_function(hostile("forged_results_in_function"), "causal_mask", cases, FAST)
    assert run.status in ("ok", "error")
    assert score(run, cases) == 0.0
    assert_still_serving()


def test_the_environment_holds_nothing_of_the_app(monkeypatch):
    monkeypatch.setenv("GPTLAB_TEST_SECRET", "s3cr3t-token")
    run = run_function(hostile("environment"), "causal_mask", [[3]], FAST)
    assert run.status == "ok"
    environment = run.outcomes[0].value
    assert "GPTLAB_TEST_SECRET" not in environment and "s3cr3t-token" not in json.dumps(environment)
    assert set(environment) <= {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "OPENBLAS_NUM_THREADS",
                                "OMP_NUM_THREADS", "MKL_NUM_THREADS"}


def test_no_network():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    try:
        port = server.getsockname()[1]
        run = run_function(hostile("socket_connect"), "causal_mask", [[port]], FAST)
        assert run.status == "ok" and run.outcomes[0].value == []
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()
    assert_still_serving()


def test_monkeypatching_changes_nothing_of_the_verdict():
    """Patching builtins, json and numpy inside the sandbox: the honest answer still earns full marks."""
    original = (builtins.isinstance, json.dumps, np.array_equal)
    cases = hidden_cases()
    run = run_function(hostile("monkeypatch_builtins"), "causal_mask", cases, FAST)
    assert run.status == "ok", run
    assert score(run, cases) == 1.0
    assert (builtins.isinstance, json.dumps, np.array_equal) == original  # the app's own are untouched


def test_threads_left_running_do_not_keep_the_run_alive():
    """Threads are allowed (up to the process cap); spinning ones share the CPU budget and die with the run."""
    cases = hidden_cases()
    run = run_function(hostile("threads_left_running"), "causal_mask", cases, SandboxLimits(wall_seconds=8))
    assert run.status in ("ok", "timeout"), run
    if run.status == "ok":
        assert score(run, cases) == 1.0
    assert_still_serving()


# Which operating-system layers each attack needs once the audit hook is off (any one of them).
OS_LAYERS_NEEDED = {
    "fork_bomb": {"seccomp", "user"},
    "read_files": {"landlock"},
    "write_outside": {"landlock"},
    "signal_the_app": {"seccomp", "landlock"},
    "socket_connect": {"seccomp", "netns", "landlock"},
}


@pytest.mark.parametrize("name", sorted(OS_LAYERS_NEEDED))
def test_operating_system_layers_hold_without_the_audit_hook(name):
    """Defence in depth: with the Python-level hook off, limits, user, Landlock and seccomp still hold."""
    layers = sandbox._execute(HONEST_MASK, "causal_mask", [[2]], FAST, audit_hook=False)[1]
    if not OS_LAYERS_NEEDED[name] & set(layers):
        pytest.skip(f"none of {sorted(OS_LAYERS_NEEDED[name])} is available here (layers: {layers})")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    try:
        cases = [[server.getsockname()[1]]] if name == "socket_connect" else [[3]]
        run, layers = sandbox._execute(hostile(name), "causal_mask", cases, FAST, audit_hook=False)
        assert "audit" not in layers
        if name == "fork_bomb":
            assert run.status in ("error", "limit", "timeout")
        else:
            assert run.status == "ok", run
            assert run.outcomes[0].value == [], run.outcomes[0]
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()
    assert_still_serving()


def test_deep_folders_are_removed_even_past_the_audit_hook():
    """Thousands of nested folders (more than rmtree can recurse into) are still cleaned up."""
    limits = SandboxLimits(cpu_seconds=1, wall_seconds=2)
    run, _ = sandbox._execute(hostile("deep_folders"), "causal_mask", [[3]], limits, audit_hook=False)
    assert run.status in ("ok", "timeout", "limit")
    assert score(run, [[3]]) == 0.0
    assert_still_serving()


def test_without_root_the_other_layers_still_hold(monkeypatch):
    """How the app runs outside a container: no user switch, no network namespace."""
    monkeypatch.setattr(sandbox, "_sandbox_user", lambda: None)
    run, layers = sandbox._execute(HONEST_MASK, "causal_mask", [[4]], SandboxLimits())
    if "landlock" not in layers:  # no boundary is left: code checks are refused (next test)
        assert run == SandboxRun("error", (), sandbox.NO_BOUNDARY, "")
        return
    assert run.status == "ok" and run.outcomes[0].value == reference_mask(4)
    assert "user" not in layers and "netns" not in layers and "audit" in layers
    run = run_function(hostile("read_files"), "causal_mask", [[3]], FAST)
    assert run.status == "ok" and run.outcomes[0].value == []


def test_code_checks_are_refused_without_landlock_or_a_user(monkeypatch, caplog):
    """Only the audit hook would be left against file reads: the submission is never loaded, and the
    operator reads why once in the log."""
    monkeypatch.setattr(sandbox, "_sandbox_user", lambda: None)  # as the app runs without root
    monkeypatch.setattr(sandbox, "_no_boundary_logged", threading.Event())
    loud = "print('the submission was loaded')\n" + HONEST_MASK
    with caplog.at_level("ERROR", logger=sandbox.__name__):
        for _ in range(2):
            run, layers = sandbox._execute(loud, "causal_mask", [[3]], FAST, landlock=False)
            assert run == SandboxRun("error", (), sandbox.NO_BOUNDARY, "")  # nothing printed: never loaded
            assert "rlimits" in layers and not {"landlock", "user"} & set(layers)
    logged = [r for r in caplog.records if sandbox.NO_BOUNDARY in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelname == "ERROR"
    assert_still_serving()


@pytest.mark.skipif(os.geteuid() != 0, reason="the user switch needs root")
def test_the_user_switch_alone_is_enough_to_run():
    """Landlock off but the sandbox user on: the checks run (the refusal is not broader than needed)."""
    run, layers = sandbox._execute(HONEST_MASK, "causal_mask", [[3]], FAST, landlock=False)
    assert run.status == "ok" and run.outcomes[0].value == reference_mask(3)
    assert "user" in layers and "landlock" not in layers


def test_the_sandbox_is_the_first_the_kernel_kills_when_memory_runs_out():
    """The harness raises its own oom_score_adj (a child process here: the test's own score must not move)."""
    code = ("from gptlab.exercises import sandbox_runner as r; r.prefer_oom_kill(); "
            "print(open('/proc/self/oom_score_adj').read().strip())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1000"
    assert open("/proc/self/oom_score_adj").read().strip() != "1000"  # the app keeps its own score
    assert "prefer_oom_kill" in (ROOT / "gptlab" / "exercises" / "sandbox_runner.py").read_text().split("def main")[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="the user switch needs root")
def test_without_landlock_a_root_started_run_sees_only_its_own_folder(monkeypatch):
    """No Landlock: chroot into the run's folder before dropping root, so world-readable answers stay out of reach."""
    monkeypatch.chdir(ROOT)
    run, layers = sandbox._execute(hostile("read_answers"), "causal_mask", [[str(REFERENCES)]], FAST,
                                   audit_hook=False, landlock=False)
    assert "chroot" in layers and "landlock" not in layers and "audit" not in layers
    assert run.status == "ok", run
    assert run.outcomes[0] == CaseOutcome(True, [], ""), run.outcomes[0]
    assert_still_serving()


@pytest.mark.parametrize("audit_hook", [True, False], ids=["with_audit_hook", "without_audit_hook"])
def test_the_answer_file_cannot_be_read(audit_hook, monkeypatch):
    """Neither by its absolute path nor through the app's working folder, /proc/<ppid>/cwd."""
    monkeypatch.chdir(ROOT)  # the app runs from the repository: /proc/<app>/cwd leads to the answers
    answers = REFERENCES.read_text()
    assert "def " in answers and Path(f"/proc/{os.getpid()}/cwd/labs/attention/exercises.py").read_text() == answers
    if not audit_hook:
        layers = sandbox._execute(HONEST_MASK, "causal_mask", [[2]], FAST, audit_hook=False)[1]
        if "landlock" not in layers:
            pytest.skip(f"past the audit hook only Landlock hides world-readable files (layers: {layers})")
    run, layers = sandbox._execute(hostile("read_answers"), "causal_mask", [[str(REFERENCES)]], FAST,
                                   audit_hook=audit_hook)
    assert run.status == "ok", run
    assert run.outcomes[0] == CaseOutcome(True, [], ""), run.outcomes[0]
    assert ("audit" in layers) == audit_hook
    assert_still_serving()


@pytest.mark.parametrize("line", [
    b"[" * 200_000 + b"\n",
    b'{"phase":"loaded"}\n{"phase":"done","outcomes":[{"ok":true,"value":' + b"9" * 5000 + b',"error":""}]}\n',
    b'{"phase":"done","outcomes":[{"ok":true,"value":1,"error":""}]}\n',
    b'{"phase":"loaded"}\n{"phase":"loaded"}\n',
    b"\xff\xfe\n",
])
def test_the_app_side_parser_refuses_forged_or_hostile_result_lines(line):
    """Whatever reaches the result pipe, the app parses it with limits and never crashes."""
    supervisor = sandbox._Supervisor("x = 1", "f", b"[[1]]\n", 1, SandboxLimits(), True)
    supervisor._take_result(line)
    assert supervisor.stop_reason == ("error", "the sandbox sent malformed results")


def test_results_past_the_size_cap_stop_the_run():
    supervisor = sandbox._Supervisor("x = 1", "f", b"[[1]]\n", 1, SandboxLimits(), True)
    supervisor._take_result(b"1" * (sandbox.MAX_RESULT_BYTES + 1))
    assert supervisor.stop_reason[0] == "limit"
