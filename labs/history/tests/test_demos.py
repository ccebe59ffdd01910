"""GPT-1 input formats, the timeline's data, in-context scoring: pure parts and the real decoder."""

from __future__ import annotations

import math

import pytest
import torch

from gptlab.nn.confidence import score_continuations
from labs.history import gpt1_inputs as g1
from labs.history import in_context as icl
from labs.history import timeline as tl


# --- GPT-1 input transformations --------------------------------------------------------------------------
def texts(sequence):
    return [p.text for p in sequence]


def test_classification_is_start_text_extract(gpt2_tokenizer):
    built = g1.build("classification", gpt2_tokenizer, text="A fine film.")
    (seq,) = built.sequences
    assert texts(seq) == ["<s>", "A", " fine", " film", ".", "<e>"]
    assert [p.special for p in seq] == [True, False, False, False, False, True]
    assert built.combine == "single"


def test_entailment_puts_the_delimiter_between_premise_and_hypothesis(gpt2_tokenizer):
    (seq,) = g1.build("entailment", gpt2_tokenizer, text="It rains.", second="It is wet.").sequences
    words = texts(seq)
    assert words[0] == "<s>" and words[-1] == "<e>" and words.count("$") == 1
    assert "".join(words[1 : words.index("$")]) == "It rains."
    assert "".join(words[words.index("$") + 1 : -1]) == "It is wet."


def test_similarity_uses_both_orders(gpt2_tokenizer):
    built = g1.build("similarity", gpt2_tokenizer, text="one", second="two")
    assert [texts(s) for s in built.sequences] == [["<s>", "one", "$", "two", "<e>"], ["<s>", "two", "$", "one", "<e>"]]
    assert built.combine == "sum"


def test_multiple_choice_makes_one_sequence_per_answer(gpt2_tokenizer):
    built = g1.build("multiple_choice", gpt2_tokenizer, text="Q?", choices=("yes", "", "no", "maybe"))
    assert len(built.sequences) == 3  # the empty line is not an answer
    assert [texts(s)[-2] for s in built.sequences] == ["yes", "no", "maybe"]
    assert built.combine == "softmax_over_sequences"


def test_a_literal_dollar_in_the_text_is_not_the_delimiter(gpt2_tokenizer):
    (seq,) = g1.build("classification", gpt2_tokenizer, text="It costs $5").sequences
    assert [p.special for p in seq].count(True) == 2  # only Start and Extract


@pytest.mark.parametrize(
    "kwargs, field, problem",
    [
        (dict(task="classification", text="  "), "text", "empty"),
        (dict(task="entailment", text="a", second=""), "second", "empty"),
        (dict(task="similarity", text="a" * (g1.MAX_PART_CHARS + 1), second="b"), "text", "too_long"),
        (dict(task="multiple_choice", text="q", choices=("only one",)), "choices", "too_few"),
        (dict(task="multiple_choice", text="q", choices=tuple("abcdef")), "choices", "too_many"),
    ],
)
def test_bad_parts_are_named(gpt2_tokenizer, kwargs, field, problem):
    task = kwargs.pop("task")
    with pytest.raises(g1.InputError) as err:
        g1.build(task, gpt2_tokenizer, **kwargs)
    assert (err.value.field, err.value.problem) == (field, problem)


def test_emoji_and_markup_are_just_tokens(gpt2_tokenizer):
    (seq,) = g1.build("classification", gpt2_tokenizer, text="<b>oi</b> 👋🏽").sequences
    assert b"".join(p.raw for p in seq).decode("utf-8") == "<b>oi</b> 👋🏽"
    assert any(p.text.startswith("⟨") for p in seq)  # a byte token holding part of the emoji shows its bytes


