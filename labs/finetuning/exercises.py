"""Exercises of the fine-tuning lesson (the course seed's exercises 3 and 4 among them)."""

import math
import random

from core.exercises import references, tasks
from core.exercises.bank._shared import choice, mistake, near
from core.exercises.checkers import within
from core.exercises.model import ChoiceExercise, CodeCase, CodeExercise, NumericExercise, WidgetTask, pick

LESSON = "finetuning"
VALIDATION_LOSSES = (2.10, 2.30, 1.90, 2.00)


def explain_perplexity(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    if path or not isinstance(got, (int, float)) or isinstance(got, bool):
        return None
    losses = args[0]
    mean = sum(losses) / len(losses)
    if within(got, mean, 1e-6, 1e-9):
        return pick(("esse é o valor médio da perda; falta a exponencial", "that is the mean loss; the exponential is missing"), lang)
    if within(got, sum(math.exp(x) for x in losses) / len(losses), 1e-6, 1e-9):
        return pick(("você tirou a média das exponenciais; é a exponencial da média",
                     "you averaged the exponentials; it is the exponential of the mean"), lang)
    if within(got, 2 ** mean, 1e-6, 1e-9):
        return pick(("a perda está em nats: use $e$, não 2", "the loss is in nats: use $e$, not 2"), lang)
    if within(got, math.exp(min(sum(losses), 700.0)), 1e-6, 1e-9):
        return pick(("é a exponencial da média, não da soma", "it is the exponential of the mean, not of the sum"), lang)
    return None


def hidden_perplexity_cases(rng: random.Random) -> list[CodeCase]:
    return [CodeCase(([round(rng.uniform(0.0, 8.0), 4) for _ in range(rng.randint(1, 12))],)) for _ in range(6)]


def explain_group_texts(args: tuple, path: tuple, expected, got, lang: str) -> str | None:
    ids, block_size = args
    if path == ("len",) and isinstance(got, int) and got == expected + 1 and len(ids) % block_size:
        return pick(("o último bloco ficou incompleto: o resto que não enche um bloco é descartado",
                     "the last block is incomplete: the remainder that does not fill a block is dropped"), lang)
    return None


def hidden_group_cases(rng: random.Random) -> list[CodeCase]:
    cases = []
    for n in (0, rng.randint(1, 9), rng.randint(10, 40), rng.randint(10, 40), rng.randint(41, 80)):
        block = rng.randint(1, 9)
        cases.append(CodeCase(([rng.randint(0, 999) for _ in range(n)], block)))
    exact = rng.randint(2, 6)
    cases.append(CodeCase(([rng.randint(0, 999) for _ in range(exact * 4)], exact)))  # no remainder at all
    return cases


EXERCISES = (
    NumericExercise(
        id="finetuning.remainder",
        lesson=LESSON,
        prompt=(
            "Um corpus dá um fluxo de 1.000 tokens, cortado em blocos de `block_size = 128` com a receita do "
            "`group_texts`. Quantos tokens são descartados?",
            "A corpus gives a stream of 1,000 tokens, cut into blocks of `block_size = 128` with the `group_texts` "
            "recipe. How many tokens are dropped?",
        ),
        answer=1000 % 128,
        mistakes=(
            mistake(near(7, 0), "Esse é o número de blocos; a pergunta é quantos tokens sobram fora deles.",
                    "That is the number of blocks; the question is how many tokens are left out of them."),
            mistake(near(896, 0), "Esses são os tokens mantidos (7 × 128); falta o que sobra.",
                    "Those are the tokens kept (7 × 128); what is left over is missing."),
            mistake(near(1000 / 128, 1e-3), "Essa é a divisão com vírgula; os blocos são inteiros, e sobra um resto.",
                    "That is the fractional division; blocks are whole, and a remainder is left."),
            mistake(near(24, 0), "Isso completaria um oitavo bloco; mas o resto não é completado, é descartado.",
                    "That would complete an eighth block; but the remainder is not padded, it is dropped."),
        ),
        hints=(("$\\lfloor 1000 / 128 \\rfloor$ blocos inteiros cabem.", "$\\lfloor 1000 / 128 \\rfloor$ whole blocks fit."),
               ("O resto é $1000 \\bmod 128$.", "The remainder is $1000 \\bmod 128$.")),
        explanation=("7 blocos (896 tokens) e 104 tokens descartados: texto real em que o modelo nunca treina.",
                     "7 blocks (896 tokens) and 104 tokens dropped: real text the model never trains on."),
    ),
    NumericExercise(
        id="finetuning.validation_perplexity_numbers",
        lesson=LESSON,
        prompt=(
            "Exercício 4 do notebook, perplexidade: uma validação mede a perda média em 4 blocos do mesmo tamanho: "
            "2,10; 2,30; 1,90 e 2,00 (nats por token). Qual é a perplexidade de validação?",
            "The notebook's exercise 4, perplexity: a validation pass measures the mean loss on 4 blocks of the "
            "same size: 2.10, 2.30, 1.90 and 2.00 (nats per token). What is the validation perplexity?",
        ),
        answer=math.exp(sum(VALIDATION_LOSSES) / len(VALIDATION_LOSSES)),
        rel_tol=0.005,
        mistakes=(
            mistake(near(sum(VALIDATION_LOSSES) / 4, 0.002), "Essa é a perda média; a perplexidade é $e$ elevado a ela.",
                    "That is the mean loss; the perplexity is $e$ to its power."),
            mistake(near(sum(math.exp(x) for x in VALIDATION_LOSSES) / 4, 0.004),
                    "Você tirou a média das perplexidades dos blocos; primeiro a média das perdas, depois a exponencial.",
                    "You averaged the blocks' perplexities; average the losses first, then take the exponential."),
            mistake(near(2 ** (sum(VALIDATION_LOSSES) / 4), 0.005), "As perdas estão em nats: use $e$, não 2.",
                    "The losses are in nats: use $e$, not 2."),
            mistake(near(math.exp(sum(VALIDATION_LOSSES)), 0.01), "É a exponencial da média, não da soma.",
                    "It is the exponential of the mean, not of the sum."),
        ),
        hints=(("PPL $= e^{\\mathcal{L}}$, com $\\mathcal{L}$ a perda média por token.",
                "PPL $= e^{\\mathcal{L}}$, with $\\mathcal{L}$ the mean loss per token."),
               ("A média é 2,075.", "The mean is 2.075.")),
        explanation=("$e^{2{,}075} \\approx 7{,}96$: o modelo está tão incerto quanto se escolhesse entre uns 8 tokens.",
                     "$e^{2.075} \\approx 7.96$: the model is as unsure as if it picked among about 8 tokens."),
    ),
    NumericExercise(
        id="finetuning.steps_per_epoch",
        lesson=LESSON,
        prompt=(
            "O notebook treina 35 blocos com `per_device_train_batch_size=2` e `gradient_accumulation_steps=2`. "
            "Quantos passos do otimizador tem uma época?",
            "The notebook trains 35 blocks with `per_device_train_batch_size=2` and `gradient_accumulation_steps=2`. "
            "How many optimizer steps does one epoch take?",
        ),
        answer=math.ceil(35 / 4),
        mistakes=(
            mistake(near(8, 0), "Arredondou para baixo; os últimos 3 blocos ainda fazem um passo.",
                    "You rounded down; the last 3 blocks still make a step."),
            mistake(lambda x: near(17.5, 0)(x) or near(18, 0)(x) or near(17, 0)(x),
                    "Faltou a acumulação: os gradientes de 2 lotes somam-se antes de cada passo, então o lote efetivo é 4.",
                    "You left out accumulation: the gradients of 2 batches add up before each step, so the effective batch is 4."),
            mistake(near(8.75, 0), "Um passo não se divide: arredonde para cima.", "A step cannot be split: round up."),
        ),
        hints=(("Lote efetivo = tamanho do lote × acumulação.", "Effective batch = batch size × accumulation."),
               ("$\\lceil 35 / 4 \\rceil$.", "$\\lceil 35 / 4 \\rceil$.")),
        explanation=("$\\lceil 35/4 \\rceil = 9$: é o `global_step=9` da saída do notebook.",
                     "$\\lceil 35/4 \\rceil = 9$: the `global_step=9` in the notebook's output."),
    ),
    ChoiceExercise(
        id="finetuning.where_is_the_shift",
        lesson=LESSON,
        prompt=("No transformers, um LM causal recebe `labels` iguais a `input_ids`. Onde acontece o deslocamento de uma posição?",
                "In transformers, a causal LM gets `labels` equal to `input_ids`. Where does the one-position shift happen?"),
        choices=(
            choice("a", True, ("Dentro da função de perda do modelo.", "Inside the model's loss function."),
                   ("Isso: a perda compara os logits da posição $t$ com o token da posição $t+1$ (e ignora o -100).",
                    "Yes: the loss scores the logits of position $t$ against the token at position $t+1$ (and ignores -100).")),
            choice("b", False, ("No `DataCollatorForLanguageModeling(mlm=False)`.", "In `DataCollatorForLanguageModeling(mlm=False)`."),
                   ("O collator preenche, copia `input_ids` para `labels` e põe -100 no padding, mas não desloca.",
                    "The collator pads, copies `input_ids` into `labels` and writes -100 on padding, but does not shift.")),
            choice("c", False, ("No tokenizador, ao acrescentar `<bos>`.", "In the tokenizer, when it adds `<bos>`."),
                   ("O `<bos>` abre o texto, mas entradas e rótulos continuam alinhados.",
                    "`<bos>` opens the text, but inputs and labels stay aligned.")),
            choice("d", False, ("Em lugar nenhum: cada posição prevê o próprio token.", "Nowhere: each position predicts its own token."),
                   ("Com a máscara causal a posição $t$ vê o próprio token; prevê-lo seria só copiar. O alvo é o próximo.",
                    "With the causal mask position $t$ sees its own token; predicting it would be copying. The target is the next one.")),
        ),
    ),
    WidgetTask(
        id="finetuning.least_remainder",
        lesson=LESSON,
        prompt=(
            "No laboratório de blocos, escolha o `block_size` que descarta **menos** tokens do seu corpus, entre "
            "todas as opções (com pelo menos 2 blocos). Se quiser zerar o resto, edite o corpus.",
            "In the blocks lab, choose the `block_size` that drops the **fewest** tokens of your corpus, among all "
            "the options (with at least 2 blocks). To bring the remainder to zero, edit the corpus.",
        ),
        reads=("finetune.block_size", "finetune.corpus"),
        needs=("gemma",),
        checker=tasks.least_remainder,
        hints=(("A métrica “resto” mostra os tokens descartados.", "The “remainder” metric shows the tokens dropped."),
               ("Cada bloco abre com `<bos>`: leva block_size − 1 tokens do fluxo. O resto é tokens mod (block_size − 1).",
                "Each block opens with `<bos>`: it takes block_size − 1 tokens of the stream. The remainder is tokens mod (block_size − 1).")),
    ),
    WidgetTask(
        id="finetuning.domain_corpus",
        lesson=LESSON,
        prompt=(
            "Exercício 3 do notebook, domínio específico: troque o corpus sintético por um conjunto pequeno e real "
            f"(pelo menos {tasks.DOMAIN_MIN_TEXTS} textos diferentes, por exemplo ementas curtas) digitado ou "
            "enviado, e rode o ajuste fino até o fim.",
            "The notebook's exercise 3, specific domain: replace the synthetic corpus with a small real set (at "
            f"least {tasks.DOMAIN_MIN_TEXTS} different texts, for example short abstracts), typed or uploaded, and "
            "run the fine-tuning to the end.",
        ),
        reads=("exercises.finetune.trained",),
        needs=(),
        checker=tasks.domain_run,
        hints=(("Escolha “digitar” ou “enviar arquivo” na origem do corpus.", "Choose “type” or “upload” as the corpus source."),
               ("Um texto por linha; poucos passos bastam para a tarefa.", "One text per line; a few steps are enough for the task.")),
    ),
    WidgetTask(
        id="finetuning.validation_run",
        lesson=LESSON,
        prompt=(
            "Exercício 4 do notebook: treine com uma fração de validação acima de 0 e validação a cada N passos, "
            "de modo que a validação rode pelo menos duas vezes. Qual foi a **menor** perplexidade de validação?",
            "The notebook's exercise 4: train with a validation share above 0 and validation every N steps, so that "
            "validation runs at least twice. What was the **lowest** validation perplexity?",
        ),
        reads=("finetune.report",),
        answer="number",
        answer_label=("Menor perplexidade de validação", "Lowest validation perplexity"),
        needs=(),
        checker=tasks.validation_perplexity,
        hints=(("Escolha “validar a cada” menor que o número de passos.", "Set “validate every” below the number of steps."),
               ("A tabela abaixo do gráfico lista a perplexidade de cada validação.",
                "The table below the chart lists each validation's perplexity.")),
    ),
    CodeExercise(
        id="finetuning.perplexity",
        lesson=LESSON,
        prompt=(
            "Escreva `perplexity(losses)`: recebe as perdas médias (em nats) de blocos do mesmo tamanho e devolve "
            "a perplexidade do conjunto.",
            "Write `perplexity(losses)`: it takes the mean losses (in nats) of same-sized blocks and returns the "
            "perplexity of the whole set.",
        ),
        function_name="perplexity",
        template=(
            "import math\n\n\n"
            "def perplexity(losses):\n"
            "    \"\"\"exp of the mean cross-entropy (nats).\"\"\"\n"
            "    # your code here\n"
            "    return 0.0\n"
        ),
        examples=(CodeCase(([0.693, 1.386, 2.303, 0.223],)), CodeCase(([2.0],)), CodeCase(([0.0, 0.0],))),
        hidden=hidden_perplexity_cases,
        reference=references.perplexity,
        rel_tol=1e-6,
        explain=explain_perplexity,
        hints=(("Primeiro a média, depois `math.exp`.", "First the mean, then `math.exp`."),),
        explanation=("É o `exp(eval_loss)` que o `run_clm.py` informa como perplexidade de validação.",
                     "It is the `exp(eval_loss)` that `run_clm.py` reports as validation perplexity."),
    ),
    CodeExercise(
        id="finetuning.group_texts",
        lesson=LESSON,
        prompt=(
            "Escreva `group_texts(ids, block_size)`: corta a lista de ids em blocos consecutivos de `block_size` "
            "ids e descarta o resto que não enche um bloco. Devolve uma lista de listas.",
            "Write `group_texts(ids, block_size)`: it cuts the list of ids into consecutive blocks of `block_size` "
            "ids and drops the remainder that does not fill a block. It returns a list of lists.",
        ),
        function_name="group_texts",
        template=(
            "def group_texts(ids, block_size):\n"
            "    \"\"\"Consecutive blocks of block_size ids; the remainder is dropped.\"\"\"\n"
            "    blocks = []\n"
            "    # your code here\n"
            "    return blocks\n"
        ),
        examples=(CodeCase((list(range(10)), 4)), CodeCase(([5, 6, 7], 4)), CodeCase((list(range(6)), 3))),
        hidden=hidden_group_cases,
        reference=references.group_texts,
        explain=explain_group_texts,
        hints=(("Quantos ids cabem em blocos inteiros? `(len(ids) // block_size) * block_size`.",
                "How many ids fit in whole blocks? `(len(ids) // block_size) * block_size`."),
               ("`range(0, total, block_size)` dá o início de cada bloco.", "`range(0, total, block_size)` gives each block's start.")),
        explanation=("Os blocos não se sobrepõem: o passo do laço é igual ao tamanho do bloco, não são janelas deslizantes.",
                     "The blocks never overlap: the loop's step equals the block size; they are not sliding windows."),
    ),
)
