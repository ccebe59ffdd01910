"""The causal LM catalog (gptlab.models.catalog) and the worker that runs a Hub model, on a tiny GPT-2 saved in a
temporary Hugging Face cache under real ids: offered when cached, its shape read from its config, its generations
equal to transformers' own."""

from __future__ import annotations

import pytest
import torch

from gptlab.models import catalog as C
from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from tests.hub_models import TINY_GPT2_CONFIG


def _keys(entries) -> dict[str, C.CausalLM]:
    return {e.key: e for e in entries}


def test_an_empty_cache_offers_only_gemma_and_says_why_for_the_rest(empty_hub_cache, monkeypatch):
    monkeypatch.delenv(C.EXTRA_MODELS_ENV, raising=False)
    entries = C.catalog()
    assert entries[0].is_gemma and entries[0].key == C.GEMMA_KEY
    hub = [e for e in entries if not e.is_gemma]
    assert [e.key for e in hub] == ["gpt2", "distilgpt2", "pierreguillou/gpt2-small-portuguese"]
    assert all(not e.available and e.reason == "not_cached" for e in hub)


def test_downloads_allowed_offer_every_hub_model(empty_hub_cache, monkeypatch):
    monkeypatch.setenv("GPTLAB_ALLOW_DOWNLOADS", "1")
    hub = [e for e in C.catalog() if not e.is_gemma]
    assert all(e.available and e.source == "download" and e.local_path is None for e in hub)


def test_a_tokenizer_alone_in_the_cache_is_not_a_model(hub_cache_with_gpt2):
    assert not _keys(C.catalog())["gpt2"].available  # config and tokenizer, no weights


def test_cached_models_are_offered_from_their_snapshot(tiny_gpt2_hub_cache):
    entries = _keys(C.catalog())
    for key in ("gpt2", "pierreguillou/gpt2-small-portuguese"):
        assert entries[key].available and entries[key].source == "cache"
        assert entries[key].local_path.startswith(str(tiny_gpt2_hub_cache))
    assert entries["distilgpt2"].reason == "not_cached"
    assert C.find("GPT2").key == "gpt2" and C.find("nope") is None and C.find("") is None
    # Gemma's entry (asked for several times a page run) without the Hub's folders: the catalog's own
    assert C.find(" " + C.GEMMA_KEY.upper()) == C.catalog()[0] and C.catalog()[0].key == C.GEMMA_KEY


def test_instructor_ids_are_listed_and_checked(tiny_gpt2_hub_cache, monkeypatch):
    monkeypatch.setenv(C.EXTRA_MODELS_ENV, " acme/tiny-lm ,../../etc, gpt2,acme/tiny-lm,")
    entries = C.catalog()
    extra = [e for e in entries if e.extra]
    assert [(e.key, e.reason) for e in extra] == [("acme/tiny-lm", "not_cached"), ("../../etc", "bad_id")]
    assert sum(e.key == "gpt2" for e in entries) == 1  # a built-in id named again is listed once


def test_a_cached_encoder_named_by_the_instructor_is_refused(tiny_gpt2_hub_cache, monkeypatch):
    from tests.hub_models import save_to_hub_cache
    from gptlab.models import load_gpt2_tokenizer, _hf

    BertConfig, BertModel = _hf("BertConfig", "BertModel")
    encoder = BertModel(BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                   intermediate_size=32))
    save_to_hub_cache(tiny_gpt2_hub_cache, "acme/encoder", encoder, load_gpt2_tokenizer())
    monkeypatch.setenv(C.EXTRA_MODELS_ENV, "acme/encoder")
    assert _keys(C.catalog())["acme/encoder"].reason == "not_causal"


def test_gpt2_shape_is_read_from_its_config(tiny_gpt2_hub_cache):
    a = C.architecture(C.find("gpt2"))
    n_embd, n_head = TINY_GPT2_CONFIG["n_embd"], TINY_GPT2_CONFIG["n_head"]
    assert (a.model_type, a.n_layer, a.n_head, a.n_kv_heads, a.d_model) == ("gpt2", TINY_GPT2_CONFIG["n_layer"], n_head,
                                                                          n_head, n_embd)
    assert a.head_dim == n_embd // n_head and a.vocab == 50_257 and a.context == TINY_GPT2_CONFIG["n_positions"]
    assert (a.positions, a.norm, a.tied_embeddings, a.grouped_kv) == ("learned", "layernorm", True, False)


