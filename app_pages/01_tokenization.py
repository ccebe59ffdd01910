"""Tokenization lab: one text through GPT-2 BPE, BERT WordPiece and Gemma SentencePiece."""

import pandas as pd
import streamlit as st

from core import models
from core import tokenization as tk
from core.charts import inflation_totals, token_inflation_chart
from core.i18n import t
from ui import frame
from ui import lesson as lesson_ui
from ui import models as ui_models
from ui.html import token_chips

CHIP_LIMIT = 300  # chips per tokenizer; the table and the counts always cover everything
TEXT_KEY = "tokenization.text"

lang = frame.language()
les = lesson_ui.lesson("tokenization", lang)
lesson_ui.header(les)
lesson_ui.sections(les, "intro", "what-is-a-token")


def _use_example(name: str) -> None:
    st.session_state[TEXT_KEY] = tk.EXAMPLE_TEXTS[name]


def _on_example_pick() -> None:
    picked = st.session_state.get("tokenization.example")
    if picked:
        _use_example(picked)


# --- 1. The same text through every tokenizer -------------------------------------------------
st.session_state.setdefault(TEXT_KEY, t("tok.default_text", lang))
st.pills(
    t("tok.examples", lang),
    list(tk.EXAMPLE_TEXTS),
    format_func=lambda name: t(f"tok.example.{name}", lang),
    key="tokenization.example",
    on_change=_on_example_pick,
)
raw_text = st.text_area(
    t("tok.input", lang), key=TEXT_KEY, height=110, help=t("tok.input_help", lang, max=f"{tk.MAX_INPUT_CHARS:,}")
)
check = tk.check_text(raw_text)
if check.truncated:
    st.warning(t("tok.truncated", lang, length=f"{check.original_length:,}", max=f"{tk.MAX_INPUT_CHARS:,}"))

tokenizers = ui_models.lab_tokenizers(lang)
hub = [models.hub_availability(spec) for spec in models.OPTIONAL_HUB_MODELS]
offered = [h.spec for h in hub if h.available]
extra = st.selectbox(
    t("tok.extra", lang),
    [None, *offered],
    format_func=lambda spec: t("tok.extra_none", lang) if spec is None else f"{spec.name} ({spec.hub_id})",
    key="tokenization.extra",
)
missing = [h.spec.hub_id for h in hub if not h.available]
if missing:
    st.caption(t("models.hub_unavailable", lang, name=", ".join(missing)))
if extra is not None:
    try:
        tokenizers[extra.name] = ui_models.hub_tokenizer(extra.key)
    except Exception as exc:  # downloads allowed but no network, corrupt cache, ...
        st.warning(t("models.hub_failed", lang, name=extra.hub_id, error=type(exc).__name__))

if check.problem == "empty":
    st.info(t("tok.empty", lang), icon=":material/edit:")
else:
    if check.problem == "whitespace":
        st.info(t("tok.whitespace", lang))
    st.caption(t("tok.chip_hint", lang))
    with frame.contained(lang):
        columns = st.columns(len(tokenizers))
        for column, (label, tokenizer) in zip(columns, tokenizers.items()):
            result = tk.tokenize(tokenizer, check.text)
            with column:
                st.subheader(label)
                st.caption(t("tok.vocab_size", lang, size=f"{len(tokenizer):,}"))
                a, b, c = st.columns(3)
                a.metric(t("tok.tokens", lang), f"{result.n_content_tokens:,}")
                b.metric(t("tok.chars_per_token", lang), f"{result.chars_per_token:.2f}")
                c.metric(t("tok.special_added", lang), result.n_added)
                st.html(token_chips(result.tokens, check.text, frame.chip_colours(), CHIP_LIMIT))
                if result.n_tokens > CHIP_LIMIT:
                    st.caption(t("tok.showing_first", lang, shown=CHIP_LIMIT, total=f"{result.n_tokens:,}"))
                exact = t("tok.round_trip_exact", lang) if result.round_trip_exact else t("tok.round_trip_lossy", lang)
                icon = ":material/check_circle:" if result.round_trip_exact else ":material/warning:"
                st.markdown(f"**{t('tok.round_trip', lang)}** — {icon} {exact}")
                st.code(result.decoded[:2000] or " ", language=None, wrap_lines=True)
                if result.unknown_count:
                    st.warning(t("tok.unknown", lang, count=result.unknown_count))
                with st.expander(t("tok.table", lang)):
                    st.dataframe(
                        pd.DataFrame(
                            {
                                t("tok.col.position", lang): [x.position for x in result.tokens],
                                t("tok.col.id", lang): [x.token_id for x in result.tokens],
                                t("tok.col.piece", lang): [tk.visible(x.piece) for x in result.tokens],
                                t("tok.col.text", lang): [tk.visible(check.text[x.start : x.end]) for x in result.tokens],
                                t("tok.col.special", lang): [x.special for x in result.tokens],
                            }
                        ),
                        hide_index=True,
                        width="stretch",
                    )

