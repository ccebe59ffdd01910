"""The harness inside the sandbox's subprocess: lock the process down, load the submission, call it.

Started by `gptlab.exercises.sandbox` as `python -I -S -B -u sandbox_runner.py WORKDIR` and never
imported by the app. One JSON object per line, ASCII only: orders arrive on stdin; the harness answers
{"phase": "loaded"} (or "error"/"limit"; "unsafe", before loading anything, when neither Landlock nor
the user switch holds) on its private result pipe; only then do the cases arrive on stdin, and it
answers {"phase": "done", "outcomes": [...]}. See sandbox.py for the whole design.
"""

import _json
import json
import json.scanner
import math
import os
import resource
import signal
import struct
import sys
import types

# Everything used after the submission is loaded is bound here, before it runs: a submission that
# patches builtins, json or numpy must not change how its answers are read.
_type, _issubclass, _callable, _len, _enumerate = type, issubclass, callable, len, enumerate
_str, _int, _float, _bool, _list, _tuple, _dict, _bytes = str, int, float, bool, list, tuple, dict, bytes
_BaseException, _MemoryError, _SystemExit = BaseException, MemoryError, SystemExit
_PermissionError, _ModuleNotFoundError, _ValueError = PermissionError, ModuleNotFoundError, ValueError
_int_repr, _float_repr = int.__repr__, float.__repr__
_list_iter, _tuple_iter, _dict_items = list.__iter__, tuple.__iter__, dict.items
_FLOAT_WORDS = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}
_encode_str = _json.encode_basestring_ascii
_scan_json = json.scanner.c_make_scanner(json.JSONDecoder())

_read, _write, _exit, _stat, _set_blocking = os.read, os.write, os._exit, os.stat, os.set_blocking
_setrecursionlimit = sys.setrecursionlimit
_S_ISDIR = __import__("stat").S_ISDIR

# What a submission may import: harmless standard library and numpy. They are imported before the
# lockdown because the standard library may be unreadable for the sandbox user (a Python under /root).
ALLOWED_MODULES = (
    "abc", "array", "bisect", "cmath", "collections", "collections.abc", "copy", "dataclasses",
    "datetime", "decimal", "enum", "fractions", "functools", "heapq", "itertools", "json", "math",
    "numbers", "operator", "pprint", "random", "re", "statistics", "string", "struct", "textwrap",
    "time", "types", "typing", "unicodedata", "warnings",
)
# Loaded by the harness or by numpy, but hidden from submissions: native calls, processes, sockets,
# signal handlers (they receive the interrupted frame), the garbage collector's object lists, the harness.
HIDDEN_MODULES = (
    "ctypes", "_ctypes", "subprocess", "_posixsubprocess", "socket", "_socket", "signal", "_signal",
    "resource", "gc", "multiprocessing", "_multiprocessing", "platform", "__main__",
)
RECURSION_LIMIT = 1000
MAX_DEPTH = 64                   # nesting levels of a returned value
MAX_VALUE_CHARS = 4_000_000      # one returned value, as JSON
MAX_WRITE_OPENS = 32             # files opened for writing + folders made (each file capped by RLIMIT_FSIZE)
MAX_LINE_BYTES = 64 * 1024 * 1024


class _NotPlain(Exception):
    """A returned value that is not plain data."""


class _LineReader:
    """Reads newline-terminated lines from a raw file descriptor."""

    def __init__(self, fd):
        self.fd, self.buffer = fd, b""

    def readline(self):
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 1:]
                return line
            if _len(self.buffer) > MAX_LINE_BYTES:
                raise _ValueError("orders too long")
            _set_blocking(self.fd, True)  # the submission may have made it non-blocking
            chunk = _read(self.fd, 1 << 16)
            if not chunk:
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += chunk


class _Channel:
    """The private result pipe: one JSON object per line."""

    def __init__(self, fd):
        self.fd = fd

    def send(self, text):
        data = (text + "\n").encode("ascii")
        while data:
            data = data[_write(self.fd, data):]


