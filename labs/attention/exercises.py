"""Exercises of the attention lesson."""

import math
import random

from core import attention as A
from core.exercises import references, tasks
from core.exercises.bank._shared import choice, is_neg_inf, mistake, near
from core.exercises.model import CellsExercise, ChoiceExercise, CodeCase, CodeExercise, NumericExercise, WidgetTask, pick

LESSON = "attention"
SLIDING_WINDOW = 3


def masked_cells(mask) -> frozenset[tuple[int, int]]:
    """The (row, column) cells of an additive mask that are -inf."""
    T = mask.shape[0]
    return frozenset((i, j) for i in range(T) for j in range(T) if math.isinf(float(mask[i, j])))


def causal_key(size: int) -> frozenset[tuple[int, int]]:
    return masked_cells(A.causal_mask(size))


def sliding_key(size: int) -> frozenset[tuple[int, int]]:
    return masked_cells(A.sliding_window_mask(size, SLIDING_WINDOW))


def why_hidden(i: int, j: int) -> tuple[str, str]:
    if j > i:
        return (f"a posição {i} não pode ver a posição {j}, que vem depois",
                f"position {i} must not see position {j}, which comes later")
    return (f"a posição {j} está {i - j} posições atrás da {i}, fora da janela de {SLIDING_WINDOW}",
            f"position {j} is {i - j} positions behind {i}, outside the window of {SLIDING_WINDOW}")


def why_visible(i: int, j: int) -> tuple[str, str]:
    if i == j:
        return (f"a posição {i} sempre pode ver a si mesma, na diagonal", f"position {i} may always see itself, on the diagonal")
    return (f"a posição {i} pode ver a posição {j}, que vem antes", f"position {i} may see position {j}, which comes before it")


