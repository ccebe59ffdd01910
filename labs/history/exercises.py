"""Exercises of the GPT-1 to GPT-3 lesson (facts from Radford et al. 2018, 2019 and Brown et al. 2020)."""

from gptlab.exercises.builders import near, said
from gptlab.exercises.model import Choice, ChoiceExercise, Mistake, NumericExercise, TextExercise

LESSON = "history"

EXERCISES = (
    NumericExercise(
        id="history.parameter_ratio",
        lesson=LESSON,
        version=2,  # GPT-2's exact size (1,542 million) gives the lesson's other ratio, also right
        answer=175 / 1.5,
        also_right=(175_000 / 1_542,),
        rel_tol=0.01,
        mistakes=(
            Mistake(lambda x: any(near(r * f, 0.01)(x) for r in (175 / 1.5, 175_000 / 1_542) for f in (0.1, 0.01, 10))),
            Mistake(near(173.5, 0.01)),
            Mistake(near(1.5 / 175, 0.01)),
        ),
    ),
    ChoiceExercise(
        id="history.shots",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    ChoiceExercise(
        id="history.in_context_weights",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    TextExercise(
        id="history.webtext",
        lesson=LESSON,
        accepted=("GPT-2", "GPT2", "GPT 2"),
        mistakes=(
            Mistake(said("GPT-1", "GPT1", "GPT 1", "GPT")),
            Mistake(said("GPT-3", "GPT3", "GPT 3")),
        ),
    ),
    NumericExercise(
        id="history.gpt1_blocks",
        lesson=LESSON,
        answer=12,
        mistakes=(
            Mistake(near(48, 0)),
            Mistake(near(96, 0)),
            Mistake(near(6, 0)),
            Mistake(near(768, 0)),
        ),
    ),
)
