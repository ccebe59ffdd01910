"""Journey lab figures: python -m benchmarks.journey

Last line: journey: tokens=64 all_ms=X trace_ms=A blocks_ms=B grid_ms=C position_ms=D position_alone_ms=E grid_all_ms=F
  trace_ms     the model's forward pass with output_hidden_states, 64 tokens (float32, as the lab checks it),
               reduced to what the lab draws and the lens reads
  blocks_ms    every block recomputed from the weights at the last position and checked against the
               model's hidden states (what the blocks chart draws)
  grid_ms      the logit lens at all 19 layers in the heatmap's window of 16 positions; down the prompt's last
               position each layer ranks the model's answer, elsewhere each row its own top 1 (each row reads
               the whole 262,144 x 640 unembedding: most of the time)
  position_ms  the lens down the last position (the answer's rank at every layer, the top 10), read from the
               window, as the lab does
  all_ms       the four together: what the lab computes for a new prompt once the models are loaded
  position_alone_ms  the lens down a position outside the window shown (its own pass over the vocabulary)
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
    runs = {"trace": [], "blocks": [], "grid": [], "position": [], "all": [], "position_alone": [], "grid_all": []}
    for _ in range(repeats):
        start = time.perf_counter()
        tr = J.trace(model, ids)
        traced = time.perf_counter()
        J.blocks(model, tr, T - 1)
        recomputed = time.perf_counter()
        grid = J.grid_lens(tr, unembedding)
        gridded = time.perf_counter()
        grid.at(T - 1)  # the lens down the last position, read from the window (as the lab does)
        done = time.perf_counter()
        J.position_lens(tr, unembedding, 0)  # a position outside the window: its own pass
        alone = time.perf_counter()
        for first in J.window_starts(T):
            J.grid_lens(tr, unembedding, first=first)
        for name, ms in (("trace", traced - start), ("blocks", recomputed - traced), ("grid", gridded - recomputed),
                         ("position", done - gridded), ("all", done - start), ("position_alone", alone - done),
                         ("grid_all", time.perf_counter() - alone)):
            runs[name].append(ms * 1000)
    ms = {name: statistics.median(values) for name, values in runs.items()}
    L = model.config.num_hidden_layers
    print(f"{T} tokens, {L} blocks, torch threads {torch.get_num_threads()}:")
    print(f"  trace (the model's forward with hidden states): {ms['trace']:.0f} ms")
    print(f"  every block recomputed at the last position and checked: {ms['blocks']:.0f} ms")
    print(f"  lens grid, {L + 1} layers x {J.GRID_POSITIONS} positions: {ms['grid']:.0f} ms")
    print(f"  lens at the last position, read from the grid: {ms['position']:.1f} ms")
    print(f"  all: {ms['all']:.0f} ms (target < 400 ms)")
    print(f"  lens at a position outside the window (its own pass): {ms['position_alone']:.0f} ms")
    print(f"  lens grid, {L + 1} layers x all {T} positions (every window): {ms['grid_all']:.0f} ms")
    print(f"journey: tokens={T} all_ms={ms['all']:.0f} trace_ms={ms['trace']:.0f} blocks_ms={ms['blocks']:.0f} "
          f"grid_ms={ms['grid']:.0f} position_ms={ms['position']:.1f} position_alone_ms={ms['position_alone']:.0f} "
          f"grid_all_ms={ms['grid_all']:.0f}")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
