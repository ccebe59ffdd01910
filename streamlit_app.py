"""GPT Lab router: page config, the shared sidebar (language, projector mode, models), navigation."""

import streamlit as st

from core.i18n import t
from ui import classroom, frame
from ui.models import sidebar_model_status

st.set_page_config(page_title="GPT Lab", page_icon=":material/science:", layout="wide")

lang = frame.sidebar_controls()
classroom.sidebar(lang)

pages = [
    st.Page("app_pages/00_home.py", title=t("nav.home", lang), icon=":material/home:", url_path="home", default=True),
    st.Page("app_pages/01_tokenization.py", title=t("nav.tokenization", lang), icon=":material/abc:", url_path="tokenization"),
    st.Page("app_pages/02_attention.py", title=t("nav.attention", lang), icon=":material/visibility:", url_path="attention"),
    st.Page("app_pages/03_decoding.py", title=t("nav.decoding", lang), icon=":material/casino:", url_path="decoding"),
    st.Page("app_pages/04_finetuning.py", title=t("nav.finetuning", lang), icon=":material/model_training:", url_path="finetuning"),
    st.Page("app_pages/05_bert_vs_gpt.py", title=t("nav.bert_vs_gpt", lang), icon=":material/compare_arrows:", url_path="bert-vs-gpt"),
    st.Page("app_pages/06_history.py", title=t("nav.history", lang), icon=":material/history_edu:", url_path="history"),
    st.Page("app_pages/07_risks.py", title=t("nav.risks", lang), icon=":material/health_and_safety:", url_path="risks"),
]
instructor = [st.Page("app_pages/90_instructor.py", title=t("classroom.nav.page", lang), icon=":material/school:", url_path="instructor")]
navigation = st.navigation({t("nav.section.course", lang): pages, t("classroom.nav.section", lang): instructor})
sidebar_model_status(lang)
navigation.run()
