"""Tokens, ids, byte-level pieces and counts: everything the tokenization lab shows, as plain data."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Above this the lab tokenizes only the beginning: 20,000 characters is already ~40 A4 pages.
MAX_INPUT_CHARS = 20_000


@dataclass(frozen=True)
class TextCheck:
    text: str  # what the lab will tokenize (maybe shortened)
    problem: str | None  # None, "empty" or "whitespace"
    original_length: int
    truncated: bool


def check_text(text: str | None, max_chars: int = MAX_INPUT_CHARS) -> TextCheck:
    """Empty or blank input is a problem to explain; over-long input is cut with a flag."""
    text = text or ""
    if text == "":
        return TextCheck("", "empty", 0, False)
    if text.strip() == "":
        # Still tokenizable (whitespace has tokens too), but the student probably meant to type.
        return TextCheck(text[:max_chars], "whitespace", len(text), len(text) > max_chars)
    return TextCheck(text[:max_chars], None, len(text), len(text) > max_chars)


# --------------------------------------------------------------------------------------------
# GPT-2's byte-level alphabet


@lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's map from each of the 256 byte values to a printable character.

    Printable Latin-1 bytes map to themselves; the other 68 (controls, space, ...) are shifted
    to U+0100 and up, which is why a space shows as 'Ġ' (U+0120) and a newline as 'Ċ'.
    """
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    mapping = {b: chr(b) for b in printable}
    shift = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + shift)
            shift += 1
    return mapping


@lru_cache(maxsize=1)
def unicode_to_bytes() -> dict[str, int]:
    return {c: b for b, c in bytes_to_unicode().items()}


def byte_level_piece_to_bytes(piece: str) -> bytes:
    """'Ã§' -> b'\\xc3\\xa7' (the UTF-8 bytes of 'ç')."""
    table = unicode_to_bytes()
    return bytes(table[c] for c in piece)


# --------------------------------------------------------------------------------------------
# One text through one tokenizer


@dataclass(frozen=True)
class Token:
    position: int
    token_id: int
    piece: str  # the vocabulary entry: 'Ġworld', '##ao', '▁ação', '[CLS]'
    start: int  # character span in the input text; (0, 0) for added special tokens
    end: int
    special: bool  # a special token of the vocabulary ([CLS], [UNK], <bos>, ...)
    added: bool  # inserted by the tokenizer itself, not produced from the text


@dataclass(frozen=True)
class Tokenization:
    text: str
    tokens: tuple[Token, ...]
    decoded: str  # decode(ids) without the special tokens the tokenizer added
    unknown_count: int  # how many [UNK]/<unk> tokens: information lost for good

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def n_added(self) -> int:
        return sum(t.added for t in self.tokens)

    @property
    def n_content_tokens(self) -> int:
        """Tokens that come from the text (the typed or [UNK] specials included)."""
        return self.n_tokens - self.n_added

    @property
    def chars_per_token(self) -> float:
        return len(self.text) / self.n_content_tokens if self.n_content_tokens else 0.0

    @property
    def round_trip_exact(self) -> bool:
        return self.decoded == self.text

    @property
    def input_ids(self) -> tuple[int, ...]:
        return tuple(t.token_id for t in self.tokens)


def tokenize(tokenizer, text: str, add_special_tokens: bool = True) -> Tokenization:
    """Run a Hugging Face (fast) tokenizer and keep what the lab shows about each token."""
    encoding = tokenizer(
        text,
        add_special_tokens=add_special_tokens,
        return_offsets_mapping=True,
        return_attention_mask=False,
        return_token_type_ids=False,
        truncation=False,
        verbose=False,
    )
    ids: list[int] = encoding["input_ids"]
    pieces = tokenizer.convert_ids_to_tokens(ids)
    special_ids = set(tokenizer.all_special_ids)
    added_special = _added_special_positions(tokenizer, len(ids), add_special_tokens)
    tokens = tuple(
        Token(i, token_id, piece, start, end, i in added_special or token_id in special_ids, i in added_special)
        for i, (token_id, piece, (start, end)) in enumerate(zip(ids, pieces, encoding["offset_mapping"]))
    )
    decoded = tokenizer.decode(
        [t.token_id for t in tokens if t.position not in added_special], skip_special_tokens=False
    )
    unk = tokenizer.unk_token_id
    # GPT-2's unk token is <|endoftext|>, which byte-level BPE never needs as a fallback.
    unknown = sum(1 for t in tokens if unk is not None and t.token_id == unk and t.piece in {"[UNK]", "<unk>"})
    return Tokenization(text, tokens, decoded, unknown)


