"""Streamlit's configuration read without its lock: a class's forty page threads all read it at once.

Streamlit's `config.get_option` takes one process-wide lock for every read, and Streamlit reads two options
for every element a page sends (whether to collect usage statistics, and from which size a message is
cached). A decoding lab page sends about 330 elements, so forty students opening it together take that lock
about 26,000 times in a few seconds; a thread preempted while holding it (the GIL changes hands every 5 ms)
keeps the thirty-nine others waiting. Measured with 40 students opening the decoding lab: 6.8 s with the
lock, 6.2 s without it (two rounds each, interleaved, on the 2-core machine). Streamlit's own review of the
lock asked for reads without it (streamlit/streamlit pull request 2860).

The read here returns the same value from the same table: Streamlit fills `_config_options` when it parses
the configuration, and parses it again only at start (streamlit/web/bootstrap.py, before any session);
`set_option` changes one value in place, which a read sees whole, before or after. Anything unexpected (the
table not parsed yet, an unknown key, a Streamlit without that table) goes to Streamlit's own function.
"""

from __future__ import annotations

from typing import Any

from streamlit import config

_streamlit_get_option = config.get_option


def get_option(key: str) -> Any:
    """config.get_option's value, read from Streamlit's parsed table without taking its lock."""
    options = getattr(config, "_config_options", None)
    option = options.get(key) if options else None
    if option is None:
        return _streamlit_get_option(key)
    return option.value


def install() -> None:
    """Make every `config.get_option` call in the process (Streamlit's included) read without the lock."""
    config.get_option = get_option


def installed() -> bool:
    return config.get_option is get_option
