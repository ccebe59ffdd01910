"""Tiny random GPT-2 models saved into a Hugging Face cache folder under real Hub ids, offline.

The labs find Hub models in the local cache (gptlab.models.catalog); these helpers put a GPT-2 shaped
model there without any download: a small random GPT2LMHeadModel and the real GPT-2 tokenizer the repo
ships (gptlab.models.load_gpt2_tokenizer), laid out as huggingface_hub lays out a cache
(models--<owner>--<name>/refs/main, snapshots/<commit>/...). The fixtures in tests/conftest.py use them
(`tiny_gpt2_hub_cache`); a browser test points a server at the same folder with HF_HUB_CACHE.
"""

from __future__ import annotations

from pathlib import Path

TINY_GPT2_IDS = ("gpt2", "pierreguillou/gpt2-small-portuguese")  # the ids the fixture fills
TINY_GPT2_CONFIG = dict(n_layer=2, n_head=4, n_embd=64, n_positions=1024, n_inner=128)  # the real vocabulary, 50,257
COMMIT = "0" * 39 + "1"  # the snapshot's revision: any 40 hex digits


def tiny_gpt2(seed: int = 0):
    """A random GPT-2 with the real vocabulary (so the real tokenizer fits), a few hundred kB of layers."""
    import torch

    from gptlab.models import _hf, load_gpt2_tokenizer

    GPT2Config, GPT2LMHeadModel = _hf("GPT2Config", "GPT2LMHeadModel")
    tokenizer = load_gpt2_tokenizer()
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=tokenizer.eos_token_id,
                        eos_token_id=tokenizer.eos_token_id, **TINY_GPT2_CONFIG)
    model = GPT2LMHeadModel(config).eval()
    return model, tokenizer


def save_to_hub_cache(cache: Path, hub_id: str, model, tokenizer) -> Path:
    """Write model + tokenizer as `hub_id`'s cached snapshot in the hub cache folder `cache`; returns the snapshot."""
    repo = Path(cache) / ("models--" + hub_id.replace("/", "--"))
    snapshot = repo / "snapshots" / COMMIT
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(COMMIT)
    model.save_pretrained(str(snapshot))
    tokenizer.save_pretrained(str(snapshot))
    return snapshot


def fill_hub_cache(cache: Path, hub_ids: tuple[str, ...] = TINY_GPT2_IDS, seed: int = 0) -> Path:
    """The hub cache `cache` with a tiny GPT-2 under each id (one model, the same weights under every id)."""
    model, tokenizer = tiny_gpt2(seed)
    for hub_id in hub_ids:
        save_to_hub_cache(cache, hub_id, model, tokenizer)
    return Path(cache)
