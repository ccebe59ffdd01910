"""Run a student's function in a fresh, locked-down subprocess and bring back plain data.

Student code never runs in the app's process. Each call of `run_function` starts
`python -I -S -B -u sandbox_runner.py WORKDIR` with an empty environment, in its own temporary folder
and its own session (so its own process group). Layers, each enough for some attacks, together
meant to be enough for all the hostile tests in tests/gptlab/test_sandbox.py:

- rlimits set by the harness before anything else: address space (memory), processes, open files,
  bytes per written file, no core dumps; CPU once its imports are done (SIGXCPU, then SIGKILL a
  second later, so ignoring signals does not help). oom_score_adj 1000: under memory pressure the
  kernel kills a sandbox before the app.
- When the app runs as root (CI, containers): a new network namespace (no network at all), then
  the harness drops to `nobody` (RLIMIT_NPROC is not enforced for root). The temporary folder is
  handed to that user. Where Landlock is missing, the harness first chroots into the folder (once its
  imports are done): `nobody` could otherwise read every world-readable file, the answers included.
- Landlock where the kernel has it (Linux >= 5.13): only the standard library, numpy and the
  temporary folder can be opened, only the latter written; no TCP; no signals or abstract sockets
  out of the sandbox. Works without root too.
- seccomp on x86_64: no fork, exec, sockets, ptrace, namespaces, mounts, io_uring or signals to other
  processes. Threads stay possible (up to the process cap); they die with the run.
- An audit hook (PEP 578) and an import allow-list inside the harness: stdlib modules that are
  harmless plus numpy, imported before the lockdown; clear Python exceptions for what is refused
  (files outside the folder, more than 32 written files, processes, sockets, ctypes, signals, frames
  of the harness, chdir/chmod). Not a boundary on its own: the layers above are. So when neither
  Landlock nor the user switch is in force (no root, a kernel or container without Landlock), the
  harness stops before loading the submission and every code check is refused (status "error",
  logged once): nothing would keep the code from reading the app's files, the references included.
- The parent kills the whole process group with SIGKILL after every run (and at the wall-clock
  limit), reaps it, sweeps any process still carrying the folder in its command line, and removes
  the folder. Output is read concurrently and capped: past `max_output_bytes` the run stops
  ("limit"). The folder's size is polled: past `max_file_bytes` in total the run stops too.

Data: orders and cases go in on stdin, results come back as JSON on a private pipe (never stdout,
which is only shown to the student). The cases are sent only after the submission has been loaded,
so import-time code cannot see them; the reference outputs never leave the app. The harness turns
each return value into JSON with references saved before the submission ran (patching builtins,
json or numpy changes nothing), and refuses objects that are not plain data (an object whose
__eq__ always says True is refused; an int subclass becomes its plain int). The parent parses with a
size cap and builds `CaseOutcome`s; it never unpickles nor evals. The channel is not secret from the
submission, and need not be: all it can say is values, which the caller compares with its reference.

At most GPTLAB_MAX_SANDBOXES runs at once (default 2): past that, "busy" at once, never a queue.
Inside the sandbox: `import math`, `import numpy as np` and the modules in
sandbox_runner.ALLOWED_MODULES work; torch does not (a clear ModuleNotFoundError, status "error").
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path

RUNNER = Path(__file__).resolve().with_name("sandbox_runner.py")
WORKDIR_PREFIX = "gptlab-sandbox-"
MAX_SOURCE_CHARS = 50_000
MAX_RESULT_BYTES = 16_000_000   # the whole JSON answer of one run
MAX_ERROR_CHARS = 500
SANDBOX_USER = (65534, 65534)   # nobody:nogroup, used only when the app runs as root
NO_BOUNDARY = ("code checks are off on this server: the sandbox has neither Landlock (Linux 5.13 or later, "
               "allowed by the container) nor a separate user (the app runs without root), and the remaining "
               "layers do not keep code from reading the app's files")
_POLL_SECONDS = 0.05
_DRAIN_SECONDS = 0.5            # after the harness exits, how long stray pipe holders may keep us


def _max_sandboxes() -> int:
    try:
        return max(1, int(os.environ.get("GPTLAB_MAX_SANDBOXES", "2")))
    except ValueError:
        return 2


MAX_SANDBOXES = _max_sandboxes()
_slots = threading.BoundedSemaphore(MAX_SANDBOXES)
_log = logging.getLogger(__name__)
_no_boundary_logged = threading.Event()


def _refuse_without_boundary(layers: tuple[str, ...], stdout: str) -> SandboxRun:
    """The harness found no layer that holds file reads: refuse, and tell the operator once."""
    if not _no_boundary_logged.is_set():
        _no_boundary_logged.set()
        _log.error("%s (layers in force: %s)", NO_BOUNDARY, ", ".join(layers) or "none")
    return SandboxRun("error", (), NO_BOUNDARY, stdout)


@dataclass(frozen=True)
class SandboxLimits:
    cpu_seconds: float = 5.0
    wall_seconds: float = 10.0          # then the whole process group is killed
    memory_bytes: int = 2 * 1024**3
    max_processes: int = 16
    max_open_files: int = 64
    max_file_bytes: int = 1_000_000     # cap on bytes written to files
    max_output_bytes: int = 20_000      # cap on kept stdout/stderr


@dataclass(frozen=True)
class CaseOutcome:
    ok: bool        # the function returned and its value converted to plain JSON
    value: object   # plain JSON value when ok (inf, -inf and nan allowed); None otherwise
    error: str      # short "TypeError: ..." when not ok


@dataclass(frozen=True)
class SandboxRun:
    status: str                           # "ok" | "error" | "timeout" | "limit" | "busy"
    outcomes: tuple[CaseOutcome, ...]     # one per case, in order, when status == "ok"; () otherwise
    message: str                          # short technical detail
    stdout: str                           # what the code printed (stdout+stderr), truncated; never trusted


def run_function(source: str, function_name: str, cases: Sequence[Sequence[object]],
                 limits: SandboxLimits = SandboxLimits()) -> SandboxRun:
    """Run `function_name(*case)` from the student's `source` on every case in a fresh, limited subprocess."""
    return _execute(source, function_name, cases, limits)[0]


