"""Tokenization lab: one text through GPT-2 BPE, BERT WordPiece and Gemma SentencePiece."""

import pandas as pd
import streamlit as st

from gptlab import models
from gptlab.charts import inflation_totals, token_inflation_chart
from gptlab.i18n import fmt_float, fmt_int, t
from gptlab.nn import tokenization as tk
from gptlab.takeaway.code import (ByteLevelSettings, SpecialTokensSettings, TokenInflationSettings,
                                  TokenizationSettings)
from labs.tokenization import settings as S
from labs.tokenization.settings import CHIP_LIMIT, SHORT_TEXT, TEXT_KEY
from ui import exercises as exercises_ui
from ui import frame
from ui import lesson as lesson_ui
from ui.code_view import Shelf
from ui import models as ui_models
from ui.chips import token_chips
from ui.params import load_from_url, write_to_url
from ui import vega

lang = frame.language()
PARAMS = S.url_params(lang)
load_from_url(PARAMS, "tokenization", lang)
les = lesson_ui.lesson("tokenization", lang)
lesson_ui.header(les)
lesson_ui.sections(les, "intro", "what-is-a-token")
shelf = Shelf("tokenization", lang)  # the code of each view, and the lab as a notebook


def _on_example_pick() -> None:
    picked = st.session_state.get(S.EXAMPLE_KEY)
    if picked:
        st.session_state[TEXT_KEY] = tk.EXAMPLE_TEXTS[picked]


# --- 1. The same text through every tokenizer -------------------------------------------------
st.pills(
    t("tokenization.examples", lang),
    list(tk.EXAMPLE_TEXTS),
    format_func=lambda name: t(f"tokenization.example.{name}", lang),
    key=S.EXAMPLE_KEY,
    on_change=_on_example_pick,
)
raw_text = st.text_area(
    t("tokenization.input", lang),
    key=TEXT_KEY,
    height=110,
    help=t("tokenization.input_help", lang, max=fmt_int(tk.MAX_INPUT_CHARS, lang)),
    persist_state="session",
)
check = tk.check_text(raw_text)
if check.truncated:
    st.warning(
        t("tokenization.truncated", lang, length=fmt_int(check.original_length, lang), max=fmt_int(tk.MAX_INPUT_CHARS, lang))
    )

tokenizers = ui_models.lab_tokenizers(lang)

# Optional Hub tokenizers: offered only when cached locally (or downloads are allowed).
failed: set[str] = st.session_state.setdefault(ui_models.HUB_FAILED_KEY, set())
hub = [models.hub_availability(spec) for spec in models.OPTIONAL_HUB_MODELS]
offered = {h.spec.hub_id: h.spec for h in hub if h.available and h.spec.hub_id not in failed}
NO_EXTRA = ""  # a real option: None would show Streamlit's untranslated "Choose an option"
extra_id = st.selectbox(
    t("tokenization.extra", lang),
    [NO_EXTRA, *offered],
    format_func=lambda hub_id: hub_id or t("tokenization.extra_none", lang),
    key=S.EXTRA_KEY,
    persist_state="session",
)
extra = offered.get(extra_id)
missing = [h.spec.hub_id for h in hub if not h.available]
if missing:
    st.caption(t("models.hub_unavailable", lang, name=", ".join(missing)))
if extra is not None:
    try:
        tokenizers[extra.hub_id] = ui_models.hub_tokenizer(extra.key)
    except Exception as exc:  # downloads allowed but no network, corrupt cache, ...
        failed.add(extra.hub_id)  # not offered again this session: no timeout on every keystroke
        st.warning(t("models.hub_failed", lang, name=extra.hub_id, error=type(exc).__name__))

if check.problem == "empty":
    st.info(t("tokenization.empty", lang), icon=":material/edit:")