def _added_special_positions(tokenizer, n_ids: int, added: bool) -> set[int]:
    """Positions of the special tokens the tokenizer itself added (not ones the user typed)."""
    if not added:
        return set()
    before, after = tokens_added_around(tokenizer)
    return set(range(len(before))) | set(range(n_ids - len(after), n_ids))


def visible(s: str) -> str:
    """Make invisible characters visible in a token chip: spaces, newlines, zero-width, controls."""
    out = []
    for i, ch in enumerate(s):
        if i == 0 and unicodedata.category(ch) in {"Mn", "Me"}:
            out.append("◌" + ch)  # a combining mark with nothing to sit on: show it on a dotted circle
        elif ch == " ":
            out.append("␣")
        elif ch == "\n":
            out.append("↵")
        elif ch == "\t":
            out.append("⇥")
        elif unicodedata.category(ch) in {"Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Cn"}:
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# GPT-2's byte-level view


@dataclass(frozen=True)
class ByteLevelToken:
    token_id: int
    piece: str  # as stored in GPT-2's vocabulary: 'Ã§'
    raw: bytes  # the bytes it stands for: b'\xc3\xa7'
    text: str | None  # those bytes as UTF-8 text, or None when the token holds part of a character

    @property
    def hex(self) -> str:
        return " ".join(f"{b:02X}" for b in self.raw)


def byte_level_view(gpt2_tokenizer, text: str) -> tuple[ByteLevelToken, ...]:
    ids = gpt2_tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    out = []
    for token_id, piece in zip(ids, gpt2_tokenizer.convert_ids_to_tokens(ids)):
        raw = byte_level_piece_to_bytes(piece)
        try:
            fragment: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            fragment = None
        out.append(ByteLevelToken(token_id, piece, raw, fragment))
    return tuple(out)


def bytes_back_to_text(tokens: tuple[ByteLevelToken, ...]) -> str:
    """Join every token's bytes, then decode once: split characters come back whole."""
    return b"".join(t.raw for t in tokens).decode("utf-8", errors="replace")


# --------------------------------------------------------------------------------------------
# Special tokens

SPECIAL_ROLES = ("bos", "eos", "unk", "pad", "cls", "sep", "mask")


@dataclass(frozen=True)
class SpecialToken:
    role: str  # one of SPECIAL_ROLES
    token: str | None  # None: this tokenizer has no such token
    token_id: int | None


def special_tokens(tokenizer) -> tuple[SpecialToken, ...]:
    out = []
    for role in SPECIAL_ROLES:
        token = getattr(tokenizer, f"{role}_token", None)
        token_id = tokenizer.convert_tokens_to_ids(token) if token is not None else None
        out.append(SpecialToken(role, token, token_id))
    return tuple(out)


def special_tokens_table(tokenizers: dict[str, object]) -> dict[str, tuple[SpecialToken, ...]]:
    """Per tokenizer label, its special token for each of SPECIAL_ROLES (token None when absent)."""
    return {label: special_tokens(tok) for label, tok in tokenizers.items()}


