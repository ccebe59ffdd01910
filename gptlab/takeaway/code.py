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

from gptlab.nn.architecture import Gemma3
from gptlab.nn.decoding import Strategy
from gptlab.nn.finetune import FinetuneSettings
from gptlab.nn.lora import LoraSettings

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
    """One setup part: "decoder" (Gemma's tokenizer and model), "tokenizers" (the lab's three),
    "bert_tokenizer" (MiniLM's WordPiece, with the masking collator), "bert_encoder" (MiniLM's tokenizer
    and encoder) or a fine-tuning base (FINETUNE_BASES)."""
    if name == "decoder" and paths.hub_model:
        return render("hub_decoder", hub_id=paths.hub_model)
    if name == "decoder":
        return render("decoder", model_dir=paths.model_dir, tokenizer_dir=paths.tokenizer_dir)
    if name == "tokenizers":
        return render("tokenizers", gpt2_vocab=paths.gpt2_vocab, gpt2_merges=paths.gpt2_merges,
                      minilm_dir=paths.minilm_dir, gemma_tokenizer_dir=paths.tokenizer_dir)
    if name == "bert_tokenizer":
        return render("bert_tokenizer", minilm_dir=paths.minilm_dir)
    if name == "gpt2_tokenizer":
        return render("gpt2_tokenizer", gpt2_vocab=paths.gpt2_vocab, gpt2_merges=paths.gpt2_merges)
    if name == "bert_encoder":
        return render("bert_encoder", minilm_dir=paths.minilm_dir)
    if name in FINETUNE_BASES:
        dtype, comment = FINETUNE_BASES[name]
        return render("finetune_base", model_dir=paths.model_dir, tokenizer_dir=paths.tokenizer_dir, dtype=Code(dtype),
                      dtype_comment=Code(comment))
    raise KeyError(name)


FINETUNE_BASES = {  # setup parts of the fine-tuning run: a fresh base model to train, in the lab's dtype
    "lora_base": ("bfloat16", "bfloat16, as GPT Lab's shared LoRA base: only the adapter learns, the base is only read."),
    "full_copy": ("float32", "float32: the weights themselves learn (bf16=True below multiplies in bfloat16)."),
}


@dataclass(frozen=True)
class Snippet:
    setup: tuple[str, ...]  # setup parts it needs, in order
    body: str
    packages: tuple[str, ...] = ()  # what it imports beyond torch and transformers (the notebook installs them)

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


