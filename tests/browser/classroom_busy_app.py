"""A stand-in for a busy GPT Lab, for tests/browser/test_classroom_load.py (not collected: no test_ prefix).

Its decoding page has the lab's widget keys and markup, but "generate" only queues the request with a
single worker thread; a fragment that reruns itself every half second shows the student's place in
the queue and then the tokens as they come. The load generator must wait for such a page to fill
itself in (the frontend's auto-rerun timers), not stop at the press's own run.
"""

import queue
import threading
import time
from html import escape

import pandas as pd
import streamlit as st

STEP_S = 0.05


@st.cache_resource
def worker():
    jobs: dict[str, dict] = {}
    requests: queue.Queue = queue.Queue()

    def run() -> None:
        while True:
            job_id, prompt, n = requests.get()
            for i in range(n):
                time.sleep(STEP_S)
                jobs[job_id]["tokens"].append(f" {prompt.split()[0].lower()}{i}")
            jobs[job_id]["done"] = True

    threading.Thread(target=run, daemon=True).start()
    return jobs, requests


def decoding() -> None:
    jobs, requests = worker()
    if "decoding.prompt" not in st.session_state:
        st.session_state["decoding.prompt"] = st.query_params.get("prompt", "")
    prompt = st.text_area("Prompt", key="decoding.prompt")
    st.markdown(f'<div class="gl-gen" dir="auto"><span class="gl-prompt">{escape(prompt)}</span></div>',
                unsafe_allow_html=True)
    st.vega_lite_chart(pd.DataFrame({"a": [1, 2]}), {"mark": "bar", "encoding": {"x": {"field": "a"}}})
    n = st.slider("New tokens", 1, 200, 40, key="decoding.max_new")
    if st.button("Generate", key="decoding.sbs.go"):
        job_id = f"{id(st.session_state)}-{time.time()}"
        jobs[job_id] = {"tokens": [], "done": False, "n": n}
        requests.put((job_id, prompt, n))
        st.session_state["job"] = job_id

    @st.fragment(run_every=0.5)
    def results() -> None:
        job_id = st.session_state.get("job")
        if job_id is None:
            return
        job = jobs[job_id]
        if not job["done"]:
            st.info(f"Busy: {requests.qsize()} requests ahead of yours")
            st.progress(len(job["tokens"]) / job["n"])
        for row in range(2):
            spans = "".join(f'<span class="gl-chip gl-inline">{escape(t)}</span>' for t in job["tokens"])
            with st.container():
                st.markdown(f"**row {row}**")
                st.markdown(f'<div class="gl-gen" dir="auto"><span class="gl-prompt"></span>{spans}</div>',
                            unsafe_allow_html=True)
        if job["done"]:
            st.dataframe(pd.DataFrame({"distinct-1": [1.0]}))

    results()
    st.button("Grid", key="decoding.grid.go")


def home() -> None:
    st.write("home")


st.navigation([st.Page(home, url_path="home", default=True), st.Page(decoding, url_path="decoding")]).run()
