"""Exercises of the risks and good practice lesson."""

from gptlab.exercises.builders import near
from gptlab.exercises.model import Choice, ChoiceExercise, Mistake, NumericExercise

LESSON = "risks"

EXERCISES = (
    NumericExercise(
        id="risks.context_budget",
        lesson=LESSON,
        answer=24,
        mistakes=(
            Mistake(near(1024, 0)),
            Mistake(near(2024, 0)),
            Mistake(near(0, 0)),
        ),
    ),
    ChoiceExercise(
        id="risks.read_the_curves",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    ChoiceExercise(
        id="risks.hallucination",
        lesson=LESSON,
        choices=(
            Choice("a", True),
            Choice("b", False),
            Choice("c", False),
            Choice("d", False),
        ),
    ),
    ChoiceExercise(
        id="risks.good_practice",
        lesson=LESSON,
        multiple=True,
        choices=(
            Choice("a", True),
            Choice("b", True),
            Choice("c", True),
            Choice("d", False),
            Choice("e", False),
        ),
    ),
)