# --- timeline ------------------------------------------------------------------------------------------------
def test_milestones_are_in_date_order_with_the_papers_numbers():
    dates = [m.date for m in tl.MILESTONES]
    assert dates == sorted(dates)
    by = {m.name: m for m in tl.MILESTONES}
    assert by["GPT-3"].parameters == 175 * 10**9 and by["GPT-3"].training_tokens == 300 * 10**9
    assert by["Chinchilla"].parameters == 70 * 10**9 and by["Chinchilla"].training_tokens == 1_400 * 10**9
    assert by["GPT-2"].parameters / by["GPT-1"].parameters == pytest.approx(13.2, abs=0.1)  # not "about 10x"
    assert by["Claude 3"].parameters is None and by["Claude"].parameters is None  # never disclosed


def test_the_largest_models_kept_growing_after_2021_and_their_access_is_told_apart():
    by = {m.name: m for m in tl.MILESTONES}
    assert by["PaLM"].parameters == 540 * 10**9 and by["PaLM"].date == "2022-04" and by["PaLM"].weights == "closed"
    assert by["Llama 3.1 405B"].parameters == 405 * 10**9 and by["Llama 3.1 405B"].weights == "open"
    deepseek = by["DeepSeek-V3"]
    assert (deepseek.parameters, deepseek.active_parameters) == (671 * 10**9, 37 * 10**9) and deepseek.mixture_of_experts
    assert [m.name for m in tl.MILESTONES if m.mixture_of_experts] == ["DeepSeek-V3"]  # the others are dense
    assert by["LLaMA 65B"].weights == "research"  # given to researchers on request, not open weights
    after_gpt3 = [m.parameters for m in tl.MILESTONES if m.date > "2021-12" and m.parameters]
    assert max(after_gpt3) > by["GPT-3"].parameters
    assert {m.weights for m in tl.MILESTONES} == {"open", "research", "closed"}
    for m in tl.MILESTONES:  # a primary source for every model
        assert m.source and m.url.startswith("https://"), m.name


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_a_mixture_of_experts_says_both_its_sizes(lang):
    from gptlab.i18n import t

    assert tl.parameters_text(671, 37, lang) == t("history.timeline.moe", lang, total="671", active="37")
    assert tl.parameters_text(1.542, None, lang) == ("1,542" if lang == "pt-BR" else "1.542")
    spec = tl.timeline_chart(tl.table(), tl.TimelineTitles("x", "y", "m", "o", "p", "w"), lang).to_dict()
    rows = [row for data in spec["datasets"].values() for row in data]
    labels = {row.get("label") for row in rows}
    assert t("history.timeline.moe_label", lang, name="DeepSeek-V3") in labels and "PaLM" in labels
    assert t("history.timeline.active_label", lang, active="37") in {row.get("active_text") for row in rows}
    weights = {row["name"]: row.get("weights_text") for row in rows if "weights_text" in row}
    assert weights["LLaMA 65B"] == t("history.timeline.weights.research", lang)


def test_the_lab_decoder_size_matches_the_milestone(prepared_decoder):
    from gptlab import models

    model = models.load_decoding_model()
    count = sum(p.numel() for p in model.parameters())
    assert round(count / 10**6) == tl.MILESTONES[-1].parameters // 10**6 == 268


def test_chart_plots_only_disclosed_sizes():
    titles = tl.TimelineTitles("x", "y", "m", "o", "p", "w")
    frame = tl.table()
    spec = tl.timeline_chart(frame, titles, "pt-BR").to_dict()
    plotted = {row["name"] for row in next(iter(spec["datasets"].values()))}  # the first data set: every point
    assert plotted == {m.name for m in tl.MILESTONES if m.parameters is not None}
    assert spec["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert "replace" in spec["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]  # decimal comma in pt-BR
    rows = {row["name"]: row for row in next(iter(spec["datasets"].values()))}
    assert rows["GPT-2"]["parameters_text"] == "1,542" and rows["GPT-3"]["parameters_text"] == "175"  # pt-BR tooltips


def test_every_milestone_note_exists_in_both_languages():
    for m in tl.MILESTONES:
        assert bool(m.note("pt-BR")) == bool(m.note("en")), m.name
        assert m.url.startswith("https://"), m.name


