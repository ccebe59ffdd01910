"""UI strings in Brazilian Portuguese and English. Lesson prose lives in lessons/, not here."""

from __future__ import annotations

import importlib
import math
import re
import string

from core import strings as page_strings

LANGUAGES = ("pt-BR", "en")
DEFAULT_LANGUAGE = "pt-BR"
LANGUAGE_NAMES = {"pt-BR": "Português (Brasil)", "en": "English"}

# key: (pt-BR, en). Placeholders use str.format names and must match in both languages.
STRINGS: dict[str, tuple[str, str]] = {
    # --- frame
    "app.title": ("GPT Lab", "GPT Lab"),
    "app.tagline": (
        "Aprenda como modelos de linguagem do tipo GPT funcionam, com modelos reais rodando no seu computador.",
        "Learn how GPT-style language models work, with real models running on your own computer.",
    ),
    "nav.section.course": ("Curso", "Course"),
    "nav.home": ("Início", "Home"),
    "nav.tokenization": ("Tokenização", "Tokenization"),
    "nav.bert_vs_gpt": ("BERT vs GPT", "BERT vs GPT"),
    "nav.history": ("Do GPT-1 ao GPT-3", "GPT-1 to GPT-3"),
    "nav.risks": ("Riscos e boas práticas", "Risks and good practice"),
    "sidebar.language": ("Idioma", "Language"),
    "sidebar.projector": ("Modo projetor", "Projector mode"),
    "sidebar.projector_help": (
        "Letras maiores e alto contraste, para projetar em sala de aula.",
        "Larger type and high contrast, for projecting in class.",
    ),
    "sidebar.models": ("Modelos", "Models"),
    "sidebar.bad_url_value": (
        "Ignorei um valor inválido na URL ({name}={value}).",
        "Ignored an invalid value in the URL ({name}={value}).",
    ),
    "errors.unexpected": (
        "Algo deu errado nesta parte da página ({error}). O resto da página continua funcionando; "
        "tente outro texto ou recarregue.",
        "Something went wrong in this part of the page ({error}). The rest of the page still works; "
        "try another text or reload.",
    ),
    # --- lessons
    "lesson.key_ideas": ("Nesta lição", "In this lesson"),
    "lesson.deeper": ("Para ir além: {title}", "Go deeper: {title}"),
    "lesson.notes": (
        "O que as notas do curso dizem, e o que está certo: {title}",
        "What the course notes say, and what is right: {title}",
    ),
    "lesson.figure_text": ("A figura em texto", "The figure in words"),
    # --- models
    "models.ready": ("pronto", "ready"),
    "models.preparing": ("preparando…", "preparing…"),
    "models.not_prepared": ("ainda não preparado", "not prepared yet"),
    "models.failed": ("a preparação falhou", "preparation failed"),
    "models.cancelled": ("preparação interrompida", "preparation stopped"),
    "models.prepare_button": ("Preparar o decodificador", "Prepare the decoder"),
    "models.cancel_button": ("Parar a preparação", "Stop the preparation"),
    "models.first_time": (
        "Na primeira vez, o Gemma 3 270M é convertido do arquivo GGUF (4 bits) para uma pasta em cache "
        "(1 a 2 minutos em 2 núcleos). Depois disso ele carrega em segundos.",
        "The first time, Gemma 3 270M is converted from its GGUF file (4-bit) into a cached folder "
        "(1 to 2 minutes on 2 cores). After that it loads in seconds.",
    ),
    "models.step_progress": (
        "Passo {index} de {count}: {step} — {elapsed} s (costuma levar ~{typical} s)",
        "Step {index} of {count}: {step} — {elapsed} s (usually ~{typical} s)",
    ),
    "models.step.assemble": ("montando o arquivo GGUF a partir dos pacotes", "assembling the GGUF file from its packages"),
    "models.step.tokenizer": ("construindo o tokenizador SentencePiece", "building the SentencePiece tokenizer"),
    "models.step.dequantize": ("de-quantizando os pesos de 4 bits", "de-quantizing the 4-bit weights"),
    "models.step.save_model": ("gravando o modelo no cache", "writing the model to the cache"),
    "models.step.done": ("pronto", "done"),
    "models.step.waiting": ("aguardando", "waiting"),
    "models.error_detail": ("Detalhe: {error}", "Detail: {error}"),
    "models.retry": ("Tentar de novo", "Try again"),
    "models.stopping": ("parando (ao fim do passo atual)…", "stopping (at the end of the current step)…"),
    "models.cancel_help": (
        "A preparação é uma só para todo o servidor: parar vale para todos os usuários. "
        "Um passo em andamento termina antes de parar; nada pela metade fica no cache.",
        "The preparation is shared by the whole server: stopping it stops it for every user. "
        "A step under way finishes first; nothing half-written is kept in the cache.",
    ),
    "models.desc.gemma-3-270m": (
        "decodificador (GGUF Q4_K_M, convertido uma vez para bfloat16)",
        "decoder (GGUF Q4_K_M, converted once to bfloat16)",
    ),
    "models.desc.gpt2-tokenizer": ("tokenizador BPE em bytes, 50.257 tokens", "byte-level BPE tokenizer, 50,257 tokens"),
    "models.desc.minilm-l6": (
        "codificador BERT, WordPiece sem maiúsculas (uncased)",
        "BERT encoder, uncased WordPiece",
    ),
    "models.licence.gemma-3-270m": (
        "Termos de Uso do Gemma (o texto vem no pacote: GEMMA_TERMS.html)",
        "Gemma Terms of Use (the text ships in the package: GEMMA_TERMS.html)",
    ),
    "models.licence.gpt2-tokenizer": ("MIT (arquivos de vocabulário do GPT-2)", "MIT (GPT-2's vocabulary files)"),
    "models.licence.minilm-l6": ("Apache-2.0", "Apache-2.0"),
    "models.role.decoder": ("decodificador", "decoder"),
    "models.role.encoder": ("codificador", "encoder"),
    "models.role.tokenizer": ("tokenizador", "tokenizer"),
    "models.hub_unavailable": (
        "Indisponíveis offline (não estão no cache local do Hugging Face e os downloads não estão "
        "permitidos; defina GPTLAB_ALLOW_DOWNLOADS=1 numa máquina com internet): {name}.",
        "Unavailable offline (not in the local Hugging Face cache, and downloads are not allowed; "
        "set GPTLAB_ALLOW_DOWNLOADS=1 on a machine with internet): {name}.",
    ),
    "models.hub_failed": (
        "Não consegui carregar {name}: {error}",
        "Could not load {name}: {error}",
    ),
    # --- home
    "home.lessons": ("Lições", "Lessons"),
    "home.objectives": ("Objetivos", "Objectives"),
    "home.open": ("Abrir: {title}", "Open: {title}"),
    "home.progress": ("Seu progresso", "Your progress"),
    "home.models": ("Modelos usados (todos offline)", "Models used (all offline)"),
    # --- tokenization lab
    "tok.input": ("Seu texto", "Your text"),
    "tok.input_help": (
        "Experimente acentos, emoji, números, código, outro idioma. Até {max} caracteres.",
        "Try accents, emoji, numbers, code, another language. Up to {max} characters.",
    ),
    "tok.default_text": (
        "A tokenização é o primeiro passo: Olá, ação! 🤖 GPT-2 vê bytes.",
        "Tokenization is the first step: Hello, world! 🤖 GPT-2 sees bytes.",
    ),
    "tok.examples": ("Exemplos", "Examples"),
    "tok.empty": (
        "Digite um texto acima para ver como cada tokenizador o divide.",
        "Type some text above to see how each tokenizer splits it.",
    ),
    "tok.whitespace": (
        "Seu texto só tem espaços ou quebras de linha. Eles também viram tokens, veja abaixo; "
        "digite palavras para comparar de verdade.",
        "Your text is only spaces or line breaks. They become tokens too, see below; "
        "type some words for a real comparison.",
    ),
    "tok.truncated": (
        "Seu texto tem {length} caracteres; o laboratório usa os primeiros {max}.",
        "Your text has {length} characters; the lab uses the first {max}.",
    ),
    "tok.counts": (
        "**{tokens}** tokens · **{ratio}** caracteres por token · **{added}** especiais adicionados pelo tokenizador",
        "**{tokens}** tokens · **{ratio}** characters per token · **{added}** special added by the tokenizer",
    ),
    "tok.round_trip": ("Ida e volta (decode)", "Round trip (decode)"),
    "tok.round_trip_exact": ("idêntico ao original", "identical to the original"),
    "tok.round_trip_lossy": ("diferente do original", "differs from the original"),
    "tok.unknown": (
        "{count} token(s) desconhecido(s): essa informação se perdeu.",
        "{count} unknown token(s): that information is lost.",
    ),
    "tok.showing_first": (
        "Mostrando os primeiros {shown} de {total} tokens.",
        "Showing the first {shown} of {total} tokens.",
    ),
    "tok.table": ("Os tokens em tabela (alternativa em texto)", "The tokens as a table (text alternative)"),
    "tok.col.position": ("posição", "position"),
    "tok.col.id": ("id", "id"),
    "tok.col.piece": ("token (no vocabulário)", "token (in the vocabulary)"),
    "tok.col.text": ("trecho do texto", "text span"),
    "tok.col.special": ("especial", "special"),
    "tok.chip_hint": (
        "Passe o mouse sobre um token para ver seu id. Tokens especiais têm borda tracejada; "
        "␣ é um espaço, ↵ uma quebra de linha, ⟨U+…⟩ um caractere invisível.",
        "Hover over a token to see its id. Special tokens have a dashed border; "
        "␣ is a space, ↵ a line break, ⟨U+…⟩ an invisible character.",
    ),
    "tok.gemma_wait": (
        "O tokenizador do Gemma está sendo preparado (só na primeira vez). GPT-2 e BERT já funcionam; "
        "o Gemma aparece aqui sozinho quando estiver pronto.",
        "Gemma's tokenizer is being prepared (first time only). GPT-2 and BERT already work; "
        "Gemma appears here by itself when ready.",
    ),
    "tok.gemma_unavailable": (
        "O tokenizador do Gemma não está disponível: a preparação não terminou. Use o botão na barra lateral.",
        "Gemma's tokenizer is not available: its preparation has not finished. Use the button in the sidebar.",
    ),
    "tok.extra": ("Tokenizador extra do Hugging Face Hub (opcional)", "Extra tokenizer from the Hugging Face Hub (optional)"),
    "tok.extra_none": ("nenhum", "none"),
    "tok.label.gpt2": ("GPT-2 · BPE em bytes", "GPT-2 · byte-level BPE"),
    "tok.label.bert": ("BERT · WordPiece", "BERT · WordPiece"),
    "tok.label.gemma": ("Gemma 3 · SentencePiece", "Gemma 3 · SentencePiece"),
    "tok.vocab_size": ("vocabulário: {size} tokens", "vocabulary: {size} tokens"),
    # byte-level view
    "tok.bytes.header": ("Os bytes por trás dos tokens do GPT-2", "The bytes behind GPT-2's tokens"),
    "tok.bytes.input": ("Texto para a visão em bytes", "Text for the byte view"),
    "tok.bytes.default": ("ação, coração, não 🇧🇷", "ação, coração, não 🇧🇷"),
    "tok.bytes.col.piece": ("token como o GPT-2 o guarda", "token as GPT-2 stores it"),
    "tok.bytes.col.hex": ("bytes (hex)", "bytes (hex)"),
    "tok.bytes.col.text": ("esses bytes em UTF-8", "those bytes as UTF-8"),
    "tok.bytes.partial": ("(pedaço de um caractere)", "(part of a character)"),
    "tok.bytes.joined": (
        "Juntando os bytes de todos os tokens e decodificando uma vez só, o texto volta inteiro:",
        "Joining every token's bytes and decoding once, the text comes back whole:",
    ),
    "tok.bytes.map_header": (
        "Por que `Ã§`? Os bytes de cada caractere acentuado",
        "Why `Ã§`? The bytes of each accented character",
    ),
    "tok.bytes.col.char": ("caractere", "character"),
    "tok.bytes.col.utf8": ("bytes UTF-8", "UTF-8 bytes"),
    "tok.bytes.col.shown": ("como o GPT-2 mostra os bytes", "how GPT-2 shows the bytes"),
    "tok.bytes.no_multibyte": (
        "Seu texto só tem caracteres de 1 byte (ASCII); experimente acentos ou emoji.",
        "Your text only has 1-byte (ASCII) characters; try accents or emoji.",
    ),
    # special tokens
    "tok.special.header": ("Tokens especiais de cada tokenizador", "Each tokenizer's special tokens"),
    "tok.special.col.role": ("papel", "role"),
    "tok.special.col.tokenizer": ("tokenizador", "tokenizer"),
    "tok.special.none": ("— (não tem)", "— (none)"),
    "tok.special.added": ("Adicionados em volta de um texto", "Added around a text"),
    "tok.special.before": ("antes", "before"),
    "tok.special.after": ("depois", "after"),
    "tok.special.nothing": ("nada", "nothing"),
    "tok.role.bos": ("início de sequência (BOS)", "beginning of sequence (BOS)"),
    "tok.role.eos": ("fim de sequência (EOS)", "end of sequence (EOS)"),
    "tok.role.unk": ("desconhecido (UNK)", "unknown (UNK)"),
    "tok.role.pad": ("preenchimento (PAD)", "padding (PAD)"),
    "tok.role.cls": ("classificação (CLS)", "classification (CLS)"),
    "tok.role.sep": ("separador (SEP)", "separator (SEP)"),
    "tok.role.mask": ("máscara (MASK)", "mask (MASK)"),
    "tok.special.gpt2_note": (
        "O GPT-2 tem um único token especial, `<|endoftext|>` (id 50256), que faz papel de BOS, EOS e UNK. "
        "Ele não tem PAD: no fine-tuning costuma-se reutilizar o EOS como preenchimento.",
        "GPT-2 has a single special token, `<|endoftext|>` (id 50256), serving as BOS, EOS and UNK. "
        "It has no PAD: fine-tuning usually reuses EOS as padding.",
    ),
    # inflation
    "tok.inflation.header": ("Inflação de tokens: português vs inglês", "Token inflation: Portuguese vs English"),
    "tok.inflation.chart_title": ("Tokens por frase (mesmo sentido, dois idiomas)", "Tokens per sentence (same meaning, two languages)"),
    "tok.inflation.x": ("tokenizador", "tokenizer"),
    "tok.inflation.y": ("tokens (soma das frases)", "tokens (sum over the sentences)"),
    "tok.inflation.language": ("idioma", "language"),
    "tok.inflation.ratio": (
        "{tokenizer}: o português usa {ratio}× os tokens do inglês.",
        "{tokenizer}: Portuguese uses {ratio}× the tokens of English.",
    ),
    "tok.inflation.own_pair": ("Acrescente o seu par de frases", "Add your own pair of sentences"),
    "tok.inflation.own_pt": ("Frase em português", "Sentence in Portuguese"),
    "tok.inflation.own_en": ("A mesma frase em inglês", "The same sentence in English"),
    "tok.inflation.own_incomplete": (
        "Preencha as duas frases para incluí-las na comparação.",
        "Fill in both sentences to include them in the comparison.",
    ),
    "tok.inflation.table": ("Os dados do gráfico", "The chart's data"),
    "tok.inflation.col.pt": ("frase em português", "Portuguese sentence"),
    "tok.inflation.col.en": ("frase em inglês", "English sentence"),
    "tok.example.accents": ("acentos", "accents"),
    "tok.example.emoji": ("emoji", "emoji"),
    "tok.example.numbers": ("números", "numbers"),
    "tok.example.code": ("código", "code"),
    "tok.example.rtl": ("direita-para-esquerda", "right-to-left"),
    "tok.example.invisible": ("caracteres invisíveis", "invisible characters"),
    "tok.example.markup": ("HTML", "HTML"),
    "tok.example.long_word": ("palavra longa", "long word"),
    # --- attention lab
    "nav.attention": ("Atenção", "Attention"),
    "att.input": ("Sua frase", "Your sentence"),
    "att.default_text": ("O gato subiu no telhado porque estava com medo.", "The cat climbed onto the roof because it was scared."),
    "att.empty": (
        "Digite uma frase acima para ver, camada por camada, para onde cada token olha no Gemma e no BERT.",
        "Type a sentence above to see, layer by layer, where each token looks in Gemma and in BERT.",
    ),
    "att.too_long": (
        "{model}: sua frase tem {count} tokens; as visões de atenção deste modelo mostram só os primeiros {max} "
        "(uma matriz {max}×{max} por cabeça já é muita coisa para ler).",
        "{model}: your sentence has {count} tokens; this model's attention views show only the first {max} "
        "(a {max}×{max} matrix per head is already a lot to read).",
    ),
    "att.too_long_bert": (
        "{model}: sua frase tem {count} tokens; as visões de atenção deste modelo mostram só {max}: "
        "os primeiros {kept} e o [SEP] final.",
        "{model}: your sentence has {count} tokens; this model's attention views show only {max}: "
        "the first {kept} and the closing [SEP].",
    ),
    "att.needs_decoder": (
        "As visões do Gemma precisam do decodificador preparado (veja a barra lateral). A parte do BERT já funciona.",
        "The Gemma views need the prepared decoder (see the sidebar). The BERT part already works.",
    ),
    "att.layer": ("Camada", "Layer"),
    "att.head": ("Cabeça", "Head"),
    "att.layer_kind.sliding": ("camada local (janela deslizante de {window} tokens)", "local layer (sliding window of {window} tokens)"),
    "att.layer_kind.full": ("camada global (vê todo o passado)", "global layer (sees the whole past)"),
    "att.scale": ("escala = 1/√{scalar} = {scale}", "scale = 1/√{scalar} = {scale}"),
    "att.step.scores": ("1. Escores QKᵀ × escala", "1. Scores QKᵀ × scale"),
    "att.step.mask": ("2. Máscara causal", "2. Causal mask"),
    "att.step.masked": ("3. Escores + máscara", "3. Scores + mask"),
    "att.step.softmax": ("4. Softmax (pesos de atenção)", "4. Softmax (attention weights)"),
    "att.value.score": ("escore", "score"),
    "att.value.mask": ("máscara", "mask"),
    "att.value.weight": ("peso", "weight"),
    "att.query": ("consulta (linha)", "query (row)"),
    "att.key": ("chave (coluna)", "key (column)"),
    "att.check": (
        "Conferência: maior diferença entre os pesos calculados aqui e os `output_attentions` do próprio modelo = {diff}. "
        "Soma de cada linha: de {low} a {high}.",
        "Check: largest difference between the weights computed here and the model's own `output_attentions` = {diff}. "
        "Each row sums to between {low} and {high}.",
    ),
    "att.unmask": ("Tirar a máscara (ver o que vazaria do futuro)", "Remove the mask (see what the future would leak)"),
    "att.unmasked_title": ("Softmax sem máscara: o futuro vaza", "Softmax without the mask: the future leaks"),
    "att.leak": (
        "Sem a máscara, esta cabeça poria em média {share} da atenção de cada token em tokens que vêm depois dele: "
        "no treino, isso seria colar a resposta.",
        "Without the mask, this head would put on average {share} of each token's attention on tokens that come after it: "
        "in training, that would be copying the answer.",
    ),
    "att.table": ("Os tokens mais atendidos por linha (alternativa em texto)", "Most-attended tokens per row (text alternative)"),
    "att.col.token": ("token (linha)", "token (row)"),
    "att.col.top": ("olha mais para", "looks most at"),
    "att.table.scores": ("Os maiores escores por linha (alternativa em texto)", "Highest scores per row (text alternative)"),
    "att.col.top_scores": ("maiores escores (negativos também contam)", "highest scores (negative ones count too)"),
    "att.table.mask": ("O que cada linha pode ver (alternativa em texto)", "What each row can see (text alternative)"),
    "att.col.mask": ("o que a máscara deixa ver", "what the mask lets it see"),
    "att.mask.row": ("vê as posições {visible}; escondidas: {hidden}", "sees positions {visible}; hidden: {hidden}"),
    "att.mask.row_all": ("vê as posições {visible}; nenhuma escondida", "sees positions {visible}; none hidden"),
    "att.maps.header": ("Mapa de atenção", "Attention map"),
    "att.maps.grid": ("Todas as cabeças da camada {layer}", "Every head of layer {layer}"),
    "att.maps.head_title": ("cabeça {head}", "head {head}"),
    "att.maps.focus": ("Escolha um token para ver para onde ele olha", "Pick a token to see where it looks"),
    "att.maps.focus_title": ("Para onde «{token}» olha (camada {layer}, cabeça {head})", "Where «{token}» looks (layer {layer}, head {head})"),
    "att.bert.header": ("BERT ao lado do GPT", "BERT beside GPT"),
    "att.bert.title": ("BERT (all-MiniLM-L6-v2), camada {layer}, cabeça {head}: bidirecional", "BERT (all-MiniLM-L6-v2), layer {layer}, head {head}: bidirectional"),
    "att.gpt.title": ("Gemma 3 270M, camada {layer}, cabeça {head}: causal", "Gemma 3 270M, layer {layer}, head {head}: causal"),
    "att.future_share": ("atenção no futuro (média de todas as camadas e cabeças)", "attention on the future (mean over all layers and heads)"),
    "att.bert.layer": ("Camada do BERT", "BERT layer"),
    "att.bert.head": ("Cabeça do BERT", "BERT head"),
    "att.gpt2.header": ("GPT-2 small, parâmetro por parâmetro", "GPT-2 small, parameter by parameter"),
    "att.gpt2.col.name": ("parâmetro", "parameter"),
    "att.gpt2.col.shape": ("formato", "shape"),
    "att.gpt2.col.count": ("quantidade", "count"),
    "att.gpt2.total": ("Total, calculado agora a partir de `GPT2Config()`: **{total}** parâmetros.", "Total, computed now from `GPT2Config()`: **{total}** parameters."),
    "att.gemma.header": ("O decodificador que rodamos: Gemma 3 270M", "The decoder we run: Gemma 3 270M"),
    "att.gemma.col.property": ("propriedade", "property"),
    "att.gemma.col.value": ("valor", "value"),
    "att.gemma.params": ("parâmetros", "parameters"),
    "att.bertviz.header": ("bertviz: visão por cabeça e visão do modelo", "bertviz: head view and model view"),
    "att.bertviz.model": ("Modelo", "Model"),
    "att.bertviz.view": ("Visão", "View"),
    "att.bertviz.head_view": ("por cabeça (head view)", "head view"),
    "att.bertviz.model_view": ("do modelo (model view)", "model view"),
    "att.bertviz.limit": (
        "O bertviz mostra os primeiros {max} tokens, para continuar legível.",
        "bertviz shows the first {max} tokens, to stay readable.",
    ),
    # --- decoding lab
    "nav.decoding": ("Decodificação", "Decoding"),
    "params.cut": (
        "O texto de {name} na URL passava de {max} caracteres e foi cortado.",
        "The {name} text in the URL was over {max} characters and was cut.",
    ),
    "params.clamped": (
        "O valor {value} de {name} na URL está fora do intervalo ({low} a {high}); usei {used}.",
        "The URL value {value} for {name} is out of range ({low} to {high}); using {used}.",
    ),
    "dec.default_prompt": (
        "A inteligência artificial nas escolas do Brasil",
        "Artificial intelligence in Brazil's schools",
    ),
    "dec.prompt": ("Seu prompt (o começo do texto que o modelo vai continuar)", "Your prompt (the start of the text the model will continue)"),
    "dec.empty": (
        "Digite um prompt acima: o modelo precisa de um começo de texto para prever o próximo token.",
        "Type a prompt above: the model needs the start of a text to predict the next token.",
    ),
    "dec.needs_decoder": (
        "O Gemma 3 270M está sendo preparado (só na primeira vez, 1 a 2 minutos; veja o andamento na barra lateral). "
        "Os experimentos desta página aparecem assim que ele estiver pronto.",
        "Gemma 3 270M is being prepared (first time only, 1 to 2 minutes; see the progress in the sidebar). "
        "This page's experiments appear as soon as it is ready.",
    ),
    "dec.prompt_cut": (
        "Seu prompt tem {tokens} tokens. A janela do laboratório é de {window} tokens, somando o prompt e os {new} "
        "tokens novos; por isso mantive o início (<bos>) e o final do texto, e retirei {dropped} tokens do meio. "
        "O modelo continua o final, então é ele que importa.",
        "Your prompt has {tokens} tokens. The lab's window is {window} tokens, prompt plus the {new} new tokens; "
        "so I kept the start marker (<bos>) and the end of the text and took {dropped} tokens out of the middle. "
        "The model continues the end, so that is the part that matters.",
    ),
    "dec.prompt_tokens": ("O prompt tem {n} tokens para o Gemma 3 270M.", "The prompt is {n} tokens for Gemma 3 270M."),
    "dec.temperature": ("Temperatura", "Temperature"),
    "dec.temperature_help": (
        "Divide os logits por T antes do softmax. T < 1 concentra, T > 1 espalha, T = 0 é a decodificação gulosa.",
        "Divides the logits by T before the softmax. T < 1 sharpens, T > 1 flattens, T = 0 is greedy decoding.",
    ),
    "dec.top_k": ("top-k (0 = desligado)", "top-k (0 = off)"),
    "dec.top_k_help": (
        "Mantém só os k tokens mais prováveis. 0 desliga o filtro.",
        "Keeps only the k most likely tokens. 0 turns the filter off.",
    ),
    "dec.top_p": ("top-p (1 = desligado)", "top-p (1 = off)"),
    "dec.top_p_help": (
        "Mantém o menor conjunto de tokens mais prováveis cuja probabilidade somada chega a p. Sempre fica pelo menos um.",
        "Keeps the smallest set of most likely tokens whose probabilities add up to p. At least one always stays.",
    ),
    "dec.seed": ("Semente", "Seed"),
    "dec.seed_help": (
        "A mesma semente, o mesmo prompt e os mesmos ajustes dão sempre o mesmo texto.",
        "The same seed, prompt and settings always give the same text.",
    ),
    "dec.note.greedy": (
        "Temperatura 0 = decodificação gulosa: só o token mais provável sobra, com probabilidade 1.",
        "Temperature 0 = greedy decoding: only the most likely token remains, with probability 1.",
    ),
    "dec.note.top_k_vocab": (
        "top-k = {k} é maior ou igual ao vocabulário ({vocab} tokens): nenhum token é cortado.",
        "top-k = {k} is at least the vocabulary size ({vocab} tokens): no token is cut.",
    ),
    "dec.note.top_p_zero": (
        "top-p = 0 manteria zero tokens; o filtro sempre mantém pelo menos o mais provável, então isto equivale à "
        "decodificação gulosa.",
        "top-p = 0 would keep no token at all; the filter always keeps at least the most likely one, so this "
        "amounts to greedy decoding.",
    ),
    "dec.chart.title": ("Os {n} candidatos mais prováveis para o próximo token", "The {n} most likely candidates for the next token"),
    "dec.col.token": ("Token", "Token"),
    "dec.col.probability": ("Probabilidade", "Probability"),
    "dec.series.model": ("Modelo (T = 1, sem cortes)", "Model (T = 1, nothing cut)"),
    "dec.series.strategy": ("Com seus ajustes", "With your settings"),
    "dec.series.cumulative": ("Probabilidade acumulada (após T e top-k)", "Cumulative probability (after T and top-k)"),
    "dec.older_settings": (
        "Estes textos foram gerados com o prompt ou os ajustes anteriores; aperte Gerar para refazer com os atuais.",
        "These texts were generated with the previous prompt or settings; press Generate to redo them with the current ones.",
    ),
    "dec.cut": ("cortado", "cut"),
    "dec.kept": ("mantido", "kept"),
    "dec.col.kept": ("Situação", "Status"),
    "dec.metric.model_entropy": ("Entropia do modelo", "Model entropy"),
    "dec.metric.strategy_entropy": ("Entropia com seus ajustes", "Entropy with your settings"),
    "dec.metric.kept": ("Tokens que podem sair", "Tokens that can come out"),
    "dec.metric.kept_help": (
        "Quantos dos {vocab} tokens do vocabulário sobram depois da temperatura, do top-k e do top-p.",
        "How many of the vocabulary's {vocab} tokens remain after temperature, top-k and top-p.",
    ),
    "dec.shown_mass": (
        "Os {n} candidatos do gráfico somam {mass} % da probabilidade do modelo; o resto se espalha pelos outros "
        "262 mil tokens.",
        "The chart's {n} candidates hold {mass} % of the model's probability; the rest is spread over the other "
        "262 thousand tokens.",
    ),
    "dec.table": ("Tabela (alternativa em texto ao gráfico)", "Table (text alternative to the chart)"),
    "dec.table_tokens": ("Cada token com suas probabilidades (alternativa em texto às cores)", "Each token with its probabilities (text alternative to the colours)"),
    "dec.legend": ("Fundo = probabilidade que o modelo deu ao token escolhido:", "Background = probability the model gave the chosen token:"),
    "dec.token_title": ("modelo: {model} % · com a estratégia: {strategy} %", "model: {model} % · under the strategy: {strategy} %"),
    "dec.col.step": ("Passo", "Step"),
    "dec.col.model_p": ("Prob. no modelo", "Model prob."),
    "dec.col.strategy_p": ("Prob. na estratégia", "Prob. under the strategy"),
    "dec.col.strategy": ("Estratégia", "Strategy"),
    "dec.col.repeated": ("3-gramas repetidos", "Repeated 3-grams"),
    "dec.col.most_repeated": ("Mais repetido", "Most repeated"),
    "dec.steps.header": ("Passo a passo: você escolhe o próximo token", "Step by step: you choose the next token"),
    "dec.steps.pick": ("Candidatos (probabilidade no modelo)", "Candidates (model probability)"),
    "dec.steps.add": ("Acrescentar o escolhido", "Add the chosen one"),
    "dec.steps.sample": ("Deixar o amostrador escolher", "Let the sampler choose"),
    "dec.steps.sample_help": ("Sorteia com seus ajustes ({name}) e a semente.", "Draws with your settings ({name}) and the seed."),
    "dec.steps.undo": ("Desfazer", "Undo"),
    "dec.steps.reset": ("Recomeçar", "Start over"),
    "dec.steps.full": ("Chegou ao limite de {n} tokens novos deste exercício.", "Reached this exercise's limit of {n} new tokens."),
    "dec.draws.header": ("Muitos sorteios contra a distribuição", "Many draws against the distribution"),
    "dec.draws.n": ("Número de sorteios", "Number of draws"),
    "dec.draws.caption": (
        "{n} sorteios independentes do próximo token com seus ajustes ({name}).",
        "{n} independent draws of the next token with your settings ({name}).",
    ),
    "dec.draws.title": ("{n} sorteios: frequência observada e probabilidade", "{n} draws: observed share and probability"),
    "dec.draws.share": ("Fração", "Share"),
    "dec.draws.drawn": ("Sorteado", "Drawn"),
    "dec.draws.expected": ("Probabilidade", "Probability"),
    "dec.draws.count": ("Vezes", "Times"),
    "dec.draws.other": ("(outros)", "(others)"),
    "dec.draws.summary": (
        "Saíram **{distinct}** tokens diferentes. A maior distância entre a fração sorteada e a probabilidade foi de "
        "**{gap} pontos percentuais**; com mais sorteios ela encolhe (lei dos grandes números).",
        "**{distinct}** different tokens came out. The largest gap between a drawn share and its probability was "
        "**{gap} percentage points**; with more draws it shrinks (law of large numbers).",
    ),
    "dec.sbs.header": ("Lado a lado: um prompt, uma semente, várias estratégias", "Side by side: one prompt, one seed, several strategies"),
    "dec.max_new": ("Tokens novos", "New tokens"),
    "dec.max_new_help": ("No máximo {cap} por geração.", "At most {cap} per generation."),
    "dec.generate": ("Gerar", "Generate"),
    "dec.stop": ("Parar", "Stop"),
    "dec.progress": ("Passo {step} de {total}", "Step {step} of {total}"),
    "dec.press_generate": (
        "Aperte Gerar: todas as estratégias andam juntas, um token por passo, num só lote.",
        "Press Generate: every strategy advances together, one token per step, in one batch.",
    ),
    "dec.stopped": ("Parado no passo {step} de {total}.", "Stopped at step {step} of {total}."),
    "dec.ended": ("(o modelo encerrou o texto)", "(the model ended the text)"),
    "dec.repetition": ("Repetição", "Repetition"),
    "dec.name.greedy": ("gulosa (T = 0)", "greedy (T = 0)"),
    "dec.name.beam": ("busca em feixe, {beams} feixes", "beam search, {beams} beams"),
    "dec.name.yours": ("seus ajustes: {name}", "your settings: {name}"),
    "dec.grid.header": ("A grade do material do curso: temperatura × top-p", "The course material's grid: temperature × top-p"),
    "dec.grid.caption": (
        "As nove combinações geram juntas, num só lote, com o mesmo prompt, a mesma semente e o mesmo número de tokens.",
        "All nine combinations generate together, in one batch, with the same prompt, seed and number of tokens.",
    ),
    "dec.grid.generate": ("Gerar a grade", "Generate the grid"),
    # --- fine-tuning lab
    "nav.finetuning": ("Ajuste fino", "Fine-tuning"),
    "ft.needs_decoder": (
        "O Gemma 3 270M está sendo preparado (só na primeira vez, 1 a 2 minutos; veja a barra lateral). "
        "Os blocos, o treino e a comparação aparecem assim que ele estiver pronto.",
        "Gemma 3 270M is being prepared (first time only, 1 to 2 minutes; see the sidebar). "
        "The blocks, the training and the comparison appear as soon as it is ready.",
    ),
    "ft.source": ("De onde vem o corpus", "Where the corpus comes from"),
    "ft.source.seed": ("O corpus do notebook do curso", "The course notebook's corpus"),
    "ft.source.typed": ("Meu texto", "My own text"),
    "ft.source.upload": ("Um arquivo .txt ou .csv", "A .txt or .csv file"),
    "ft.upload": ("Envie um .txt (um texto por linha) ou .csv (coluna \"text\"), até {mb} MB",
                  "Upload a .txt (one text per line) or .csv (a \"text\" column), up to {mb} MB"),
    "ft.corpus": ("Corpus (um texto por linha)", "Corpus (one text per line)"),
    "ft.corpus.empty": ("O corpus está vazio: escreva ou cole textos, um por linha, ou envie um arquivo.",
                        "The corpus is empty: type or paste texts, one per line, or upload a file."),
    "ft.corpus.too_big": ("O arquivo passa de {mb} MB: use um trecho menor.", "The file is over {mb} MB: use a smaller excerpt."),
    "ft.corpus.binary": ("Esse arquivo não é texto UTF-8 (parece binário). Envie um .txt ou .csv em UTF-8.",
                         "That file is not UTF-8 text (it looks binary). Upload a UTF-8 .txt or .csv."),
    "ft.corpus.no_text_column": ("O CSV não tem linhas com texto.", "The CSV has no rows with text."),
    "ft.corpus.stats": ("{texts} textos, {chars} caracteres.", "{texts} texts, {chars} characters."),
    "ft.corpus.truncated": ("O corpus foi cortado em {chars} caracteres, o limite do laboratório.",
                            "The corpus was cut at {chars} characters, the lab's limit."),
    "ft.block_size": ("Tamanho do bloco (block_size, em tokens)", "Block size (block_size, in tokens)"),
    "ft.val_share": ("Fração para validação", "Share held out for validation"),
    "ft.seed": ("Semente", "Seed"),
    "ft.m.tokens": ("Tokens no corpus", "Tokens in the corpus"),
    "ft.m.blocks": ("Blocos", "Blocks"),
    "ft.m.split": ("Treino / validação", "Train / validation"),
    "ft.m.remainder": ("Tokens descartados no fim", "Tokens dropped at the end"),
    "ft.no_blocks": (
        "O corpus tem {tokens} tokens, menos que um bloco de {size}: o agrupamento do notebook daria zero blocos, "
        "sem aviso. Escolha um bloco menor ou acrescente texto.",
        "The corpus has {tokens} tokens, fewer than one block of {size}: the notebook's grouping would silently give "
        "zero blocks. Choose a smaller block or add text.",
    ),
    "ft.no_validation": (
        "Com um bloco só não sobra nenhum para validação: o treino roda sem curva de validação. Um bloco menor ou "
        "mais texto resolve.",
        "With a single block none is left for validation: training runs without a validation curve. A smaller "
        "block or more text fixes it.",
    ),
    "ft.block.train": ("bloco {n} · treino", "block {n} · train"),
    "ft.block.val": ("bloco {n} · validação", "block {n} · validation"),
    "ft.block.rest": ("resto: {n} tokens, nunca treinados", "remainder: {n} tokens, never trained on"),
    "ft.more_blocks": ("… e mais {n} blocos.", "… and {n} more blocks."),
    "ft.blocks_legend": (
        "Moldura contínua azul: bloco de treino; pontilhada laranja: validação; tracejada cinza, riscada: o resto "
        "descartado. O marcador <eos> separa os textos, e cada bloco começa com <bos>, como o Gemma espera.",
        "Solid blue frame: training block; dotted orange: validation; dashed grey, struck through: the dropped "
        "remainder. The <eos> marker separates the texts, and each block opens with <bos>, as Gemma expects.",
    ),
    "ft.length": ("Duração", "Length"),
    "ft.length.steps": ("passos", "steps"),
    "ft.length.epochs": ("épocas", "epochs"),
    "ft.steps": ("Passos de otimização", "Optimizer steps"),
    "ft.epochs": ("Épocas", "Epochs"),
    "ft.lr": ("Taxa de aprendizado", "Learning rate"),
    "ft.lr_help": ("Entre 0 (exclusive) e 0,01. Para ajuste fino, valores como 5e-5 são comuns.",
                   "Between 0 (exclusive) and 0.01. For fine-tuning, values like 5e-5 are common."),
    "ft.layers": ("Blocos do decoder treinados (os últimos)", "Decoder blocks trained (the last ones)"),
    "ft.layers_help": ("Os demais blocos e a matriz de embeddings ficam congelados.",
                       "The other blocks and the embedding matrix stay frozen."),
    "ft.batch": ("Tamanho do lote", "Batch size"),
    "ft.accum": ("Acumulação de gradiente", "Gradient accumulation"),
    "ft.accum_help": ("Lotes somados antes de cada passo do otimizador: lote efetivo = lote × acumulação.",
                      "Batches summed before each optimizer step: effective batch = batch × accumulation."),
    "ft.eval_every": ("Validar a cada N passos", "Validate every N steps"),
    "ft.bad.learning_rate": (
        "A taxa de aprendizado precisa estar entre 0 (exclusive) e 0,01: com 0 nada muda, e acima disso o treino "
        "costuma divergir.",
        "The learning rate must be above 0 and at most 0.01: at 0 nothing changes, and above that training usually "
        "diverges.",
    ),
    "ft.bad.length": ("Escolha pelo menos um passo ou uma fração de época.", "Choose at least one step or a fraction of an epoch."),
    "ft.bad.sizes": ("Lote, acumulação e intervalo de validação precisam ser pelo menos 1.",
                     "Batch, accumulation and validation interval must be at least 1."),
    "ft.bad.validation_share": ("A fração de validação precisa ficar abaixo de 1.", "The validation share must stay below 1."),
    "ft.train": ("Treinar", "Train"),
    "ft.stop": ("Parar", "Stop"),
    "ft.stop_help": ("Para depois do passo em curso; o modelo treinado até ali continua utilizável.",
                     "Stops after the current step; the model trained so far stays usable."),
    "ft.queue": ("Outro treino está rodando neste servidor. Sua posição na fila: {position}.",
                 "Another training run is using this server. Your place in the queue: {position}."),
    "ft.loading": ("Carregando a sua cópia do Gemma 3 270M (float32)…", "Loading your own copy of Gemma 3 270M (float32)…"),
    "ft.trainable": ("Parâmetros treinados: {trainable} de {total}.", "Parameters trained: {trainable} of {total}."),
    "ft.progress": ("Passo {step} de {total}", "Step {step} of {total}"),
    "ft.chart.title": ("Perda de treino e de validação", "Training and validation loss"),
    "ft.chart.step": ("Passo", "Step"),
    "ft.chart.loss": ("Perda (entropia cruzada média)", "Loss (mean cross-entropy)"),
    "ft.chart.train": ("Treino", "Training"),
    "ft.chart.validation": ("Validação", "Validation"),
    "ft.m.train_loss": ("Perda de treino (último passo)", "Training loss (last step)"),
    "ft.m.val_loss": ("Perda de validação", "Validation loss"),
    "ft.m.val_ppl": ("Perplexidade de validação", "Validation perplexity"),
    "ft.not_trained": ("Ainda não há treino nesta sessão: ajuste e aperte Treinar.", "No run in this session yet: adjust and press Train."),
    "ft.stopped": ("Treino parado no passo {step} de {total}; o modelo desse ponto está disponível abaixo.",
                   "Training stopped at step {step} of {total}; the model from that point is available below."),
    "ft.done": ("Treino concluído no passo {steps}.", "Training finished at step {steps}."),
    "ft.diverged.nan": (
        "O treino parou no passo {step}: a perda virou NaN (divergiu). Em geral a taxa de aprendizado está alta "
        "demais; tente um valor 10 vezes menor.",
        "Training stopped at step {step}: the loss became NaN (it diverged). Usually the learning rate is too "
        "high; try one ten times smaller.",
    ),
    "ft.diverged.exploded": (
        "O treino parou no passo {step}: a perda explodiu (muito acima da inicial). A taxa de aprendizado está alta "
        "demais; tente um valor 10 vezes menor.",
        "Training stopped at step {step}: the loss exploded (far above where it started). The learning rate is too "
        "high; try one ten times smaller.",
    ),
    "ft.table": ("Tabela da perda e da perplexidade (alternativa em texto ao gráfico)",
                 "Loss and perplexity table (text alternative to the chart)"),
    "ft.ba.no_model": ("Treine um modelo acima para compará-lo com o original.", "Train a model above to compare it with the original."),
    "ft.ba.default_prompt": ("Resumo:", "Abstract:"),
    "ft.ba.prompt": ("Prompt para os dois modelos", "Prompt for both models"),
    "ft.ba.sampled": ("Amostrar (T 0,8, top-p 0,9)", "Sample (T 0.8, top-p 0.9)"),
    "ft.ba.base": ("Antes: Gemma 3 270M original", "Before: the original Gemma 3 270M"),
    "ft.ba.tuned": ("Depois: a sua cópia ajustada", "After: your fine-tuned copy"),
    "ft.ba.reset": ("Descartar o modelo ajustado (voltar ao original)", "Discard the fine-tuned model (back to the original)"),
    "ft.scratch.header": ("Um GPT-2 minúsculo, do zero, no mesmo corpus", "A tiny GPT-2 from scratch, on the same corpus"),
    "ft.scratch.train": ("Treinar do zero", "Train from scratch"),
    "ft.scratch.caption": (
        "{layers} blocos de largura {width}, pesos aleatórios, o tokenizador real do GPT-2: tudo o que ele souber "
        "virá deste corpus.",
        "{layers} blocks of width {width}, random weights, GPT-2's real tokenizer: everything it will know comes "
        "from this corpus.",
    ),
    "ft.scratch.sample": ("O que ele escreve depois de {steps} passos (amostrado, T 0,8, top-p 0,9):",
                          "What it writes after {steps} steps (sampled, T 0.8, top-p 0.9):"),
}


