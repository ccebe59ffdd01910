"""Every shared fixture of the suite (tests/ and labs/*/tests/ alike; the root conftest.py loads this one).

The real decoder is prepared once per session, only for tests that ask for it. `postgres_admin_url` is
GPTLAB_TEST_POSTGRES_URL when set (a role allowed to CREATE DATABASE), else a throwaway cluster started
from Debian's binaries for the session. Where none can be had the PostgreSQL tests are skipped with the
reason, except under CI (CI=true), where that is a failure: CI installs PostgreSQL, so a skip there would
hide a broken setup.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import postgres  # noqa: E402  (needs ROOT on the path)

# No test may touch the network: the Hub is unreachable in every classroom we design for.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Pages never start the 2-minute conversion by themselves inside tests; `prepared_decoder` does.
os.environ.setdefault("GPTLAB_AUTO_PREPARE", "0")

# A green main stays green: Hypothesis draws the same examples on every run (derandomize), keeps no example
# database between runs, and has no per-example deadline (a loaded 2-core machine is no reason to fail).
# A test's own @settings(max_examples=...) keeps these. To explore new examples locally:
# `pytest --hypothesis-profile=explore`.
hypothesis_settings.register_profile("gptlab", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None)
hypothesis_settings.load_profile("gptlab")


@pytest.fixture(scope="session")
def prepared_decoder() -> Path:
    """Prepare Gemma 3 270M once (1 to 2 minutes the first time, instant afterwards)."""
    from gptlab import models

    start = time.time()
    path = models.prepare_decoder(
        progress=lambda p: print(f"[prepare decoder] {time.time() - start:5.1f}s {p.step_key}", flush=True)
    )
    assert models.decoder_ready()
    return path


@pytest.fixture(scope="session")
def gpt2_tokenizer():
    from gptlab import models

    return models.load_gpt2_tokenizer()


@pytest.fixture(scope="session")
def bert_tokenizer():
    from gptlab import models

    return models.load_minilm_tokenizer()


@pytest.fixture(scope="session")
def gemma_tokenizer(prepared_decoder):
    from gptlab import models

    return models.load_decoder_tokenizer()


@pytest.fixture(scope="session")
def lab_model(prepared_decoder):
    """The real Gemma 3 270M as the decoding lab holds it (bfloat16), loaded once for the session."""
    from gptlab import models

    return models.load_decoding_model()


# Small random models: the code paths of the real ones in milliseconds. Each family's defaults, which a test
# overrides where it needs (a sliding window that a short text crosses, more heads...).
TINY_CONFIGS = {
    "gemma": dict(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=2,
                  num_key_value_heads=1, head_dim=16, sliding_window=4, max_position_embeddings=128,
                  layer_types=["sliding_attention", "sliding_attention", "full_attention"],
                  attn_implementation="eager"),
    "gpt2": dict(n_layer=2, n_embd=32, n_head=2, n_positions=64),
    "bert": dict(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
                 max_position_embeddings=64),
}


def tiny_model(family: str, *, seed: int = 0, dtype=None, defaults: bool = True, **config):
    """The one tiny-model factory: a random Gemma 3 ("gemma"), GPT-2 ("gpt2") or BERT encoder ("bert"), in eval mode.

    `config` overrides the family's TINY_CONFIGS (defaults=False: only `config`, on transformers' own defaults).
    """
    import torch

    from gptlab.models import _hf

    names = {"gemma": ("Gemma3TextConfig", "Gemma3ForCausalLM"), "gpt2": ("GPT2Config", "GPT2LMHeadModel"),
             "bert": ("BertConfig", "BertModel")}[family]
    config_class, model_class = _hf(*names)
    torch.manual_seed(seed)
    model = model_class(config_class(**{**(TINY_CONFIGS[family] if defaults else {}), **config})).eval()
    return model.to(dtype) if dtype is not None else model


@pytest.fixture(scope="session")
def make_tiny_model():
    """`make_tiny_model("gemma", num_hidden_layers=2, ...)`: see tiny_model."""
    return tiny_model


@pytest.fixture
def empty_hub_cache(tmp_path, monkeypatch) -> Path:
    """Point huggingface_hub at an empty cache, downloads not allowed."""
    hub = tmp_path / "hub"
    hub.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(hub))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(hub))
    monkeypatch.delenv("GPTLAB_ALLOW_DOWNLOADS", raising=False)
    return hub


@pytest.fixture
def hub_cache_with_gpt2(empty_hub_cache) -> Path:
    """A local Hub cache holding `gpt2`'s tokenizer, laid out as huggingface_hub lays it out.

    Returns the snapshot folder. Built from the offline GPT-2 vocabulary: the same files.
    """
    from gptlab import models

    repo = empty_hub_cache / "models--gpt2"
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    models.load_gpt2_tokenizer().save_pretrained(str(snapshot))
    (snapshot / "config.json").write_text('{"model_type": "gpt2"}')
    return snapshot


@pytest.fixture(scope="session")
def tiny_gpt2_hub_folder(tmp_path_factory) -> Path:
    """A Hugging Face hub cache folder holding a tiny random GPT-2 under `gpt2` and
    `pierreguillou/gpt2-small-portuguese` (tests/hub_models.py), built once per session."""
    from tests.hub_models import fill_hub_cache

    return fill_hub_cache(tmp_path_factory.mktemp("tiny-gpt2-hub"))


@pytest.fixture
def tiny_gpt2_hub_cache(tiny_gpt2_hub_folder, monkeypatch) -> Path:
    """huggingface_hub (and gptlab.models.catalog) pointed at `tiny_gpt2_hub_folder`, downloads not allowed,
    no instructor extras: the picker offers Gemma (when prepared), `gpt2` and the Portuguese GPT-2."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny_gpt2_hub_folder))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tiny_gpt2_hub_folder))
    monkeypatch.delenv("GPTLAB_ALLOW_DOWNLOADS", raising=False)
    monkeypatch.delenv("GPTLAB_EXTRA_MODELS", raising=False)
    return tiny_gpt2_hub_folder


# --- the app in headless Chromium (tests/browser; helpers in tests/browser/driving.py) ----------------


@pytest.fixture(scope="module")
def server(prepared_decoder):
    from tests.browser.driving import start_server, stop_server

    proc, url = start_server()
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser.driving import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context's page that may reach only the apps the tests started (driving.NetworkGuard):
    a request anywhere else is aborted and fails the test."""
    from tests.browser.driving import new_page

    pg = new_page(browser)
    yield pg
    pg.context.close()
    pg.guard.check()


# --- a real PostgreSQL server for the progress store ----------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL tests need a server: {reason}"
    if _in_ci():
        pytest.fail(message + " (CI=true: PostgreSQL must be available in CI)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    given = os.environ.get("GPTLAB_TEST_POSTGRES_URL", "").strip()
    if given:
        yield given
        return
    try:
        server = postgres.start()
    except postgres.PostgresUnavailable as error:
        reason = str(error)
    else:
        reason = ""
    if reason:
        _unavailable(reason)
    try:
        yield server.admin_url
    finally:
        postgres.stop(server)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    try:
        url, reason = postgres.create_database(postgres_admin_url), ""
    except Exception as error:  # a given URL without CREATEDB, a server gone away...
        where = make_url(postgres_admin_url).render_as_string(hide_password=True)
        url, reason = "", f"cannot create a test database at {where}: {error}"
    if reason:
        _unavailable(reason)
    yield url
    postgres.drop_database(postgres_admin_url, url)
