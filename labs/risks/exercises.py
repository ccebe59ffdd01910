"""Exercises of the risks and good practice lesson."""

from core.exercises.bank._shared import choice, mistake, near
from core.exercises.model import ChoiceExercise, NumericExercise

LESSON = "risks"

EXERCISES = (
    NumericExercise(
        id="risks.context_budget",
        lesson=LESSON,
        prompt=("O GPT-2 tem janela de contexto de 1.024 tokens. Um prompt já ocupa 1.000 tokens. Quantos tokens "
                "novos, no máximo, o modelo ainda pode gerar sem truncar nada?",
                "GPT-2 has a context window of 1,024 tokens. A prompt already takes 1,000 tokens. At most how many "
                "new tokens can the model still generate without truncating anything?"),
        answer=24,
        mistakes=(
            mistake(near(1024, 0), "O prompt e a resposta dividem a mesma janela.", "The prompt and the answer share the same window."),
            mistake(near(2024, 0), "A janela é o total de prompt mais resposta, não só a resposta.",
                    "The window is the total of prompt plus answer, not the answer alone."),
            mistake(near(0, 0), "Ainda sobra espaço na janela.", "There is still room in the window."),
        ),
        hints=(("$n_{\\text{prompt}} + n_{\\text{gerados}} \\le L$.", "$n_{\\text{prompt}} + n_{\\text{generated}} \\le L$."),),
        explanation=("1.024 − 1.000 = 24. Um texto em português, mais inflado em tokens, enche a janela mais cedo.",
                     "1,024 − 1,000 = 24. A Portuguese text, more inflated in tokens, fills the window sooner."),
    ),
    ChoiceExercise(
        id="risks.read_the_curves",
        lesson=LESSON,
        prompt=("Num ajuste fino, a perda de treino cai sem parar enquanto a de validação (independente) para de cair "
                "e começa a subir. O que está acontecendo?",
                "In a fine-tuning run, the training loss keeps falling while the (independent) validation loss stops "
                "falling and starts to rise. What is happening?"),
        choices=(
            choice("a", True, ("Sobreajuste (*overfitting*): o modelo decora os blocos de treino.",
                               "Overfitting: the model memorizes its training blocks."),
                   ("Isso: o melhor modelo era o do mínimo da validação; pare cedo ou use mais dados.",
                    "Yes: the best model was the one at the validation minimum; stop early or use more data.")),
            choice("b", False, ("Subajuste: o treino foi curto demais.", "Underfitting: the run was too short."),
                   ("No subajuste as duas perdas ficam altas; aqui a de treino continua caindo.",
                    "With underfitting both losses stay high; here the training loss keeps falling.")),
            choice("c", False, ("A taxa de aprendizado é alta demais.", "The learning rate is too high."),
                   ("Uma taxa alta demais faz a perda de treino saltar ou virar NaN, não cair sem parar.",
                    "Too high a rate makes the training loss jump or turn NaN, not fall steadily.")),
            choice("d", False, ("Está tudo bem: a perda de treino é o que importa.", "All is well: the training loss is what matters."),
                   ("A perda de treino só mede os blocos que o modelo já viu; a generalização se mede na validação.",
                    "The training loss only measures blocks the model has seen; generalization is measured on validation.")),
        ),
    ),
    ChoiceExercise(
        id="risks.hallucination",
        lesson=LESSON,
        prompt=("O que de fato reduz as alucinações de um modelo numa aplicação?",
                "What actually reduces a model's hallucinations in an application?"),
        choices=(
            choice("a", True, ("Fornecer os fatos no prompt (recuperação) e verificar a saída.",
                               "Supplying the facts in the prompt (retrieval) and checking the output."),
                   ("Isso: a alucinação é uma propriedade da distribuição do modelo; a ajuda vem de fora da decodificação.",
                    "Yes: hallucination is a property of the model's distribution; help comes from outside decoding.")),
            choice("b", False, ("Usar temperatura 0.", "Using temperature 0."),
                   ("Temperatura baixa só faz o modelo dizer com mais consistência o que acha mais provável, certo ou errado.",
                    "A low temperature only makes the model say more consistently what it rates most likely, true or not.")),
            choice("c", False, ("Diminuir o top-p.", "Lowering top-p."),
                   ("O núcleo corta a cauda, mas o fato certo pode nem estar nele.", "The nucleus cuts the tail, but the right fact may not even be in it.")),
            choice("d", False, ("Aumentar a `repetition_penalty`.", "Raising `repetition_penalty`."),
                   ("A penalidade tira laços, não falsidades.", "The penalty removes loops, not falsehoods.")),
        ),
    ),
    ChoiceExercise(
        id="risks.good_practice",
        lesson=LESSON,
        multiple=True,
        prompt=("Quais destas são boas práticas ao ajustar e avaliar um modelo de linguagem?",
                "Which of these are good practice when fine-tuning and evaluating a language model?"),
        choices=(
            choice("a", True, ("Fixar a semente logo antes de gerar e registrar modelo, versões e configurações.",
                               "Fixing the seed right before generating and recording the model, versions and settings."),
                   ("Sim: é o que permite repetir um resultado.", "Yes: it is what makes a result repeatable.")),
            choice("b", True, ("Separar a validação por texto, antes de agrupar em blocos.",
                               "Splitting validation by text, before grouping into blocks."),
                   ("Sim: blocos do mesmo fluxo compartilham frases e vazam respostas.",
                    "Yes: blocks cut from one stream share sentences and leak answers.")),
            choice("c", True, ("Conferir a licença e os dados pessoais do corpus.", "Checking the corpus's licence and personal data."),
                   ("Sim: um modelo pode memorizar e repetir o que leu.", "Yes: a model can memorize and repeat what it read.")),
            choice("d", False, ("Avaliar o modelo só no conjunto de treino.", "Evaluating the model on the training set only."),
                   ("Isso mede memorização, não generalização.", "That measures memorization, not generalization.")),
            choice("e", False, ("Confiar numa resposta porque ela é fluente.", "Trusting an answer because it is fluent."),
                   ("Fluência não é factualidade: valide sempre as saídas.", "Fluency is not factuality: always validate outputs.")),
        ),
    ),
)
