"""Tries every way to ignore termination signals, then spins: only SIGKILL works, and SIGKILL is used."""

try:
    import signal

    for name in ("SIGTERM", "SIGINT", "SIGXCPU", "SIGHUP", "SIGALRM"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
except Exception:
    pass


def causal_mask(T):
    while True:
        pass