# ---------------------------------------------------------------------------------------------------
# Lockdown, in order: limits, network namespace, imports, Landlock, user, seccomp, audit hook.


def _best_effort(layer, *args):
    """A layer the kernel may not offer (or a container may forbid): False instead of failing the run."""
    try:
        return bool(layer(*args))
    except (OSError, AttributeError, ValueError):
        return False


def _cap(which, value):
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


def set_limits(limits):
    """Memory, processes, files and written bytes; CPU comes later, once imports are paid for."""
    _cap(resource.RLIMIT_AS, limits["memory_bytes"])
    _cap(resource.RLIMIT_NPROC, limits["max_processes"])
    _cap(resource.RLIMIT_NOFILE, limits["max_open_files"])
    _cap(resource.RLIMIT_FSIZE, limits["max_file_bytes"])
    _cap(resource.RLIMIT_CORE, 0)


def set_cpu_limit(cpu_seconds):
    """The submission gets its full CPU budget; SIGXCPU at the soft limit, SIGKILL one second later."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + cpu_seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard - 1)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))


def _libc():
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return ctypes, libc


def isolate_network():
    """A fresh network namespace has only a down loopback: no network at all (needs root)."""
    _, libc = _libc()
    return libc.unshare(0x40000000) == 0  # CLONE_NEWNET


def preload(numpy_dir):
    """Import what submissions may use while the files are still readable; numpy only from its own folder."""
    for name in ALLOWED_MODULES:
        __import__(name)
    if not numpy_dir:
        return None
    sys.path.append(numpy_dir)
    try:
        import numpy
        import numpy.random  # noqa: F401  (lazy in numpy 2, commonly used)
    except ImportError:
        return None
    finally:
        sys.path.remove(numpy_dir)
    return numpy


def prefer_oom_kill():
    """Under memory pressure the kernel's OOM killer takes the sandbox first, not the app."""
    with open("/proc/self/oom_score_adj", "w") as handle:  # raising one's own score needs no privilege
        handle.write("1000")
    return True


def no_new_privileges():
    _, libc = _libc()
    return libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS


# Landlock (Linux >= 5.13): files outside these folders cannot be opened at all, TCP is refused, and
# signals cannot reach processes outside the sandbox. ABI versions add rights; unknown ones stay unset.
_LL_READ = (1 << 2) | (1 << 3)  # READ_FILE, READ_DIR
_LL_WORK = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 13) | (1 << 14)


