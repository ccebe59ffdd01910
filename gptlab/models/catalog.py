"""The causal language models a lab can run on: Gemma 3 270M (embedded, always offered) and Hugging Face
Hub models (GPT-2 and kin, any id an instructor adds) when this machine has them.

A Hub model counts as available when its files are in the local Hugging Face cache (looked up on disk,
no network) or when downloads are allowed (GPTLAB_ALLOW_DOWNLOADS=1). The sidebar lists the catalog on every
page, so the cache is read here directly, as huggingface_hub reads it, without importing huggingface_hub. Instructors add ids with
GPTLAB_EXTRA_MODELS=id1,id2. What a lab needs to know of a model's shape (layers, heads, widths,
position and norm kinds) is read from its config: `Architecture.of(config)`. Pure Python, no Streamlit.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gptlab import models

GEMMA_KEY = models.GEMMA_DECODER.key  # "gemma-3-270m": the default, in URLs as ?model=gemma-3-270m
EXTRA_MODELS_ENV = "GPTLAB_EXTRA_MODELS"  # comma-separated Hub ids an instructor offers beside the built-in ones

# The GPT-2 family the course notebook uses, offered when this machine has it: (Hub id, name shown, licence).
HUB_CAUSAL_LMS: tuple[tuple[str, str, str], ...] = (
    ("gpt2", "GPT-2 small", "MIT"),
    ("distilgpt2", "DistilGPT2", "Apache-2.0"),
    ("pierreguillou/gpt2-small-portuguese", "GPT-2 small (pt)", "MIT"),
)
NOTEBOOK_MODEL = "pierreguillou/gpt2-small-portuguese"  # the model the course notebook runs on

# A Hub repository id: "name" or "owner/name"; each part 1 to 96 letters, digits, '-', '_' and '.', starting
# with a letter or digit, ending with a letter, digit or '_' (the Hub's own rule, with `valid_hub_id`'s).
HUB_ID = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?/)?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?")
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")

Reason = Literal["not_prepared", "not_cached", "bad_id", "not_causal"]  # i18n: models.reason.<reason>


@dataclass(frozen=True)
class Architecture:
    """What the labs need of a decoder's shape, read from its config (never typed in)."""

    model_type: str  # "gpt2", "gemma3_text", ...
    n_layer: int
    n_head: int  # query heads
    n_kv_heads: int  # key/value heads (= n_head for GPT-2; 1 for Gemma 3 270M: multi-query attention)
    head_dim: int
    d_model: int
    d_ffn: int  # the feed-forward layer's inner width
    vocab: int
    context: int  # positions the model was trained to read
    positions: Literal["learned", "rotary", "other"]  # a learned table added to the input, or q/k rotated
    norm: Literal["layernorm", "rmsnorm"]
    tied_embeddings: bool  # the output layer is the input embedding matrix

    @classmethod
    def of(cls, config) -> "Architecture":
        config = config.get_text_config() if hasattr(config, "get_text_config") else config
        heads = int(config.num_attention_heads)
        hidden = int(config.hidden_size)
        head_dim = getattr(config, "head_dim", None) or hidden // heads
        ffn = getattr(config, "intermediate_size", None) or getattr(config, "n_inner", None) or 4 * hidden
        rotary = any(getattr(config, name, None) is not None for name in ("rope_theta", "rope_parameters", "rope_scaling"))
        learned = config.model_type in {"gpt2", "gpt_neo", "gpt_bigcode", "opt", "biogpt"}
        rms = getattr(config, "rms_norm_eps", None) is not None
        return cls(
            model_type=str(config.model_type),
            n_layer=int(config.num_hidden_layers),
            n_head=heads,
            n_kv_heads=int(getattr(config, "num_key_value_heads", None) or heads),
            head_dim=int(head_dim),
            d_model=hidden,
            d_ffn=int(ffn),
            vocab=int(config.vocab_size),
            context=int(getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", 0)),
            positions="rotary" if rotary else "learned" if learned else "other",
            norm="rmsnorm" if rms else "layernorm",
            tied_embeddings=bool(getattr(config, "tie_word_embeddings", True)),
        )

    @property
    def grouped_kv(self) -> bool:
        """Several query heads share each key/value head (GQA/MQA), as in Gemma; GPT-2 has one each."""
        return self.n_kv_heads < self.n_head


@dataclass(frozen=True)
class CausalLM:
    """One entry of the picker: a model and whether this machine can run it."""

    key: str  # stable id: in URLs (?model=gpt2) and caches; the Hub id for Hub models
    name: str  # what the student sees
    hub_id: str | None  # None for the embedded Gemma
    licence: str | None
    local_path: str | None  # the snapshot folder in the Hugging Face cache, when there
    available: bool
    reason: Reason | None  # why not, when unavailable
    extra: bool = False  # named by the instructor (GPTLAB_EXTRA_MODELS)

    @property
    def is_gemma(self) -> bool:
        return self.key == GEMMA_KEY

    @property
    def source(self) -> str:
        """Where its weights come from: "embedded", "cache" or "download"."""
        return "embedded" if self.is_gemma else "cache" if self.local_path else "download"


def valid_hub_id(hub_id: str) -> bool:
    """An id the Hub accepts: HUB_ID, and no '--' or '..' (a cache folder name "models--a--b" must name one
    repository) nor a '.git' ending. huggingface_hub refuses the others with an error."""
    return bool(HUB_ID.fullmatch(hub_id)) and "--" not in hub_id and ".." not in hub_id and not hub_id.endswith(".git")


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, where huggingface_hub puts it (its constants.HF_HUB_CACHE), read now rather
    than when huggingface_hub is imported: HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE, else HF_HOME/hub, else
    $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub ('~' and $VARIABLES expanded). An empty
    variable counts as unset."""

    def env(name: str, default: str) -> str:
        return os.environ.get(name) or default

    def expand(path: str) -> str:
        return os.path.expandvars(os.path.expanduser(path))

    home = expand(env("HF_HOME", os.path.join(env("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache")),
                                              "huggingface")))
    return Path(expand(env("HF_HUB_CACHE", env("HUGGINGFACE_HUB_CACHE", os.path.join(home, "hub")))))


def cached_file(cache: str | os.PathLike, hub_id: str, filename: str) -> str | None:
    """`filename` of model `hub_id`'s "main" revision in the hub cache `cache`, or None: what huggingface_hub's
    try_to_load_from_cache(hub_id, filename, cache_dir=cache) answers when it answers a path, read the same
    way (models--<owner>--<name>/refs/main names the snapshot, snapshots/<commit>/<filename> is the file,
    .no_exist/<commit>/<filename> records that the Hub has no such file). `hub_id` must be valid_hub_id."""
    repo = os.path.join(cache, "models--" + hub_id.replace("/", "--"))
    if not os.path.isdir(repo):
        return None
    revision = "main"
    ref = os.path.join(repo, "refs", revision)
    if os.path.isdir(os.path.join(repo, "refs")) and os.path.isfile(ref):
        with open(ref) as handle:
            revision = handle.read()
    if os.path.isfile(os.path.join(repo, ".no_exist", revision, filename)):
        return None  # known not to exist at this revision
    snapshots = os.path.join(repo, "snapshots")
    if not os.path.exists(snapshots) or revision not in os.listdir(snapshots):
        return None
    found = os.path.join(snapshots, revision, filename)
    return found if os.path.isfile(found) else None


def cached_snapshot(hub_id: str) -> str | None:
    """The cached snapshot folder holding `hub_id`'s config and weights, or None. Disk only, no network."""
    cache = str(hub_cache_dir())
    config = cached_file(cache, hub_id, "config.json")
    if config is None:
        return None
    if not any(cached_file(cache, hub_id, name) is not None for name in WEIGHT_FILES):
        return None
    return str(Path(config).parent)


def extra_model_ids() -> tuple[str, ...]:
    """The ids in GPTLAB_EXTRA_MODELS, in order, without repeats or blanks."""
    raw = os.environ.get(EXTRA_MODELS_ENV, "")
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _is_causal(snapshot: str) -> bool:
    """The cached config names a causal LM class (…ForCausalLM, …LMHeadModel); unknown counts as yes."""
    try:
        listed = json.loads((Path(snapshot) / "config.json").read_text(encoding="utf-8")).get("architectures") or []
    except (OSError, ValueError, AttributeError):
        return False
    return not listed or any(a.endswith("ForCausalLM") or a.endswith("LMHeadModel") for a in listed)


def _hub_entry(hub_id: str, name: str, licence: str | None, extra: bool) -> CausalLM:
    if not valid_hub_id(hub_id):
        return CausalLM(hub_id, hub_id, hub_id, licence, None, False, "bad_id", extra)
    local = cached_snapshot(hub_id)
    if local is not None and not _is_causal(local):
        return CausalLM(hub_id, name, hub_id, licence, local, False, "not_causal", extra)
    available = local is not None or models.allow_downloads()
    return CausalLM(hub_id, name, hub_id, licence, local, available, None if available else "not_cached", extra)


def _gemma_entry() -> CausalLM:
    gemma = models.GEMMA_DECODER
    ready = models.decoder_ready()
    return CausalLM(GEMMA_KEY, gemma.name, None, gemma.licence, None, ready, None if ready else "not_prepared")


def catalog() -> tuple[CausalLM, ...]:
    """Every causal LM the picker lists, Gemma first, then the GPT-2 family, then the instructor's ids."""
    entries = [_gemma_entry()]
    built_in = {hub_id for hub_id, _, _ in HUB_CAUSAL_LMS}
    entries += [_hub_entry(hub_id, name, licence, False) for hub_id, name, licence in HUB_CAUSAL_LMS]
    entries += [_hub_entry(hub_id, hub_id, None, True) for hub_id in extra_model_ids()
                if hub_id not in built_in and hub_id != GEMMA_KEY]
    return tuple(entries)


def find(key: str | None) -> CausalLM | None:
    """The catalog entry with this key (case-insensitive, as URLs may be retyped), or None."""
    if not key:
        return None
    wanted = str(key).strip().lower()
    if wanted == GEMMA_KEY.lower():  # the pages ask for Gemma's entry several times a run: not the Hub's folders
        return _gemma_entry()
    return next((entry for entry in catalog() if entry.key.lower() == wanted), None)


def _source(entry: CausalLM) -> tuple[str, bool]:
    """(what from_pretrained reads, local_files_only) for a Hub entry; raises when it is unavailable."""
    if entry.is_gemma:
        raise ValueError("Gemma is loaded by gptlab.models.load_decoder, not from the Hub")
    if not entry.available:
        raise models.HubModelUnavailable(entry.key)
    return (entry.local_path, True) if entry.local_path else (str(entry.hub_id), False)


def load_config(entry: CausalLM):
    """The model's config (its facts, without its weights)."""
    if entry.is_gemma:
        return models.load_decoder_config()
    AutoConfig = models._hf("AutoConfig")
    path, local = _source(entry)
    return AutoConfig.from_pretrained(path, local_files_only=local)


def architecture(entry: CausalLM) -> Architecture:
    return Architecture.of(load_config(entry))


def load_tokenizer(entry: CausalLM):
    if entry.is_gemma:
        return models.load_decoder_tokenizer()
    AutoTokenizer = models._hf("AutoTokenizer")
    path, local = _source(entry)
    return AutoTokenizer.from_pretrained(path, local_files_only=local)


def load_model(entry: CausalLM, dtype: str = "float32", attn_implementation: str = "eager"):
    """The model, read-only (eval, no gradients): shared by every user of a server. eager attention
    returns attention weights (sdpa does not)."""
    if entry.is_gemma:
        return models.load_decoder(dtype=dtype, attn_implementation=attn_implementation)
    import torch

    AutoModelForCausalLM = models._hf("AutoModelForCausalLM")
    path, local = _source(entry)
    with models._MODEL_LOAD:
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=local, dtype=getattr(torch, dtype),
                                                     attn_implementation=attn_implementation)
    model.eval()
    model.requires_grad_(False)
    return model


def load_trainable_copy(entry: CausalLM):
    """A fresh float32 copy of one's own (fine-tuning): never a shared instance."""
    model = load_model(entry, dtype="float32")
    model.requires_grad_(True)
    return model