def _execute(source: str, function_name: str, cases: Sequence[Sequence[object]], limits: SandboxLimits,
             *, audit_hook: bool = True, landlock: bool = True) -> tuple[SandboxRun, tuple[str, ...]]:
    """`run_function` plus the isolation layers that were in force; tests may switch the audit hook or
    Landlock off."""
    _check_request(function_name, limits)
    cases_line = _encode_cases(cases)
    if not isinstance(source, str) or not source.strip():
        return SandboxRun("error", (), "the code is empty", ""), ()
    if len(source) > MAX_SOURCE_CHARS:
        return SandboxRun("error", (), f"the code is too long ({len(source)} characters, "
                                       f"at most {MAX_SOURCE_CHARS})", ""), ()
    if not _slots.acquire(blocking=False):
        return SandboxRun("busy", (), f"too many code runs at once (at most {MAX_SANDBOXES})", ""), ()
    try:
        return _Supervisor(source, function_name, cases_line, len(cases), limits, audit_hook, landlock).run()
    finally:
        _slots.release()


def _check_request(function_name: str, limits: SandboxLimits) -> None:
    """Mistakes of the calling code (not of the student) raise."""
    if not isinstance(function_name, str) or not function_name.isidentifier():
        raise ValueError(f"not a function name: {function_name!r}")
    for field, value in asdict(limits).items():
        if not value > 0:
            raise ValueError(f"SandboxLimits.{field} must be positive, not {value!r}")


def _encode_cases(cases: Sequence[Sequence[object]]) -> bytes:
    """The cases as one ASCII JSON line; numpy values are turned into lists and numbers."""
    def plain(value: object) -> object:
        if hasattr(value, "tolist"):
            return value.tolist()
        raise TypeError(f"a case argument is not plain data: {type(value).__name__}")

    rows = [list(case) for case in cases]
    return (json.dumps(rows, default=plain, allow_nan=True, separators=(",", ":")) + "\n").encode("ascii")


def _sandbox_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except (ImportError, KeyError):
        return SANDBOX_USER


def _numpy_dir() -> str | None:
    """The folder that holds the numpy package, found without importing it."""
    spec = find_spec("numpy")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(list(spec.submodule_search_locations)[0]).resolve().parent)