def landlock(read_dirs, work_dir):
    ctypes, libc = _libc()
    abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint(1))  # LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        return False
    handled_fs = (1 << 13) - 1
    handled_fs |= (1 << 13) if abi >= 2 else 0  # REFER
    handled_fs |= (1 << 14) if abi >= 3 else 0  # TRUNCATE
    handled_fs |= (1 << 15) if abi >= 5 else 0  # IOCTL_DEV
    handled_net = 0b11 if abi >= 4 else 0  # BIND_TCP, CONNECT_TCP
    scoped = 0b11 if abi >= 6 else 0  # ABSTRACT_UNIX_SOCKET, SIGNAL
    attr = struct.pack("<QQQ", handled_fs, handled_net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    attr_buf = ctypes.create_string_buffer(attr, _len(attr))
    ruleset = libc.syscall(444, attr_buf, ctypes.c_size_t(_len(attr)), ctypes.c_uint(0))
    if ruleset < 0:
        return False
    try:
        rules = [(path, _LL_READ) for path in read_dirs] + [(work_dir, _LL_WORK)]
        for path, access in rules:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = struct.pack("<Qi", access & handled_fs, fd)  # landlock_path_beneath_attr, packed
                rule_buf = ctypes.create_string_buffer(rule, _len(rule))
                if libc.syscall(445, ctypes.c_int(ruleset), ctypes.c_int(1), rule_buf, ctypes.c_uint(0)) != 0:
                    return False
            finally:
                os.close(fd)
        return libc.syscall(446, ctypes.c_int(ruleset), ctypes.c_uint(0)) == 0
    finally:
        os.close(ruleset)


def drop_privileges(uid, gid):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        raise PermissionError("could not drop privileges")


# seccomp (x86_64 only; the syscall numbers are per architecture): no new processes, programs,
# sockets, tracing, namespaces, mounts or kernel-facing calls; signals only to this process.
_AUDIT_ARCH_X86_64 = 0xC000003E
_X86_64_DENIED = (
    41, 53, 57, 58, 59, 322, 101, 200, 310, 311, 434, 424, 438, 272, 308, 165, 166, 155, 161, 321,
    298, 323, 425, 426, 427, 250, 248, 249, 304, 303, 133, 259, 135, 246, 320, 175, 313, 176, 169,
    167, 168, 163, 170, 171, 430, 431, 432, 433, 428, 429, 442, 179, 173, 172, 440,
)
_X86_64_CLONE, _X86_64_CLONE3 = 56, 435
_X86_64_SIGNALS = (62, 234, 129, 297)  # kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo: arg 0 is the pid
_CLONE_THREAD = 0x00010000


def seccomp_program(pid):
    """A classic-BPF filter over seccomp_data (nr at 0, arch at 4, args from 16)."""
    load, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill, eperm, enosys = 0x7FFF0000, 0x80000000, 0x00050000 | 1, 0x00050000 | 38
    code = []

    def op(kind, jt, jf, k):
        code.append(struct.pack("<HBBI", kind, jt, jf, k))

    op(load, 0, 0, 4)
    op(jeq, 1, 0, _AUDIT_ARCH_X86_64)
    op(ret, 0, 0, kill)  # a foreign ABI (int 0x80) would dodge the table below
    op(load, 0, 0, 0)
    op(jge, 0, 1, 0x40000000)  # x32 ABI
    op(ret, 0, 0, eperm)
    for nr in _X86_64_DENIED:
        op(jeq, 0, 1, nr)
        op(ret, 0, 0, eperm)
    op(jeq, 0, 1, _X86_64_CLONE3)
    op(ret, 0, 0, enosys)  # glibc then falls back to clone for threads
    op(jeq, 0, 4, _X86_64_CLONE)
    op(load, 0, 0, 16)
    op(jset, 0, 1, _CLONE_THREAD)
    op(ret, 0, 0, allow)
    op(ret, 0, 0, eperm)
    for nr in _X86_64_SIGNALS:
        op(jeq, 0, 4, nr)
        op(load, 0, 0, 16)
        op(jeq, 0, 1, pid)
        op(ret, 0, 0, allow)
        op(ret, 0, 0, eperm)
    op(ret, 0, 0, allow)
    return b"".join(code)


def seccomp():
    if os.uname().machine != "x86_64":
        return False
    ctypes, libc = _libc()
    program = seccomp_program(os.getpid())

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    fprog = SockFprog(_len(program) // 8, program)
    return libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _inside(path, roots):
    return any(path == root or path.startswith(root + "/") for root in roots)


def make_audit_hook(work_dir, read_roots):
    """Refuse what a submission has no business doing, with a clear exception; a convenience layer.

    PEP 578 hooks are not a security boundary on their own: the limits, user, Landlock, seccomp and the
    process group are. The hook's state sits in default arguments (changing them is itself refused).
    """
    refused = frozenset((
        "os.system", "os.fork", "os.forkpty", "os.posix_spawn", "os.kill", "os.killpg", "os.symlink",
        "os.link", "subprocess.Popen", "pty.spawn", "sys._current_frames",
        "sys._current_exceptions", "sys.settrace", "sys.setprofile", "gc.get_objects", "gc.get_referrers",
        "gc.get_referents", "signal.pthread_kill", "resource.setrlimit", "resource.prlimit",
        "sqlite3.connect", "webbrowser.open", "os.startfile", "os.chdir", "os.chmod", "os.chown",
        "os.chflags", "os.lchmod", "os.lchflags", "os.setxattr", "os.removexattr",
    ))
    refused_prefixes = ("socket.", "ctypes.", "os.exec", "os.spawn", "_posixsubprocess.", "urllib.", "http.")
    path_events = frozenset((
        "os.listdir", "os.scandir", "os.mkdir", "os.rmdir", "os.remove", "os.rename", "os.truncate",
        "os.utime", "os.getxattr", "os.listxattr", "shutil.rmtree", "glob.glob",
    ))
    dir_fd_events = frozenset(("os.mkdir", "os.rmdir", "os.remove", "os.utime"))
    hidden_attributes = frozenset(("tb_frame", "gi_frame", "cr_frame", "ag_frame"))
    protected_attributes = frozenset(("__code__", "__defaults__", "__kwdefaults__"))
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    roots = (work_dir,) + tuple(read_roots)

    def hook(event, args, _refused=refused, _prefixes=refused_prefixes, _path_events=path_events,
             _hidden=hidden_attributes, _protected=protected_attributes, _work=(work_dir,),
             _roots=roots, _write_flags=write_flags, _dir_fd_events=dir_fd_events, _opened=[0],
             _type=_type, _str=_str, _bytes=_bytes, _int=_int, _PermissionError=_PermissionError,
             _ValueError=_ValueError, _ModuleNotFoundError=_ModuleNotFoundError, _stat=_stat, _isdir=_S_ISDIR, _inside=_inside):
        if event in _refused or event.startswith(_prefixes):
            raise _PermissionError(f"not allowed in the exercise sandbox ({event})")
        if event == "import":
            name = args[0]
            if name == "numpy" or name.startswith(("numpy.", "encodings.")):
                return
            raise _ModuleNotFoundError(
                f"module {name!r} is not available in the exercise sandbox "
                "(use numpy and standard modules such as math, random, itertools, collections)"
            )
        if event == "sys._getframe":
            raise _ValueError("frames are not available in the exercise sandbox")
        if event == "object.__getattr__":
            if args[1] in _hidden:
                raise _PermissionError("frames are not available in the exercise sandbox")
            return
        if event == "object.__setattr__":
            if args[1] in _protected:
                raise _PermissionError(f"changing {args[1]} is not allowed in the exercise sandbox")
            return
        if event != "open" and event not in _path_events:
            return
        writing = False
        if event == "open":
            mode, flags = args[1], args[2]
            writing = (_type(flags) is _int and flags & _write_flags) or (
                _type(mode) is _str and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)
            )
        elif event not in ("os.listdir", "os.scandir", "os.getxattr", "os.listxattr", "glob.glob"):
            writing = True
            dir_fds = args[2:4] if event == "os.rename" else args[-1:] if event in _dir_fd_events else ()
            for dir_fd in dir_fds:
                if dir_fd is not None and dir_fd != -1:
                    raise _PermissionError("dir_fd is not allowed in the exercise sandbox")
        paths = (args[0], args[1]) if event == "os.rename" else (args[0],)
        for path in paths:
            if path is None and event in ("os.listdir", "os.scandir"):
                path = "."
            if _type(path) is _bytes:
                path = path.decode("utf-8", "surrogateescape")
            if _type(path) is not _str:
                raise _PermissionError("only plain string paths are allowed in the exercise sandbox")
            if not path.startswith("/"):
                path = _work[0] + "/" + path
            parts = []
            for part in path.split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part and part != ".":
                    parts.append(part)
            path = "/" + "/".join(parts)
            if not _inside(path, _work if writing else _roots):
                raise _PermissionError(f"the exercise sandbox cannot {'write' if writing else 'read'} {path}")
            if event == "open":
                try:
                    is_dir = _isdir(_stat(path).st_mode)
                except OSError:
                    is_dir = False
                if is_dir:  # a directory descriptor would make later relative paths escape the checks
                    raise _PermissionError("opening folders is not allowed in the exercise sandbox")
            if (writing and event == "open") or event == "os.mkdir":
                _opened[0] += 1
                if _opened[0] > MAX_WRITE_OPENS:
                    raise _PermissionError("too many files written in the exercise sandbox")

    return hook


class _ImportGuard:
    """Second import barrier: importlib.import_module skips the "import" audit event for its own name."""

    @staticmethod
    def find_spec(name, path=None, target=None, _ModuleNotFoundError=_ModuleNotFoundError):
        if name == "numpy" or name.startswith(("numpy.", "encodings.")):
            return None
        raise _ModuleNotFoundError(f"module {name!r} is not available in the exercise sandbox")


def hide_modules():
    for name in list(sys.modules):
        if name.split(".")[0] in HIDDEN_MODULES:
            del sys.modules[name]


# ---------------------------------------------------------------------------------------------------
# Running the submission.


def _type_name(value):
    try:
        name = _type(value).__name__
    except _BaseException:
        return "object"
    return name[:80] if _type(name) is _str else "object"


def _submission_line(traceback):
    """Line in the submission where the error surfaced: the frame right under the harness's call."""
    try:
        inner = traceback.tb_next
        return inner.tb_lineno if inner is not None else None
    except _BaseException:
        return None


def describe(error):
    """A short "TypeError: ... (line 3)" for the student, whatever the exception does to str()."""
    try:
        text = _str(error)
        text = text if _type(text) is _str else ""
    except _BaseException:
        text = ""
    if _len(text) > 300:
        text = text[:300] + "..."
    line = _submission_line(error.__traceback__)
    where = f" (line {line})" if _type(line) is _int else ""
    return f"{_type_name(error)}: {text}{where}" if text else f"{_type_name(error)}{where}"


def _refuse(value):
    raise _NotPlain(
        "TypeError", f"returned a {_type_name(value)}: return plain numbers, strings, lists, dicts or numpy arrays"
    )


# For lists made by numpy's own tolist() of a numeric array: exact floats, ints and bools only.
_encode_plain = json.encoder.c_make_encoder(None, _refuse, _encode_str, None, ":", ",", False, False, True)


class Encoder:
    """Plain data -> JSON text, refusing anything that is not numbers, strings, lists, dicts, None.

    Subclasses of int/float/str/list/tuple/dict are read through the base type's own methods, so an
    overridden __eq__, __repr__ or __iter__ changes nothing; numpy arrays and scalars become lists/numbers.
    """

    def __init__(self, numpy):
        self.numpy = numpy is not None
        if self.numpy:
            self.ndarray, self.generic = numpy.ndarray, numpy.generic
            self.tolist, self.item = numpy.ndarray.tolist, numpy.generic.item
            self.size_of = numpy.ndarray.size.__get__
            self.kind_of = numpy.ndarray.dtype.__get__

    def encode(self, value):
        out = []
        self._encode(value, 0, out, [0])
        return "".join(out)

    def _emit(self, piece, out, size):
        size[0] += _len(piece)
        if size[0] > MAX_VALUE_CHARS:
            raise _NotPlain("ValueError", f"the returned value is too large (over {MAX_VALUE_CHARS} JSON characters)")
        out.append(piece)

    def _encode(self, value, depth, out, size):
        if depth > MAX_DEPTH:
            raise _NotPlain("ValueError", f"the returned value is nested more than {MAX_DEPTH} levels deep")
        kind = _type(value)
        if self.numpy and _issubclass(kind, self.ndarray):
            if self.size_of(value) > MAX_VALUE_CHARS // 2:
                raise _NotPlain("ValueError", "the returned array is too large")
            if self.kind_of(value).kind in "biuf":  # numbers only: the C encoder, without a Python loop
                self._emit("".join(_encode_plain(self.tolist(value), 0)), out, size)
                return
            value = self.tolist(value)
            kind = _type(value)
        elif self.numpy and _issubclass(kind, self.generic):
            value = self.item(value)
            kind = _type(value)
        if value is None:
            self._emit("null", out, size)
        elif kind is _bool:
            self._emit("true" if value else "false", out, size)
        elif _issubclass(kind, _int):
            self._emit(_int_repr(value), out, size)
        elif _issubclass(kind, _float):
            text = _float_repr(value)
            self._emit(_FLOAT_WORDS.get(text, text), out, size)
        elif _issubclass(kind, _str):
            self._emit(_encode_str(value), out, size)
        elif _issubclass(kind, (_list, _tuple)):
            is_list = _issubclass(kind, _list)
            if (_list.__len__(value) if is_list else _tuple.__len__(value)) > MAX_VALUE_CHARS // 2:
                raise _NotPlain("ValueError", "the returned value is too large")
            items = _list_iter(value) if is_list else _tuple_iter(value)
            self._emit("[", out, size)
            for index, item in _enumerate(items):
                if index:
                    self._emit(",", out, size)
                self._encode(item, depth + 1, out, size)
            self._emit("]", out, size)
        elif _issubclass(kind, _dict):
            self._emit("{", out, size)
            for index, (key, item) in _enumerate(_dict_items(value)):
                if self.numpy and _issubclass(_type(key), self.generic):
                    key = self.item(key)
                if not _issubclass(_type(key), _str):
                    raise _NotPlain("TypeError", f"the returned dict has keys of type {_type_name(key)}: use str keys")
                self._emit(("," if index else "") + _encode_str(key) + ":", out, size)
                self._encode(item, depth + 1, out, size)
            self._emit("}", out, size)
        else:
            _refuse(value)


def load_submission(source, function_name):
    """Compile and run the module; the function or a ("error"/"limit", message) pair."""
    try:
        code = compile(source, "submission.py", "exec", dont_inherit=True)
    except SyntaxError as error:
        return None, ("error", f"{_type_name(error)} at line {error.lineno}: {error.msg}")
    except _MemoryError:
        return None, ("limit", "memory limit while compiling")
    except _BaseException as error:
        return None, ("error", describe(error))
    module = types.ModuleType("submission")
    sys.modules["submission"] = module
    try:
        exec(code, module.__dict__)
    except _MemoryError:
        return None, ("limit", "memory limit while loading the code")
    except _SystemExit as error:
        line = _submission_line(error.__traceback__)
        return None, ("error", f"the code called exit() while loading (line {line})")
    except _BaseException as error:
        return None, ("error", f"while loading the code: {describe(error)}")
    function = module.__dict__.get(function_name)
    if function is None:
        return None, ("error", f"no function named {function_name}")
    if not _callable(function):
        return None, ("error", f"{function_name} is a {_type_name(function)}, not a function")
    return function, None


def run_cases(function, cases, encoder):
    """One JSON outcome per case; a MemoryError anywhere ends the run as a memory limit."""
    outcomes = []
    for args in cases:
        _setrecursionlimit(RECURSION_LIMIT)
        try:
            value = function(*args)
        except _MemoryError:
            return None
        except _BaseException as error:
            outcomes.append('{"ok":false,"value":null,"error":' + _encode_str(describe(error)) + "}")
            continue
        _setrecursionlimit(RECURSION_LIMIT)
        try:
            text = encoder.encode(value)
        except _MemoryError:
            return None
        except _NotPlain as problem:
            message = problem.args[0] + ": " + problem.args[1]
            outcomes.append('{"ok":false,"value":null,"error":' + _encode_str(message) + "}")
            continue
        except _BaseException as error:
            outcomes.append('{"ok":false,"value":null,"error":' + _encode_str(describe(error)) + "}")
            continue
        outcomes.append('{"ok":true,"value":' + text + ',"error":""}')
    return outcomes


def main():
    work_dir = os.path.realpath(sys.argv[1])
    orders_fd = os.dup(0)  # the submission gets /dev/null as stdin
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    reader = _LineReader(orders_fd)
    orders = json.loads(reader.readline())
    channel = _Channel(os.dup(orders["result_fd"]))
    os.close(orders["result_fd"])
    layers = []
    try:
        set_limits(orders["limits"])
        layers.append("rlimits")
        _best_effort(prefer_oom_kill)  # now: Landlock and the user switch would forbid it later
        try:
            os.nice(10)
        except OSError:
            pass
        if orders["uid"] is not None and _best_effort(isolate_network):
            layers.append("netns")
        numpy = preload(orders["numpy_dir"])
        set_cpu_limit(orders["limits"]["cpu_seconds"])
        stdlib_dir = os.path.dirname(os.path.realpath(os.__file__))
        read_roots = [stdlib_dir]
        if numpy is not None:
            numpy_dir = os.path.dirname(os.path.realpath(numpy.__file__))
            read_roots += [numpy_dir] + [p for p in (numpy_dir + ".libs",) if os.path.isdir(p)]
        _best_effort(no_new_privileges)
        if orders["landlock"] and _best_effort(landlock, read_roots, work_dir):
            layers.append("landlock")
        if orders["uid"] is not None and "landlock" not in layers:
            # Without Landlock, `nobody` could still read every world-readable file, the app's answer
            # references among them: while still root, shut the run inside its own folder.
            os.chroot(work_dir)
            os.chdir("/")
            work_dir, read_roots = "/", []
            layers.append("chroot")
        if orders["uid"] is not None:  # required: a sandbox that stays root must not run
            drop_privileges(orders["uid"], orders["gid"])
            layers.append("user")
        os.umask(0o077)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it; a file past the cap now ends the run
        if _best_effort(seccomp):
            layers.append("seccomp")
        encoder = Encoder(numpy)
        hide_modules()
        sys.path[:] = []
        sys.meta_path.insert(0, _ImportGuard)
        sys.argv[:] = ["submission.py"]
        sys.dont_write_bytecode = True
        for stream in (sys.stdout, sys.stderr):
            stream.reconfigure(errors="backslashreplace")
        if orders["audit_hook"]:
            sys.addaudithook(make_audit_hook(work_dir, read_roots))
            layers.append("audit")
    except BaseException as error:  # noqa: BLE001 - any failure here is the sandbox's, reported as such
        channel.send(json.dumps({"phase": "error", "message": f"sandbox setup failed: {error!r}"}))
        _exit(3)
    if "landlock" not in layers and "user" not in layers:
        # Only the audit hook would stand between the submission and the app's files: not a boundary.
        channel.send(json.dumps({"phase": "unsafe", "layers": layers}))
        _exit(0)

    try:
        serve(channel, reader, orders, layers, encoder)
    except _BaseException as error:  # a bug of the harness, or a submission that broke it: no results
        try:
            message = f"the sandbox failed ({_type_name(error)})"
            channel.send('{"phase":"error","message":' + _encode_str(message) + "}")
        finally:
            _exit(5)
    _exit(0)


def serve(channel, reader, orders, layers, encoder):
    """Load the submission, announce it, receive the cases, answer them."""
    function, problem = load_submission(orders["source"], orders["function"])
    if problem is not None:
        channel.send('{"phase":' + _encode_str(problem[0]) + ',"message":' + _encode_str(problem[1]) + "}")
        return
    channel.send('{"phase":"loaded","layers":[' + ",".join([_encode_str(layer) for layer in layers]) + "]}")
    cases, _ = _scan_json(reader.readline().decode("ascii"), 0)
    outcomes = run_cases(function, cases, encoder)
    if outcomes is None:
        channel.send('{"phase":"limit","message":"memory limit"}')
    else:
        channel.send('{"phase":"done","outcomes":[' + ",".join(outcomes) + "]}")


if __name__ == "__main__":
    main()