else:
    if check.problem == "whitespace":
        st.info(t("tokenization.whitespace", lang))
    st.caption(t("tokenization.chip_hint", lang))
    for column, (label, tokenizer) in zip(st.columns(len(tokenizers)), tokenizers.items()):
        with column, frame.contained(lang):
            result = tk.tokenize(tokenizer, check.text)
            st.subheader(label)
            st.caption(t("tokenization.vocab_size", lang, size=fmt_int(len(tokenizer), lang)))
            st.markdown(
                t(
                    "tokenization.counts",
                    lang,
                    tokens=fmt_int(result.n_content_tokens, lang),
                    ratio=fmt_float(result.chars_per_token, lang),
                    added=result.n_added,
                )
            )
            st.html(token_chips(result.tokens, check.text, CHIP_LIMIT))
            if result.n_tokens > CHIP_LIMIT:
                st.caption(t("tokenization.showing_first", lang, shown=CHIP_LIMIT, total=fmt_int(result.n_tokens, lang)))
            if result.round_trip_exact:
                verdict = f":material/check_circle: {t('tokenization.round_trip_exact', lang)}"
            else:
                verdict = f":material/warning: {t('tokenization.round_trip_lossy', lang)}"
            st.markdown(f"**{t('tokenization.round_trip', lang)}** — {verdict}")
            st.code(result.decoded[:SHORT_TEXT] or " ", language=None, wrap_lines=True)
            if result.unknown_count:
                st.warning(t("tokenization.unknown", lang, count=result.unknown_count))
            with st.expander(t("tokenization.table", lang)):
                st.dataframe(
                    pd.DataFrame(
                        {
                            t("tokenization.col.position", lang): [x.position for x in result.tokens],
                            t("tokenization.col.id", lang): [x.token_id for x in result.tokens],
                            t("tokenization.col.piece", lang): [tk.visible(x.piece) for x in result.tokens],
                            t("tokenization.col.text", lang): [tk.visible(check.text[x.start : x.end]) for x in result.tokens],
                            t("tokenization.col.special", lang): [x.special for x in result.tokens],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                )
    shelf.show("tokenization", TokenizationSettings(check.text))

# --- 2. GPT-2's bytes -------------------------------------------------------------------------
lesson_ui.section(les, "byte-level-bpe")
st.subheader(t("tokenization.bytes.header", lang))
st.session_state.setdefault(S.BYTES_TEXT_KEY, t("tokenization.bytes.default", lang))
byte_text = tk.check_text(
    st.text_input(
        t("tokenization.bytes.input", lang), key=S.BYTES_TEXT_KEY, max_chars=SHORT_TEXT, persist_state="session"
    ),
    SHORT_TEXT,
)
if byte_text.problem == "empty":
    st.info(t("tokenization.empty", lang), icon=":material/edit:")
else:
    with frame.contained(lang):
        view = tk.byte_level_view(ui_models.gpt2_tokenizer(), byte_text.text)
        st.dataframe(
            pd.DataFrame(
                {
                    t("tokenization.col.id", lang): [x.token_id for x in view],
                    t("tokenization.bytes.col.piece", lang): [x.piece for x in view],
                    t("tokenization.bytes.col.hex", lang): [x.hex for x in view],
                    t("tokenization.bytes.col.text", lang): [
                        tk.visible(x.text) if x.text is not None else t("tokenization.bytes.partial", lang) for x in view
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.markdown(t("tokenization.bytes.joined", lang))
        st.code(tk.bytes_back_to_text(view), language=None, wrap_lines=True)
        st.markdown(f"**{t('tokenization.bytes.map_header', lang)}**")
        multibyte = tk.multibyte_characters(byte_text.text)
        if not multibyte:
            st.caption(t("tokenization.bytes.no_multibyte", lang))
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        t("tokenization.bytes.col.char", lang): [tk.visible(ch) for ch, _, _ in multibyte],
                        t("tokenization.bytes.col.utf8", lang): [" ".join(f"{b:02X}" for b in raw) for _, raw, _ in multibyte],
                        t("tokenization.bytes.col.shown", lang): [shown for _, _, shown in multibyte],
                    }
                ),
                hide_index=True,
            )
        shelf.show("byte_level", ByteLevelSettings(byte_text.text))

lesson_ui.sections(les, "wordpiece", "sentencepiece")

# --- 3. Special tokens ------------------------------------------------------------------------
lesson_ui.section(les, "special-tokens")
st.subheader(t("tokenization.special.header", lang))
with frame.contained(lang):
    none, nothing = t("tokenization.special.none", lang), t("tokenization.special.nothing", lang)
    table = {t("tokenization.special.col.role", lang): [t(f"tokenization.role.{role}", lang) for role in tk.SPECIAL_ROLES]}
    for label, specials in tk.special_tokens_table(tokenizers).items():
        table[label] = [f"{s.token} ({s.token_id})" if s.token is not None else none for s in specials]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    st.markdown(f"**{t('tokenization.special.added', lang)}**")
    added = {label: tk.tokens_added_around(tok) for label, tok in tokenizers.items()}
    st.dataframe(
        pd.DataFrame(
            {
                t("tokenization.special.col.tokenizer", lang): list(added),
                t("tokenization.special.before", lang): [" ".join(before) or nothing for before, _ in added.values()],
                t("tokenization.special.after", lang): [" ".join(after) or nothing for _, after in added.values()],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.info(t("tokenization.special.gpt2_note", lang))
    shelf.show("special_tokens", SpecialTokensSettings())

# --- 4. Token inflation -----------------------------------------------------------------------
lesson_ui.section(les, "vocabulary-and-inflation")
st.subheader(t("tokenization.inflation.header", lang))
with frame.contained(lang):
    pairs = tk.PARALLEL_SENTENCES
    with st.expander(t("tokenization.inflation.own_pair", lang)):
        own = [
            tk.check_text(
                st.text_input(t(f"tokenization.inflation.own_{side}", lang), key=f"tokenization.own_{side}",
                              max_chars=SHORT_TEXT, persist_state="session"),
                SHORT_TEXT,
            )
            for side in ("pt", "en")
        ]
        if own[0].problem is None and own[1].problem is None:
            pairs = pairs + ((own[0].text, own[1].text),)
        elif own[0].problem is None or own[1].problem is None:
            st.caption(t("tokenization.inflation.own_incomplete", lang))
    rows = tk.inflation_rows(tokenizers, pairs)
    chart = token_inflation_chart(
        inflation_totals(rows),
        x_title=t("tokenization.inflation.x", lang),
        y_title=t("tokenization.inflation.y", lang),
        colour_title=t("tokenization.inflation.language", lang),
        title=t("tokenization.inflation.chart_title", lang),
        language=lang,
        large=frame.projector_mode(),
    )
    vega.show(chart, width="stretch")
    for label in tokenizers:
        ratio = fmt_float(tk.inflation_ratio(rows, label), lang)
        st.markdown("- " + t("tokenization.inflation.ratio", lang, tokenizer=label, ratio=ratio))
    with st.expander(t("tokenization.inflation.table", lang)):
        data = {
            t("tokenization.inflation.col.pt", lang): [pt for pt, _ in pairs],
            t("tokenization.inflation.col.en", lang): [en for _, en in pairs],
        }
        for label in tokenizers:
            counts = tk.inflation_by_pair(rows, label)
            for language in tk.PAIR_LANGUAGES:
                data[f"{label} ({language})"] = [counts[(i, language)] for i in range(len(pairs))]
        st.dataframe(pd.DataFrame(data), hide_index=True, width="stretch")
    shelf.show("token_inflation", TokenInflationSettings(pairs))

lesson_ui.sections(les, "context-window", "recap", "references")
shelf.download_button(les)
write_to_url(PARAMS)
exercises_ui.render("tokenization", lang)
