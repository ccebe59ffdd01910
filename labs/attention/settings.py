"""Attention lab: its session keys and URL parameters (?text=...&layer=3&head=1...).

The layer and head bounds are the models' own sizes, read from their configs; before the decoder is
prepared its layers and heads are restored with no upper bound, and the page fits them to its size.
"""

from __future__ import annotations

from gptlab.urlparams import ChoiceParam, NumberParam, TextParam, UrlParam, with_sections

MAX_TEXT_CHARS = 2_000
BERTVIZ_TOKENS = 24  # the model view draws L x H small panels: keep the text short there
GRID_COLUMNS = 2  # every head of a layer, 2 per row, each heatmap as wide as its column

TEXT_KEY = "attention.text"
LAYER_KEY, HEAD_KEY, UNMASK_KEY = "attention.layer", "attention.head", "attention.unmask"
MAP_LAYER_KEY, MAP_HEAD_KEY = "attention.map_layer", "attention.map_head"  # the previous-token task reads these
BERT_LAYER_KEY, BERT_HEAD_KEY = "attention.bert_layer", "attention.bert_head"
BERTVIZ_MODEL_KEY, BERTVIZ_VIEW_KEY = "attention.bertviz_model", "attention.bertviz_view"
FOCUS_KEY = "attention.focus"
STEP_TAB_KEY, GRID_OPEN_KEY = "attention.step_tab", "attention.grid_open"  # which step is shown; every head shown
DEFAULT_LAYER, DEFAULT_HEAD = 5, 0  # the decoder's layer and head shown first
DEFAULT_BERT_LAYER = 2


# The lesson section each setting's widget follows: a shared link opens there (?at=attention-maps).
URL_SECTIONS = {"text": "causal-mask", "unmask": "causal-mask", "layer": "causal-mask", "head": "causal-mask",
                "map_layer": "attention-maps", "map_head": "attention-maps", "bert_layer": "encoder-vs-decoder",
                "bert_head": "encoder-vs-decoder", "bertviz_view": "bertviz"}


def url_params(lang: str, decoder_config, encoder_config) -> tuple[UrlParam, ...]:
    """The shareable settings; `decoder_config` is None until the decoder is prepared."""
    params: list[UrlParam] = [
        TextParam.translated("text", TEXT_KEY, "attention.default_text", lang),
        ChoiceParam("unmask", UNMASK_KEY, False, (False, True)),
    ]
    last_layer = decoder_config.num_hidden_layers - 1 if decoder_config is not None else None
    last_head = decoder_config.num_attention_heads - 1 if decoder_config is not None else None
    for layer_key, head_key, prefix in ((LAYER_KEY, HEAD_KEY, ""), (MAP_LAYER_KEY, MAP_HEAD_KEY, "map_")):
        params.append(NumberParam(f"{prefix}layer", layer_key, DEFAULT_LAYER, 0, last_layer, integer=True))
        params.append(NumberParam(f"{prefix}head", head_key, DEFAULT_HEAD, 0, last_head, integer=True))
    params += [
        NumberParam("bert_layer", BERT_LAYER_KEY, min(DEFAULT_BERT_LAYER, encoder_config.num_hidden_layers - 1), 0,
                    encoder_config.num_hidden_layers - 1, integer=True),
        NumberParam("bert_head", BERT_HEAD_KEY, 0, 0, encoder_config.num_attention_heads - 1, integer=True),
        ChoiceParam("bertviz_view", BERTVIZ_VIEW_KEY, "head", ("head", "model")),
    ]
    return with_sections(tuple(params), URL_SECTIONS)
