"""Connects to a TCP port on the host (the test listens there), by every route it can think of."""

import importlib


def causal_mask(port):
    connected = []
    for module in ("socket", "_socket"):
        try:
            sockets = importlib.import_module(module)
            connection = sockets.socket()
            connection.settimeout(1)
            connection.connect(("127.0.0.1", port))
            connected.append(module)
        except BaseException:
            pass
    try:
        import urllib.request

        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        connected.append("urllib")
    except BaseException:
        pass
    return connected
