"""GPT Lab router: page config, the shared sidebar (language, projector mode, models), navigation."""

import streamlit as st

from core.i18n import t
from ui import frame
from ui.models import sidebar_model_status

st.set_page_config(page_title="GPT Lab", page_icon=":material/science:", layout="wide")

lang = frame.sidebar_controls()

pages = [
    st.Page("app_pages/00_home.py", title=t("nav.home", lang), icon=":material/home:", url_path="home", default=True),
    st.Page("app_pages/01_tokenization.py", title=t("nav.tokenization", lang), icon=":material/abc:", url_path="tokenization"),
    st.Page("app_pages/02_attention.py", title=t("nav.attention", lang), icon=":material/visibility:", url_path="attention"),
    st.Page("app_pages/03_decoding.py", title=t("nav.decoding", lang), icon=":material/casino:", url_path="decoding"),
    st.Page("app_pages/04_finetuning.py", title=t("nav.finetuning", lang), icon=":material/model_training:", url_path="finetuning"),
]
navigation = st.navigation({t("nav.section.course", lang): pages})
sidebar_model_status(lang)
navigation.run()
