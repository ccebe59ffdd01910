"""Shared fixtures. The real decoder is prepared once per session, only for tests that ask for it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# No test may touch the network: the Hub is unreachable in every classroom we design for.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Pages never start the 2-minute conversion by themselves inside tests; `prepared_decoder` does.
os.environ.setdefault("GPTLAB_AUTO_PREPARE", "0")


@pytest.fixture(scope="session")
def prepared_decoder() -> Path:
    """Prepare Gemma 3 270M once (1 to 2 minutes the first time, instant afterwards)."""
    from core import models

    start = time.time()
    path = models.prepare_decoder(
        progress=lambda p: print(f"[prepare decoder] {time.time() - start:5.1f}s {p.step_key}", flush=True)
    )
    assert models.decoder_ready()
    return path


@pytest.fixture(scope="session")
def gpt2_tokenizer():
    from core import models

    return models.load_gpt2_tokenizer()


@pytest.fixture(scope="session")
def bert_tokenizer():
    from core import models

    return models.load_minilm_tokenizer()


@pytest.fixture(scope="session")
def gemma_tokenizer(prepared_decoder):
    from core import models

    return models.load_decoder_tokenizer()


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
    from core import models

    repo = empty_hub_cache / "models--gpt2"
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    models.load_gpt2_tokenizer().save_pretrained(str(snapshot))
    (snapshot / "config.json").write_text('{"model_type": "gpt2"}')
    return snapshot
