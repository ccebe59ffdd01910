"""Startup figures on this machine: python -m benchmarks.startup

Last line: startup: home_ready_s=X page_switch_median_s=P page_switch_worst_s=Q tokenize_2000_chars_ms=Y
                   decoder_cached_load_s=Z lab_default_view_s=tokenization:S,attention:S,...
  home_ready_s           `streamlit run` started -> home page fully rendered in headless Chromium
                         (the models start loading in the background once it is served: ui.warmup)
  page_switch_*          in the same browser, a second visit to each lesson page through the sidebar's
                         links (the first visit loaded what it needed): click -> the page's script done
  tokenize_2000_chars_ms the lab's tokenize() through all three tokenizers on 2,000 characters (median)
  decoder_cached_load_s  Gemma 3 270M tokenizer + model from the prepared cache, in a fresh process
  lab_default_view_s     each lesson page's script on a second visit with its default settings (models loaded,
                         its first visit computed what it shows), median of 3, through streamlit's AppTest
Targets (2 cores): under 2 s, under 1 s, under 50 ms, under 3 s, under 0.5 s each.
Figures, not tests: these machines are noisy.

`python -m benchmarks.startup --lab-views [--app DIR]` prints only the last figure, for the app in DIR (another
checkout, e.g. main's, to compare in the same minute).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = (
    "A tokenização transforma texto em números; cada modelo tem o seu vocabulário. "
    "Tokenization turns text into numbers, and every model has its own vocabulary. "
    "Ação, coração, não, pão! 😀 1234567 + 89 = 1234656. def soma(a, b): return a + b\n"
)


def tokenize_2000_chars_ms(repeats: int = 30) -> float:
    from gptlab import models
    from gptlab.nn.tokenization import tokenize

    tokenizers = [models.load_gpt2_tokenizer(), models.load_minilm_tokenizer(), models.load_decoder_tokenizer()]
    text = (SAMPLE * 20)[:2000]
    for tok in tokenizers:  # warm-up
        tokenize(tok, text)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for tok in tokenizers:
            tokenize(tok, text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def decoder_cached_load_s() -> tuple[float, float]:
    """(load with torch/transformers already imported, as in the server; cold, imports included)."""
    code = (
        "import time, sys; cold = time.perf_counter(); sys.path.insert(0, sys.argv[1]);"
        "from gptlab import models; import transformers, torch;"
        "t = time.perf_counter(); models.load_decoder_tokenizer(); models.load_decoder();"
        "end = time.perf_counter(); print(end - t, end - cold)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    warm, cold = out.stdout.strip().splitlines()[-1].split()
    return float(warm), float(cold)


SCRIPT_DONE = """() => { const a = document.querySelector('[data-testid="stApp"]');
                          return a && a.getAttribute('data-test-script-state') === 'notRunning'
                                 && document.querySelector('h1'); }"""


def _switch_to(page, url_path: str, title: str) -> float:
    """Click the sidebar link to a page; seconds until its script finished with its title shown."""
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first
    start = time.perf_counter()
    link.click()
    page.wait_for_function(
        """(title) => { const a = document.querySelector('[data-testid="stApp"]');
                        const h = document.querySelector('h1');
                        return a && a.getAttribute('data-test-script-state') === 'notRunning'
                               && h && h.textContent.includes(title); }""",
        arg=title, timeout=600_000,
    )
    return time.perf_counter() - start


def home_ready_s(page_switches: list[float] | None = None) -> float:
    """Seconds from `streamlit run` to the home page rendered; `page_switches` (if given) gets the
    seconds of a second visit to each lesson page, in the same browser session."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page()
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "GPTLAB_AUTO_PREPARE": "0", "HF_HUB_OFFLINE": "1"},
        )
        try:
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/?lang=en", timeout=2000)
                    break
                except Exception:
                    if time.perf_counter() - start > 60:
                        raise
                    time.sleep(0.05)
            page.wait_for_function(SCRIPT_DONE, timeout=60_000)
            ready = time.perf_counter() - start
            if page_switches is not None:
                import course
                from gptlab.lessons import load_lesson

                pages = [(lesson.url_path, load_lesson(lesson.id, "en").title) for lesson in course.LESSONS]
                for url_path, title in pages:  # first visits: each page loads what it needs
                    _switch_to(page, url_path, title)
                for url_path, title in pages:
                    page_switches.append(_switch_to(page, url_path, title))
                    print(f"  second visit to /{url_path}: {page_switches[-1]:.2f} s", flush=True)
            return ready
        finally:
            proc.terminate()
            proc.wait(10)
            browser.close()


