"""Fine-tuning lab: its session keys, URL parameters and the constants its exercises share.

The session keys keep the lab's first prefix, "finetune.": saved answers of the widget tasks hold them.
"""

from __future__ import annotations

from gptlab.nn.finetune import FinetuneSettings
from gptlab.nn.lora import LoraSettings
from gptlab.urlparams import ChoiceParam, NumberParam, UrlParam, with_sections

BLOCK_SIZES = (8, 16, 32, 64, 128, 256)  # the block_size options (the remainder task compares them all)
SHOWN_BLOCKS = 3  # blocks drawn token by token (the rest are counted)
SCRATCH_LAYERS, SCRATCH_WIDTH, SCRATCH_BLOCK = 2, 128, 32  # the tiny GPT-2 trained from scratch
DEFAULTS = FinetuneSettings()

SOURCE_KEY, TYPED_KEY, UPLOAD_KEY = "finetune.source", "finetune.typed", "finetune.upload"
BLOCK_SIZE_KEY, VAL_SHARE_KEY, SEED_KEY = "finetune.block_size", "finetune.val_share", "finetune.seed"
MODEL_KEY, REPORT_KEY = "finetune.model", "finetune.report"  # the student's tuned copy (full method), its run's report
ADAPTER_KEY = "finetune.adapter"  # the student's LoRA adapter (a few MB): what a LoRA run keeps
TRAINED_MODEL_KEY = "finetune.trained_model"  # the catalog key of the model the kept copy or adapter was trained on
RUNS_KEY = "finetune.runs"  # one summary per finished run, LoRA and full side by side
METHOD_KEY, RANK_KEY, LORA_LR_KEY = "finetune.method", "finetune.rank", "finetune.lora_lr"
METHODS = ("lora", "full")  # LoRA adapters on the shared base (default), or the notebook's full fine-tuning
RANKS = (2, 4, 8, 16, 32)
LORA = LoraSettings()
LORA_LEARNING_RATE = 1e-3  # adapters start at zero and are few: they need a larger step than full fine-tuning
SCRATCH_KEY = "finetune.scratch"
LAYERS_KEY = "finetune.layers"  # how many of the decoder's last blocks train
CORPUS_KEY = "finetune.corpus"  # the corpus as texts, kept by the page for the remainder task
TRAINED_KEY = "exercises.finetune.trained"  # the corpus and report of the last finished run (the domain task)
DEFAULT_BLOCK_SIZE, DEFAULT_SEED, DEFAULT_VAL_SHARE = 64, 42, 0.1


# The lesson section each setting's widget follows: a shared link opens there (?at=blocks).
URL_SECTIONS = {"source": "corpus", "block_size": "blocks", "val_share": "blocks", "seed": "blocks",
                **{name: "training" for name in ("mode", "steps", "epochs", "lr", "layers", "batch", "accum", "eval_every")}}


def url_params(decoder_config) -> tuple[UrlParam, ...]:
    """?block_size=32&lr=0.0001...; `decoder_config` (None until prepared) bounds the trainable layers."""
    params: list[UrlParam] = [
        ChoiceParam("source", SOURCE_KEY, "seed", ("seed", "typed", "upload")),
        ChoiceParam("method", METHOD_KEY, "lora", METHODS),
        ChoiceParam("rank", RANK_KEY, LORA.rank, RANKS),
        NumberParam("lora_lr", LORA_LR_KEY, LORA_LEARNING_RATE, 0.0, 1.0, decimals=8),
        ChoiceParam("block_size", BLOCK_SIZE_KEY, DEFAULT_BLOCK_SIZE, BLOCK_SIZES),
        NumberParam("val_share", VAL_SHARE_KEY, DEFAULT_VAL_SHARE, 0.0, 0.5),
        NumberParam("seed", SEED_KEY, DEFAULT_SEED, 0, 2**31 - 1, integer=True),
        ChoiceParam("mode", "finetune.mode", "steps", ("steps", "epochs")),
        NumberParam("steps", "finetune.steps", DEFAULTS.max_steps, 1, 500, integer=True),
        NumberParam("epochs", "finetune.epochs", DEFAULTS.epochs, 0.1, 10.0),
        NumberParam("lr", "finetune.lr", DEFAULTS.learning_rate, 0.0, 1.0, decimals=8),
        NumberParam("layers", LAYERS_KEY, DEFAULTS.trainable_layers, 1,
                    decoder_config.num_hidden_layers if decoder_config is not None else None, integer=True),
        NumberParam("batch", "finetune.batch", DEFAULTS.batch_size, 1, 16, integer=True),
        NumberParam("accum", "finetune.accum", DEFAULTS.grad_accumulation, 1, 16, integer=True),
        NumberParam("eval_every", "finetune.eval_every", DEFAULTS.eval_every, 1, 100, integer=True),
    ]
    return with_sections(tuple(params), URL_SECTIONS)