# --- 2. GPT-2's bytes -------------------------------------------------------------------------
lesson_ui.section(les, "byte-level-bpe")
st.subheader(t("tok.bytes.header", lang))
st.session_state.setdefault("tokenization.bytes_text", t("tok.bytes.default", lang))
byte_text = tk.check_text(st.text_input(t("tok.bytes.input", lang), key="tokenization.bytes_text"), 2_000)
if byte_text.problem == "empty":
    st.info(t("tok.empty", lang), icon=":material/edit:")
else:
    with frame.contained(lang):
        view = tk.byte_level_view(ui_models.gpt2_tokenizer(), byte_text.text)
        st.dataframe(
            pd.DataFrame(
                {
                    t("tok.col.id", lang): [x.token_id for x in view],
                    t("tok.bytes.col.piece", lang): [x.piece for x in view],
                    t("tok.bytes.col.hex", lang): [x.hex for x in view],
                    t("tok.bytes.col.text", lang): [
                        tk.visible(x.text) if x.text is not None else t("tok.bytes.partial", lang) for x in view
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.markdown(t("tok.bytes.joined", lang))
        st.code(tk.bytes_back_to_text(view), language=None, wrap_lines=True)
        st.markdown(f"**{t('tok.bytes.map_header', lang)}**")
        multibyte = tk.multibyte_characters(byte_text.text)
        if not multibyte:
            st.caption(t("tok.bytes.no_multibyte", lang))
        else:
            st.dataframe(
                pd.DataFrame(
                    {
                        t("tok.bytes.col.char", lang): [tk.visible(ch) for ch, _, _ in multibyte],
                        t("tok.bytes.col.utf8", lang): [" ".join(f"{b:02X}" for b in raw) for _, raw, _ in multibyte],
                        t("tok.bytes.col.shown", lang): [shown for _, _, shown in multibyte],
                    }
                ),
                hide_index=True,
            )

lesson_ui.sections(les, "wordpiece", "sentencepiece")

# --- 3. Special tokens ------------------------------------------------------------------------
lesson_ui.section(les, "special-tokens")
st.subheader(t("tok.special.header", lang))
with frame.contained(lang):
    none = t("tok.special.none", lang)
    table = {t("tok.special.col.role", lang): [t(f"tok.role.{role}", lang) for role in tk.SPECIAL_ROLES]}
    added_rows = []
    for label, tokenizer in tokenizers.items():
        table[label] = [f"{s.token} ({s.token_id})" if s.token is not None else none for s in tk.special_tokens(tokenizer)]
        before, after = tk.tokens_added_around(tokenizer)
        nothing = t("tok.special.nothing", lang)
        added_rows.append(
            {
                t("tok.special.col.tokenizer", lang): label,
                t("tok.special.before", lang): " ".join(before) or nothing,
                t("tok.special.after", lang): " ".join(after) or nothing,
            }
        )
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    st.markdown(f"**{t('tok.special.added', lang)}**")
    st.dataframe(pd.DataFrame(added_rows), hide_index=True, width="stretch")
    st.info(t("tok.special.gpt2_note", lang))

# --- 4. Token inflation -----------------------------------------------------------------------
lesson_ui.section(les, "vocabulary-and-inflation")
st.subheader(t("tok.inflation.header", lang))
with frame.contained(lang):
    pairs = tk.PARALLEL_SENTENCES
    with st.expander(t("tok.inflation.own_pair", lang)):
        own_pt = tk.check_text(st.text_input(t("tok.inflation.own_pt", lang), key="tokenization.own_pt"), 2_000)
        own_en = tk.check_text(st.text_input(t("tok.inflation.own_en", lang), key="tokenization.own_en"), 2_000)
        if own_pt.problem is None and own_en.problem is None:
            pairs = pairs + ((own_pt.text, own_en.text),)
        elif own_pt.problem is None or own_en.problem is None:
            st.caption(t("tok.inflation.own_incomplete", lang))
    rows = tk.inflation_rows(tokenizers, pairs)
    chart = token_inflation_chart(
        inflation_totals(rows),
        x_title=t("tok.inflation.x", lang),
        y_title=t("tok.inflation.y", lang),
        colour_title=t("tok.inflation.language", lang),
        title=t("tok.inflation.chart_title", lang),
        large=frame.projector_mode(),
    )
    st.altair_chart(chart, width="stretch")
    for label in tokenizers:
        st.markdown("- " + t("tok.inflation.ratio", lang, tokenizer=label, ratio=f"{tk.inflation_ratio(rows, label):.2f}"))
    with st.expander(t("tok.inflation.table", lang)):
        data = {
            t("tok.inflation.col.pt", lang): [pt for pt, _ in pairs],
            t("tok.inflation.col.en", lang): [en for _, en in pairs],
        }
        for label in tokenizers:
            counts = {(r.pair, r.language): r.n_tokens for r in rows if r.tokenizer == label}
            data[f"{label} (pt-BR)"] = [counts[(i, "pt-BR")] for i in range(len(pairs))]
            data[f"{label} (en)"] = [counts[(i, "en")] for i in range(len(pairs))]
        st.dataframe(pd.DataFrame(data), hide_index=True, width="stretch")

lesson_ui.sections(les, "context-window", "references")
