"""Exercises of the decoding lesson (the course seed's exercises 1 and 2 among them)."""

import math
import random

from core.exercises import references, tasks
from core.exercises.bank._shared import choice, is_neg_inf, mistake, near
from core.exercises.model import (
    ChoiceExercise, CodeCase, CodeExercise, NumericExercise, TaskOption, WidgetTask, pick,
)

LESSON = "decoding"
MARGIN = 1e-3  # hidden top-p cases keep p this far from every cumulative sum: no rounding decides a case


def explain_top_p(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    if len(path) != 1 or not isinstance(path[0], int):
        return None
    i = path[0]
    if is_neg_inf(expected):
        return pick((f"o token {i} fica fora do núcleo: os mais prováveis que ele já somam p",
                     f"token {i} is outside the nucleus: the more likely tokens already add up to p"), lang)
    if is_neg_inf(got):
        return pick((f"o token {i} está no núcleo: os mais prováveis que ele somam menos que p",
                     f"token {i} is in the nucleus: the more likely tokens add up to less than p"), lang)
    return pick(("um token mantido guarda o logit original; a softmax renormaliza depois",
                 "a kept token keeps its original logit; the softmax renormalizes afterwards"), lang)


def hidden_top_p_cases(rng: random.Random) -> list[CodeCase]:
    cases = []
    while len(cases) < 6:
        n = rng.randint(3, 12)
        logits = [round(rng.uniform(-4, 4), 3) for _ in range(n)]
        if len(set(logits)) < n:
            continue  # ties make the nucleus ambiguous
        top = max(logits)
        weights = sorted((math.exp(z - top) for z in logits), reverse=True)
        cumulative = [sum(weights[: k + 1]) / sum(weights) for k in range(n)]
        p = round(rng.uniform(0.05, 0.97), 3)
        if all(abs(c - p) > MARGIN for c in cumulative):
            cases.append(CodeCase((logits, p)))
    return cases


GRID_OPTIONS = tuple(
    TaskOption(tasks.grid_cell_id(T, p), (f"T {T:g} · top-p {p:g}".replace(".", ","), f"T {T:g} · top-p {p:g}"))
    for T in tasks.GRID_TEMPERATURES for p in tasks.GRID_TOP_PS
)

EXERCISES = (
    NumericExercise(
        id="decoding.nucleus_renormalized",
        lesson=LESSON,
        prompt=(
            "Quatro candidatos A, B, C, D têm probabilidades $0{,}5;\\ 0{,}3;\\ 0{,}15;\\ 0{,}05$. Com top-p "
            "$= 0{,}9$ (e $T = 1$), qual é a probabilidade de A depois do corte e da renormalização?",
            "Four candidates A, B, C, D have probabilities $0.5, 0.3, 0.15, 0.05$. With top-p $= 0.9$ (and "
            "$T = 1$), what is A's probability after the cut and the renormalization?",
        ),
        answer=0.5 / 0.95,
        abs_tol=0.002,
        mistakes=(
            mistake(near(0.5, abs_=0.002), "Faltou renormalizar: depois do corte, as probabilidades que ficam são divididas pela soma delas.",
                    "You did not renormalize: after the cut, the remaining probabilities are divided by their sum."),
            mistake(near(0.625, abs_=0.002), "Você parou em A e B, mas 0,5 + 0,3 = 0,8 ainda é menor que 0,9: C também entra.",
                    "You stopped at A and B, but 0.5 + 0.3 = 0.8 is still below 0.9: C gets in too."),
            mistake(near(0.735, abs_=0.002), "Esse é o resultado com $T = 0{,}5$ antes do top-p; aqui $T = 1$.",
                    "That is the result with $T = 0.5$ before top-p; here $T = 1$."),
        ),
        hints=(("Some as probabilidades em ordem até chegar a 0,9.", "Add the probabilities in order until you reach 0.9."),
               ("O núcleo é {A, B, C}, com massa 0,95.", "The nucleus is {A, B, C}, with mass 0.95.")),
        explanation=("O núcleo é {A, B, C} (0,5 + 0,3 + 0,15 = 0,95 ≥ 0,9); A fica com 0,5 / 0,95 ≈ 0,526.",
                     "The nucleus is {A, B, C} (0.5 + 0.3 + 0.15 = 0.95 ≥ 0.9); A gets 0.5 / 0.95 ≈ 0.526."),
    ),
    ChoiceExercise(
        id="decoding.nucleus_with_temperature",
        lesson=LESSON,
        prompt=(
            "Com as mesmas probabilidades $(0{,}5;\\ 0{,}3;\\ 0{,}15;\\ 0{,}05)$, aplique $T = 2$ e depois top-p "
            "$= 0{,}9$, na ordem do transformers. Quantos tokens ficam no núcleo?",
            "With the same probabilities $(0.5, 0.3, 0.15, 0.05)$, apply $T = 2$ and then top-p $= 0.9$, in "
            "transformers' order. How many tokens stay in the nucleus?",
        ),
        choices=(
            choice("a", True, ("4", "4"),
                   ("Isso: com $T = 2$ as probabilidades viram $(0{,}379;\\ 0{,}294;\\ 0{,}208;\\ 0{,}120)$; as somas 0,379, 0,673 e 0,880 ficam abaixo de 0,9, então D também entra.",
                    "Yes: at $T = 2$ the probabilities become $(0.379, 0.294, 0.208, 0.120)$; the sums 0.379, 0.673 and 0.880 stay below 0.9, so D gets in too.")),
            choice("b", False, ("3", "3"),
                   ("Esse é o núcleo com $T = 1$. A temperatura vem antes do top-p e achata a distribuição.",
                    "That is the nucleus at $T = 1$. Temperature comes before top-p and flattens the distribution.")),
            choice("c", False, ("2", "2"),
                   ("Isso acontece com $T = 0{,}5$, que aguça a distribuição; $T = 2$ faz o contrário.",
                    "That happens at $T = 0.5$, which sharpens the distribution; $T = 2$ does the opposite.")),
            choice("d", False, ("1", "1"),
                   ("Um token só sobra quando o favorito sozinho já alcança p, ou com temperatura 0.",
                    "A single token survives only when the favourite alone reaches p, or at temperature 0.")),
        ),
        hints=(("Com $T = 2$, cada probabilidade vira sua raiz quadrada, renormalizada.",
                "At $T = 2$, each probability becomes its square root, renormalized."),),
    ),
    ChoiceExercise(
        id="decoding.processor_order",
        lesson=LESSON,
        prompt=("Com `do_sample=True`, em que ordem o `generate` do transformers aplica estes filtros aos logits?",
                "With `do_sample=True`, in which order does transformers' `generate` apply these filters to the logits?"),
        choices=(
            choice("a", True, ("temperatura → top-k → top-p", "temperature → top-k → top-p"),
                   ("Isso: cada etapa age sobre a saída da anterior; o top-p mede a massa já reformada pela temperatura.",
                    "Yes: each step acts on the previous one's output; top-p measures the mass already reshaped by temperature.")),
            choice("b", False, ("top-p → top-k → temperatura", "top-p → top-k → temperature"),
                   ("É o contrário. Com o top-p primeiro, $T = 2$ não conseguiria mais devolver D ao núcleo.",
                    "It is the other way round. With top-p first, $T = 2$ could no longer bring D back into the nucleus.")),
            choice("c", False, ("top-k → top-p → temperatura", "top-k → top-p → temperature"),
                   ("Outras ferramentas fazem algo parecido (o llama.cpp aplica a temperatura depois dos filtros por padrão), o transformers não.",
                    "Other tools do something like this (llama.cpp applies temperature after its filters by default); transformers does not.")),
            choice("d", False, ("Todos de uma vez; a ordem não importa", "All at once; the order does not matter"),
                   ("A ordem importa: o mesmo p dá núcleos de 2, 3 ou 4 tokens conforme a temperatura aplicada antes.",
                    "Order matters: the same p gives nuclei of 2, 3 or 4 tokens depending on the temperature applied before.")),
        ),
        hints=(("Releia a seção *Combinando os filtros*.", "Reread the section *Combining the filters*."),),
    ),
    ChoiceExercise(
        id="decoding.no_setting_is_factual",
        lesson=LESSON,
        prompt=(
            "Depois de “A capital do Brasil é”, o Gemma 3 270M põe “Brasília” por volta do milésimo lugar. Que "
            "configuração de decodificação o faz responder “Brasília”?",
            "After “A capital do Brasil é” (“The capital of Brazil is”), Gemma 3 270M ranks “Brasília” around "
            "1,000th. Which decoding setting makes it answer “Brasília”?",
        ),
        choices=(
            choice("a", True, ("Nenhuma: decodificar só escolhe dentro da distribuição do modelo.",
                               "None: decoding only chooses inside the model's distribution."),
                   ("Isso. O que ajuda está fora da decodificação: um modelo melhor, fornecer o fato no prompt, verificar a saída.",
                    "Yes. What helps lies outside decoding: a better model, supplying the fact in the prompt, checking the output.")),
            choice("b", False, ("Temperatura 0 (gulosa).", "Temperature 0 (greedy)."),
                   ("A gulosa pega o favorito do modelo, que aqui é falso; ela só o repete com mais consistência.",
                    "Greedy takes the model's favourite, which is false here; it only repeats it more consistently.")),
            choice("c", False, ("top-p 0,9.", "top-p 0.9."),
                   ("O núcleo de 0,9 tem 99 tokens e nem contém “Brasília”.", "The 0.9 nucleus has 99 tokens and does not even contain “Brasília”.")),
            choice("d", False, ("`repetition_penalty=1.2`.", "`repetition_penalty=1.2`."),
                   ("A penalidade tira o laço, não a falsidade: o modelo diz outra coisa igualmente errada.",
                    "The penalty removes the loop, not the falsehood: the model says something else just as wrong.")),
        ),
    ),
    WidgetTask(
        id="decoding.top_p_three",
        lesson=LESSON,
        prompt=(
            "No gráfico da distribuição do próximo token, deixe o top-k desligado (0) e ajuste o top-p (e, se quiser, "
            "a temperatura) para que **exatamente três** tokens sobrevivam para o seu prompt.",
            "In the next-token distribution chart, leave top-k off (0) and set top-p (and, if you like, the "
            "temperature) so that **exactly three** tokens survive for your prompt.",
        ),
        reads=("decoding.prompt", "decoding.temperature", "decoding.top_k", "decoding.top_p", "decoding.max_new"),
        needs=("gemma",),
        checker=tasks.top_p_three,
        hints=(("Olhe a linha da probabilidade acumulada e a métrica “tokens mantidos”.",
                "Look at the cumulative probability line and the “kept tokens” metric."),
               ("O núcleo tem 3 tokens quando p passa da soma dos 2 primeiros mas não da soma dos 3 primeiros.",
                "The nucleus has 3 tokens when p is above the sum of the first 2 but not above the sum of the first 3.")),
    ),
    WidgetTask(
        id="decoding.grid_repetition",
        lesson=LESSON,
        prompt=(
            "Exercício 1 do notebook, temperatura e top-p: gere a grade T × top-p (pelo menos 20 tokens novos) para "
            "o seu prompt e compare os textos quanto à fluência e à factualidade. Qual célula ficou **mais "
            "repetitiva** (menor distinct-2)? A fluência e os fatos você julga; a repetição, o corretor mede.",
            "The notebook's exercise 1, temperature and top-p: generate the T × top-p grid (at least 20 new tokens) "
            "for your prompt and compare the texts for fluency and factuality. Which cell came out **most "
            "repetitive** (lowest distinct-2)? Fluency and facts are for you to judge; repetition the checker measures.",
        ),
        reads=("decoding.grid.result",),
        answer="option",
        answer_label=("A célula mais repetitiva", "The most repetitive cell"),
        options=GRID_OPTIONS,
        needs=(),
        checker=tasks.grid_repetition,
        hints=(("Temperaturas baixas tendem a entrar em laço.", "Low temperatures tend to loop."),
               ("A tabela de repetição abaixo da grade mostra o distinct-2 de cada célula.",
                "The repetition table below the grid shows each cell's distinct-2.")),
    ),
    WidgetTask(
        id="decoding.prompt_prefix",
        lesson=LESSON,
        prompt=(
            "Exercício 2 do notebook, design de prompt: escreva um prefixo de instrução (como “Instruções: "
            "responda em tópicos.” ou “Resuma:”) que, posto antes do seu prompt, mude o token que o modelo acha "
            "mais provável em seguida.",
            "The notebook's exercise 2, prompt design: write an instruction prefix (like “Instructions: answer in "
            "bullet points.” or “Summarize:”) that, put before your prompt, changes the token the model finds most "
            "likely next.",
        ),
        reads=("decoding.prompt",),
        answer="text",
        answer_label=("Seu prefixo", "Your prefix"),
        needs=("gemma",),
        checker=tasks.prompt_prefix,
        hints=(("O prefixo é contexto: o modelo condiciona cada probabilidade a tudo o que veio antes.",
                "The prefix is context: the model conditions every probability on everything before it."),
               ("Peça um formato diferente: uma lista, uma pergunta, outra língua.",
                "Ask for a different format: a list, a question, another language.")),
    ),
    CodeExercise(
        id="decoding.top_p_filter",
        lesson=LESSON,
        prompt=(
            "Escreva `top_p_filter(logits, p)`: recebe uma lista de logits e devolve uma lista do mesmo tamanho em "
            "que os tokens fora do núcleo viram `-inf` e os de dentro guardam o logit original. Ordene pela "
            "probabilidade (softmax), mantenha cada token enquanto a massa dos anteriores for menor que `p`, e "
            "mantenha sempre pelo menos o mais provável.",
            "Write `top_p_filter(logits, p)`: it takes a list of logits and returns a list of the same length in "
            "which the tokens outside the nucleus become `-inf` and those inside keep their original logit. Sort by "
            "probability (softmax), keep each token while the mass of those before it is below `p`, and always keep "
            "at least the most likely one.",
        ),
        function_name="top_p_filter",
        template=(
            "import math\n\n\n"
            "def top_p_filter(logits, p):\n"
            "    \"\"\"Nucleus filter: tokens outside the smallest set with probability >= p become -inf.\"\"\"\n"
            "    # your code here\n"
            "    return list(logits)\n"
        ),
        examples=(CodeCase(([2.0, 1.0, 0.5, -1.0], 0.9)), CodeCase(([3.0, 0.0, -1.0], 0.5)),
                  CodeCase(([0.0, 2.0, 1.0], 0.0)), CodeCase(([-1.0, 1.0, 0.0, 0.5], 0.6))),
        hidden=hidden_top_p_cases,
        reference=references.top_p_filter,
        explain=explain_top_p,
        hints=(("Calcule as probabilidades com a softmax: $e^{z_i} / \\sum_j e^{z_j}$.",
                "Compute the probabilities with the softmax: $e^{z_i} / \\sum_j e^{z_j}$."),
               ("`sorted(range(len(logits)), key=lambda i: -logits[i])` dá os índices do mais provável ao menos provável.",
                "`sorted(range(len(logits)), key=lambda i: -logits[i])` gives the indices from most to least likely."),
               ("Percorra essa ordem somando probabilidades; pare quando a soma já alcançou `p` (e ao menos um token foi mantido).",
                "Walk that order adding probabilities; stop once the sum has reached `p` (and at least one token is kept).")),
        explanation=("É o `keep_top_p` da lição (e o `TopPLogitsWarper` do transformers), escrito em Python puro.",
                     "It is the lesson's `keep_top_p` (and transformers' `TopPLogitsWarper`), in plain Python."),
    ),
)
