"""Streamlit's configuration read without its lock: a class's forty page threads all read it at once.

Streamlit's `config.get_option` takes one process-wide lock for every read, and Streamlit reads two options
for every element a page sends (whether to collect usage statistics, and from which size a message is
cached). A decoding lab page sends about 330 elements, so forty students opening it together take that lock
about 26,000 times in a few seconds; a thread preempted while holding it (the GIL changes hands every 5 ms)
keeps the thirty-nine others waiting. Measured with 40 students opening the decoding lab: 6.8 s with the
lock, 6.2 s without it (two rounds each, interleaved, on the 2-core machine). Streamlit's own review of the
lock asked for reads without it (streamlit/streamlit pull request 2860).

The read here returns the value from the last table Streamlit finished parsing. Streamlit parses at start and
again when a config.toml changes (it polls them): it then builds a new table from the defaults and fills it
in, and only when it is complete says so (`on_config_parsed`), which is when this module takes it; a read in
between still gets the previous, complete table, never a default the file overrides. `set_option` changes
one value in place, which a read sees whole, before or after. Anything else (nothing parsed yet, an unknown
key) goes to Streamlit's own function.
"""

from __future__ import annotations

from typing import Any

from streamlit import config

_streamlit_get_option = config.get_option
_parsed: dict | None = None  # the last complete table of options (name -> ConfigOption)


def _take_parsed() -> None:
    global _parsed
    _parsed = getattr(config, "_config_options", None)


def get_option(key: str) -> Any:
    """config.get_option's value, read from Streamlit's last complete table without taking its lock."""
    options = _parsed
    option = options.get(key) if options else None
    if option is None:
        return _streamlit_get_option(key)
    return option.value


def install() -> None:
    """Make every `config.get_option` call in the process (Streamlit's included) read without the lock."""
    global _streamlit_get_option
    if installed():
        return
    _streamlit_get_option = config.get_option
    config.on_config_parsed(_take_parsed, force_connect=True)  # every later parse, once complete
    if getattr(config, "_config_options", None):
        _take_parsed()
    config.get_option = get_option


def installed() -> bool:
    return config.get_option is get_option
