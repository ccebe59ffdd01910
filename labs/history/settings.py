"""History lab: its session keys and URL parameters (?task=similarity&icl=capitals&shots=3)."""

from __future__ import annotations

from gptlab.urlparams import ChoiceParam, NumberParam, UrlParam, with_sections
from labs.history import gpt1_inputs as g1
from labs.history import in_context as icl

TASK_KEY = "history.gpt1.task"
MAX_SHOTS_KEY = "history.icl.max_shots"


def preset_key(lang: str) -> str:
    """The in-context preset picked, one per language (the presets differ by language)."""
    return f"history.icl.preset.{lang}"


URL_SECTIONS = {"task": "gpt1-input-formats", "icl": "in-context-learning", "shots": "in-context-learning"}


def url_params(lang: str) -> tuple[UrlParam, ...]:
    presets = tuple(icl.presets(lang))
    return with_sections((
        ChoiceParam("task", TASK_KEY, g1.TASKS[0], g1.TASKS),
        ChoiceParam("icl", preset_key(lang), presets[0], presets),
        NumberParam("shots", MAX_SHOTS_KEY, icl.MAX_EXAMPLES, 0, icl.MAX_EXAMPLES, integer=True),
    ), URL_SECTIONS)
