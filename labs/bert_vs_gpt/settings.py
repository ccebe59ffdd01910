"""BERT vs GPT lab: its session keys and URL parameters (?text=...&seed=3&rate=0.3&bert_layer=2).

The layer bounds and defaults (the last layer) are the models' own depths, read from their configs.
"""

from __future__ import annotations

from gptlab.urlparams import ChoiceParam, NumberParam, TextParam, UrlParam, with_sections
from labs.bert_vs_gpt import masking as M

DRAW_CHOICES = (100, 500, 1000, 2000, 5000)
DEFAULT_SEED = 14  # any seed works; this one shows all three actions on both default sentences
PAIR_MAX_CHARS = 300  # the two sentences of the vector comparison: short by design

TEXT_KEY = "bert_vs_gpt.text"
SEED_KEY, RATE_KEY, DRAWS_KEY = "bert_vs_gpt.seed", "bert_vs_gpt.rate", "bert_vs_gpt.draws"
BERT_LAYER_KEY, GPT_LAYER_KEY = "bert_vs_gpt.bert_layer", "bert_vs_gpt.gpt_layer"


# The lesson section each setting's widget follows: a shared link opens there (?at=mlm-demo).
URL_SECTIONS = {"text": "mlm-demo", "seed": "mlm-demo", "rate": "mlm-demo", "draws": "mlm-demo",
                "bert_layer": "attention-compared", "gpt_layer": "attention-compared"}


def url_params(lang: str, encoder_config, decoder_config) -> tuple[UrlParam, ...]:
    """The shareable settings; the decoder's layer only once its config is known (else None)."""
    bert_last = encoder_config.num_hidden_layers - 1
    params: list[UrlParam] = [
        TextParam.translated("text", TEXT_KEY, "bert_vs_gpt.default_text", lang),
        NumberParam("seed", SEED_KEY, DEFAULT_SEED, 0, 2**31 - 1, integer=True),
        NumberParam("rate", RATE_KEY, M.BERT_MASKING.mlm_probability, 0.0, 1.0, decimals=2),
        ChoiceParam("draws", DRAWS_KEY, 1000, DRAW_CHOICES),
        NumberParam("bert_layer", BERT_LAYER_KEY, bert_last, 0, bert_last, integer=True),
    ]
    if decoder_config is not None:
        gpt_last = decoder_config.num_hidden_layers - 1
        params.append(NumberParam("gpt_layer", GPT_LAYER_KEY, gpt_last, 0, gpt_last, integer=True))
    return with_sections(tuple(params), URL_SECTIONS)
