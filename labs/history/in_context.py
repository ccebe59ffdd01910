"""In-context learning: the same task zero-, one- and few-shot, and how likely the right answer becomes.

GPT-3 (Brown et al., 2020) showed that a large language model can do a task from a description and
a few solved examples placed in its prompt, with no gradient update: "k-shot" means k examples.
Here the lab's decoder scores the right answer after 0, 1, ..., k examples of one task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from gptlab.i18n import catalog, value
from gptlab.nn.confidence import ContinuationScore, score_continuations

ARROW = " =>"  # between an input and its output; the answer follows with a leading space
MAX_EXAMPLES = 8
MAX_FIELD_CHARS = 80  # one input or output; longer ones are refused, not cut
MAX_INSTRUCTION_CHARS = 200
PRESETS_KEY = "history.icl.presets."  # each preset's instruction, examples, query and answer


@dataclass(frozen=True)
class Example:
    input: str
    output: str


@dataclass(frozen=True)
class FewShotTask:
    instruction: str  # may be empty: then the examples alone say what the task is
    examples: tuple[Example, ...]
    query: str
    answer: str  # the right output for `query`


@dataclass(frozen=True)
class ShotResult:
    shots: int
    prompt: str
    score: ContinuationScore


def example_line(example: Example) -> str:
    return f"{example.input}{ARROW} {example.output}\n"


def build_prompt(task: FewShotTask, shots: int) -> str:
    """Instruction, then the first `shots` examples, then the query waiting for its output."""
    head = f"{task.instruction}\n" if task.instruction else ""
    solved = "".join(example_line(e) for e in task.examples[:shots])
    return f"{head}{solved}{task.query}{ARROW}"


class ExampleFormatError(ValueError):
    """A line of the examples box that is not 'input => output'; `line` is 1-based."""

    def __init__(self, line: int, problem: str):
        super().__init__(f"line {line}: {problem}")
        self.line, self.problem = line, problem


def _clean(field: str) -> str:
    return " ".join(field.split())


def parse_examples(text: str) -> tuple[Example, ...]:
    """One example per non-empty line, written 'input => output'."""
    examples: list[Example] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=>" not in line:
            raise ExampleFormatError(number, "no_arrow")
        left, right = line.split("=>", 1)
        left, right = _clean(left), _clean(right)
        if not left or not right:
            raise ExampleFormatError(number, "empty_side")
        if len(left) > MAX_FIELD_CHARS or len(right) > MAX_FIELD_CHARS:
            raise ExampleFormatError(number, "too_long")
        examples.append(Example(left, right))
        if len(examples) > MAX_EXAMPLES:
            raise ExampleFormatError(number, "too_many")
    return tuple(examples)


def examples_text(examples: Sequence[Example]) -> str:
    return "".join(f"{e.input} => {e.output}\n" for e in examples)


def make_task(instruction: str, examples_box: str, query: str, answer: str) -> FewShotTask:
    """A task from the widget's four fields; raises ExampleFormatError or ValueError('field:problem')."""
    instruction, query, answer = _clean(instruction), _clean(query), _clean(answer)
    if len(instruction) > MAX_INSTRUCTION_CHARS:
        raise ValueError("instruction:too_long")
    for name, field in (("query", query), ("answer", answer)):
        if not field:
            raise ValueError(f"{name}:empty")
        if len(field) > MAX_FIELD_CHARS:
            raise ValueError(f"{name}:too_long")
    return FewShotTask(instruction, parse_examples(examples_box), query, answer)


def shot_result(model, tokenizer, task: FewShotTask, shots: int) -> ShotResult:
    """P(right answer) after the first `shots` examples: one forward pass."""
    prompt = build_prompt(task, shots)
    prompt_ids = tokenizer(prompt)["input_ids"]  # with <bos>, as the model was trained
    answer_ids = tokenizer(f" {task.answer}", add_special_tokens=False)["input_ids"]
    return ShotResult(shots, prompt, score_continuations(model, [prompt_ids], [answer_ids])[0])



def presets(language: str) -> dict[str, FewShotTask]:
    """The preset tasks in one language, in the order its strings list them (labs/history/strings/<lang>.toml).

    Chosen because Gemma 3 270M visibly learns them from examples (measured: see the tests).
    """
    found: dict[str, FewShotTask] = {}
    for key in catalog(language):
        if key.startswith(PRESETS_KEY) and key.endswith(".instruction"):
            name = key[len(PRESETS_KEY):-len(".instruction")]
            base = f"{PRESETS_KEY}{name}"
            found[name] = FewShotTask(
                value(f"{base}.instruction", language),
                tuple(Example(a, b) for a, b in value(f"{base}.examples", language)),
                value(f"{base}.query", language),
                value(f"{base}.answer", language),
            )
    return found
