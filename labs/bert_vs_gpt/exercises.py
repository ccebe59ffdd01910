"""Exercises of the BERT vs GPT lesson (facts from Devlin et al. 2019, Liu et al. 2019, Sanh et al. 2019, Lan et al. 2020)."""

from gptlab.exercises.builders import near, said
from gptlab.exercises.model import Choice, ChoiceExercise, Mistake, NumericExercise, TextExercise

LESSON = "bert-vs-gpt"

EXERCISES = (
    NumericExercise(
        id="bert-vs-gpt.mlm_masked_count",
        lesson=LESSON,
        answer=200 * 0.15 * 0.8,
        abs_tol=0.01,
        mistakes=(
            Mistake(near(30, 0)),
            Mistake(near(160, 0)),
            Mistake(near(3, 0)),
        ),
    ),
    ChoiceExercise(
        id="bert-vs-gpt.sees_the_future",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    ChoiceExercise(
        id="bert-vs-gpt.encoder_only",
        lesson=LESSON,
        multiple=True,
        choices=(
            Choice("a", True),
            Choice("b", True),
            Choice("c", True),
            Choice("d", False),
            Choice("e", False),
            Choice("f", False),
        ),
    ),
    TextExercise(
        id="bert-vs-gpt.classification_token",
        lesson=LESSON,
        accepted=("[CLS]", "CLS"),
        mistakes=(
            Mistake(said("[SEP]", "SEP")),
            Mistake(said("[MASK]", "MASK")),
            Mistake(said("<bos>", "bos", "[BOS]")),
        ),
    ),
    ChoiceExercise(
        id="bert-vs-gpt.roberta",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
)
