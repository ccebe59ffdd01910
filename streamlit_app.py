"""GPT Lab server: `streamlit run streamlit_app.py`.

The pages are served by router.py. When the server starts, the models start loading in the
background (ui.warmup), so that the first student to open a lab does not wait for them.
"""

from contextlib import asynccontextmanager
from pathlib import Path

import gptlab  # noqa: F401  (thread and memory policies, before the server starts its threads)
import streamlit as st

from ui import config_reads, warmup

config_reads.install()  # a class's page threads read Streamlit's configuration without queueing on one lock


@asynccontextmanager
async def load_models_at_start(_app):
    warmup.start_in_background()
    yield


app = st.App(str(Path(__file__).with_name("router.py")), lifespan=load_models_at_start)