def test_gemma_shape_is_read_from_its_config(make_tiny_model):
    a = C.Architecture.of(make_tiny_model("gemma").config)
    assert (a.positions, a.norm, a.n_head, a.n_kv_heads, a.grouped_kv, a.head_dim) == ("rotary", "rmsnorm", 2, 1, True, 16)


@pytest.fixture
def tiny_gpt2(tiny_gpt2_hub_cache):
    return C.load_model(C.find("gpt2")), C.load_tokenizer(C.find("gpt2"))


def test_loaded_hub_model_is_read_only_and_its_tokenizer_is_gpt2s(tiny_gpt2, gpt2_tokenizer):
    model, tokenizer = tiny_gpt2
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    text = "Eu moro no Rio de Janeiro"
    assert tokenizer(text)["input_ids"] == gpt2_tokenizer(text)["input_ids"]


PROMPT = [464, 3290, 318, 257, 1332, 286]  # GPT-2 token ids


def _worker_states(worker, strategies, **kwargs):
    return list(worker.generate(PROMPT, strategies, **kwargs))


def test_transformers_worker_equals_the_readable_loop_and_transformers_generate(tiny_gpt2):
    from gptlab.models.transformers_worker import TransformersWorker

    model, _ = tiny_gpt2
    strategies = [D.GREEDY, D.Strategy(temperature=0.7, top_k=50, top_p=0.9), D.Strategy(num_beams=4)]
    worker = TransformersWorker(model)
    try:
        last = _worker_states(worker, strategies, max_new_tokens=12, seed=5)[-1]
        logits = worker.next_token_logits(PROMPT)
        assert worker.submit(lambda: 6 * 7).result(timeout=30) == 42
    finally:
        worker.close()
    alone = G.run(model, PROMPT, strategies, max_new_tokens=12, seed=5)
    assert [[c.token_id for c in r.tokens] for r in last.rows] == [[c.token_id for c in r.tokens] for r in alone.rows]
    expected = model(torch.tensor([PROMPT])).logits[0, -1]
    assert torch.allclose(logits, expected, atol=1e-5)
    for beams, row in ((1, last.rows[0]), (4, last.rows[2])):
        out = model.generate(torch.tensor([PROMPT]), max_new_tokens=12, min_new_tokens=12, do_sample=False,
                             num_beams=beams, eos_token_id=None, pad_token_id=0)
        assert [c.token_id for c in row.tokens] == out[0, len(PROMPT):].tolist()


def test_transformers_worker_runs_generations_side_by_side_and_stops_one(tiny_gpt2):
    from gptlab.models.transformers_worker import TransformersWorker

    model, _ = tiny_gpt2
    worker = TransformersWorker(model)
    try:
        stopped = worker.generate(PROMPT, [D.Strategy(temperature=1.0)], max_new_tokens=50, seed=1)
        other = worker.generate(PROMPT, [D.GREEDY], max_new_tokens=8, seed=1)
        first = next(iter(stopped))
        stopped.cancel()
        done = list(other)
    finally:
        worker.close()
    assert first.step == 1 and done[-1].done and len(done[-1].rows[0].tokens) == 8


def test_gpt2_logits_through_the_labs_processors_equal_transformers(tiny_gpt2):
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    model, _ = tiny_gpt2
    logits = G.next_token_logits(model, PROMPT)[None]  # (1, 50257): a GPT-2's own distribution
    for s in (D.Strategy(temperature=0.7), D.Strategy(top_k=40), D.Strategy(top_p=0.9),
              D.Strategy(temperature=0.7, top_k=50, top_p=0.9), D.Strategy(temperature=1.3, top_p=0.95)):
        procs = LogitsProcessorList()
        if s.temperature != 1.0:
            procs.append(TemperatureLogitsWarper(s.temperature))
        if s.top_k:
            procs.append(TopKLogitsWarper(top_k=s.top_k))
        if s.top_p < 1.0:
            procs.append(TopPLogitsWarper(top_p=s.top_p))
        theirs = procs(torch.tensor([PROMPT]), logits.clone())
        ours = D.warp(logits, s)
        assert torch.equal(torch.isinf(ours), torch.isinf(theirs)), s
        assert torch.allclose(ours[torch.isfinite(ours)], theirs[torch.isfinite(theirs)]), s