def texts_literal(texts: tuple[str, ...]) -> str:
    """A list of texts as code; a corpus that repeats a few texts (the seed corpus) as `[...] * n`."""
    n = len(texts)
    for period in range(1, n // 2 + 1):
        if n % period == 0 and texts == texts[:period] * (n // period):
            return f"{literal(texts[:period])} * {n // period}"
    return literal(tuple(texts))


@dataclass(frozen=True)
class FinetuningSettings:
    """The fine-tuning lab's run: the corpus, its blocks, LoRA (the lab's default) or full fine-tuning, Trainer."""

    texts: tuple[str, ...]
    method: str  # "lora" or "full"
    lora: LoraSettings
    train: FinetuneSettings

    def snippet(self) -> Snippet:
        if self.method not in FINETUNE_METHODS:
            raise ValueError(f"unknown method {self.method!r}")
        s, lora = self.train, self.lora
        if s.train_embeddings or not s.bf16:
            raise ValueError("the lab's run keeps the embedding frozen and trains in bf16")
        if self.method == "lora":
            method = render("finetuning_lora", rank=int(lora.rank), alpha=int(lora.alpha), dropout=float(lora.dropout),
                            projections=tuple(lora.projections or Gemma3.lora_targets))  # None: every projection
        else:
            method = render("finetuning_full", trainable_layers=int(s.trainable_layers))
        length = f"max_steps={int(s.max_steps)}" if s.max_steps > 0 else f"num_train_epochs={literal(float(s.epochs))}"
        body = render("finetuning", texts=Code(texts_literal(self.texts)), block_size=int(s.block_size),
                      validation_share=float(s.validation_share), seed=int(s.seed), method_code=Code(method.rstrip()),
                      length=Code(length), batch_size=int(s.batch_size), grad_accumulation=int(s.grad_accumulation),
                      learning_rate=float(s.learning_rate), eval_every=int(s.eval_every))
        packages = ("accelerate", "datasets") + (("peft",) if self.method == "lora" else ())
        return Snippet((FINETUNE_METHODS[self.method],), body, packages)


FINETUNE_METHODS = {"lora": "lora_base", "full": "full_copy"}  # method -> the setup part it trains


def strategy_code(strategy: Strategy) -> Code:
    """The sliders' strategy as a function strategy_probabilities(logits) (greedy when T = 0)."""
    if strategy.is_beam:
        raise ValueError("beam search has no per-token distribution")
    return Code(render("strategy", temperature=float(strategy.temperature), top_k=int(strategy.top_k),
                       top_p=float(strategy.top_p)).rstrip())


@dataclass(frozen=True)
class ManyDrawsSettings:
    """The decoding lab's many draws: n seeded draws of the next token beside its probabilities."""

    prompt: str
    strategy: Strategy
    n: int
    seed: int

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("many_draws", strategy_code=strategy_code(self.strategy), prompt=self.prompt,
                                            n=int(self.n), seed=int(self.seed)))


@dataclass(frozen=True)
class StepByStepSettings:
    """The decoding lab's step by step: the tokens added so far, the next candidates, the sampler's pick."""

    prompt: str
    chosen: tuple[int, ...]
    strategy: Strategy
    seed: int
    shown: int

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("step_by_step", strategy_code=strategy_code(self.strategy),
                                            prompt=self.prompt, chosen=tuple(int(i) for i in self.chosen),
                                            shown=int(self.shown), seed=int(self.seed)))


@dataclass(frozen=True)
class BertBesideGptSettings:
    """The attention lab's BERT beside GPT: one layer and head of each, and each one's share on the future."""

    text: str
    bert_layer: int
    bert_head: int
    gpt_layer: int
    gpt_head: int
    max_tokens: int = field(default=64)

    def snippet(self) -> Snippet:
        return Snippet(("bert_encoder", "decoder"), render(
            "bert_beside_gpt", text=self.text, bert_layer=int(self.bert_layer), bert_head=int(self.bert_head),
            gpt_layer=int(self.gpt_layer), gpt_head=int(self.gpt_head), max_tokens=int(self.max_tokens)))


BERTVIZ_VIEWS = {"head": "head_view", "model": "model_view"}
VENDOR_DIR = Path(__file__).resolve().parents[2] / "ui" / "static" / "vendor"  # bertviz's libraries, local copies
BERTVIZ_MODELS = {"bert": "bert_encoder", "gemma": "decoder"}  # model -> the setup part it needs


@dataclass(frozen=True)
class BertvizSettings:
    """The attention lab's bertviz view: the head view or the model view of BERT or Gemma on the text."""

    text: str
    model: str  # "bert" or "gemma"
    view: str  # "head" or "model"
    shown: int  # tokens drawn
    max_tokens: int = field(default=64)

    def snippet(self) -> Snippet:
        if self.model not in BERTVIZ_MODELS or self.view not in BERTVIZ_VIEWS:
            raise ValueError(f"unknown bertviz view {self.model!r}, {self.view!r}")
        run = render(f"bertviz_{self.model}", max_tokens=Code(str(int(self.max_tokens))))
        return Snippet((BERTVIZ_MODELS[self.model],), render(
            "bertviz", text=self.text, shown=int(self.shown), run_code=Code(run.rstrip()),
            view_call=Code(BERTVIZ_VIEWS[self.view]), file_name=f"gpt-lab-{self.model}-{self.view}-view.html",
            vendor_dir=str(VENDOR_DIR)),
            ("bertviz",))


