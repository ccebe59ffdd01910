"""Attention figures: python -m benchmarks.attention

Last line: attention: tokens=64 all_layers_ms=X encoder_ms=Y
  all_layers_ms  one decoder forward pass with attentions for all 18 layers, 64 tokens, model loaded
                 (fp32, the precision the attention lab shows), plus the step-by-step recomputation
                 of one layer and head; median of several runs
  encoder_ms     the same text through the MiniLM encoder with attentions
Target: under 300 ms for all decoder layers at 64 tokens. Figures, not tests.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXT = (
    "A atenção causal impede que uma posição veja o futuro: cada token só olha para os anteriores. "
    "Causal attention keeps every position from seeing the future; each token only looks back. "
) * 4


def main(repeats: int = 7) -> None:
    from gptlab.nn import attention as A
    from gptlab import models

    if not models.decoder_ready():
        models.prepare_decoder()
    tok, model = models.load_decoder_tokenizer(), models.load_decoder(dtype="float32")
    enc_tok, encoder = models.load_minilm_tokenizer(), models.load_minilm_encoder()
    run = A.run_decoder(model, tok, TEXT)  # warm-up
    T = len(run.tokens)
    decoder_ms, encoder_ms = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        run = A.run_decoder(model, tok, TEXT)
        A.attention_steps(model, run, layer=5, head=0)
        decoder_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        A.encoder_attentions(encoder, enc_tok, TEXT)
        encoder_ms.append((time.perf_counter() - start) * 1000)
    d, e = statistics.median(decoder_ms), statistics.median(encoder_ms)
    print(f"decoder, {T} tokens, attentions of all {model.config.num_hidden_layers} layers: {d:.0f} ms (target < 300 ms)")
    print(f"encoder (MiniLM), {T} tokens max, attentions of all layers: {e:.0f} ms")
    print(f"attention: tokens={T} all_layers_ms={d:.0f} encoder_ms={e:.0f}")


if __name__ == "__main__":
    main()