# --- in-context learning: prompts ----------------------------------------------------------------------------
TASK = icl.FewShotTask("Plural.", (icl.Example("cat", "cats"), icl.Example("box", "boxes")), "fox", "foxes")


def test_prompts_grow_by_one_solved_example_per_shot():
    assert icl.build_prompt(TASK, 0) == "Plural.\nfox =>"
    assert icl.build_prompt(TASK, 2) == "Plural.\ncat => cats\nbox => boxes\nfox =>"
    assert icl.build_prompt(icl.FewShotTask("", TASK.examples, "fox", "foxes"), 1) == "cat => cats\nfox =>"


def test_examples_box_round_trips_and_reports_bad_lines():
    assert icl.parse_examples(icl.examples_text(TASK.examples)) == TASK.examples
    assert icl.parse_examples("\n  a  =>  b c \n\n") == (icl.Example("a", "b c"),)
    for box, line, problem in [("a => b\nnot an example", 2, "no_arrow"), ("=> b", 1, "empty_side"),
                               ("a => " + "x" * 81, 1, "too_long"), ("a => b\n" * 9, 9, "too_many")]:
        with pytest.raises(icl.ExampleFormatError) as err:
            icl.parse_examples(box)
        assert (err.value.line, err.value.problem) == (line, problem)


def test_make_task_refuses_empty_answer_and_query():
    with pytest.raises(ValueError, match="answer:empty"):
        icl.make_task("", "a => b", "c", "  ")
    with pytest.raises(ValueError, match="query:too_long"):
        icl.make_task("", "", "q" * 81, "a")


# --- scoring: equals the model's own loss ---------------------------------------------------------------------
def test_score_equals_the_models_cross_entropy_on_a_tiny_model(make_tiny_model):
    model = make_tiny_model("gemma", defaults=False, vocab_size=50, hidden_size=32, intermediate_size=64,
                            num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=16)
    prompt, answer = [2, 7, 9, 11], [5, 6, 8]
    (score,) = score_continuations(model, [prompt], [answer])
    ids = torch.tensor([prompt + answer])
    labels = torch.tensor([[-100] * len(prompt) + answer])
    with torch.no_grad():
        loss = model(input_ids=ids, labels=labels).loss  # mean over the 3 answer tokens
    assert score.logprob == pytest.approx(-3 * loss.item(), rel=1e-4)
    assert 1 <= score.first_rank <= 50


@pytest.mark.real_models
def test_examples_raise_the_right_answers_probability_on_the_real_decoder(prepared_decoder):
    from gptlab import models

    model, tokenizer = models.load_decoding_model(), models.load_decoder_tokenizer()
    task = icl.presets("en")["plural"]
    curve = [icl.shot_result(model, tokenizer, task, k) for k in range(5)]
    probs = [r.score.prob for r in curve]
    assert [r.shots for r in curve] == [0, 1, 2, 3, 4]
    assert len(set(round(p, 6) for p in probs)) == 5  # computed per prompt, not a constant
    assert probs[4] > 5 * probs[0]  # measured: 3 % zero-shot, over 90 % with 4 examples
    # The answer's probability is the product of its tokens' probabilities, from the same pass.
    last = curve[-1].score
    assert last.prob == pytest.approx(math.prod(math.exp(x) for x in last.token_logprobs))


@pytest.mark.real_models
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_every_preset_scores_on_the_real_decoder(prepared_decoder, lang):
    from gptlab import models

    model, tokenizer = models.load_decoding_model(), models.load_decoder_tokenizer()
    for name, task in icl.presets(lang).items():
        zero, few = icl.shot_result(model, tokenizer, task, 0), icl.shot_result(model, tokenizer, task, 8)
        assert 0 < zero.score.prob < 1 and 0 < few.score.prob < 1, name
        assert few.score.prob > zero.score.prob, name  # the presets were chosen for this
