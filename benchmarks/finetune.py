"""The fine-tuning lab's default run on the real decoder, timed, with its peak memory.

    python -m benchmarks.finetune [--method lora|full]

The lab's default (`--method lora`, as the lab runs it): a LoRA adapter (rank 8, every block, the
lab's LoRA learning rate) trained on a bfloat16 base that every student shares; what a student keeps
is the adapter. `--method full`: the notebook's way, a fresh float32 copy of Gemma 3 270M of one's
own. Both on the course notebook's corpus with the lab's default settings
(gptlab.nn.finetune.FinetuneSettings), printing as the last line

    finetune: method=M seconds=X peak_rss_gb=Y final_train_loss=Z val_perplexity=W trainable=T kept_mb=K kept_40_students_gb=G

kept_mb: what a session keeps after the run (the adapter, or the whole tuned copy); kept_40_students_gb
is forty of those.

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
from gptlab.nn.finetune import FinetuneSettings, RunReport, finetune, freeze  # noqa: E402
from gptlab.nn import lora as L  # noqa: E402
from labs.finetuning import settings as S  # noqa: E402


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux: kilobytes


def main() -> None:
    import argparse
    import dataclasses

    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--method", choices=("lora", "full"), default="lora")
    method = args.parse_args().method
    if not models.decoder_ready():
        print("preparing the decoder once (1-2 minutes)...", flush=True)
        models.prepare_decoder()
    tokenizer = models.load_decoder_tokenizer()
    settings = FinetuneSettings()
    if method == "lora":
        settings = dataclasses.replace(settings, learning_rate=S.LORA_LEARNING_RATE)
    texts = texts_from_editor(seed_corpus_text("pt-BR")).texts
    print(f"settings: {settings}", flush=True)
    print(f"before loading: peak RSS {peak_rss_gb():.2f} GB", flush=True)

    start = time.perf_counter()
    if method == "lora":
        base = models.load_decoder(dtype="bfloat16")
        base.requires_grad_(False)
        model = L.with_adapter(base, S.LORA)
        trainable, _ = L.trainable_parameters(model)
    else:
        model = models.load_finetuning_copy()
        trainable, _ = freeze(model, settings)
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
    if method == "lora":
        kept_mb = L.extract_adapter(model, S.LORA).nbytes / 1e6
    else:
        kept_mb = sum(p.numel() * p.element_size() for p in model.parameters()) / 1e6
    train = [p.train_loss for p in report.points if p.train_loss is not None]
    val = [p for p in report.points if p.val_loss is not None]
    print(
        f"finetune: method={method} seconds={seconds:.1f} peak_rss_gb={peak_rss_gb():.2f} "
        f"final_train_loss={train[-1]:.3f} val_perplexity={val[-1].val_perplexity:.2f} trainable={trainable} "
        f"kept_mb={kept_mb:.1f} kept_40_students_gb={40 * kept_mb / 1024:.2f}"
    )


if __name__ == "__main__":
    main()
