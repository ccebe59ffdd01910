"""Return codes people copy by hand (gptlab.classroom.codes), the server-wide limit on wrong instructor-secret
tries under parallel sessions (gptlab.classroom.guard), and the join card (gptlab.classroom.join_card)."""

from __future__ import annotations

import logging
import math
import re
import threading
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from gptlab.classroom import codes as C
from gptlab.classroom import guard as G
from gptlab.classroom import join_card as J
from gptlab.classroom import store as P

# --- return codes ----------------------------------------------------------------------------------------------


def test_a_new_code_is_grouped_crockford_with_100_random_bits():
    made = {C.new_return_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in made:
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}", code), code
        assert C.canonical_code(code) == code.replace("-", "")
    assert len(C.ALPHABET) == 32 and not set("ILOU") & set(C.ALPHABET)
    assert C.BITS == C.SYMBOLS * math.log2(len(C.ALPHABET)) == 100
    every_symbol = "".join(made).replace("-", "")
    assert set(every_symbol) == set(C.ALPHABET)  # 2000 codes: every symbol drawn somewhere


@pytest.mark.parametrize("typed", [
    "7k3m-q0zd-h8tw-2rnc-vx4e",
    " 7K3M Q0ZD H8TW 2RNC VX4E ",
    "7K3MQ0ZDH8TW2RNCVX4E",
    "7k3m–q0zd—h8tw 2rnc\tvx4e",  # dashes as a word processor types them
    "7K3M-QOZD-H8TW-2RNC-VX4E",  # an O for the zero
])
def test_a_code_typed_by_hand_reads_as_the_same_code(typed):
    assert C.canonical_code(typed) == "7K3MQ0ZDH8TW2RNCVX4E"


def test_look_alikes_read_as_the_digit_they_look_like():
    assert C.canonical_code("iiii-llll-oooo-0000-1111") == "11111111000000001111"


@pytest.mark.parametrize("typed", ["", "7K3M-Q0ZD-H8TW-2RNC", "7K3M-Q0ZD-H8TW-2RNC-VX4E-A", "7K3M-Q0ZD-H8TW-2RNC-VX4U",
                                   "7K3M-Q0ZD-H8TW-2RNC-VX4🦜", "<b>7K3M</b>", "7K3M" * 100, None, 42])
def test_anything_else_is_no_code(typed):
    assert C.canonical_code(typed) is None


def test_the_symbol_count_tells_short_from_long():
    assert C.symbol_count("7K3M-Q0ZD") == 8
    assert C.symbol_count("7K3M-Q0ZD-H8TW-2RNC-VX4E-XXXX") == 24
    assert C.symbol_count("hello world!") is None


@pytest.fixture
def store(tmp_path) -> P.ProgressStore:
    return P.ProgressStore(P.make_engine(f"sqlite:///{tmp_path / 'progress.sqlite3'}"))


def test_a_typed_code_resumes_and_an_older_code_keeps_working(store):
    store.create_class("IA-1", "IA")
    ana = store.join("IA-1", "Ana")
    typed = " " + ana.token.lower().replace("-", " ").replace("0", "o") + " "
    assert store.resume(typed).name == "Ana"
    assert store.resume(typed).token == ana.token  # shown as issued: grouped, capitals

    # a code of the old alphabet (secrets.token_urlsafe), issued before this one and kept as its hash
    old = "J7Q5s1piWjuVlMWTWmR4DR4sr1EDbMy8"
    with store.engine.begin() as conn:
        conn.execute(P.students.insert().values(class_code="IA-1", display_name="Bia", name_key="bia",
                                                token_hash=P.student_key(old), created_at=store._now()))
    assert store.resume(old).name == "Bia"
    assert store.resume(f"  {old} ").name == "Bia"
    with pytest.raises(P.UnknownStudent):
        store.resume(old.lower())  # an old code is case-sensitive, as it always was


# --- the limit on wrong secret tries ---------------------------------------------------------------------------


