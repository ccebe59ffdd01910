"""A widget's settings -> standalone Python that reproduces what the widget shows.

Each widget has a frozen dataclass of the settings it shows (prompt, temperature, layer...). Its code
is a template from templates/ (string.Template) filled with those settings: every value written as
a Python literal (`literal`), so a prompt with quotes, backslashes, newlines or triple quotes gives
valid code that holds exactly that text. A snippet is its setup parts (loading a model or the
tokenizers) followed by its body; the notebook writes each setup once, the expander writes both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from string import Template

from gptlab.nn.decoding import Strategy

TEMPLATES = Path(__file__).resolve().parent / "templates"


def literal(value: object) -> str:
    """A Python literal that evaluates to `value` (str, int, float, bool, None; a tuple of them as a list).

    repr() escapes quotes, backslashes, newlines and lone surrogates, so the text round-trips
    through ast.literal_eval; floats must be finite (a settings value, never inf or NaN).
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"no literal for {value!r}")
    if value is None or isinstance(value, (str, int, float, bool)):
        return repr(value)
    if isinstance(value, Path):
        return repr(str(value))
    if isinstance(value, tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"  # written as a list: what a student would type
    raise TypeError(f"no literal for {type(value).__name__}")


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    return Template((TEMPLATES / f"{name}.py.tmpl").read_text(encoding="utf-8"))


def render(name: str, **values: object) -> str:
    """templates/<name>.py.tmpl with each value as a literal (a str value already code: see `Code`)."""
    filled = {k: v.text if isinstance(v, Code) else literal(v) for k, v in values.items()}
    return _template(name).substitute(filled).rstrip() + "\n"


@dataclass(frozen=True)
class Code:
    """Text that goes into a template as code, not as a literal (e.g. rendered dictionary lines)."""

    text: str


@dataclass(frozen=True)
class Paths:
    """Where the offline models are on this machine (the snippets load them from there)."""

    model_dir: str
    tokenizer_dir: str
    gpt2_vocab: str
    gpt2_merges: str
    minilm_dir: str
    hub_model: str | None = None  # a Hub causal LM picked instead of Gemma (gptlab.models.catalog): its id

    @classmethod
    def local(cls) -> "Paths":
        from gptlab import models

        vocab, merges = models.gpt2_vocab_files()
        return cls(str(models.decoder_model_dir()), str(models.decoder_tokenizer_dir()), str(vocab), str(merges),
                   str(models.minilm_dir()))


def setup_code(name: str, paths: Paths) -> str:
    """One setup part: "decoder" (Gemma's tokenizer and model), "tokenizers" (the lab's three) or
    "bert_tokenizer" (MiniLM's WordPiece, with the masking collator)."""
    if name == "decoder" and paths.hub_model:
        return render("hub_decoder", hub_id=paths.hub_model)
    if name == "decoder":
        return render("decoder", model_dir=paths.model_dir, tokenizer_dir=paths.tokenizer_dir)
    if name == "tokenizers":
        return render("tokenizers", gpt2_vocab=paths.gpt2_vocab, gpt2_merges=paths.gpt2_merges,
                      minilm_dir=paths.minilm_dir, gemma_tokenizer_dir=paths.tokenizer_dir)
    if name == "bert_tokenizer":
        return render("bert_tokenizer", minilm_dir=paths.minilm_dir)
    raise KeyError(name)


@dataclass(frozen=True)
class Snippet:
    setup: tuple[str, ...]  # setup parts it needs, in order
    body: str

    def code(self, paths: Paths) -> str:
        """The standalone script: its setup parts, then its body."""
        return "\n\n".join([setup_code(name, paths) for name in self.setup] + [self.body])


# --- one settings dataclass per widget ------------------------------------------------------------


@dataclass(frozen=True)
class TokenizationSettings:
    """The tokenization lab's first view: one text through GPT-2, BERT and Gemma's tokenizers."""

    text: str

    def snippet(self) -> Snippet:
        return Snippet(("tokenizers",), render("tokenization", text=self.text))


@dataclass(frozen=True)
class NextTokenSettings:
    """The decoding lab's next-token distribution under the student's temperature, top-k and top-p."""

    prompt: str
    strategy: Strategy
    shown: int

    def snippet(self) -> Snippet:
        s = self.strategy
        return Snippet(("decoder",), render("next_token", prompt=self.prompt, temperature=float(s.temperature),
                                            top_k=int(s.top_k), top_p=float(s.top_p), shown=int(self.shown)))


def generate_kwargs(strategy: Strategy) -> str:
    """The keyword arguments of generate(...) for one strategy, as code."""
    if strategy.is_beam:
        return f"do_sample=False, num_beams={strategy.num_beams}"
    if strategy.is_greedy:
        return "do_sample=False"
    return (f"do_sample=True, temperature={literal(float(strategy.temperature))}, top_k={int(strategy.top_k)}, "
            f"top_p={literal(float(strategy.top_p))}")


@dataclass(frozen=True)
class GenerationSettings:
    """Strategies side by side, or the temperature x top-p grid: one text per strategy, one seed."""

    prompt: str
    rows: tuple[tuple[str, Strategy], ...]  # (the name the page shows, the strategy)
    max_new_tokens: int
    seed: int

    def snippet(self) -> Snippet:
        lines = "".join(f"    {literal(name)}: dict({generate_kwargs(s)}),\n" for name, s in self.rows)
        return Snippet(("decoder",), render("generation", prompt=self.prompt, max_new_tokens=int(self.max_new_tokens),
                                            seed=int(self.seed), strategies=Code(lines)))


@dataclass(frozen=True)
class AttentionMapSettings:
    """The attention lab's map: one layer and head of the decoder on the student's sentence."""

    text: str
    layer: int
    head: int
    max_tokens: int = field(default=64)

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("attention_map", text=self.text, layer=int(self.layer), head=int(self.head),
                                            max_tokens=int(self.max_tokens)))