def tokens_added_around(tokenizer, text: str = "Hello") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the tokenizer puts before and after a text by itself (add_special_tokens=True)."""
    bare = tokenizer(text, add_special_tokens=False)["input_ids"]
    full = tokenizer(text, add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(bare) + 1):
        if full[start : start + len(bare)] == bare:
            before = tokenizer.convert_ids_to_tokens(full[:start])
            after = tokenizer.convert_ids_to_tokens(full[start + len(bare) :])
            return tuple(before), tuple(after)
    return tuple(tokenizer.convert_ids_to_tokens(full)), ()


# --------------------------------------------------------------------------------------------
# Token inflation: the same meaning, different token counts

# Parallel sentences written for the lab (not from a dataset): everyday, technical, and
# accented Portuguese, so the count differences have several causes to discuss.
PARALLEL_SENTENCES: tuple[tuple[str, str], ...] = (
    ("A tokenização transforma texto em números.", "Tokenization turns text into numbers."),
    (
        "O modelo prevê a próxima palavra a partir das anteriores.",
        "The model predicts the next word from the previous ones.",
    ),
    (
        "Amanhã vou à praia com meus irmãos, se não chover.",
        "Tomorrow I will go to the beach with my brothers, if it does not rain.",
    ),
    (
        "A atenção causal impede que uma posição veja o futuro.",
        "Causal attention prevents a position from seeing the future.",
    ),
    (
        "Informações públicas são essenciais para a pesquisa científica.",
        "Public information is essential for scientific research.",
    ),
    (
        "Você já experimentou pão de queijo com café coado?",
        "Have you ever tried cheese bread with filtered coffee?",
    ),
)


PAIR_LANGUAGES = ("pt-BR", "en")  # the languages of PARALLEL_SENTENCES: what "token inflation" compares


@dataclass(frozen=True)
class InflationRow:
    pair: int  # index of the sentence pair
    language: str  # one of PAIR_LANGUAGES
    tokenizer: str  # label of the tokenizer
    n_tokens: int  # content tokens, special tokens excluded
    n_chars: int


def inflation_rows(tokenizers: dict[str, object], pairs: tuple[tuple[str, str], ...]) -> tuple[InflationRow, ...]:
    rows = []
    for label, tok in tokenizers.items():
        for i, (pt, en) in enumerate(pairs):
            for language, sentence in zip(PAIR_LANGUAGES, (pt, en)):
                n = len(tok(sentence, add_special_tokens=False, verbose=False)["input_ids"])
                rows.append(InflationRow(i, language, label, n, len(sentence)))
    return tuple(rows)


def inflation_by_pair(rows: tuple[InflationRow, ...], tokenizer: str) -> dict[tuple[int, str], int]:
    """{(pair index, language): token count} for one tokenizer: the chart's data as a table."""
    return {(r.pair, r.language): r.n_tokens for r in rows if r.tokenizer == tokenizer}


def inflation_ratio(rows: tuple[InflationRow, ...], tokenizer: str) -> float:
    """Portuguese tokens / English tokens over all pairs, for one tokenizer (1.0 = parity)."""
    pt, en = (sum(r.n_tokens for r in rows if r.tokenizer == tokenizer and r.language == language)
              for language in PAIR_LANGUAGES)
    return pt / en if en else float("nan")


# Short texts that each show one tokenization effect; offered as one-click examples in the lab.
EXAMPLE_TEXTS: dict[str, str] = {
    "accents": "Olá! Ação, coração, não, pão, avô, você.",
    "emoji": "Bom dia ☀️ 😀 👍🏽 🇧🇷 👨‍👩‍👧",
    "numbers": "Em 2024, 1234567 + 89 = 1234656 (3,14159).",
    "code": "def soma(a, b):\n    return a + b  # Python",
    "rtl": "مرحبا بالعالم — hello — שלום עולם",
    "invisible": "zero\u200bwidth\u200dand\u00a0nbsp\ttab\u0007bell",
    "markup": "<script>alert('oi')</script> <b>negrito</b> &amp;",
    "long_word": "Pneumoultramicroscopicossilicovulcanoconiótico",
}


def multibyte_characters(text: str, limit: int = 24) -> tuple[tuple[str, bytes, str], ...]:
    """Each distinct non-ASCII character: (char, its UTF-8 bytes, how GPT-2 displays those bytes)."""
    seen: dict[str, None] = {}
    for ch in text:
        if ord(ch) > 127 and ch not in seen:
            seen[ch] = None
            if len(seen) == limit:
                break
    table = bytes_to_unicode()
    return tuple((ch, ch.encode("utf-8"), "".join(table[b] for b in ch.encode("utf-8"))) for ch in seen)