class FrozenClock:
    """Time stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def parallel_guesses(guard: G.SecretGuard, addresses: list[str], tries_each: int, compared: list) -> None:
    """One thread per session, all guessing wrong at once; `compared` collects the guesses really compared."""
    start = threading.Barrier(len(addresses))

    def session(address: str) -> None:
        start.wait()
        for i in range(tries_each):
            guard.attempt(address, lambda: compared.append(address) or False)

    threads = [threading.Thread(target=session, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_parallel_sessions_from_one_address_get_one_guess_then_wait():
    clock, compared = FrozenClock(), []
    guard = G.SecretGuard(clock=clock)
    parallel_guesses(guard, ["10.0.0.7"] * 20, 50, compared)
    assert len(compared) == 1  # 1000 tries at the same instant: one compared
    clock.now += 1.0
    parallel_guesses(guard, ["10.0.0.7"] * 20, 50, compared)
    assert len(compared) == 2  # then one more after the 1 s delay, and the delay doubles
    outcome = guard.attempt("10.0.0.7", lambda: True)
    assert outcome.verdict == G.WAIT and outcome.wait_s == pytest.approx(2.0)


def test_the_rate_holds_for_parallel_sessions_from_many_addresses_over_fifteen_minutes():
    """20 sessions from 20 addresses guess as fast as they can for 15 simulated minutes: at most 30 guesses reach
    the secret (the overall lock-out), and the right secret, tried by anyone, waits its turn too."""
    clock, compared = FrozenClock(), []
    guard = G.SecretGuard(clock=clock)
    addresses = [f"10.0.1.{i}" for i in range(20)]
    for _ in range(900 * 2):  # every half second
        parallel_guesses(guard, addresses, 3, compared)
        clock.now += 0.5
    assert 11 <= len(compared) <= guard.policy.overall.lockout_after == 30
    outcome = guard.attempt("10.0.9.9", lambda: True)  # a new address, the right secret: the server is locked
    assert outcome.verdict in (G.LOCKED, G.WAIT) and outcome.scope == "overall"


def test_a_lock_out_ends_and_the_secret_then_opens():
    clock = FrozenClock()
    guard = G.SecretGuard(clock=clock)
    for _ in range(10):
        assert guard.attempt("10.0.0.8", lambda: False).verdict == G.WRONG
        clock.now += 61
    locked = guard.attempt("10.0.0.8", lambda: True)
    assert locked.verdict == G.LOCKED and locked.scope == "address"
    assert locked.wait_s == pytest.approx(900 - 61)
    clock.now += 900
    assert guard.attempt("10.0.0.8", lambda: True).verdict == G.GRANTED


def test_a_refused_try_is_not_compared_and_wrong_tries_are_logged_without_the_text(caplog):
    clock = FrozenClock()
    guard = G.SecretGuard(clock=clock)
    typed = "my guess 12345"
    with caplog.at_level(logging.INFO, logger="gptlab.classroom.guard"):
        guard.attempt("10.0.0.9", lambda: typed == "the secret")
        guard.attempt("10.0.0.9", lambda: pytest.fail("compared while it should wait"))
    assert "wrong try from 10.0.0.9" in caplog.text and "refused" in caplog.text
    assert typed not in caplog.text


# --- the join card ---------------------------------------------------------------------------------------------


def test_the_join_link_opens_the_home_page_with_the_code_and_language():
    base = J.app_base_url("http://192.168.0.10:8501/instructor?lang=en", "instructor")
    assert base == "http://192.168.0.10:8501/"
    assert J.app_base_url("https://lab.example.org/gpt/instructor", "instructor") == "https://lab.example.org/gpt/"
    link = J.join_link(base, "NLP-2026", "pt-BR")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "192.168.0.10:8501", "/")
    assert parse_qs(parts.query) == {"class": ["NLP-2026"], "lang": ["pt-BR"]}


@pytest.mark.parametrize("link, local", [("http://localhost:8501/?class=A", True), ("http://127.0.0.1:8501/", True),
                                         ("http://[::1]:8501/", True), ("http://0.0.0.0:8501/", True),
                                         ("http://192.168.0.10:8501/", False), ("https://lab.example.org/", False)])
def test_a_link_naming_this_computer_is_told_apart(link, local):
    assert J.is_local(link) is local


def test_the_card_escapes_every_text_and_fetches_nothing():
    card = J.JoinCard(code="IA-2025", class_name='<img src=x onerror="alert(1)">', link='http://h:1/?class=IA-2025&x="',
                      code_label="Class code", steps="<script>alert(2)</script>", qr_title='QR "of" the link')
    html = J.card_html(card)
    assert "<img src=x" not in html and "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="http://h:1/?class=IA-2025&amp;x=&quot;"' in html
    assert 'alt="QR &quot;of&quot; the link"' in html
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml")  # drawn here, never fetched
    svg = unquote(sources[0].split(",", 1)[1])
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_the_qr_code_holds_the_link(tmp_path):
    """Drawn by segno, read back by a real decoder (zbarimg) when there is one; the SVG's modules match it."""
    import segno

    link = J.join_link("http://192.168.0.10:8501/", "NLP-2026", "en")
    qr = segno.make(link, error="m")
    assert qr.error == "M" and qr.mode == "byte"
    svg_uri = J.qr_svg_data_uri(link)
    assert svg_uri == qr.svg_data_uri(scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True)
    assert J.qr_svg_data_uri(link.replace("NLP", "ABC")) != svg_uri  # the code is in the drawing
    import shutil
    import subprocess

    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (Debian: zbar-tools) is not installed: the QR code was not read back")
    png = tmp_path / "qr.png"
    qr.save(png, scale=8, border=4)
    read = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True)
    assert read.stdout.strip() == link