def _merge_page_strings() -> None:
    """Add each page module's strings; a key defined twice is a bug."""
    for name in page_strings.MODULES:
        module_strings = importlib.import_module(f"core.strings.{name}").STRINGS
        clash = sorted(set(module_strings) & set(STRINGS))
        if clash:
            raise KeyError(f"core/strings/{name}.py redefines {clash}")
        STRINGS.update(module_strings)


_merge_page_strings()

_FORMATTER = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


_LOCALE = re.compile(r"^(?P<language>[a-z]{2,3})(?:-[a-z0-9]{2,8})*$")


def normalize_language(value: str | None) -> str | None:
    """'pt', 'pt-br', 'pt_BR', 'en-US' -> a supported language, or None when unsupported."""
    if not value or len(value) > 35:
        return None
    match = _LOCALE.match(value.strip().replace("_", "-").lower())
    if match is None:
        return None
    return {"pt": "pt-BR", "en": "en"}.get(match["language"])


def fmt_int(n: int, language: str) -> str:
    """1234567 -> '1.234.567' (pt-BR) or '1,234,567' (en)."""
    text = f"{n:,}"
    return text.replace(",", ".") if language == "pt-BR" else text


def fmt_float(x: float, language: str, digits: int = 2) -> str:
    """3.14159 -> '3,14' (pt-BR) or '3.14' (en)."""
    text = f"{x:,.{digits}f}"
    if language == "pt-BR":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(p: float, language: str, digits: int | None = None) -> str:
    """A share as a percentage: `digits` decimals ('45,30 %'), or by default two significant digits
    however small ('45,3 %', '0,0018 %')."""
    value = 100 * p
    if digits is not None:
        return f"{fmt_float(value, language, digits)} %"
    if value <= 0:
        return "0 %"
    if value < 1e-4:
        return f"< {fmt_float(1e-4, language, 4)} %"
    digits = max(1, min(4, 1 - math.floor(math.log10(value))))
    return f"{fmt_float(value, language, digits)} %"


def t(key: str, language: str, **values: object) -> str:
    """The string for `key` in `language`; a missing key is a bug, so it raises."""
    pt, en = STRINGS[key]
    template = pt if language == "pt-BR" else en
    return template.format(**values) if values else template