@dataclass(frozen=True)
class LayerSideBySideSettings:
    """The BERT-vs-GPT lab's attention side by side: one layer of each, its heads averaged."""

    text: str
    bert_layer: int
    gpt_layer: int
    max_tokens: int = field(default=64)

    def snippet(self) -> Snippet:
        return Snippet(("bert_encoder", "decoder"), render(
            "layer_side_by_side", text=self.text, bert_layer=int(self.bert_layer), gpt_layer=int(self.gpt_layer),
            max_tokens=int(self.max_tokens)))


@dataclass(frozen=True)
class ContextualVectorsSettings:
    """The BERT-vs-GPT lab's contextual vectors: the cosine of each shared token's vectors in two sentences."""

    first: str
    second: str
    max_tokens: int = field(default=64)

    def snippet(self) -> Snippet:
        return Snippet(("bert_encoder", "decoder"), render(
            "contextual_vectors", first=self.first, second=self.second, max_tokens=int(self.max_tokens)))


GPT1_TASKS = ("classification", "entailment", "similarity", "multiple_choice")


@dataclass(frozen=True)
class Gpt1InputSettings:
    """The history lab's GPT-1 input builder: the task's token sequences, [Start] ... [Delim] ... [Extract]."""

    task: str
    text: str
    second: str = ""
    choices: tuple[str, ...] = ()

    def snippet(self) -> Snippet:
        if self.task not in GPT1_TASKS:
            raise ValueError(f"unknown task {self.task!r}")
        return Snippet(("gpt2_tokenizer",), render("gpt1_inputs", task=self.task, text=self.text, second=self.second,
                                                    choices=tuple(self.choices)))


@dataclass(frozen=True)
class HallucinationSettings:
    """The risks lab's hallucination: greedy answers to an invented and a real question, token by token confidence."""

    invented: str
    control: str
    expected: str
    max_new_tokens: int

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("hallucination", invented=self.invented, control=self.control,
                                            expected=self.expected, max_new_tokens=int(self.max_new_tokens)))


@dataclass(frozen=True)
class PromptSensitivitySettings:
    """The risks lab's prompt sensitivity: P(answer) after each phrasing of the same question."""

    phrasings: tuple[str, ...]
    answer: str

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("prompt_sensitivity", phrasings=tuple(self.phrasings), answer=self.answer))


@dataclass(frozen=True)
class ByteLevelSettings:
    """The tokenization lab's GPT-2 bytes: each token's bytes, split characters, and the bytes joined back."""

    text: str

    def snippet(self) -> Snippet:
        return Snippet(("gpt2_tokenizer",), render("byte_level", text=self.text))


@dataclass(frozen=True)
class SpecialTokensSettings:
    """The tokenization lab's special tokens: each tokenizer's, and what each adds around a text."""

    def snippet(self) -> Snippet:
        return Snippet(("tokenizers",), render("special_tokens"))


@dataclass(frozen=True)
class TokenInflationSettings:
    """The tokenization lab's token inflation: tokens of the same sentences in Portuguese and English."""

    pairs: tuple[tuple[str, str], ...]

    def snippet(self) -> Snippet:
        return Snippet(("tokenizers",), render("token_inflation", pairs=tuple(self.pairs)))


# --- the journey lab: one prompt from text to the next token -------------------------------------------

JOURNEY_MAX_TOKENS = 64  # gptlab.nn.journey.MAX_TOKENS: the tokens the lab follows
JOURNEY_FAMILIES = {  # family -> where its blocks, what each half of a block adds, and its final norm are
    "gemma3": {
        "blocks": "model.model.layers",
        "attention_out": "block.post_attention_layernorm",
        "mlp_out": "block.post_feedforward_layernorm",
        "hooks_comment": "# Gemma norms what each half adds: a_l leaves the post-attention norm, m_l the post-feedforward norm.",
        "final_norm": "model.model.norm",
    },
    "gpt2": {
        "blocks": "model.transformer.h",
        "attention_out": "block.attn",
        "mlp_out": "block.mlp",
        "hooks_comment": "# GPT-2 adds each half's output as it is: a_l leaves attn (after its c_proj), m_l leaves mlp.",
        "final_norm": "model.transformer.ln_f",
    },
}