class _Supervisor:
    """One run: start the harness, feed it, read it, stop it, clean up."""

    def __init__(self, source: str, function_name: str, cases_line: bytes, n_cases: int,
                 limits: SandboxLimits, audit_hook: bool, landlock: bool = True):
        self.source, self.function_name, self.cases_line = source, function_name, cases_line
        self.n_cases, self.limits, self.audit_hook, self.landlock = n_cases, limits, audit_hook, landlock
        self.output = bytearray()                          # what the code printed, up to the cap
        self.result = bytearray()                          # the incomplete last line of the result pipe
        self.messages: list[dict] = []                     # the complete result lines, parsed
        self.pending = b""                                 # bytes still to write to the harness's stdin
        self.sent_cases = False
        self.layers: tuple[str, ...] = ()
        self.stop_reason: tuple[str, str] | None = None    # (status, message) decided by the parent
        self.workdir = ""

    def run(self) -> tuple[SandboxRun, tuple[str, ...]]:
        workdir = self.workdir = tempfile.mkdtemp(prefix=WORKDIR_PREFIX)
        user = _sandbox_user()
        try:
            os.chmod(workdir, 0o700)
            if user is not None:
                os.chown(workdir, *user)
            return self._run_in(workdir, user), self.layers
        finally:
            _sweep(workdir)
            _remove_folder(workdir)

    def _run_in(self, workdir: str, user: tuple[int, int] | None) -> SandboxRun:
        result_r, result_w = os.pipe()
        orders = {
            "source": self.source, "function": self.function_name, "result_fd": result_w,
            "uid": user[0] if user else None, "gid": user[1] if user else None,
            "numpy_dir": _numpy_dir(), "limits": asdict(self.limits), "audit_hook": self.audit_hook,
            "landlock": self.landlock,
        }
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": workdir,
               "TMPDIR": workdir, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", "-u", str(RUNNER), workdir],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(result_w,), cwd=workdir, env=env, start_new_session=True,
            )
        except OSError as error:
            os.close(result_r)
            os.close(result_w)
            return SandboxRun("error", (), f"could not start the sandbox: {error}", "")
        os.close(result_w)
        self.pending = (json.dumps(orders, ensure_ascii=True) + "\n").encode("ascii")
        try:
            status, cpu_seconds, we_killed = self._supervise(process, result_r)
        finally:
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            os.close(result_r)
        return self._verdict(status, cpu_seconds, we_killed)

    def _supervise(self, process: subprocess.Popen, result_r: int) -> tuple[int, float, bool]:
        """Pump the pipes until the harness is done or a limit is hit; then kill the group and reap."""
        stdin_fd, output_fd = process.stdin.fileno(), process.stdout.fileno()
        for fd in (stdin_fd, output_fd, result_r):
            os.set_blocking(fd, False)
        selector = selectors.DefaultSelector()
        selector.register(output_fd, selectors.EVENT_READ, "output")
        selector.register(result_r, selectors.EVENT_READ, "result")
        selector.register(stdin_fd, selectors.EVENT_WRITE, "stdin")
        open_reads = {"output", "result"}
        stdin_open = True
        start = time.monotonic()
        deadline = start + self.limits.wall_seconds
        exited_at = None
        next_disk_check = start
        timed_out = False
        try:
            while self.stop_reason is None:
                now = time.monotonic()
                if now >= deadline:
                    timed_out = True
                    break
                if exited_at is None and _has_exited(process.pid):
                    exited_at = now
                if exited_at is not None and (not open_reads or now - exited_at > _DRAIN_SECONDS):
                    break
                for key, _ in selector.select(timeout=min(_POLL_SECONDS, deadline - now)):
                    if key.data == "stdin":
                        stdin_open = self._feed(selector, stdin_fd)
                        continue
                    chunk = _read_some(key.fd)
                    if chunk is None:
                        continue
                    if not chunk:
                        selector.unregister(key.fd)
                        open_reads.discard(key.data)
                    elif key.data == "output":
                        self._keep_output(chunk)
                    else:
                        self._take_result(chunk)
                        self._check_protocol()
                        if self.sent_cases is False and self._loaded():
                            self.pending += self.cases_line
                            self.sent_cases = True
                            if stdin_open and stdin_fd not in selector.get_map():
                                selector.register(stdin_fd, selectors.EVENT_WRITE, "stdin")
                if now >= next_disk_check:
                    next_disk_check = now + 2 * _POLL_SECONDS
                    if _folder_bytes(self.workdir) > self.limits.max_file_bytes:
                        self.stop_reason = ("limit", f"file writing limit ({self.limits.max_file_bytes} bytes)")
                if not open_reads and exited_at is None:
                    time.sleep(_POLL_SECONDS / 5)   # pipes closed, harness still alive: wait for exit or a limit
        finally:
            selector.close()
            we_killed = not _has_exited(process.pid)
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the leader is not reaped yet: its pgid is still ours
            except (ProcessLookupError, PermissionError):
                pass
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        if self.stop_reason is None and _folder_bytes(self.workdir) > self.limits.max_file_bytes:
            self.stop_reason = ("limit", f"file writing limit ({self.limits.max_file_bytes} bytes)")
        if timed_out:
            self.stop_reason = ("timeout", f"wall-clock limit ({_fmt_seconds(self.limits.wall_seconds)} s)")
        return status, usage.ru_utime + usage.ru_stime, we_killed

    def _feed(self, selector: selectors.BaseSelector, stdin_fd: int) -> bool:
        """Write what is pending without blocking; close stdin once the cases are out."""
        try:
            if self.pending:
                written = os.write(stdin_fd, self.pending)
                self.pending = self.pending[written:]
        except BlockingIOError:
            return True
        except (BrokenPipeError, OSError):
            self.pending = b""
            selector.unregister(stdin_fd)
            return False
        if not self.pending:
            selector.unregister(stdin_fd)
            if self.sent_cases:
                return False
        return True

    def _keep_output(self, chunk: bytes) -> None:
        room = self.limits.max_output_bytes - len(self.output)
        self.output += chunk[:max(room, 0)]
        if len(chunk) > room:
            self.stop_reason = ("limit", f"output limit ({self.limits.max_output_bytes} bytes)")

    def _take_result(self, chunk: bytes) -> None:
        """Collect result bytes and parse each line once it is complete."""
        self.result += chunk
        if len(self.result) > MAX_RESULT_BYTES:
            self.stop_reason = ("limit", f"the results are too large (more than {MAX_RESULT_BYTES} bytes)")
            return
        if b"\n" not in chunk:
            return
        lines = self.result.split(b"\n")
        self.result = bytearray(lines.pop())
        for line in lines:
            try:
                message = json.loads(line.decode("ascii"))
            except (ValueError, RecursionError, UnicodeDecodeError):
                message = None
            self.messages.append(message if isinstance(message, dict) else {"phase": None})
        self._check_protocol()

    def _check_protocol(self) -> None:
        """Stop at once on anything but loaded|error|limit|unsafe, then done|limit|error, each exactly once."""
        phases = [message.get("phase") for message in self.messages]
        if len(phases) > 2 or (phases and phases[0] not in ("loaded", "error", "limit", "unsafe")) \
                or (len(phases) == 2 and (phases[0] != "loaded" or phases[1] not in ("done", "limit", "error"))):
            self.stop_reason = ("error", "the sandbox sent malformed results")

    def _loaded(self) -> bool:
        if self.messages and self.messages[0].get("phase") in ("loaded", "unsafe"):
            layers = self.messages[0].get("layers")
            if isinstance(layers, list):
                self.layers = tuple(str(layer) for layer in layers)
            return self.messages[0]["phase"] == "loaded"
        return False

    def _verdict(self, status: int, cpu_seconds: float, we_killed: bool) -> SandboxRun:
        stdout = bytes(self.output).decode("utf-8", "replace")
        if self.stop_reason is not None:
            return SandboxRun(self.stop_reason[0], (), self.stop_reason[1], stdout)
        messages = self.messages
        first = messages[0] if messages else {}
        last = messages[-1] if messages else {}
        if first.get("phase") == "error" and len(messages) == 1:
            return SandboxRun("error", (), _short(first.get("message")), stdout)
        if first.get("phase") == "unsafe" and len(messages) == 1:
            return _refuse_without_boundary(self.layers, stdout)
        if first.get("phase") == "limit" and len(messages) == 1:
            return SandboxRun("limit", (), f"memory limit ({self.limits.memory_bytes // 2**20} MiB) "
                                           "while loading the code", stdout)
        if len(messages) == 2 and first.get("phase") == "loaded":
            if last.get("phase") == "done":
                outcomes = _outcomes(last.get("outcomes"), self.n_cases)
                if outcomes is not None:
                    return SandboxRun("ok", outcomes, "", stdout)
                return SandboxRun("error", (), "the sandbox sent malformed results", stdout)
            if last.get("phase") == "limit":
                return SandboxRun("limit", (), f"memory limit ({self.limits.memory_bytes // 2**20} MiB)", stdout)
            if last.get("phase") == "error":
                return SandboxRun("error", (), _short(last.get("message")), stdout)
        if len(messages) > 2:
            return SandboxRun("error", (), "the sandbox sent malformed results", stdout)
        return _death(status, cpu_seconds, we_killed, self.limits, stdout)


