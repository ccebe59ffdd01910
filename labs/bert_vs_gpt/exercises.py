"""Exercises of the BERT vs GPT lesson (facts from Devlin et al. 2019, Liu et al. 2019, Sanh et al. 2019, Lan et al. 2020)."""

from core.exercises.bank._shared import choice, mistake, near, said
from core.exercises.model import ChoiceExercise, NumericExercise, TextExercise

LESSON = "bert-vs-gpt"

EXERCISES = (
    NumericExercise(
        id="bert-vs-gpt.mlm_masked_count",
        lesson=LESSON,
        prompt=(
            "No pré-treino do BERT (MLM), 15 % das posições de um texto são escolhidas; das escolhidas, 80 % viram "
            "`[MASK]`, 10 % viram um token aleatório e 10 % ficam iguais. Num texto de 200 tokens, quantos viram "
            "`[MASK]`, em média?",
            "In BERT's pre-training (MLM), 15 % of a text's positions are chosen; of those, 80 % become `[MASK]`, "
            "10 % a random token and 10 % stay unchanged. In a 200-token text, how many become `[MASK]` on average?",
        ),
        answer=200 * 0.15 * 0.8,
        abs_tol=0.01,
        mistakes=(
            mistake(near(30, 0), "Esses são os escolhidos (15 %); só 80 % deles viram `[MASK]`.",
                    "Those are the chosen ones (15 %); only 80 % of them become `[MASK]`."),
            mistake(near(160, 0), "Os 80 % valem só para as posições escolhidas, não para o texto inteiro.",
                    "The 80 % applies only to the chosen positions, not to the whole text."),
            mistake(near(3, 0), "Esses são os 10 % trocados por um token aleatório (ou os que ficam iguais).",
                    "Those are the 10 % replaced by a random token (or those left unchanged)."),
        ),
        hints=(("Primeiro 15 % de 200; depois 80 % disso.", "First 15 % of 200; then 80 % of that."),),
        explanation=("200 × 0,15 = 30 escolhidos; 30 × 0,8 = 24 viram `[MASK]`, 3 um token aleatório e 3 ficam iguais.",
                     "200 × 0.15 = 30 chosen; 30 × 0.8 = 24 become `[MASK]`, 3 a random token and 3 stay unchanged."),
    ),
    ChoiceExercise(
        id="bert-vs-gpt.sees_the_future",
        lesson=LESSON,
        prompt=("Em qual modelo o vetor do token na posição 2 pode usar informação do token na posição 5?",
                "In which model can the vector of the token at position 2 use information from the token at position 5?"),
        choices=(
            choice("a", True, ("BERT (só codificador)", "BERT (encoder-only)"),
                   ("Isso: sem máscara causal, cada token vê todos os outros, dos dois lados.",
                    "Yes: with no causal mask, every token sees every other, on both sides.")),
            choice("b", False, ("GPT-2", "GPT-2"),
                   ("Decodificador com máscara causal: a posição 2 só vê as posições 0 a 2.",
                    "A decoder with a causal mask: position 2 sees only positions 0 to 2.")),
            choice("c", False, ("Gemma 3 270M", "Gemma 3 270M"),
                   ("Também é só decodificador: a fração de atenção no futuro é exatamente 0.",
                    "Also decoder-only: its share of attention on the future is exactly 0.")),
            choice("d", False, ("Em nenhum: a atenção só olha para trás", "In none: attention only looks back"),
                   ("Isso vale para decodificadores; codificadores como o BERT olham para os dois lados.",
                    "That holds for decoders; encoders such as BERT look both ways.")),
        ),
    ),
    ChoiceExercise(
        id="bert-vs-gpt.encoder_only",
        lesson=LESSON,
        multiple=True,
        prompt=("Quais destes modelos são só codificador (atenção bidirecional)?",
                "Which of these models are encoder-only (bidirectional attention)?"),
        choices=(
            choice("a", True, ("BERT", "BERT"), ("Sim: o codificador do Transformer, treinado com MLM.",
                                                 "Yes: the Transformer's encoder, trained with MLM.")),
            choice("b", True, ("RoBERTa", "RoBERTa"), ("Sim: a arquitetura do BERT com outro pré-treino.",
                                                       "Yes: BERT's architecture with another pre-training.")),
            choice("c", True, ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2"),
                   ("Sim: um BERT pequeno (6 camadas) que gera embeddings de frases.",
                    "Yes: a small BERT (6 layers) that produces sentence embeddings.")),
            choice("d", False, ("GPT-2", "GPT-2"), ("Não: só decodificador, com máscara causal.", "No: decoder-only, with a causal mask.")),
            choice("e", False, ("GPT-3", "GPT-3"), ("Não: só decodificador, como o GPT-2, em escala muito maior.",
                                                    "No: decoder-only like GPT-2, at a far larger scale.")),
            choice("f", False, ("Gemma 3 270M", "Gemma 3 270M"), ("Não: o decodificador que roda neste laboratório.",
                                                                  "No: the decoder that runs in this lab.")),
        ),
    ),
    TextExercise(
        id="bert-vs-gpt.classification_token",
        lesson=LESSON,
        prompt=("Que token especial abre toda entrada do BERT e tem o vetor final usado pelas cabeças de classificação?",
                "Which special token opens every BERT input and has the final vector that classification heads use?"),
        accepted=("[CLS]", "CLS"),
        mistakes=(
            mistake(said("[SEP]", "SEP"), "`[SEP]` fecha uma sentença ou separa as duas de um par.",
                    "`[SEP]` ends a sentence or separates the two of a pair."),
            mistake(said("[MASK]", "MASK"), "`[MASK]` esconde tokens durante o pré-treino MLM.",
                    "`[MASK]` hides tokens during MLM pre-training."),
            mistake(said("<bos>", "bos", "[BOS]"), "`<bos>` é o token de início do Gemma; o BERT usa outro nome.",
                    "`<bos>` is Gemma's start token; BERT uses another name."),
        ),
        hints=(("O nome vem de *classification*.", "The name comes from *classification*."),),
        explanation=("`[CLS]` (id 101 no vocabulário do BERT) abre a entrada; uma cabeça de classificação lê o seu vetor final.",
                     "`[CLS]` (id 101 in BERT's vocabulary) opens the input; a classification head reads its final vector."),
    ),
    ChoiceExercise(
        id="bert-vs-gpt.roberta",
        lesson=LESSON,
        prompt=("O que o RoBERTa mudou no pré-treino do BERT?", "What did RoBERTa change in BERT's pre-training?"),
        choices=(
            choice("a", True,
                   ("Tirou a previsão da próxima sentença (NSP) e sorteia a máscara de novo a cada passagem (mascaramento dinâmico).",
                    "It dropped next sentence prediction (NSP) and draws the mask anew at every pass (dynamic masking)."),
                   ("Isso, além de treinar mais tempo, com lotes maiores e mais dados (Liu et al., 2019).",
                    "Yes, besides training longer, with larger batches and more data (Liu et al., 2019).")),
            choice("b", False, ("Trocou a atenção bidirecional por uma máscara causal.", "It replaced bidirectional attention with a causal mask."),
                   ("Não: o RoBERTa continua sendo um codificador bidirecional.", "No: RoBERTa is still a bidirectional encoder.")),
            choice("c", False, ("Cortou as camadas pela metade com destilação.", "It halved the layers through distillation."),
                   ("Essa é a ideia do DistilBERT (6 camadas em vez de 12).", "That is DistilBERT's idea (6 layers instead of 12).")),
            choice("d", False, ("Compartilhou os parâmetros entre as camadas e fatorou o embedding.",
                                "It shared parameters across layers and factorized the embedding."),
                   ("Esse é o ALBERT.", "That is ALBERT.")),
        ),
    ),
)