def test_the_code_for_a_hub_model_loads_it_by_id_and_prints_the_labs_numbers(tiny_gpt2, tmp_path):
    """The decoding lab's snippets on a picked GPT-2: its setup loads `gpt2` by Hub id (here from the temporary
    cache, offline) and the printout equals the lab's numbers on the same weights."""
    from dataclasses import replace

    from gptlab.takeaway import code as takeaway
    from tests.gptlab.test_takeaway import GENERATION, NEXT, check_generation, check_next_token, run_python

    model, tokenizer = tiny_gpt2
    paths = replace(takeaway.Paths.local(), hub_model="gpt2")
    setup = takeaway.setup_code("decoder", paths)
    assert "MODEL = 'gpt2'" in setup and "gemma" not in setup.lower()
    marker = "=====8<====="
    code = NEXT.snippet().code(paths) + f"\nprint({marker!r})\n\n" + GENERATION.snippet().body
    next_out, generation_out = run_python(code, tmp_path, "hub_decoder").split(marker + "\n")
    check_next_token(next_out, NEXT, model, tokenizer)
    check_generation(generation_out, GENERATION, model, tokenizer)


# --- the Hugging Face cache, read without huggingface_hub (the sidebar lists the catalog on every page) -----------

FILES = ("config.json", *C.WEIGHT_FILES)


def _repo(cache, hub_id):
    return cache / ("models--" + hub_id.replace("/", "--"))


def _snapshot(cache, hub_id, commit, files, ref: str | None = None):
    repo = _repo(cache, hub_id)
    (repo / "snapshots" / commit).mkdir(parents=True, exist_ok=True)
    for name in files:
        (repo / "snapshots" / commit / name).write_text("{}")
    if ref is not None:
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / "main").write_text(ref)
    return repo


def _fake_cache(cache):
    """Every layout the lookup meets: ids and the answer huggingface_hub's try_to_load_from_cache gives."""
    _snapshot(cache, "acme/complete", "c1", ["config.json", "model.safetensors"], ref="c1")
    _snapshot(cache, "acme/complete", "old", ["config.json", "pytorch_model.bin"])  # another revision: not main's
    _snapshot(cache, "plain", "main", ["config.json", "pytorch_model.bin"])  # no refs/: "main" is the folder's name
    _snapshot(cache, "acme/tokenizer-only", "c2", ["config.json", "tokenizer.json"], ref="c2")
    _snapshot(cache, "acme/ref-with-newline", "c3", ["config.json", "model.safetensors"], ref="c3\n")
    _snapshot(cache, "acme/dangling-ref", "c4", ["config.json"], ref="elsewhere")
    repo = _snapshot(cache, "acme/known-missing", "c5", ["config.json", "model.safetensors"], ref="c5")
    (repo / ".no_exist" / "c5").mkdir(parents=True)
    (repo / ".no_exist" / "c5" / "model.safetensors").write_text("")  # the Hub said: no such file (wins)
    (repo / ".no_exist" / "c5" / "pytorch_model.bin").write_text("")
    repo = _snapshot(cache, "acme/folder-not-file", "c6", ["config.json"], ref="c6")
    (repo / "snapshots" / "c6" / "model.safetensors").mkdir()
    (_repo(cache, "acme/no-snapshots") / "refs").mkdir(parents=True)
    (_repo(cache, "acme/no-snapshots") / "refs" / "main").write_text("c7")
    return ("acme/complete", "plain", "acme/tokenizer-only", "acme/ref-with-newline", "acme/dangling-ref",
            "acme/known-missing", "acme/folder-not-file", "acme/no-snapshots", "acme/absent", "gpt2")