def _journey_family(family: str) -> dict[str, str]:
    if family not in JOURNEY_FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    return JOURNEY_FAMILIES[family]


def journey_prompt(text: str, max_tokens: int = JOURNEY_MAX_TOKENS) -> Code:
    """The lines every journey view starts with: the text, and the ids the lab follows."""
    return Code(render("journey_prompt", text=text, max_tokens=int(max_tokens)).rstrip())


def _journey_template(name: str, family: str) -> str:
    _journey_family(family)
    return name if family == "gemma3" else f"{name}_{family}"


@dataclass(frozen=True)
class JourneyNumbersSettings:
    """The journey lab's "into numbers": the ids, each token's embedding row (its first numbers and its norm),
    Gemma's sqrt(d) scale or GPT-2's added position rows."""

    text: str
    family: str = field(default="gemma3")  # gptlab.nn.architecture's family: "gemma3" or "gpt2"
    shown: int = field(default=8)  # the first numbers of each row printed (the lab's table shows 8)

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render(_journey_template("journey_numbers", self.family),
                                            prompt_code=journey_prompt(self.text), shown=Code(str(int(self.shown)))))


@dataclass(frozen=True)
class JourneyPositionsSettings:
    """The journey lab's "where position enters": the token table's shape, and the position table's (GPT-2)
    or the rotations' (Gemma 3)."""

    text: str
    family: str = field(default="gemma3")

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render(_journey_template("journey_positions", self.family),
                                            prompt_code=journey_prompt(self.text)))


@dataclass(frozen=True)
class JourneyBlocksSettings:
    """The journey lab's "through the blocks": what each block's attention and MLP add at one position, the
    residual stream's norm, and the check against output_hidden_states."""

    text: str
    position: int
    family: str = field(default="gemma3")

    def snippet(self) -> Snippet:
        parts = _journey_family(self.family)
        return Snippet(("decoder",), render("journey_blocks", prompt_code=journey_prompt(self.text),
                                            position=int(self.position), blocks=Code(parts["blocks"]),
                                            attention_out=Code(parts["attention_out"]), mlp_out=Code(parts["mlp_out"]),
                                            hooks_comment=Code(parts["hooks_comment"]),
                                            final_norm=Code(parts["final_norm"])))


@dataclass(frozen=True)
class JourneyLensGridSettings:
    """The journey lab's lens heatmap: the lens's top 1 at every layer, over a window of positions."""

    text: str
    first: int  # the window's first position
    shown: int = field(default=16)  # gptlab.nn.journey.GRID_POSITIONS
    family: str = field(default="gemma3")

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("journey_lens_grid", prompt_code=journey_prompt(self.text),
                                            first=int(self.first), shown=int(self.shown),
                                            final_norm=Code(_journey_family(self.family)["final_norm"])))


@dataclass(frozen=True)
class JourneyLensSettings:
    """The journey lab's lens at one position: the answer's rank and probability at every layer, the top 5."""

    text: str
    position: int
    family: str = field(default="gemma3")

    def snippet(self) -> Snippet:
        return Snippet(("decoder",), render("journey_lens", prompt_code=journey_prompt(self.text),
                                            position=int(self.position),
                                            final_norm=Code(_journey_family(self.family)["final_norm"])))


@dataclass(frozen=True)
class JourneyNextTokenSettings:
    """The journey lab's "out to the next token": the output layer's logits at one position, and their softmax."""

    text: str
    position: int
    shown: int = field(default=10)  # gptlab.nn.journey.TOP_K
    family: str = field(default="gemma3")

    def snippet(self) -> Snippet:
        _journey_family(self.family)
        return Snippet(("decoder",), render("journey_next_token", prompt_code=journey_prompt(self.text),
                                            position=int(self.position), shown=int(self.shown)))
