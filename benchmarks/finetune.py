"""The fine-tuning lab's default run on the real decoder, timed, with its peak memory.

    python -m benchmarks.finetune

Fine-tunes a fresh float32 copy of Gemma 3 270M on the course notebook's corpus with the lab's
default settings (gptlab.nn.finetune.FinetuneSettings) and prints as its last line

    finetune: seconds=X peak_rss_gb=Y final_train_loss=Z val_perplexity=W

seconds covers loading the copy, building the blocks and training (what the student waits for after
pressing Train); peak_rss_gb is the process's peak resident memory.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gptlab import models  # noqa: E402
from gptlab.nn.blocks import plan_blocks  # noqa: E402
from labs.finetuning.corpus import seed_corpus_text, texts_from_editor  # noqa: E402
from gptlab.nn.finetune import FinetuneSettings, RunReport, finetune  # noqa: E402


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux: kilobytes


def main() -> None:
    if not models.decoder_ready():
        print("preparing the decoder once (1-2 minutes)...", flush=True)
        models.prepare_decoder()
    tokenizer = models.load_decoder_tokenizer()
    settings = FinetuneSettings()
    texts = texts_from_editor(seed_corpus_text("pt-BR")).texts
    print(f"settings: {settings}", flush=True)
    print(f"before loading: peak RSS {peak_rss_gb():.2f} GB", flush=True)

    start = time.perf_counter()
    model = models.load_finetuning_copy()
    plan = plan_blocks([tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts], settings.block_size,
                       settings.validation_share, settings.seed, separator=tokenizer.eos_token_id,
                       prefix=(tokenizer.bos_token_id,))
    print(f"{len(plan.stream)} tokens, {plan.n_blocks} blocks of {settings.block_size} "
          f"({len(plan.train)} train, {len(plan.validation)} validation), remainder {len(plan.remainder)}", flush=True)

    def show(report: RunReport) -> None:
        if report.points and report.points[-1].step == report.step:
            p = report.points[-1]
            what = f"train loss {p.train_loss:.3f}" if p.train_loss is not None else (
                f"validation loss {p.val_loss:.3f}, perplexity {p.val_perplexity:.2f}")
            print(f"  step {report.step}/{report.total_steps} {time.perf_counter() - start:6.1f}s {what}", flush=True)

    report = finetune(model, tokenizer, plan, settings, RunReport(), on_update=show)
    seconds = time.perf_counter() - start
    train = [p.train_loss for p in report.points if p.train_loss is not None]
    val = [p for p in report.points if p.val_loss is not None]
    print(
        f"finetune: seconds={seconds:.1f} peak_rss_gb={peak_rss_gb():.2f} final_train_loss={train[-1]:.3f} "
        f"val_perplexity={val[-1].val_perplexity:.2f}"
    )


if __name__ == "__main__":
    main()
