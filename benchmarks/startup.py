"""Startup figures on this machine: python -m benchmarks.startup

Last line: startup: home_ready_s=X tokenize_2000_chars_ms=Y decoder_cached_load_s=Z
  home_ready_s           `streamlit run` started -> home page fully rendered in headless Chromium
  tokenize_2000_chars_ms the lab's tokenize() through all three tokenizers on 2,000 characters (median)
  decoder_cached_load_s  Gemma 3 270M tokenizer + model from the prepared cache, in a fresh process
Targets (2 cores): under 3 s, under 50 ms, under 5 s. Figures, not tests: these machines are noisy.
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


def home_ready_s() -> float:
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
            page.wait_for_function(
                """() => { const a = document.querySelector('[data-testid="stApp"]');
                           return a && a.getAttribute('data-test-script-state') === 'notRunning'
                                  && document.querySelector('h1'); }""",
                timeout=60_000,
            )
            return time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(10)
            browser.close()


def main() -> None:
    from gptlab import models

    if not models.decoder_ready():
        print("preparing the decoder once (about 2 minutes)...", flush=True)
        models.prepare_decoder()
    home = home_ready_s()
    print(f"home page ready after streamlit run: {home:.2f} s (target < 3 s)", flush=True)
    tok = tokenize_2000_chars_ms()
    print(f"3 tokenizers on 2,000 characters: {tok:.1f} ms (target < 50 ms)", flush=True)
    load, cold = decoder_cached_load_s()
    print(f"decoder + tokenizer from the prepared cache: {load:.2f} s (target < 5 s); "
          f"{cold:.2f} s counting the torch/transformers imports of a cold process", flush=True)
    print(f"startup: home_ready_s={home:.2f} tokenize_2000_chars_ms={tok:.1f} decoder_cached_load_s={load:.2f}")


if __name__ == "__main__":
    main()