def explain_mask(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    if len(path) != 2 or not all(isinstance(p, int) for p in path):
        return None
    i, j = path
    return pick(why_hidden(i, j) if is_neg_inf(expected) else why_visible(i, j), lang)


def hidden_mask_cases(rng: random.Random) -> list[CodeCase]:
    return [CodeCase((T,)) for T in [0, 2] + [rng.randint(5, 16) for _ in range(4)]]


EXERCISES = (
    CellsExercise(
        id="attention.causal_cells",
        lesson=LESSON,
        prompt=(
            "Marque as células da máscara causal de 4 tokens que valem $-\\infty$ (contando de 0).",
            "Tick the cells of the causal mask of 4 tokens that are $-\\infty$ (counting from 0).",
        ),
        size=4,
        key=causal_key,
        why_in=why_hidden,
        why_out=why_visible,
        hints=(("Linha $i$ é o token que olha; ele só pode ver as posições $j \\le i$.",
                "Row $i$ is the token that looks; it may only see positions $j \\le i$."),
               ("São as células estritamente acima da diagonal.", "They are the cells strictly above the diagonal.")),
        explanation=("As 6 células acima da diagonal ($j > i$) são o futuro; a diagonal e o que está abaixo dela valem 0.",
                     "The 6 cells above the diagonal ($j > i$) are the future; the diagonal and everything below it are 0."),
    ),
    CellsExercise(
        id="attention.sliding_cells",
        lesson=LESSON,
        prompt=(
            f"Nas camadas locais do Gemma 3, a máscara também esconde o passado distante. Marque as células $-\\infty$ "
            f"da máscara de janela deslizante com 5 tokens e janela {SLIDING_WINDOW}: cada token vê a si mesmo e os "
            f"{SLIDING_WINDOW - 1} anteriores.",
            f"In Gemma 3's local layers the mask also hides the distant past. Tick the $-\\infty$ cells of the "
            f"sliding-window mask with 5 tokens and a window of {SLIDING_WINDOW}: each token sees itself and the "
            f"{SLIDING_WINDOW - 1} before it.",
        ),
        size=5,
        key=sliding_key,
        why_in=why_hidden,
        why_out=why_visible,
        hints=(("Comece pela máscara causal: tudo acima da diagonal.", "Start from the causal mask: everything above the diagonal."),
               (f"Depois esconda, em cada linha $i$, as colunas $j$ com $i - j \\ge {SLIDING_WINDOW}$.",
                f"Then hide, in each row $i$, the columns $j$ with $i - j \\ge {SLIDING_WINDOW}$.")),
        explanation=("É a máscara causal mais as células $i - j \\ge 3$: no Gemma 3 270M a janela é de 512 posições.",
                     "It is the causal mask plus the cells with $i - j \\ge 3$: in Gemma 3 270M the window is 512 positions."),
    ),
    NumericExercise(
        id="attention.masked_softmax",
        lesson=LESSON,
        prompt=(
            "No exemplo 4 × 4 da lição, a linha do token 2 tem as pontuações (já divididas por $\\sqrt{d_k}$) "
            "$(1, 3, 0, 2)$. Aplique a máscara causal e a softmax: qual peso o token 2 dá ao token 1?",
            "In the lesson's 4 × 4 example, token 2's row has the scores (already divided by $\\sqrt{d_k}$) "
            "$(1, 3, 0, 2)$. Apply the causal mask and the softmax: what weight does token 2 give token 1?",
        ),
        answer=1 / (1 + math.e ** 2),
        abs_tol=0.0015,
        mistakes=(
            mistake(near(math.e / (math.e + math.e ** 3 + 1 + math.e ** 2), abs_=0.0015),
                    "Você esqueceu a máscara: os tokens 3 e 4 são o futuro do token 2 e recebem peso 0.",
                    "You forgot the mask: tokens 3 and 4 are token 2's future and get weight 0."),
            mistake(near(math.e ** 2 / (1 + math.e ** 2), abs_=0.0015), "Esse é o peso que o token 2 dá a si mesmo.",
                    "That is the weight token 2 gives itself."),
            mistake(near(0.5, abs_=0.0015), "A softmax não divide por igual: $e^1$ e $e^3$ são bem diferentes.",
                    "The softmax does not split evenly: $e^1$ and $e^3$ are far apart."),
            mistake(near(0.25, abs_=0.0015), "Nem todas as 4 posições contam, e a softmax não é uniforme.",
                    "Not all 4 positions count, and the softmax is not uniform."),
        ),
        hints=(("Depois da máscara sobram só as duas primeiras pontuações: $(1, 3, -\\infty, -\\infty)$.",
                "After the mask only the first two scores remain: $(1, 3, -\\infty, -\\infty)$."),
               ("$e^1 / (e^1 + e^3)$.", "$e^1 / (e^1 + e^3)$.")),
        explanation=("$e^1/(e^1+e^3) = 1/(1+e^2) \\approx 0{,}119$; o resto, 0,881, fica no próprio token 2.",
                     "$e^1/(e^1+e^3) = 1/(1+e^2) \\approx 0.119$; the rest, 0.881, stays on token 2 itself."),
    ),
    ChoiceExercise(
        id="attention.why_sqrt_dk",
        lesson=LESSON,
        prompt=("Por que a atenção divide as pontuações $QK^\\top$ por $\\sqrt{d_k}$?",
                "Why does attention divide the scores $QK^\\top$ by $\\sqrt{d_k}$?"),
        choices=(
            choice("a", True,
                   ("Sem a divisão, o produto escalar tem variância $d_k$; pontuações grandes saturam a softmax e os gradientes ficam minúsculos.",
                    "Without it the dot product has variance $d_k$; large scores saturate the softmax and the gradients become tiny."),
                   ("Isso: dividir por $\\sqrt{d_k}$ traz a variância de volta a 1 (Vaswani et al., 2017).",
                    "Yes: dividing by $\\sqrt{d_k}$ brings the variance back to 1 (Vaswani et al., 2017).")),
            choice("b", False, ("Para que os pesos de cada linha somem 1.", "So that each row's weights sum to 1."),
                   ("Quem garante soma 1 é a softmax, com ou sem a divisão.", "The softmax makes rows sum to 1, with or without the division.")),
            choice("c", False, ("Para esconder as posições futuras.", "To hide the future positions."),
                   ("Isso é o papel da máscara causal, somada às pontuações.", "That is the job of the causal mask, added to the scores.")),
            choice("d", False, ("Para economizar memória no cache KV.", "To save memory in the KV cache."),
                   ("O que economiza cache é compartilhar K e V entre cabeças (GQA).", "What saves cache is sharing K and V across heads (GQA).")),
        ),
        hints=(("Qual é a variância de uma soma de $d_k$ produtos independentes de variância 1?",
                "What is the variance of a sum of $d_k$ independent products of variance 1?"),),
    ),
    NumericExercise(
        id="attention.gpt2_block",
        lesson=LESSON,
        prompt=(
            "Um bloco do GPT-2 small tem `ln_1`, `attn.c_attn`, `attn.c_proj`, `ln_2`, `mlp.c_fc` e `mlp.c_proj`, "
            "com $d_{\\text{model}} = 768$, MLP de largura 3.072, vieses em todas as camadas lineares e escala e "
            "deslocamento em cada LayerNorm. Quantos parâmetros tem um bloco?",
            "A GPT-2 small block has `ln_1`, `attn.c_attn`, `attn.c_proj`, `ln_2`, `mlp.c_fc` and `mlp.c_proj`, with "
            "$d_{\\text{model}} = 768$, an MLP of width 3,072, biases in every linear layer and a scale and shift in "
            "each LayerNorm. How many parameters does one block have?",
        ),
        answer=7_087_872,
        mistakes=(
            mistake(near(7_077_888, 0), "Faltam os vieses e os parâmetros das duas LayerNorms.",
                    "The biases and the two LayerNorms' parameters are missing."),
            mistake(near(85_054_464, 0), "Esses são os 12 blocos; a pergunta é sobre um só.",
                    "That is all 12 blocks; the question is about one."),
            mistake(near(124_439_808, 0), "Esse é o modelo inteiro.", "That is the whole model."),
        ),
        hints=(("`c_attn` calcula Q, K e V juntos: 768 × 2.304 + 2.304.", "`c_attn` computes Q, K and V at once: 768 × 2,304 + 2,304."),
               ("Some 1.536 + 1.771.776 + 590.592 + 1.536 + 2.362.368 + 2.360.064.",
                "Add 1,536 + 1,771,776 + 590,592 + 1,536 + 2,362,368 + 2,360,064.")),
        explanation=("7.087.872 por bloco; 12 blocos dão 85.054.464, e com os embeddings o total é 124.439.808.",
                     "7,087,872 per block; 12 blocks give 85,054,464, and with the embeddings the total is 124,439,808."),
    ),
    WidgetTask(
        id="attention.previous_token_head",
        lesson=LESSON,
        prompt=(
            "Nos mapas de atenção (seção *Lendo mapas de atenção*), escolha uma camada e uma cabeça do Gemma em que "
            f"cada token ponha, em média, pelo menos {round(100 * tasks.PREVIOUS_TOKEN_SHARE)} % da atenção no token "
            "imediatamente anterior: uma cabeça de token anterior.",
            "In the attention maps (section *Reading attention maps*), pick a Gemma layer and head in which each "
            f"token puts on average at least {round(100 * tasks.PREVIOUS_TOKEN_SHARE)} % of its attention on the "
            "token just before it: a previous-token head.",
        ),
        reads=("attention.text", "attention.map_layer", "attention.map_head"),
        needs=("gemma",),
        checker=tasks.previous_token_head,
        hints=(("Procure uma linha clara logo abaixo da diagonal.", "Look for a bright line just below the diagonal."),
               ("A grade das 4 cabeças de uma camada ajuda a comparar.", "The grid of a layer's 4 heads helps to compare."),
               ("A lição cita a camada 2, cabeça 3, e a camada 4, cabeça 1.", "The lesson mentions layer 2 head 3 and layer 4 head 1.")),
    ),
    CodeExercise(
        id="attention.causal_mask",
        lesson=LESSON,
        prompt=(
            "Escreva `causal_mask(T)`: uma lista de `T` linhas com `T` números cada, `0.0` onde a linha $i$ pode ver "
            "a coluna $j$ e `-inf` (`float('-inf')` ou `-math.inf`) onde $j$ está no futuro de $i$.",
            "Write `causal_mask(T)`: a list of `T` rows of `T` numbers each, `0.0` where row $i$ may see column $j$ "
            "and `-inf` (`float('-inf')` or `-math.inf`) where $j$ is in $i$'s future.",
        ),
        function_name="causal_mask",
        template=(
            "import math\n\n\n"
            "def causal_mask(T):\n"
            "    \"\"\"T x T list of lists: 0.0 where position i may see position j, -inf where j is in the future.\"\"\"\n"
            "    mask = []\n"
            "    # your code here\n"
            "    return mask\n"
        ),
        examples=(CodeCase((1,)), CodeCase((3,)), CodeCase((4,))),
        hidden=hidden_mask_cases,
        reference=references.causal_mask,
        explain=explain_mask,
        hints=(("Dois laços: linhas $i$ e colunas $j$.", "Two loops: rows $i$ and columns $j$."),
               ("O valor é `-math.inf` quando `j > i`, senão `0.0`.", "The value is `-math.inf` when `j > i`, else `0.0`.")),
        explanation=("Somada às pontuações antes da softmax, essa máscara dá peso exatamente 0 ao futuro.",
                     "Added to the scores before the softmax, this mask gives the future a weight of exactly 0."),
    ),
)
