"""Decoding lab: its session keys, URL parameters and the constants its exercises share."""

from __future__ import annotations

from gptlab.nn import decoding as D
from gptlab.nn import generation as G
from gptlab.urlparams import NumberParam, TextParam, UrlParam, with_sections

SHOWN = 15  # candidates in the distribution chart
STEP_CHOICES = 10  # candidates offered in the step-by-step widget
GRID_TEMPERATURES = (0.3, 0.7, 1.0)  # the course seed's temperature x top-p grid
GRID_TOP_PS = (0.8, 0.9, 0.95)
BEAMS = 4
# The side-by-side widget's fixed strategies (the student's own settings join them when they differ).
SIDE_BY_SIDE = (D.GREEDY, D.Strategy(temperature=0.7), D.Strategy(top_k=40), D.Strategy(top_p=0.9),
                D.Strategy(temperature=0.7, top_k=50, top_p=0.9), D.Strategy(num_beams=BEAMS))

PROMPT_KEY = "decoding.prompt"
TEMPERATURE_KEY, TOP_K_KEY, TOP_P_KEY = "decoding.temperature", "decoding.top_k", "decoding.top_p"
SEED_KEY, MAX_NEW_KEY, DRAWS_KEY = "decoding.seed", "decoding.max_new", "decoding.draws"
STEPS_KEY = "decoding.steps"  # the token ids chosen in the step-by-step widget
SIDE_BY_SIDE_KEY = "decoding.sbs.result"  # the last side-by-side run
GRID_KEY = "decoding.grid.result"  # the last grid run (the repetition task reads it)
PIECES_KEY = "decoding.pieces"  # {widget key: its texts' pieces (widgets.piece_cache)}
DEFAULT_SEED, DEFAULT_MAX_NEW = 42, 40


# The lesson section each setting's widget follows: a shared link opens there (?at=next-token).
URL_SECTIONS = {"prompt": "autoregressive", "temperature": "next-token", "top_k": "next-token", "top_p": "next-token",
                "seed": "next-token", "draws": "sampling-variance", "max_new": "side-by-side"}


def url_params(lang: str) -> tuple[UrlParam, ...]:
    """?temperature=0.7&top_k=50&prompt=...: a shared link reproduces the page."""
    return with_sections((
        NumberParam("temperature", TEMPERATURE_KEY, 1.0, 0.0, 2.0),
        NumberParam("top_k", TOP_K_KEY, 0, 0, 1_000_000, integer=True),
        NumberParam("top_p", TOP_P_KEY, 1.0, 0.0, 1.0),
        NumberParam("seed", SEED_KEY, DEFAULT_SEED, 0, 2**31 - 1, integer=True),
        NumberParam("max_new", MAX_NEW_KEY, DEFAULT_MAX_NEW, 1, G.MAX_NEW_TOKENS, integer=True),
        NumberParam("draws", DRAWS_KEY, 1000, 10, 10_000, integer=True),
        TextParam.translated("prompt", PROMPT_KEY, "decoding.default_prompt", lang),
    ), URL_SECTIONS)


# The course notebook's own generation cells (its cells 10 and 11), with its exact settings. The notebook calls
# model.generate(..., max_length=N): N counts the prompt's tokens, and transformers' default top_k = 50 applies
# to every sampling call that does not set it. It runs pierreguillou/gpt2-small-portuguese after set_seed(42).
NOTEBOOK_SEED = 42
NOTEBOOK_CONTINUATION_PROMPT = "A inteligência artificial nas escolas do Brasil"
NOTEBOOK_CONTINUATION_MAX_LENGTH = 60
NOTEBOOK_SAMPLED = dict(temperature=0.8, top_k=50, top_p=0.9)  # the cell's sampled call
NOTEBOOK_GRID_PROMPT = "Resumo: As redes neurais transformadoras permitem"
NOTEBOOK_GRID_MAX_LENGTH = 80
NOTEBOOK_GRID_TEMPERATURES = (0.3, 0.7, 1.0)
NOTEBOOK_GRID_TOP_PS = (0.8, 0.9, 0.95)
NOTEBOOK_DEFAULT_TOP_K = 50  # transformers' GenerationConfig default, in force in the notebook's grid
NOTEBOOK_CONTINUATION_KEY = "decoding.notebook.continuation"  # the last run of each cell
NOTEBOOK_GRID_KEY = "decoding.notebook.grid"
