"""What widget-task checkers may ask of the real models, and the plain loader the CLI and tests use.

The app passes its own implementation (ui.exercises.AppEnv), backed by the server's cached models,
so a check reuses what the page already computed. Nothing here is loaded until a checker asks.
"""

from __future__ import annotations

from functools import cached_property
from typing import Sequence

import numpy as np
import torch


class TaskEnv:
    """The models a widget-task checker may use. Subclasses say where they come from."""

    def gemma_tokenizer(self):
        raise NotImplementedError

    def gpt2_tokenizer(self):
        raise NotImplementedError

    def minilm_tokenizer(self):
        raise NotImplementedError

    def next_logits(self, ids: Sequence[int]) -> torch.Tensor:
        """(V,) float32 logits of the token after `ids`, from the decoding lab's model."""
        raise NotImplementedError

    def attention_weights(self, text: str) -> tuple[tuple[str, ...], np.ndarray]:
        """Gemma's tokens of the text and its (L, H, T, T) attention weights, as the attention lab shows them."""
        raise NotImplementedError

    def journey_answer_ranks(self, text: str) -> tuple[int, tuple[int, ...]]:
        """The journey lab's logit lens at the text's last token: the model's next token (its id) and that
        token's rank at every layer, the embedding first and the output last."""
        raise NotImplementedError


class CoreEnv(TaskEnv):
    """Loads each model once through gptlab.models (for the CLI and the tests)."""

    @cached_property
    def _gemma_tokenizer(self):
        from gptlab import models

        return models.load_decoder_tokenizer()

    @cached_property
    def _decoding_model(self):
        from gptlab import models

        return models.load_decoding_model()

    @cached_property
    def _attention_model(self):
        from gptlab import models

        return models.load_decoder(dtype="float32")

    @cached_property
    def _gpt2_tokenizer(self):
        from gptlab import models

        return models.load_gpt2_tokenizer()

    @cached_property
    def _minilm_tokenizer(self):
        from gptlab import models

        return models.load_minilm_tokenizer()

    def gemma_tokenizer(self):
        return self._gemma_tokenizer

    def gpt2_tokenizer(self):
        return self._gpt2_tokenizer

    def minilm_tokenizer(self):
        return self._minilm_tokenizer

    def next_logits(self, ids: Sequence[int]) -> torch.Tensor:
        from gptlab.nn.generation import next_token_logits

        return next_token_logits(self._decoding_model, tuple(ids))

    def attention_weights(self, text: str) -> tuple[tuple[str, ...], np.ndarray]:
        from gptlab.nn.attention import run_decoder

        run = run_decoder(self._attention_model, self._gemma_tokenizer, text)
        return run.tokens, np.stack([a[0].float().numpy() for a in run.attentions])  # (L, H, T, T)

    def journey_answer_ranks(self, text: str) -> tuple[int, tuple[int, ...]]:
        from gptlab.nn import journey as J

        ids = J.prompt_ids(self._gemma_tokenizer, text).ids
        tr = J.trace(self._attention_model, ids)
        lens = J.position_lens(tr, self._decoding_model.lm_head.weight.detach(), len(ids) - 1)
        return lens.answer, tuple(int(r) for r in lens.lens.target_rank)