def test_the_cache_is_read_as_huggingface_hub_reads_it(tmp_path):
    from huggingface_hub import try_to_load_from_cache

    cache = tmp_path / "hub"
    ids = _fake_cache(cache)
    found = 0
    for hub_id in ids:
        for name in FILES:
            theirs = try_to_load_from_cache(hub_id, name, cache_dir=str(cache))
            expected = theirs if isinstance(theirs, str) else None  # a path, or: not there / known missing
            assert C.cached_file(str(cache), hub_id, name) == expected, (hub_id, name)
            found += expected is not None
    assert found == 7  # configs of complete, plain, tokenizer-only, known-missing, folder-not-file; two weights


def test_a_snapshot_is_offered_only_with_its_config_and_weights(tmp_path, monkeypatch):
    cache = tmp_path / "hub"
    _fake_cache(cache)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    assert C.cached_snapshot("acme/complete") == str(cache / "models--acme--complete" / "snapshots" / "c1")
    assert C.cached_snapshot("plain") == str(cache / "models--plain" / "snapshots" / "main")
    for hub_id in ("acme/tokenizer-only", "acme/ref-with-newline", "acme/dangling-ref", "acme/known-missing",
                   "acme/folder-not-file", "acme/no-snapshots", "acme/absent"):
        assert C.cached_snapshot(hub_id) is None, hub_id


def _hubs_cache_dir(env: dict[str, str]) -> str:
    """huggingface_hub's own cache folder (constants.HF_HUB_CACHE) in a fresh process with exactly these variables."""
    import subprocess
    import sys

    code = "from huggingface_hub import constants; print(constants.HF_HUB_CACHE)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.parametrize("variables", [
    {},
    {"XDG_CACHE_HOME": "{tmp}/xdg"},
    {"XDG_CACHE_HOME": "{tmp}/xdg", "HF_HOME": "{tmp}/hf-home"},
    {"HF_HOME": "~/hf-home"},
    {"HF_HOME": "{tmp}/hf-home", "HUGGINGFACE_HUB_CACHE": "{tmp}/legacy"},
    {"HUGGINGFACE_HUB_CACHE": "{tmp}/legacy", "HF_HUB_CACHE": "{tmp}/hub-cache"},
    {"HF_HUB_CACHE": "$GPTLAB_TEST_PLACE/hub-cache", "GPTLAB_TEST_PLACE": "{tmp}/somewhere"},
], ids=["default", "xdg", "hf_home", "hf_home_user", "legacy", "hf_hub_cache", "expanded"])
def test_the_cache_folder_is_where_huggingface_hub_puts_it(variables, tmp_path, monkeypatch):
    import os

    hub_names = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "HUGGINGFACE_CO_STAGING")
    env = {k: v for k, v in os.environ.items() if k not in hub_names}
    env["HOME"] = str(tmp_path / "home")
    env.update({k: v.replace("{tmp}", str(tmp_path)) for k, v in variables.items()})
    for name in hub_names:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert str(C.hub_cache_dir()) == _hubs_cache_dir(env)


@pytest.mark.parametrize("hub_id", ["acme/foo--bar", "foo--bar", "acme/model.git", "model-", "acme./model", "a/b/c",
                                    "acme/../x", "-model", "acme/" + "m" * 97, ""])
def test_ids_the_hub_refuses_are_bad_ids_not_errors(hub_id, empty_hub_cache, monkeypatch):
    """huggingface_hub refuses these ids with an error: the picker lists them as bad ids, the page goes on."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if hub_id:
        with pytest.raises(HFValidationError):
            validate_repo_id(hub_id)
    assert not C.valid_hub_id(hub_id)
    monkeypatch.setenv(C.EXTRA_MODELS_ENV, hub_id)
    listed = {e.key: e for e in C.catalog()}
    if hub_id:
        assert listed[hub_id].reason == "bad_id" and not listed[hub_id].available


@pytest.mark.parametrize("hub_id", ["gpt2", "distilgpt2", "pierreguillou/gpt2-small-portuguese", "acme/tiny_lm",
                                    "EleutherAI/pythia-70m", "a/b", "Qwen/Qwen2.5-0.5B", "m" * 96, "org_/name_"])
def test_ids_the_hub_accepts_are_looked_up(hub_id):
    from huggingface_hub.utils import validate_repo_id

    validate_repo_id(hub_id)  # the Hub's own rule accepts it
    assert C.valid_hub_id(hub_id)