def _death(status: int, cpu_seconds: float, we_killed: bool, limits: SandboxLimits, stdout: str) -> SandboxRun:
    """Why the harness ended without results."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = _signal_name(number)
        if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu_seconds >= limits.cpu_seconds):
            return SandboxRun("timeout", (), f"CPU time limit ({_fmt_seconds(limits.cpu_seconds)} s)", stdout)
        if number == signal.SIGXFSZ:
            return SandboxRun("limit", (), f"file size limit ({limits.max_file_bytes} bytes)", stdout)
        if number == signal.SIGKILL and not we_killed:
            return SandboxRun("limit", (), "killed by the system (probably out of memory)", stdout)
        if number == signal.SIGSYS:
            return SandboxRun("error", (), "a forbidden system call was blocked (SIGSYS)", stdout)
        if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT):
            return SandboxRun("error", (), f"the process crashed ({name}): often a recursion too deep "
                                           "for the C stack, or native code", stdout)
        return SandboxRun("error", (), f"the process was stopped by {name} before returning results", stdout)
    code = os.waitstatus_to_exitcode(status)
    return SandboxRun("error", (), f"the process exited (code {code}) before returning results", stdout)


def _outcomes(raw: object, n_cases: int) -> tuple[CaseOutcome, ...] | None:
    if not isinstance(raw, list) or len(raw) != n_cases:
        return None
    outcomes = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("ok"), bool):
            return None
        if item["ok"]:
            outcomes.append(CaseOutcome(True, item.get("value"), ""))
        else:
            outcomes.append(CaseOutcome(False, None, _short(item.get("error"))))
    return tuple(outcomes)


def _short(text: object) -> str:
    text = text if isinstance(text, str) else "unknown error"
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "..."


def _has_exited(pid: int) -> bool:
    """Whether the child has ended, without reaping it (its pid and pgid stay reserved until then)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _read_some(fd: int) -> bytes | None:
    """Some bytes, b"" at end of file, None when nothing is there yet."""
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _folder_bytes(folder: str) -> int:
    """Bytes in the files under `folder` (symlinks not followed); stops counting once large."""
    total, stack, entries = 0, [folder], 0
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entries > 10_000:
                        return 1 << 62
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    else:
                        total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total


def _remove_folder(folder: str) -> None:
    """Remove the run's folder, also when the submission nested folders deeper than rmtree recurses
    or took its own permissions away (possible only past the audit hook, with the app's own user)."""
    try:
        shutil.rmtree(folder, ignore_errors=True)
    except RecursionError:  # rmtree recurses once per level
        pass
    for command in (["rm", "-rf", "--", folder], ["chmod", "-R", "u+rwX", "--", folder], ["rm", "-rf", "--", folder]):
        if not os.path.lexists(folder):
            return
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=60, check=False)


def _sweep(workdir: str) -> None:
    """Kill any process that still carries the run's folder in its command line (it cannot exist
    while the seccomp and the audit layers hold; this is the last net)."""
    marker = workdir.encode()
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return
    for pid in pids:
        if pid == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker not in handle.read():
                    continue
            pidfd = os.pidfd_open(pid)
        except OSError:
            continue
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except OSError:
            pass
        finally:
            os.close(pidfd)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _fmt_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
