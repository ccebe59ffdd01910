"""Journey lab figures: python -m benchmarks.journey

Last line: journey: tokens=64 all_ms=X trace_ms=A position_ms=B grid_ms=C grid_all_ms=D
  trace_ms     the forward pass with output_hidden_states and every block recomputed from the weights,
               64 tokens (float32, as the lab checks it), reduced to what the lab draws
  position_ms  the logit lens at all 19 layers at the last position (the answer's rank and top 10), one pass
               over the vocabulary
  grid_ms      the logit lens at all 19 layers in the heatmap's window of 16 positions (each row reads the
               whole 262,144 x 640 unembedding: this is most of the time)
  all_ms       the three together: what the lab computes for a new prompt once the models are loaded
  grid_all_ms  the lens at every layer and every one of the 64 positions (the four windows a student can
               page through; each is computed when it is opened, not with the prompt)
Median of several runs. Target: all_ms under 400 ms on 2 cores. Figures, not tests.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXT = (
    "O token entra no modelo como uma linha da tabela de embeddings e sobe pelo fluxo residual. "
    "Each block adds what its attention and its MLP compute, and the lens reads the stream early. "
) * 4


def main(repeats: int = 5) -> None:
    import gptlab  # noqa: F401  (the app's thread and wait policy, before torch: spinning OpenMP threads
    import torch   # on a busy machine made this 10x slower)

    from gptlab import models
    from gptlab.nn import journey as J

    if not models.decoder_ready():
        models.prepare_decoder()
    torch.set_grad_enabled(False)
    tokenizer, model = models.load_decoder_tokenizer(), models.load_decoder(dtype="float32")
    unembedding = models.load_decoding_model().lm_head.weight.detach()  # bfloat16, as the lab reads it
    ids = J.prompt_ids(tokenizer, TEXT).ids  # <bos> and the last 63 tokens
    T = len(ids)
    J.grid_lens(J.trace(model, ids), unembedding)  # warm-up
    runs = {"trace": [], "position": [], "grid": [], "all": [], "grid_all": []}
    for _ in range(repeats):
        start = time.perf_counter()
        tr = J.trace(model, ids)
        traced = time.perf_counter()
        J.position_lens(tr, unembedding, T - 1)
        positioned = time.perf_counter()
        J.grid_lens(tr, unembedding)
        done = time.perf_counter()
        J.grid_lens(tr, unembedding, positions=T)
        for name, ms in (("trace", traced - start), ("position", positioned - traced), ("grid", done - positioned),
                         ("all", done - start), ("grid_all", time.perf_counter() - done)):
            runs[name].append(ms * 1000)
    ms = {name: statistics.median(values) for name, values in runs.items()}
    print(f"{T} tokens, {model.config.num_hidden_layers} blocks, torch threads {torch.get_num_threads()}:")
    print(f"  trace (forward with hidden states + every block recomputed): {ms['trace']:.0f} ms")
    print(f"  lens at the last position, 19 layers: {ms['position']:.0f} ms")
    print(f"  lens grid, 19 layers x {J.GRID_POSITIONS} positions: {ms['grid']:.0f} ms")
    print(f"  all: {ms['all']:.0f} ms (target < 400 ms)")
    print(f"  lens grid, 19 layers x all {T} positions: {ms['grid_all']:.0f} ms")
    print(f"journey: tokens={T} all_ms={ms['all']:.0f} trace_ms={ms['trace']:.0f} position_ms={ms['position']:.0f} "
          f"grid_ms={ms['grid']:.0f} grid_all_ms={ms['grid_all']:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
