"""Exercises of the GPT-1 to GPT-3 lesson (facts from Radford et al. 2018, 2019 and Brown et al. 2020)."""

from core.exercises.bank._shared import choice, mistake, near, said
from core.exercises.model import ChoiceExercise, NumericExercise, TextExercise

LESSON = "history"

EXERCISES = (
    NumericExercise(
        id="history.parameter_ratio",
        lesson=LESSON,
        prompt=("O maior GPT-2 tem 1,5 bilhão de parâmetros e o GPT-3, 175 bilhões. Quantas vezes maior é o GPT-3?",
                "The largest GPT-2 has 1.5 billion parameters and GPT-3 has 175 billion. How many times larger is GPT-3?"),
        answer=175 / 1.5,
        rel_tol=0.01,
        mistakes=(
            mistake(lambda x: near(11.667, 0.01)(x) or near(1.1667, 0.01)(x) or near(1166.7, 0.01)(x),
                    "Confira as potências de dez: os dois números estão em bilhões.",
                    "Check the powers of ten: both numbers are in billions."),
            mistake(near(173.5, 0.01), "Essa é a diferença, em bilhões; a pergunta pede a razão.",
                    "That is the difference, in billions; the question asks for the ratio."),
            mistake(near(1.5 / 175, 0.01), "Você dividiu ao contrário.", "You divided the wrong way round."),
        ),
        hints=(("Divida 175 por 1,5.", "Divide 175 by 1.5."),),
        explanation=("175 / 1,5 ≈ 117 vezes, em pouco mais de um ano (2019 → 2020).",
                     "175 / 1.5 ≈ 117 times, in little more than a year (2019 → 2020)."),
    ),
    ChoiceExercise(
        id="history.shots",
        lesson=LESSON,
        prompt=("Um prompt traz a descrição da tarefa, três exemplos resolvidos e depois a pergunta nova. Como o "
                "artigo do GPT-3 chama esse uso?",
                "A prompt holds the task's description, three solved examples and then the new question. What does "
                "the GPT-3 paper call this use?"),
        choices=(
            choice("a", True, ("few-shot", "few-shot"),
                   ("Isso: alguns exemplos no contexto (o artigo usou de 10 a 100, quantos coubessem na janela de 2.048 tokens).",
                    "Yes: a few examples in the context (the paper used 10 to 100, as many as fit the 2,048-token window).")),
            choice("b", False, ("zero-shot", "zero-shot"), ("Zero-shot é só a descrição, sem nenhum exemplo.",
                                                            "Zero-shot is the description alone, with no example.")),
            choice("c", False, ("one-shot", "one-shot"), ("One-shot traz exatamente um exemplo.", "One-shot has exactly one example.")),
            choice("d", False, ("ajuste fino (fine-tuning)", "fine-tuning"),
                   ("No ajuste fino os pesos mudam; aqui os exemplos só estão no prompt.",
                    "Fine-tuning changes the weights; here the examples are only in the prompt.")),
        ),
    ),
    ChoiceExercise(
        id="history.in_context_weights",
        lesson=LESSON,
        prompt=("Durante o aprendizado em contexto (*in-context learning*), o que acontece com os pesos do GPT-3?",
                "During in-context learning, what happens to GPT-3's weights?"),
        choices=(
            choice("a", True, ("Nada: os exemplos só estão no prompt; os pesos não mudam.",
                               "Nothing: the examples are only in the prompt; the weights do not change."),
                   ("Isso: a “aprendizagem” acontece dentro de uma passada para a frente, condicionada ao contexto.",
                    "Yes: the “learning” happens within a forward pass, conditioned on the context.")),
            choice("b", False, ("São ajustados por alguns passos de gradiente com os exemplos.",
                                "They are adjusted by a few gradient steps on the examples."),
                   ("Isso seria ajuste fino; o GPT-3 não faz nenhum passo de gradiente no prompt.",
                    "That would be fine-tuning; GPT-3 takes no gradient step on the prompt.")),
            choice("c", False, ("Só a última camada é ajustada.", "Only the last layer is adjusted."),
                   ("Nenhuma camada é ajustada; isso lembra a estratégia de congelar camadas no ajuste fino.",
                    "No layer is adjusted; that resembles the layer-freezing strategy of fine-tuning.")),
            choice("d", False, ("Ficam gravados para a próxima conversa.", "They are saved for the next conversation."),
                   ("Nada é gravado: um prompt novo sem os exemplos volta ao comportamento de antes.",
                    "Nothing is saved: a new prompt without the examples goes back to the old behaviour.")),
        ),
    ),
    TextExercise(
        id="history.webtext",
        lesson=LESSON,
        prompt=("Qual modelo da OpenAI foi treinado no WebText, páginas coletadas a partir de links do Reddit?",
                "Which OpenAI model was trained on WebText, pages collected from Reddit links?"),
        accepted=("GPT-2", "GPT2", "GPT 2"),
        mistakes=(
            mistake(said("GPT-1", "GPT1", "GPT 1", "GPT"), "O GPT-1 foi treinado no BooksCorpus, uma coleção de livros.",
                    "GPT-1 was trained on BooksCorpus, a collection of books."),
            mistake(said("GPT-3", "GPT3", "GPT 3"), "O GPT-3 usou sobretudo o Common Crawl filtrado, além do WebText2, livros e a Wikipédia.",
                    "GPT-3 used mostly filtered Common Crawl, plus WebText2, books and Wikipedia."),
        ),
        hints=(("É o modelo do artigo *Language Models are Unsupervised Multitask Learners* (2019).",
                "It is the model of the paper *Language Models are Unsupervised Multitask Learners* (2019)."),),
        explanation=("O GPT-2 (2019) foi treinado no WebText: cerca de 8 milhões de documentos, 40 GB de texto.",
                     "GPT-2 (2019) was trained on WebText: about 8 million documents, 40 GB of text."),
    ),
    NumericExercise(
        id="history.gpt1_blocks",
        lesson=LESSON,
        prompt=("Quantos blocos de decodificador (camadas) tem o GPT-1?", "How many decoder blocks (layers) does GPT-1 have?"),
        answer=12,
        mistakes=(
            mistake(near(48, 0), "48 camadas tem o maior GPT-2 (1,5 bilhão de parâmetros).", "48 layers is the largest GPT-2 (1.5 billion parameters)."),
            mistake(near(96, 0), "96 camadas tem o GPT-3 de 175 bilhões.", "96 layers is the 175-billion GPT-3."),
            mistake(near(6, 0), "6 camadas tem o all-MiniLM-L6-v2 (e o DistilBERT).", "6 layers is all-MiniLM-L6-v2 (and DistilBERT)."),
            mistake(near(768, 0), "768 é a largura dos vetores ($d_{\\text{model}}$), não o número de camadas.",
                    "768 is the vector width ($d_{\\text{model}}$), not the number of layers."),
        ),
        hints=(("O mesmo número de camadas do GPT-2 small e do BERT-base.", "The same number of layers as GPT-2 small and BERT-base."),),
        explanation=("12 blocos, $d_{\\text{model}} = 768$, 12 cabeças e contexto de 512 tokens: cerca de 117 milhões de parâmetros.",
                     "12 blocks, $d_{\\text{model}} = 768$, 12 heads and a 512-token context: about 117 million parameters."),
    ),
)
