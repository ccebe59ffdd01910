"""Causal-LM fine-tuning with `datasets` and `transformers.Trainer`, reported step by step.

The recipe of the course notebook, made explicit: blocks of token ids (gptlab.nn.blocks) become a
`datasets.Dataset`; `DataCollatorForLanguageModeling(mlm=False)` batches them and copies
input_ids into labels (the model shifts them by one inside its loss); `Trainer` runs AdamW. A
`TrainerCallback` hands every logged step to the page (training loss, validation loss and
perplexity = exp(validation loss)), stops when asked, and stops a run whose loss turns NaN or
explodes, with the reason.

The model trained here is always the caller's own copy: the shared models are never touched.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from typing import Callable

import torch

from gptlab.models import _hf
from gptlab.nn.blocks import BlockPlan

MAX_LEARNING_RATE = 1e-2


@dataclass(frozen=True)
class FinetuneSettings:
    epochs: float = 1.0  # used when max_steps is 0
    max_steps: int = 12  # > 0: exactly this many optimizer steps, whatever the epochs; 0: use epochs
    learning_rate: float = 5e-5
    batch_size: int = 2
    grad_accumulation: int = 2
    block_size: int = 64
    seed: int = 42
    validation_share: float = 0.1
    eval_every: int = 5  # optimizer steps between validation passes
    trainable_layers: int = 6  # the last N decoder blocks (and the final norm) learn; 0 = every block
    train_embeddings: bool = False  # the 262,144 x 640 embedding is 63 % of Gemma's weights: frozen by default
    bf16: bool = True  # mixed precision: bfloat16 matrix products, float32 weights and optimizer

    def problems(self) -> tuple[str, ...]:
        """Keys of what is wrong with these settings (empty when they are usable)."""
        out = []
        if not (0 < self.learning_rate <= MAX_LEARNING_RATE) or math.isnan(self.learning_rate):
            out.append("learning_rate")
        if self.max_steps < 0 or (self.max_steps == 0 and not self.epochs > 0):
            out.append("length")
        if self.batch_size < 1 or self.grad_accumulation < 1 or self.block_size < 2 or self.eval_every < 1:
            out.append("sizes")
        if not 0.0 <= self.validation_share < 1.0:
            out.append("validation_share")
        return tuple(out)


@dataclass(frozen=True)
class LogPoint:
    step: int  # optimizer steps done
    epoch: float
    train_loss: float | None = None
    val_loss: float | None = None

    @property
    def val_perplexity(self) -> float | None:
        return perplexity(self.val_loss) if self.val_loss is not None else None


def perplexity(mean_cross_entropy: float) -> float:
    """exp of the mean cross-entropy (in nats): the number of equally likely choices it amounts to."""
    return math.exp(min(mean_cross_entropy, 700.0))  # exp(700) is near float's limit: still "huge"


@dataclass
class RunReport:
    """Everything the page shows about a run; the callback fills it as training goes."""

    total_steps: int = 0
    step: int = 0
    points: list[LogPoint] = field(default_factory=list)
    stopped_by_user: bool = False
    diverged: str | None = None  # "nan" or "exploded"
    finished: bool = False


def make_callback(report: RunReport, on_update: Callable[[RunReport], None], should_stop: Callable[[], bool]):
    TrainerCallback = _hf("TrainerCallback")

    class LiveCallback(TrainerCallback):
        """Hands every logged step to the page, stops when asked, stops a diverging run."""

        def __init__(self) -> None:
            self.first_loss: float | None = None

        def on_train_begin(self, args, state, control, **kwargs):
            report.total_steps = state.max_steps
            on_update(report)

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            if "loss" in logs:
                loss = float(logs["loss"])
                report.points.append(LogPoint(state.global_step, float(state.epoch or 0), train_loss=loss))
                if math.isnan(loss) or math.isinf(loss):
                    report.diverged = "nan"
                elif self.first_loss is None:
                    self.first_loss = loss
                elif loss > 3 * self.first_loss + 5:
                    report.diverged = "exploded"
                if report.diverged:
                    control.should_training_stop = True
            if "eval_loss" in logs:
                report.points.append(LogPoint(state.global_step, float(state.epoch or 0),
                                              val_loss=float(logs["eval_loss"])))
            on_update(report)

        def on_step_end(self, args, state, control, **kwargs):
            report.step = state.global_step
            if should_stop():
                report.stopped_by_user = True
                control.should_training_stop = True
            on_update(report)

    return LiveCallback()


def finetune(model, tokenizer, plan: BlockPlan, settings: FinetuneSettings, report: RunReport,
             on_update: Callable[[RunReport], None] = lambda r: None,
             should_stop: Callable[[], bool] = lambda: False) -> RunReport:
    """Train `model` (the caller's own copy) on the plan's training blocks; returns the filled report."""
    if settings.problems():
        raise ValueError(f"unusable settings: {settings.problems()}")
    if not plan.train:
        raise ValueError("no training block")
    Dataset = __import__("datasets").Dataset
    Trainer, TrainingArguments, DataCollatorForLanguageModeling = _trainer_classes()

    def as_dataset(indices):
        return Dataset.from_dict({"input_ids": [list(plan.blocks[i]) for i in indices]})

    train_set = as_dataset(plan.train)
    eval_set = as_dataset(plan.validation) if plan.validation else None
    if tokenizer.pad_token is None:
        raise ValueError("the tokenizer needs a pad token for the collator")
    collator = DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=False)

    model.train()
    if not getattr(model, "peft_config", None):  # a LoRA model (peft) already trains its adapter only
        freeze(model, settings)

    with tempfile.TemporaryDirectory(prefix="gptlab-run-") as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=settings.epochs,
            max_steps=settings.max_steps if settings.max_steps > 0 else -1,
            per_device_train_batch_size=settings.batch_size,
            per_device_eval_batch_size=settings.batch_size,
            gradient_accumulation_steps=settings.grad_accumulation,
            learning_rate=settings.learning_rate,
            weight_decay=0.01,
            warmup_steps=0.05,  # a ratio of the run, as the notebook's warmup_ratio
            logging_steps=1,
            eval_strategy="steps" if eval_set is not None else "no",
            eval_steps=settings.eval_every,
            save_strategy="no",
            report_to="none",
            seed=settings.seed,
            data_seed=settings.seed,
            use_cpu=True,
            bf16=settings.bf16,
            dataloader_num_workers=0,
            dataloader_pin_memory=False,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=eval_set,
                          data_collator=collator, callbacks=[make_callback(report, on_update, should_stop)])
        trainer.remove_callback(_hf("PrinterCallback"))  # the page shows the logs; no prints on the server
        trainer.train()
        if eval_set is not None and not report.diverged:
            last_eval = next((p.step for p in reversed(report.points) if p.val_loss is not None), None)
            if last_eval != report.step:
                trainer.evaluate()  # the final point of the validation curve
    model.eval()
    model.requires_grad_(False)
    report.finished = True
    on_update(report)
    return report


def decoder_blocks(model) -> list:
    """The stack of decoder blocks: Gemma's model.layers, GPT-2's transformer.h."""
    base = model.base_model
    for name in ("layers", "h"):
        if hasattr(base, name):
            return list(getattr(base, name))
    raise ValueError(f"no decoder blocks found in {type(model).__name__}")


def freeze(model, settings: FinetuneSettings) -> tuple[int, int]:
    """Make only what the settings train require gradients; returns (trainable, total) parameters.

    Freezing the first blocks also saves the backward pass through them, and the optimizer's two
    moment estimates (8 bytes a parameter in float32) exist only for what trains.
    """
    model.requires_grad_(True)
    blocks = decoder_blocks(model)
    if settings.trainable_layers and not settings.train_embeddings:
        for block in blocks[: max(0, len(blocks) - settings.trainable_layers)]:
            block.requires_grad_(False)
        for name, module in model.base_model.named_children():
            if name not in ("layers", "h", "norm", "ln_f"):  # embeddings, positions, rotary tables
                module.requires_grad_(False)
    if not settings.train_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)  # tied: the LM head is frozen with it
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters())


def _trainer_classes():
    return _hf("Trainer", "TrainingArguments", "DataCollatorForLanguageModeling")


@torch.inference_mode()
def mean_loss(model, blocks) -> float:
    """Mean next-token cross-entropy of the model over whole blocks (no padding)."""
    if not blocks:
        raise ValueError("no block")
    total, count = 0.0, 0
    for block in blocks:
        ids = torch.tensor([list(block)])  # (1, T)
        out = model(input_ids=ids, labels=ids)
        n = ids.shape[1] - 1  # T - 1 predictions in a block
        total += float(out.loss) * n
        count += n
    return total / count