@dataclass(frozen=True)
class BertMaskingSettings:
    """The BERT-vs-GPT lab's masking: one seeded corruption of the sentence, as the collator makes it."""

    text: str
    seed: int
    mlm_probability: float

    def snippet(self) -> Snippet:
        return Snippet(("bert_tokenizer",), render("bert_masking", text=self.text, seed=int(self.seed),
                                                   mlm_probability=float(self.mlm_probability)))


@dataclass(frozen=True)
class AttentionStepsSettings:
    """The attention lab's mask step by step: scores, mask, masked scores, softmax of one layer and head."""

    text: str
    layer: int
    head: int
    max_tokens: int = field(default=64)
    family: str = field(default="gemma3")  # gptlab.nn.architecture: how the model makes Q and K ("gemma3", "gpt2")

    def snippet(self) -> Snippet:
        template = {"gemma3": "attention_steps", "gpt2": "attention_steps_gpt2"}[self.family]
        return Snippet(("decoder",), render(template, text=self.text, layer=int(self.layer),
                                            head=int(self.head), max_tokens=int(self.max_tokens)))


@dataclass(frozen=True)
class BiasProbeSettings:
    """The risks lab's bias probe: P(candidate | template filled with each profession), two candidates."""

    template: str
    professions: tuple[str, ...]
    candidates: tuple[str, str]

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("bias_probe", template=self.template, professions=tuple(self.professions),
                                            candidate_a=self.candidates[0], candidate_b=self.candidates[1]))


@dataclass(frozen=True)
class ContextWindowSettings:
    """The risks lab's context window: P(answer) after the whole text and after what a window keeps."""

    text: str
    answer: str
    window: int

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("context_window", text=self.text, answer=self.answer,
                                            window=int(self.window)))


@dataclass(frozen=True)
class InContextSettings:
    """The history lab's in-context learning: P(right answer) after 0, 1, ..., max_shots examples."""

    instruction: str
    examples: tuple[tuple[str, str], ...]  # (input, output)
    query: str
    answer: str
    max_shots: int

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("in_context", instruction=self.instruction, examples=tuple(self.examples),
                                            query=self.query, answer=self.answer, max_shots=int(self.max_shots)))
