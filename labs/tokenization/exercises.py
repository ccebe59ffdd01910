"""Exercises of the tokenization lesson: the bank (texts in strings/), the widget-task checkers."""

from gptlab.exercises.builders import near, said
from gptlab.exercises.checkers import Verdict, task_problem
from gptlab.exercises.model import Choice, ChoiceExercise, Mistake, NumericExercise, TextExercise, WidgetTask
from gptlab.exercises.tasks import done, quoted, state_text
from gptlab.i18n import fmt_int, t
from gptlab.nn import tokenization as tk
from labs.tokenization import settings as S

# --- widget-task checkers ------------------------------------------------------------

def bert_unknown(state: dict, env, lang: str) -> Verdict:
    """The BERT tokenizer must turn some word of the lab's text into [UNK]."""
    check = tk.check_text(state_text(state.get(S.TEXT_KEY)))
    if check.problem == "empty":
        return task_problem("exercises.task.no_text", lang)
    result = tk.tokenize(env.minilm_tokenizer(), check.text)
    unknown = [check.text[x.start : x.end] for x in result.tokens if x.piece == "[UNK]" and not x.added]
    if unknown:
        words = ", ".join(quoted(w) for w in unknown[:5])
        return done(True, t("tokenization.task.unk_found", lang, n=len(unknown), words=words))
    return done(False, t("tokenization.task.unk_none", lang, n=fmt_int(result.n_content_tokens, lang)))


def partial_character(state: dict, env, lang: str) -> Verdict:
    """Some GPT-2 token of the byte view's text must hold only part of a character."""
    check = tk.check_text(state_text(state.get(S.BYTES_TEXT_KEY)), S.SHORT_TEXT)
    if check.problem == "empty":
        return task_problem("exercises.task.no_text", lang)
    view = tk.byte_level_view(env.gpt2_tokenizer(), check.text)
    partial = [x for x in view if x.text is None]
    if partial:
        first = partial[0]
        return done(True, t("tokenization.task.partial_found", lang, n=len(partial), piece=quoted(first.piece),
                             hex=first.hex))
    return done(False, t("tokenization.task.partial_none", lang, n=fmt_int(len(view), lang)))


LESSON = "tokenization"

EXERCISES = (
    NumericExercise(
        id="tokenization.gpt2_vocab",
        lesson=LESSON,
        answer=50_257,
        mistakes=(
            Mistake(near(50_256, 0)),
            Mistake(near(50_000, 0)),
            Mistake(near(30_522, 0)),
            Mistake(near(262_144, 0)),
        ),
    ),
    ChoiceExercise(
        id="tokenization.why_a_tilde",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    TextExercise(
        id="tokenization.space_marker",
        lesson=LESSON,
        accepted=("▁", "U+2581", "u2581", "0x2581"),
        mistakes=(
            Mistake(said("Ġ", "U+0120")),
            Mistake(said("_", "U+005F")),
            Mistake(said("##")),
            Mistake(said(" ", "espaço", "space")),
        ),
    ),
    NumericExercise(
        id="tokenization.embedding_params",
        lesson=LESSON,
        answer=262_144 * 640,
        rel_tol=0.002,
        mistakes=(
            Mistake(near(262_144 + 640)),
            Mistake(near(50_257 * 768)),
            Mistake(near(268_098_176, 0.02)),
        ),
    ),
    ChoiceExercise(
        id="tokenization.emoji_without_unk",
        lesson=LESSON,
        multiple=True,
        choices=(
            Choice("a", True),
            Choice("b", True),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    NumericExercise(
        id="tokenization.premium",
        lesson=LESSON,
        answer=1.3,
        abs_tol=0.005,
        mistakes=(
            Mistake(near(100 / 130, abs_=0.005)),
            Mistake(near(30, 0)),
            Mistake(near(130, 0)),
        ),
    ),
    WidgetTask(
        id="tokenization.bert_unk",
        lesson=LESSON,
        reads=(S.TEXT_KEY,),
        needs=("minilm",),
        checker=bert_unknown,
    ),
    WidgetTask(
        id="tokenization.partial_character",
        lesson=LESSON,
        reads=(S.BYTES_TEXT_KEY,),
        needs=("gpt2",),
        checker=partial_character,
    ),
)
