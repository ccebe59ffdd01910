"""Return codes people can copy by hand: Crockford base32, grouped for reading.

    new_return_code()            -> "7K3M-Q0ZD-H8TW-2RNC-VX4E"   (20 symbols x 5 bits = 100 random bits)
    canonical_code(" 7k3m q0zd-h8tw 2rnc vx4e ")  -> "7K3MQ0ZDH8TW2RNCVX4E"

Crockford's alphabet has no I, L, O or U: nothing reads as 1 or 0 by mistake, and when someone types
one anyway it is read as the digit it looks like (I, L -> 1; O -> 0). Case, spaces and dashes do not
matter. 100 bits is far beyond what online guessing can reach: at a million tries a second, finding
one given student's code takes about 2 x 10^16 years on average.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
SYMBOLS = 20  # per code
GROUP = 4  # symbols between dashes when shown
BITS = SYMBOLS * 5  # 100 bits of randomness
_LOOK_ALIKES = {"I": "1", "L": "1", "O": "0"}
_SEPARATORS = frozenset(" \t\r\n-\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\u202f")  # dashes as typed or pasted


def new_return_code() -> str:
    """A fresh random code, grouped: 'XXXX-XXXX-XXXX-XXXX-XXXX'."""
    return group("".join(secrets.choice(ALPHABET) for _ in range(SYMBOLS)))


def group(symbols: str) -> str:
    """'ABCDEFGH...' -> 'ABCD-EFGH-...' (how a code is shown)."""
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))


def canonical_code(raw: object) -> str | None:
    """The code's 20 symbols as stored (upper case, no separators), or None when `raw` is not a code."""
    if not isinstance(raw, str) or len(raw) > 4 * SYMBOLS:
        return None
    symbols = []
    for ch in raw.upper():
        if ch in _SEPARATORS:
            continue
        ch = _LOOK_ALIKES.get(ch, ch)
        if ch not in ALPHABET:
            return None
        symbols.append(ch)
    return "".join(symbols) if len(symbols) == SYMBOLS else None


def symbol_count(raw: object) -> int | None:
    """How many code symbols `raw` holds, separators left out, when it is made of code symbols only (to tell a
    student that a code is too short or too long); None when it is something else."""
    if not isinstance(raw, str) or len(raw) > 4 * SYMBOLS:
        return None
    symbols = [ch for ch in raw.upper() if ch not in _SEPARATORS]
    if not symbols or any(_LOOK_ALIKES.get(ch, ch) not in ALPHABET for ch in symbols):
        return None
    return len(symbols)
