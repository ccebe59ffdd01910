"""Journey lab: one prompt from text to the next token through the picked decoder (Gemma 3 or GPT-2), recomputed from its weights."""

import streamlit as st

from gptlab.i18n import fmt_int, t
from gptlab.nn import tokenization as tk
from gptlab.nn.architecture import family_of
from gptlab.takeaway import code as takeaway
from labs.journey import settings as S
from labs.journey import widgets as W
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.params import load_from_url, write_to_url

lang = frame.language()
entry = ui_models.picked_model()  # the decoder picked in the sidebar (Gemma 3 270M unless another is picked)
PARAMS = S.url_params(lang)  # ?text=...&position=3: a shared link opens the same journey
load_from_url(PARAMS, "journey", lang)
les = lesson_ui.lesson("journey", lang)
lesson_ui.header(les)
lesson_ui.sections(les, "intro")
shelf = Shelf("journey", lang, model=entry)  # the code of each view (on the picked model), and the lab as a notebook

check = tk.check_text(st.text_area(t("journey.input", lang), key=S.TEXT_KEY, max_chars=S.MAX_TEXT_CHARS, height=90),
                      S.MAX_TEXT_CHARS)
text = check.text if check.problem is None else ""
ready = ui_models.lm_ready(entry)
if check.problem is not None:
    st.info(t(f"journey.{check.problem}", lang, model=entry.name), icon=":material/edit:")
elif not ready:
    ui_models.ensure_preparation_started()
    st.warning(t("journey.needs_decoder", lang))
else:
    if check.truncated:
        st.warning(t("journey.cut_chars", lang, n=fmt_int(check.original_length, lang), max=fmt_int(S.MAX_TEXT_CHARS, lang)))
    with frame.contained(lang):
        st.markdown(ui_models.model_line(entry, ui_models.lm_architecture(entry), lang))
        dropped = W.prompt(entry, text).dropped
        if dropped:
            st.warning(t("journey.cut_tokens", lang, dropped=fmt_int(dropped, lang), max=W.J.MAX_TOKENS))
go = bool(text) and ready
try:
    family = family_of(ui_models.lm_config(entry)).family if ready else None  # the code's model family
except Exception:  # noqa: BLE001 - a model the lab cannot take apart, or broken files: the widgets say so; no code
    family = None


def show_code(widget: str, settings) -> None:
    """The expander with the code of this view, on a model family the code can name (Gemma 3, GPT-2)."""
    if family is not None:
        shelf.show(widget, settings)


lesson_ui.section(les, "into-numbers")
if go:
    with frame.contained(lang):
        W.into_numbers(entry, text, lang)
        show_code("journey_numbers", takeaway.JourneyNumbersSettings(text, family))
lesson_ui.section(les, "positions")
if ready:
    with frame.contained(lang):
        W.position_shapes(entry, text or None, lang)
        if text:
            show_code("journey_positions", takeaway.JourneyPositionsSettings(text, family))
lesson_ui.section(les, "through-the-blocks")
position = None
if go:
    with frame.contained(lang):
        position = W.pick_position(entry, text, lang)
        W.through_the_blocks(entry, text, position, lang)
        show_code("journey_blocks", takeaway.JourneyBlocksSettings(text, position, family))
lesson_ui.section(les, "logit-lens")
lens = first = None
if go and position is not None:
    with frame.contained(lang):
        first = W.lens_grid(entry, text, W.pick_window(entry, text, lang), lang)
        show_code("journey_lens_grid", takeaway.JourneyLensGridSettings(text, first, W.J.GRID_POSITIONS, family))
    with frame.contained(lang):
        lens = W.lens_at_position(entry, text, position, lang, first)
        show_code("journey_lens", takeaway.JourneyLensSettings(text, position, family))
lesson_ui.section(les, "next-token")
if lens is not None:
    with frame.contained(lang):
        W.next_token(entry, text, lens, lang)
        show_code("journey_next_token", takeaway.JourneyNextTokenSettings(text, position, W.J.TOP_K, family))
        W.open_in_decoding(text, lang)
lesson_ui.sections(les, "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("journey", lang)
