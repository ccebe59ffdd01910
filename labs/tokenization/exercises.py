"""Exercises of the tokenization lesson."""

from core.exercises import tasks
from core.exercises.bank._shared import choice, mistake, near, said
from core.exercises.model import ChoiceExercise, NumericExercise, TextExercise, WidgetTask

LESSON = "tokenization"

EXERCISES = (
    NumericExercise(
        id="tokenization.gpt2_vocab",
        lesson=LESSON,
        prompt=(
            "O vocabulário do GPT-2 começa com os 256 valores de byte, acrescenta os tokens criados por 50.000 "
            "*merges* do BPE e mais um token especial. Quantos tokens ele tem ao todo?",
            "GPT-2's vocabulary starts from the 256 byte values, adds the tokens made by 50,000 BPE merges and one "
            "special token. How many tokens does it have in all?",
        ),
        answer=50_257,
        mistakes=(
            mistake(near(50_256, 0), "Faltou o token especial `<|endoftext|>`: ele é o último, de id 50256.",
                    "You left out the special token `<|endoftext|>`: it is the last one, id 50256."),
            mistake(near(50_000, 0), "Esses são só os *merges*; faltam os 256 bytes da base e o token especial.",
                    "Those are only the merges; the 256 base bytes and the special token are missing."),
            mistake(near(30_522, 0), "Esse é o tamanho do vocabulário WordPiece do BERT, não o do GPT-2.",
                    "That is the size of BERT's WordPiece vocabulary, not GPT-2's."),
            mistake(near(262_144, 0), "Esse é o vocabulário do Gemma 3 (2^18), não o do GPT-2.",
                    "That is Gemma 3's vocabulary (2^18), not GPT-2's."),
        ),
        hints=(("Some as três partes da frase.", "Add up the three parts of the sentence."),
               ("256 + 50.000 + 1.", "256 + 50,000 + 1.")),
        explanation=("256 + 50.000 + 1 = 50.257. O último id, 50256, é `<|endoftext|>`.",
                     "256 + 50,000 + 1 = 50,257. The last id, 50256, is `<|endoftext|>`."),
    ),
    ChoiceExercise(
        id="tokenization.why_a_tilde",
        lesson=LESSON,
        prompt=("O GPT-2 mostra a letra “ç” como `Ã§`. Por quê?", "GPT-2 shows the letter “ç” as `Ã§`. Why?"),
        choices=(
            choice("a", True,
                   ("Em UTF-8, “ç” ocupa 2 bytes (C3 A7), e o GPT-2 mostra cada byte pelo seu caractere substituto imprimível.",
                    "In UTF-8, “ç” takes 2 bytes (C3 A7), and GPT-2 shows each byte by its printable stand-in character."),
                   ("Isso: 0xC3 aparece como `Ã` e 0xA7 como `§`. Ao decodificar, os bytes se juntam de novo em “ç”.",
                    "Yes: 0xC3 shows as `Ã` and 0xA7 as `§`. Decoding joins the bytes back into “ç”.")),
            choice("b", False,
                   ("O vocabulário do GPT-2 foi treinado só com texto Latin-1 e não conhece acentos.",
                    "GPT-2's vocabulary was trained on Latin-1 text only and knows no accents."),
                   ("Não: o GPT-2 trabalha com bytes, então codifica qualquer texto; `Ã§` é só a forma de exibir os dois bytes de “ç”.",
                    "No: GPT-2 works on bytes, so it encodes any text; `Ã§` is only how the two bytes of “ç” are displayed.")),
            choice("c", False,
                   ("É um erro de decodificação: o texto volta corrompido.",
                    "It is a decoding bug: the text comes back corrupted."),
                   ("A ida e volta é exata: juntando os bytes de todos os tokens e lendo-os como UTF-8, o “ç” volta inteiro.",
                    "The round trip is exact: joining the bytes of all tokens and reading them as UTF-8 gives “ç” back whole.")),
            choice("d", False,
                   ("O GPT-2 converte o texto para minúsculas e tira os acentos antes de dividi-lo.",
                    "GPT-2 lowercases the text and strips its accents before splitting it."),
                   ("Isso é o que faz o WordPiece sem maiúsculas do BERT (all-MiniLM-L6-v2), não o GPT-2.",
                    "That is what BERT's uncased WordPiece (all-MiniLM-L6-v2) does, not GPT-2.")),
        ),
        hints=(("Quantos bytes “ç” ocupa em UTF-8?", "How many bytes does “ç” take in UTF-8?"),),
    ),
    TextExercise(
        id="tokenization.space_marker",
        lesson=LESSON,
        prompt=(
            "Que caractere o SentencePiece do Gemma 3 escreve no lugar de um espaço, dentro dos tokens? "
            "Cole o caractere ou escreva seu código Unicode (como U+0041).",
            "Which character does Gemma 3's SentencePiece write in place of a space, inside its tokens? "
            "Paste the character or write its Unicode code point (like U+0041).",
        ),
        accepted=("▁", "U+2581", "u2581", "0x2581"),
        mistakes=(
            mistake(said("Ġ", "U+0120"), "`Ġ` (U+0120) é o substituto do espaço no GPT-2, não no SentencePiece.",
                    "`Ġ` (U+0120) is GPT-2's stand-in for the space, not SentencePiece's."),
            mistake(said("_", "U+005F"), "Parece, mas é o sublinhado comum (U+005F). O do SentencePiece é outro caractere, um bloco baixo.",
                    "It looks alike, but that is the ordinary underscore (U+005F). SentencePiece's is another character, a low block."),
            mistake(said("##"), "`##` marca uma peça de continuação no WordPiece do BERT; não é um espaço.",
                    "`##` marks a continuation piece in BERT's WordPiece; it is not a space."),
            mistake(said(" ", "espaço", "space"), "O SentencePiece troca o espaço por um símbolo visível; qual?",
                    "SentencePiece replaces the space by a visible symbol; which one?"),
        ),
        hints=(("Veja a tabela do Gemma 3 na seção sobre SentencePiece.", "See Gemma 3's table in the SentencePiece section."),
               ("É o U+2581, “LOWER ONE EIGHTH BLOCK”.", "It is U+2581, “LOWER ONE EIGHTH BLOCK”.")),
        explanation=("O SentencePiece trata o espaço como um símbolo comum, `▁` (U+2581), por isso a volta para texto é sem perdas.",
                     "SentencePiece treats the space as an ordinary symbol, `▁` (U+2581), which is why detokenizing is lossless."),
    ),
    NumericExercise(
        id="tokenization.embedding_params",
        lesson=LESSON,
        prompt=(
            "O Gemma 3 270M tem vocabulário $V = 262.144$ e vetores de tamanho $d = 640$. Quantos parâmetros tem "
            "sua matriz de embedding?",
            "Gemma 3 270M has a vocabulary of $V = 262{,}144$ and vectors of size $d = 640$. How many parameters does "
            "its embedding matrix have?",
        ),
        answer=262_144 * 640,
        rel_tol=0.002,
        mistakes=(
            mistake(near(262_144 + 640), "Você somou; a matriz tem V linhas de d números cada: multiplique.",
                    "You added; the matrix has V rows of d numbers each: multiply."),
            mistake(near(50_257 * 768), "Esse é o embedding do GPT-2 (50.257 × 768), não o do Gemma.",
                    "That is GPT-2's embedding (50,257 × 768), not Gemma's."),
            mistake(near(268_098_176, 0.02), "Esse é o modelo inteiro; a pergunta é só sobre o embedding.",
                    "That is the whole model; the question is about the embedding only."),
        ),
        hints=(("Uma linha de $d$ números por token do vocabulário.", "One row of $d$ numbers per vocabulary token."),
               ("$V \\times d$.", "$V \\times d$.")),
        explanation=("262.144 × 640 = 167.772.160, cerca de 63 % de todos os parâmetros do modelo.",
                     "262,144 × 640 = 167,772,160, about 63 % of all the model's parameters."),
    ),
    ChoiceExercise(
        id="tokenization.emoji_without_unk",
        lesson=LESSON,
        multiple=True,
        prompt=("Quais destes tokenizadores codificam o emoji 🙂 sem usar um token desconhecido?",
                "Which of these tokenizers encode the emoji 🙂 without an unknown token?"),
        choices=(
            choice("a", True, ("GPT-2 (BPE em bytes)", "GPT-2 (byte-level BPE)"),
                   ("Os 256 bytes são o vocabulário de base: qualquer texto vira tokens. 🙂 são 4 bytes, em um ou mais tokens.",
                    "The 256 bytes are the base vocabulary: any text becomes tokens. 🙂 is 4 bytes, in one or more tokens.")),
            choice("b", True, ("Gemma 3 (SentencePiece com byte fallback)", "Gemma 3 (SentencePiece with byte fallback)"),
                   ("Um caractere fora do vocabulário vira seus bytes UTF-8 (`<0xF0>`…), nunca `<unk>`.",
                    "A character missing from the vocabulary becomes its UTF-8 bytes (`<0xF0>`…), never `<unk>`.")),
            choice("c", False, ("BERT / all-MiniLM-L6-v2 (WordPiece)", "BERT / all-MiniLM-L6-v2 (WordPiece)"),
                   ("O emoji não está entre as 30.522 entradas, e a palavra inteira vira `[UNK]`.",
                    "The emoji is not among the 30,522 entries, and the whole word becomes `[UNK]`.")),
            choice("d", False, ("Um tokenizador de palavras inteiras com lista fixa", "A whole-word tokenizer with a fixed list"),
                   ("Ele só conhece as palavras da lista; qualquer outra coisa vira desconhecida.",
                    "It knows only the words on its list; anything else becomes unknown.")),
        ),
        hints=(("Quem tem os bytes como último recurso?", "Which ones fall back to bytes?"),),
    ),
    NumericExercise(
        id="tokenization.premium",
        lesson=LESSON,
        prompt=(
            "A mesma notícia tem 130 tokens em português e 100 tokens em inglês no tokenizador do GPT-2. "
            "Qual é o prêmio (*premium*) do português?",
            "The same news story has 130 tokens in Portuguese and 100 tokens in English with GPT-2's tokenizer. "
            "What is the Portuguese premium?",
        ),
        answer=1.3,
        abs_tol=0.005,
        mistakes=(
            mistake(near(100 / 130, abs_=0.005), "Você dividiu o inglês pelo português; o prêmio é português ÷ inglês.",
                    "You divided English by Portuguese; the premium is Portuguese ÷ English."),
            mistake(near(30, 0), "Essa é a diferença; o prêmio é uma razão.", "That is the difference; the premium is a ratio."),
            mistake(near(130, 0), "Esse é o número de tokens; o prêmio compara as duas línguas.",
                    "That is a token count; the premium compares the two languages."),
        ),
        hints=(("Veja a fórmula na seção sobre inflação de tokens.", "See the formula in the token inflation section."),),
        explanation=("130 / 100 = 1,3: o mesmo conteúdo custa 30 % mais tokens em português, ocupando mais da janela de contexto.",
                     "130 / 100 = 1.3: the same content costs 30 % more tokens in Portuguese, using more of the context window."),
    ),
    WidgetTask(
        id="tokenization.bert_unk",
        lesson=LESSON,
        prompt=(
            "No primeiro laboratório desta página, digite um texto em que o tokenizador do BERT perca uma palavra "
            "inteira, trocando-a por `[UNK]`. Depois clique em verificar.",
            "In this page's first lab, type a text in which BERT's tokenizer loses a whole word, replacing it by "
            "`[UNK]`. Then click check.",
        ),
        reads=("tokenization.text",),
        needs=("minilm",),
        checker=tasks.bert_unknown,
        hints=(("Releia o passo 4 do WordPiece.", "Reread step 4 of WordPiece."),
               ("Use um caractere que não está no vocabulário de 30.522 entradas: um emoji, uma escrita rara.",
                "Use a character that is not in the 30,522-entry vocabulary: an emoji, a rare script."),
               ("Experimente `casa🙂verde`.", "Try `casa🙂verde`.")),
    ),
    WidgetTask(
        id="tokenization.partial_character",
        lesson=LESSON,
        prompt=(
            "Na visão de bytes do GPT-2 (a caixa de texto da seção sobre BPE em bytes), digite um texto em que algum "
            "token guarde só parte de um caractere.",
            "In GPT-2's byte view (the text box of the byte-level BPE section), type a text in which some token "
            "holds only part of a character.",
        ),
        reads=("tokenization.bytes_text",),
        needs=("gpt2",),
        checker=tasks.partial_character,
        hints=(("Caracteres fora do ASCII ocupam de 2 a 4 bytes em UTF-8.", "Characters outside ASCII take 2 to 4 bytes in UTF-8."),
               ("“ç” cabe inteiro num token; um emoji de 4 bytes costuma ser dividido.",
                "“ç” fits whole in one token; a 4-byte emoji is often split."),
               ("Experimente 🙂.", "Try 🙂.")),
    ),
)