def lab_default_view_s(app: Path = ROOT, repeats: int = 3) -> dict[str, float]:
    """Seconds of each lesson page's script on a second visit: first visit (loads and computes), the home page,
    then back, timed; the median of `repeats` such returns. In this process, through AppTest (no browser)."""
    from streamlit.testing.v1 import AppTest

    import course

    at = AppTest.from_file(str(app / "router.py"), default_timeout=600)
    at.query_params["lang"] = "en"
    at.run()
    figures = {}
    for lesson in course.LESSONS:
        at.switch_page(lesson.page).run()  # the first visit: models, tokenizers, computations
        times = []
        for _ in range(repeats):
            at.switch_page(course.HOME.page).run()
            at.switch_page(lesson.page)
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{lesson.id}: {at.exception[0].value}")
        if at.error:  # a widget that failed is quick to draw: say so beside its figure
            print(f"  {lesson.id} shows an error: {at.error[0].value}", flush=True)
        figures[lesson.id] = statistics.median(times)
        print(f"  {lesson.id} default view, second visit: {figures[lesson.id]:.2f} s", flush=True)
    return figures


def lab_views_line(figures: dict[str, float]) -> str:
    return "lab_default_view_s=" + ",".join(f"{lab}:{s:.2f}" for lab, s in figures.items())


def main() -> None:
    if "--lab-views" in sys.argv:
        app = Path(sys.argv[sys.argv.index("--app") + 1]).resolve() if "--app" in sys.argv else ROOT
        sys.path.insert(0, str(app))  # before anything of the app is imported
        os.chdir(app)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("GPTLAB_AUTO_PREPARE", "0")
        print(f"startup ({app}): {lab_views_line(lab_default_view_s(app))}")
        return
    from gptlab import models

    if not models.decoder_ready():
        print("preparing the decoder once (about 2 minutes)...", flush=True)
        models.prepare_decoder()
    switches: list[float] = []
    home = home_ready_s(switches)
    print(f"home page ready after streamlit run: {home:.2f} s (target < 2 s)", flush=True)
    median, worst = statistics.median(switches), max(switches)
    print(f"page switch, second visit: median {median:.2f} s, worst {worst:.2f} s (target < 1 s)", flush=True)
    tok = tokenize_2000_chars_ms()
    print(f"3 tokenizers on 2,000 characters: {tok:.1f} ms (target < 50 ms)", flush=True)
    load, cold = decoder_cached_load_s()
    print(f"decoder + tokenizer from the prepared cache: {load:.2f} s (target < 3 s); "
          f"{cold:.2f} s counting the torch/transformers imports of a cold process", flush=True)
    os.environ.setdefault("GPTLAB_AUTO_PREPARE", "0")
    views = lab_default_view_s()
    print(f"each lab's default view, second visit: worst {max(views.values()):.2f} s (target < 0.5 s)", flush=True)
    print(f"startup: home_ready_s={home:.2f} page_switch_median_s={median:.2f} page_switch_worst_s={worst:.2f} "
          f"tokenize_2000_chars_ms={tok:.1f} decoder_cached_load_s={load:.2f} {lab_views_line(views)}")


if __name__ == "__main__":
    main()
