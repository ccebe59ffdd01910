"""LoRA: fine-tuning two thin matrices beside each weight instead of the weight (Hu et al., 2022).

A linear layer computes y = W x. LoRA freezes W and learns a low-rank change of it:

    y = W x + (alpha / r) * B (A x)        A: (r, in), B: (out, r), r << in, out; B starts at 0

so training starts from the pretrained model exactly and only A and B learn. With r = 8 on every
projection of Gemma 3 270M's 18 blocks, about 1.9 million numbers learn instead of 268 million:
what a student keeps after fine-tuning is that adapter, a few megabytes, while every student
shares one copy of the base model. The `peft` library does the bookkeeping (which layers, the
scaling, saving); the model worker applies a student's adapter to their own rows of a batch
(gptlab.models.engine), so the base weights are read once for everybody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import torch

def _peft(*names: str):
    """peft.<name> for each name, imported under the process-wide import lock (peft imports
    transformers, whose lazy imports are not thread-safe: see gptlab.models._hf)."""
    from gptlab.models import _TRANSFORMERS_IMPORT

    with _TRANSFORMERS_IMPORT:
        import peft

        found = tuple(getattr(peft, name) for name in names)
    return found[0] if len(found) == 1 else found


@dataclass(frozen=True)
class LoraSettings:
    rank: int = 8  # r: the width of the bottleneck A -> B
    alpha: int = 16  # the update is scaled by alpha / r (here 2)
    dropout: float = 0.05  # on the adapter's input while training (peft's lora_dropout)
    projections: tuple[str, ...] | None = None  # which layers of each block get an adapter; None: all of the
    # model's projections (Gemma's q/k/v/o_proj and gate/up/down_proj, GPT-2's c_attn, c_proj and c_fc)

    @property
    def scaling(self) -> float:
        return self.alpha / self.rank


def peft_config(settings: LoraSettings, model, layers: tuple[int, ...] | None = None):
    """peft's LoraConfig for a causal LM of either family; `layers` limits the adapters to those blocks."""
    from gptlab.nn.architecture import family_of

    LoraConfig = _peft("LoraConfig")
    arch = family_of(model)
    return LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(settings.projections or arch.lora_targets),
        # GPT-2's Conv1D keeps its weight as (in, out): peft must transpose its update to match
        fan_in_fan_out=arch.lora_fan_in_fan_out,
        layers_to_transform=list(layers) if layers is not None else None,
        bias="none",
        task_type="CAUSAL_LM",
    )


def with_adapter(base, settings: LoraSettings, layers: tuple[int, ...] | None = None):
    """The base model wrapped by peft with a fresh adapter (B = 0: the model is unchanged so far)."""
    get_peft_model = _peft("get_peft_model")

    return get_peft_model(base, peft_config(settings, base, layers))


def reset_adapter(peft_model, settings: LoraSettings, layers: tuple[int, ...] | None = None,
                  seed: int | None = None) -> None:
    """Replace the adapter by a fresh one (a new student's run on the shared base).

    A starts random (B at zero): with a seed, A is drawn from torch.manual_seed(seed), as
    get_peft_model would draw it right after that call, so a run is repeatable (and its code, which
    seeds the same way, gives the same losses); the process's random state is left as it was."""
    config = peft_config(settings, peft_model.get_base_model(), layers)  # asked before: it reads the active adapter
    peft_model.delete_adapter("default")
    if seed is None:
        peft_model.add_adapter("default", config)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            peft_model.add_adapter("default", config)
    peft_model.set_adapter("default")


def trainable_parameters(model) -> tuple[int, int]:
    return (sum(p.numel() for p in model.parameters() if p.requires_grad),
            sum(p.numel() for p in model.parameters()))


# base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight (Gemma),
# base_model.model.transformer.h.3.attn.c_proj.lora_A.weight (GPT-2)
_KEY = re.compile(r"(?:layers|\bh)\.(?P<layer>\d+)\.(?P<path>[\w.]+?)\.lora_(?P<ab>[AB])\.")


@dataclass(frozen=True)
class Adapter:
    """A trained adapter, detached from any model: what a session keeps (float32, a few MB).

    matrices[(layer, projection)] = (A (r, in), B (out, r)); the model worker adds
    scaling * B (A x) to that projection's output for this adapter's rows. `projection` is the layer's
    name (Gemma: "q_proj"); GPT-2 names two layers c_proj, so there it is the path in the block ("mlp.c_proj").
    """

    matrices: dict[tuple[int, str], tuple[torch.Tensor, torch.Tensor]]
    scaling: float
    rank: int
    state: dict[str, torch.Tensor] = field(repr=False, default_factory=dict)  # peft's own state dict

    @property
    def parameters(self) -> int:
        return sum(a.numel() + b.numel() for a, b in self.matrices.values())

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.state.values())


def extract_adapter(peft_model, settings: LoraSettings) -> Adapter:
    """Copy the trained adapter out of the shared model (the model is then free for the next student)."""
    get_peft_model_state_dict = _peft("get_peft_model_state_dict")

    from gptlab.nn.architecture import family_of

    arch = family_of(peft_model.get_base_model())
    state = {k: v.detach().float().clone() for k, v in get_peft_model_state_dict(peft_model).items()}
    pairs: dict[tuple[int, str], dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        match = _KEY.search(key)
        if match:
            pairs.setdefault((int(match["layer"]), arch.lora_key(match["path"])), {})[match["ab"]] = tensor
    matrices = {k: (v["A"], v["B"]) for k, v in pairs.items() if "A" in v and "B" in v}
    return Adapter(matrices, settings.scaling, settings.rank, state)


def load_adapter(peft_model, adapter: Adapter) -> None:
    """Put a saved adapter back into the shared model (e.g. to continue or to check it)."""
    set_peft_model_state_dict = _peft("set_peft_model_state_dict")

    set_peft_model_state_dict(peft_model, adapter.state)
