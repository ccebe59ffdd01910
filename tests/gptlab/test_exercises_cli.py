"""`python -m gptlab.exercises`: list every exercise; check an answer file exactly as the app grades it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from gptlab.exercises import bank
from gptlab.exercises.checkers import grade
from gptlab.i18n import t

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gptlab.exercises", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def check(tmp_path: Path, exercise_id: str, answer: str, *extra: str) -> dict:
    path = tmp_path / "answer.txt"
    path.write_text(answer, encoding="utf-8")
    done = cli("check", exercise_id, str(path), *extra)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"score", "status", "feedback"} <= set(result)
    assert 0.0 <= result["score"] <= 1.0
    return result


def test_list_prints_one_line_per_exercise():
    done = cli("list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines == [f"{ex.id} {ex.kind} {ex.lesson}" for ex in bank.all_exercises()]
    assert all(len(line.split(" ")) == 3 for line in lines)


def test_check_grades_like_the_app(tmp_path):
    for exercise_id, answer, status in (("tokenization.gpt2_vocab", "50257\n", "correct"),
                                        ("tokenization.gpt2_vocab", "50256", "incorrect"),
                                        ("decoding.processor_order", "a", "correct"),
                                        ("bert-vs-gpt.encoder_only", "a, b, c", "correct"),
                                        ("bert-vs-gpt.encoder_only", "a d", "incorrect"),
                                        ("attention.causal_cells", "(0,1) (0,2) (0,3) (1,2) (1,3) (2,3)", "correct"),
                                        ("history.webtext", "  gpt-2 ", "correct"),
                                        ("risks.context_budget", "abc", "invalid")):
        result = check(tmp_path, exercise_id, answer)
        app = grade(bank.by_id(exercise_id), answer.strip(), "en")
        assert result["status"] == app.status == status, (exercise_id, answer)
        assert result["score"] == app.score
        assert result["feedback"] == "\n".join(app.feedback)


def test_check_in_portuguese(tmp_path):
    result = check(tmp_path, "tokenization.gpt2_vocab", "50.256", "--lang", "pt-BR")
    assert result["status"] == "incorrect" and "Faltou o token especial" in result["feedback"]


def test_check_code_runs_in_the_sandbox(tmp_path):
    right = "import math\n\ndef perplexity(losses):\n    return math.exp(sum(losses) / len(losses))\n"
    result = check(tmp_path, "finetuning.perplexity", right)
    assert result["status"] == "correct" and result["score"] == 1.0 and result["hidden_total"] >= 5
    wrong = check(tmp_path, "finetuning.perplexity", "def perplexity(losses):\n    return sum(losses) / len(losses)\n")
    assert wrong["status"] == "incorrect" and "the exponential is missing" in wrong["feedback"]
    broken = check(tmp_path, "finetuning.perplexity", "def perplexity(losses) return 1\n")
    assert broken["status"] == "error" and broken["score"] == 0.0


def test_check_a_task_from_its_state_as_json(tmp_path):
    points = [{"step": s, "epoch": s / 10, "train_loss": 3.0, "val_loss": None} for s in range(1, 11)]
    points += [{"step": 5, "epoch": 0.5, "train_loss": None, "val_loss": 2.4},
               {"step": 10, "epoch": 1.0, "train_loss": None, "val_loss": 2.1}]
    state = {"finetune.report": {"total_steps": 10, "step": 10, "points": points, "stopped_by_user": False,
                                 "diverged": None, "finished": True}, "answer": f"{math.exp(2.1):.3f}"}
    result = check(tmp_path, "finetuning.validation_run", json.dumps(state))
    assert result["status"] == "correct", result
    state["answer"] = "2.1"
    assert "exp(loss)" in check(tmp_path, "finetuning.validation_run", json.dumps(state))["feedback"]
    assert check(tmp_path, "finetuning.validation_run", "{not json")["status"] == "invalid"


@pytest.mark.real_models
def test_check_a_task_that_needs_the_model(tmp_path, prepared_decoder):
    state = {"decoding.prompt": t("decoding.default_prompt", "en"), "decoding.temperature": 1.0, "decoding.top_k": 0,
             "decoding.top_p": 1.0}
    result = check(tmp_path, "decoding.top_p_three", json.dumps(state))
    assert result["status"] == "incorrect" and "too many. Lower top-p." in result["feedback"]


def test_unknown_exercise_and_missing_file_are_usage_errors(tmp_path):
    missing = cli("check", "tokenization.nope", str(tmp_path / "x.txt"))
    assert missing.returncode == 2 and "no exercise" in json.loads(missing.stdout)["error"]
    no_file = cli("check", "tokenization.gpt2_vocab", str(tmp_path / "absent.txt"))
    assert no_file.returncode == 2 and "cannot read" in json.loads(no_file.stdout)["error"]
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert cli("check", "tokenization.gpt2_vocab", str(binary)).returncode == 2
    assert cli().returncode != 0


# --- show: an exercise's prompt and what to answer ---------------------------------------------------------------

def show(capsys, exercise_id: str, lang: str = "en") -> str:
    from gptlab.exercises.__main__ import main

    assert main(["show", exercise_id, "--lang", lang]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_show_prints_every_exercises_prompt_in_the_asked_language(capsys, lang):
    for ex in bank.all_exercises():
        out = show(capsys, ex.id, lang)
        assert out.startswith(f"{ex.id} · {t(f'exercises.kind.{ex.kind}', lang)} · {ex.lesson}\n")
        assert ex.text("prompt", lang).strip() in out
        assert f"python -m gptlab.exercises check {ex.id} " in out


def test_show_gives_a_code_exercise_its_signature_template_and_examples(capsys):
    out = show(capsys, "finetuning.group_texts")
    assert "\n    def group_texts(ids, block_size):\n" in out
    assert "    >>> group_texts([5, 6, 7], 4)\n    []\n" in out
    assert "Besides the examples, the checker runs hidden cases" in out
    pt = show(capsys, "attention.causal_mask", "pt-BR")
    assert "Escreva esta função num arquivo Python" in pt and "\n    def causal_mask(T):\n" in pt


def test_show_lists_the_choices_a_check_takes_and_hides_which_is_right(capsys):
    ex = bank.by_id("decoding.processor_order")
    out = show(capsys, ex.id)
    for choice in ex.choices:
        assert f"  {choice.id}) {ex.text(f'choice.{choice.id}', 'en')}\n" in out
    assert "why" not in out.lower() and ex.text(f"choice.{ex.choices[0].id}.why", "en") not in out


def test_show_names_the_state_a_task_reads(capsys):
    ex = bank.by_id("decoding.top_p_three")
    assert ", ".join(ex.reads) in show(capsys, ex.id)


def test_show_through_the_real_command_and_an_unknown_id():
    done = cli("show", "attention.causal_mask", "--lang", "pt-BR")
    assert done.returncode == 0, done.stderr
    assert "def causal_mask(T):" in done.stdout and "Escreva `causal_mask(T)`" in done.stdout
    missing = cli("show", "no.such_exercise")
    assert missing.returncode == 2 and "no.such_exercise" in missing.stderr and missing.stdout == ""
