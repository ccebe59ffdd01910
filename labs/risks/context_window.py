"""The context window: a model reads at most so many tokens; whatever falls outside is simply not there.

When a text is longer than the window, an application keeps the start token and the end of the text
(what the model continues) and drops the middle, as core.generation.fit_prompt does. A fact that sat in
the dropped part cannot influence the answer, however clearly it was stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from core import generation as G
from core.confidence import ContinuationScore, score_continuations

MIN_WINDOW = 16
MAX_WINDOW = G.LAB_CONTEXT_TOKENS
MAX_TEXT_CHARS = 8_000  # about 2,000 tokens: beyond the lab's window anyway

DEFAULT_TEXTS = {
    "en": (
        "My name is Ana and I live in Recife.\n\n"
        "Every morning I make coffee and read for a while before work. Lately I have been reading about "
        "gardening: how much water tomatoes need, why basil likes the sun, and how to keep snails away from "
        "the lettuce without poisoning the soil.\n\n"
        "At work I spend most of the day answering messages and planning small projects with my team. We meet "
        "on Mondays to decide what matters most that week, and on Fridays we look back at what went well and "
        "what did not.\n\n"
        "In the evenings I cook something simple, usually rice, beans and whatever vegetables are left in the "
        "fridge. Then I call my sister, who always has a story about her two cats and their latest adventure on "
        "the bookshelf.\n\n"
        "On weekends I like to go for long walks, take photographs of old doors and windows, and try a new "
        "recipe for bread. The bread does not always rise, but it is always eaten.\n\n"
        "Question: where do I live?\nAnswer: I live in"
    ),
    "pt-BR": (
        "Meu nome é Ana e eu moro em Recife.\n\n"
        "Toda manhã eu faço café e leio um pouco antes do trabalho. Ultimamente tenho lido sobre jardinagem: "
        "quanta água os tomates precisam, por que o manjericão gosta de sol e como afastar as lesmas da alface "
        "sem envenenar a terra.\n\n"
        "No trabalho passo quase o dia inteiro respondendo mensagens e planejando pequenos projetos com a minha "
        "equipe. Nós nos reunimos às segundas-feiras para decidir o que importa mais na semana e, às sextas, "
        "olhamos para trás para ver o que deu certo e o que não deu.\n\n"
        "À noite cozinho algo simples, geralmente arroz, feijão e os legumes que sobraram na geladeira. Depois "
        "ligo para minha irmã, que sempre tem uma história sobre os seus dois gatos e a última aventura deles "
        "na estante de livros.\n\n"
        "Nos fins de semana gosto de fazer longas caminhadas, fotografar portas e janelas antigas e testar uma "
        "receita nova de pão. O pão nem sempre cresce, mas sempre é comido.\n\n"
        "Pergunta: onde eu moro?\nResposta: Eu moro em"
    ),
}
DEFAULT_ANSWER = "Recife"


@dataclass(frozen=True)
class Window:
    """Which tokens of a text the model still reads through a window of `size` tokens."""

    size: int
    ids: tuple[int, ...]  # what the model reads: <bos> and the end of the text
    kept: tuple[bool, ...]  # one flag per token of the whole text
    dropped: int


def fit_window(ids: Sequence[int], size: int, bos_id: int | None, answer_tokens: int = 1) -> Window:
    """Keep <bos> and the last tokens so that text + answer fit: the answer's tokens (all but the last,
    which is only predicted) are read by the model too, so they take room in the window."""
    if size < answer_tokens + 1:
        raise ValueError("the window must hold at least one token of text and the answer")
    fitted = G.fit_prompt(ids, max_new_tokens=answer_tokens - 1, bos_id=bos_id, context=size)
    n = len(ids)
    head = 1 if fitted.dropped and bos_id is not None and n and ids[0] == bos_id else 0
    kept = tuple(i < head or i >= head + fitted.dropped for i in range(n))
    return Window(size, fitted.ids, kept, fitted.dropped)


@dataclass(frozen=True)
class WindowComparison:
    window: Window
    full: ContinuationScore  # P(answer) having read the whole text
    cut: ContinuationScore  # P(answer) having read only what fits the window


def compare(model, ids: Sequence[int], answer_ids: Sequence[int], size: int, bos_id: int | None,
            pad_token_id: int = 0) -> WindowComparison:
    """P(answer) after the whole text and after what a window of `size` tokens keeps, in one forward pass."""
    ids = tuple(int(i) for i in ids)
    window = fit_window(ids, size, bos_id, answer_tokens=len(answer_ids))
    full, cut = score_continuations(model, [ids, window.ids], [answer_ids, answer_ids], pad_token_id=pad_token_id)
    return WindowComparison(window, full, cut)
