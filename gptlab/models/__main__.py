"""Prepare the decoder ahead of time, from a terminal: `python -m gptlab.models prepare [--lang en|pt-BR]`.

The app starts the same preparation when the first browser opens it (Streamlit runs no app code before a
first visit); running this first (after `pip install`, before `streamlit run`) makes the first visit fast.
Idempotent: a prepared cache is left as it is.
"""

from __future__ import annotations

import argparse
import sys

from gptlab import models
from gptlab.i18n import LANGUAGES, t


def prepare(lang: str, steps: models.DecoderPreparationSteps | None = None) -> int:
    def report(p: models.PreparationProgress) -> None:
        print(f"[{p.step_index}/{len(models.PREPARATION_STEPS)}] {t(f'models.step.{p.step_key}', lang)}", flush=True)

    try:
        models.prepare_decoder(report, steps=steps)
    except Exception as error:  # a clear line in the user's language, never a traceback
        print(t("models.cli.failed", lang, error=f"{type(error).__name__}: {error}"), file=sys.stderr)
        return 1
    print(t("models.cli.ready", lang, folder=str(models.cache_dir())))
    return 0


def main(argv: list[str] | None = None, steps: models.DecoderPreparationSteps | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gptlab.models")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("prepare", help="convert Gemma 3 270M into the cache once (1 to 2 minutes)")
    cmd.add_argument("--lang", choices=LANGUAGES, default="en")
    args = parser.parse_args(argv)
    return prepare(args.lang, steps)


if __name__ == "__main__":
    sys.exit(main())
