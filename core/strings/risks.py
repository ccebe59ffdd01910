"""UI strings (pt-BR, en) for the risks page."""

STRINGS: dict[str, tuple[str, str]] = {
    # --- shared
    "risks.needs_decoder": (
        "Esta demonstração usa o Gemma 3 270M, que ainda está sendo preparado (veja o andamento na barra lateral). "
        "Ela aparece aqui assim que ele estiver pronto.",
        "This demo uses Gemma 3 270M, which is still being prepared (see the progress in the sidebar). "
        "It shows up here as soon as it is ready.",
    ),
    "risks.computing": ("Calculando no Gemma 3 270M…", "Computing on Gemma 3 270M…"),
    "risks.col.token": ("Token", "Token"),
    "risks.col.probability": ("Probabilidade", "Probability"),
    "risks.col.step": ("Passo", "Step"),
    "risks.table": ("Ver como tabela", "Show as a table"),
    # --- 1. bias probe
    "risks.bias.header": ("Sonda de viés: pronomes depois de profissões", "Bias probe: pronouns after professions"),
    "risks.bias.intro": (
        "A mesma frase, só com a profissão trocada. Para cada uma, calculamos a probabilidade que o modelo dá a "
        "cada pronome logo em seguida (a palavra inteira, mesmo que ocupe vários tokens).",
        "The same sentence with only the profession swapped. For each one we compute the probability the model "
        "gives each pronoun right after it (the whole word, even when it spans several tokens).",
    ),
    "risks.bias.template": ("Frase-modelo (use {profession} uma vez)", "Template (use {profession} once)"),
    "risks.bias.template_help": (
        "O texto {profession} é trocado por cada profissão da lista. O modelo continua a frase.",
        "The text {profession} is replaced by each profession in the list. The model continues the sentence.",
    ),
    "risks.bias.a": ("Pronome A", "Pronoun A"),
    "risks.bias.b": ("Pronome B", "Pronoun B"),
    "risks.bias.candidate_help": (
        "Uma palavra (até {max} caracteres); o espaço antes dela é posto automaticamente.",
        "One word (up to {max} characters); the space before it is added for you.",
    ),
    "risks.bias.professions": ("Profissões (uma por linha, até {max})", "Professions (one a line, up to {max})"),
    "risks.bias.problem.empty": (
        "Escreva uma frase-modelo com {profession} no lugar da profissão.",
        "Write a template with {profession} where the profession goes.",
    ),
    "risks.bias.problem.no_slot": (
        "A frase-modelo precisa conter {profession} (assim, em minúsculas e entre chaves) para saber onde entra a profissão.",
        "The template must contain {profession} (exactly so, lower-case, in braces) to know where the profession goes.",
    ),
    "risks.bias.problem.many_slots": (
        "Use {profession} uma única vez: com duas profissões na frase, não dá para saber a quem o pronome se refere.",
        "Use {profession} only once: with two professions in the sentence, there is no telling whom the pronoun refers to.",
    ),
    "risks.bias.problem.too_long": (
        "A frase-modelo passa de {max} caracteres; encurte-a.",
        "The template is longer than {max} characters; shorten it.",
    ),
    "risks.bias.no_professions": ("Escreva ao menos uma profissão na lista.", "Write at least one profession in the list."),
    "risks.bias.too_many": (
        "Só as {max} primeiras profissões entram na comparação.",
        "Only the first {max} professions are compared.",
    ),
    "risks.bias.too_long_items": (
        "Ficaram de fora (mais de {max} caracteres): {items}",
        "Left out (longer than {max} characters): {items}",
    ),
    "risks.bias.bad_candidates": (
        "Escreva duas palavras diferentes nos campos de pronome (até {max} caracteres cada).",
        "Write two different words in the pronoun fields (up to {max} characters each).",
    ),
    "risks.bias.chart_title": ("Quantas vezes um pronome é mais provável que o outro", "How many times likelier one pronoun is than the other"),
    "risks.bias.axis": ("log₂ P({a}) / P({b})", "log₂ P({a}) / P({b})"),
    "risks.bias.prefers": ("mais provável", "more likely"),
    "risks.bias.legend": ("Pronome preferido", "Preferred pronoun"),
    "risks.bias.col.profession": ("Profissão", "Profession"),
    "risks.bias.col.p": ("P({word})", "P({word})"),
    "risks.bias.col.sum": ("P({a}) + P({b})", "P({a}) + P({b})"),
    "risks.bias.col.ratio": ("Mais provável, e quantas vezes", "Likelier, and how many times"),
    "risks.bias.col.top": ("Próximo token favorito do modelo", "Model's favourite next token"),
    "risks.bias.summary": (
        "Maior preferência por {a}: {top_a} ({ratio_a}× mais provável). Maior preferência por {b}: {top_b} "
        "({ratio_b}× mais provável).",
        "Strongest preference for {a}: {top_a} ({ratio_a}× likelier). Strongest preference for {b}: {top_b} "
        "({ratio_b}× likelier).",
    ),
    "risks.bias.same_side": (
        "Em todas as profissões, {word} é o mais provável: o que muda de uma linha para outra é quanto.",
        "For every profession {word} is the likelier one: what changes from row to row is by how much.",
    ),
    "risks.bias.framing": (
        "**Como ler isto.** São as probabilidades de um modelo-base pequeno (Gemma 3 270M, treinado em texto da "
        "web) para **uma** frase-modelo. Elas refletem associações no texto de que o modelo aprendeu; não medem as "
        "pessoas dessas profissões, nem todos os modelos, nem todas as frases: outra frase pode mudar os números. "
        "Nenhum dos dois pronomes costuma ser o próximo token favorito do modelo (última coluna), e a soma dos dois "
        "pode ser pequena: leia a razão junto com essa soma. Modelos maiores e "
        "ajustados com instruções costumam ser treinados para reduzir essas associações, o que não quer dizer que "
        "elas sumam; avaliar viés a sério pede muitas frases, muitos grupos e métricas combinadas de antemão.",
        "**How to read this.** These are the probabilities of a small base model (Gemma 3 270M, trained on web "
        "text) for **one** template. They reflect associations in the text the model learned from; they do not "
        "measure the people in these jobs, nor all models, nor all sentences: another template can change the "
        "numbers. Neither pronoun is usually the model's favourite next token (last column), and the two together "
        "may get little probability: read the ratio together with their sum. Larger, "
        "instruction-tuned models are often trained to reduce such associations, which does not make them vanish; "
        "a serious bias evaluation needs many sentences, many groups and metrics agreed on beforehand.",
    ),
    "risks.bias.grammar_note": (
        "Atenção à gramática: em português, a concordância com “quem” é no masculino por padrão, o que puxa todas as "
        "linhas da frase-modelo em português para “ele”; por isso as profissões padrão têm uma só forma para os dois "
        "gêneros (o/a motorista). Compare as profissões entre si, não com o zero.",
        "Mind the grammar: in Portuguese, “quem” (who) takes masculine agreement by default, which pulls every row "
        "of the Portuguese template towards “ele” (he); that is why its default professions have one form for both "
        "genders (o/a motorista). In any language, compare the professions with each other, not with zero.",
    ),
    # --- 2. hallucination
    "risks.hall.header": ("Alucinação: a confiança do próprio modelo", "Hallucination: the model's own confidence"),
    "risks.hall.intro": (
        "O modelo continua cada texto escolhendo sempre o token mais provável (decodificação gulosa, {n} tokens). "
        "O fundo de cada token mostra a probabilidade que o modelo lhe deu.",
        "The model continues each text by always picking its most likely token (greedy decoding, {n} tokens). "
        "Each token's background shows the probability the model gave it.",
    ),
    "risks.hall.invented": ("Sobre algo inventado", "About something invented"),
    "risks.hall.invented_default": (
        "A República da Zarvânia declarou sua independência em",
        "The Republic of Zarvania declared its independence in",
    ),
    "risks.hall.control": ("Controle: um fato real", "Control: a real fact"),
    "risks.hall.control_default": ("A Revolução Francesa começou em", "The United States declared its independence in"),
    "risks.hall.expected": ("Resposta certa do controle", "The control's right answer"),
    "risks.hall.expected_default": ("1789", "1776"),
    "risks.hall.empty": (
        "Escreva os dois textos (o inventado e o controle) para o modelo continuar.",
        "Write both texts (the invented one and the control) for the model to continue.",
    ),
    "risks.hall.metrics_caption": ("Probabilidade dos tokens escritos:", "Probability of the tokens written:"),
    "risks.hall.metric.mean": ("Média", "Mean"),
    "risks.hall.metric.min": ("Menor", "Lowest"),
    "risks.hall.metric.first": ("Primeiro token", "First token"),
    "risks.hall.metric.help": (
        "Probabilidade média e a menor entre os tokens escritos; o primeiro token é onde a resposta começa.",
        "Mean and lowest probability of the tokens written; the first token is where the answer starts.",
    ),
    "risks.hall.ended": ("O modelo encerrou o texto (token de fim).", "The model ended the text (end-of-text token)."),
    "risks.hall.nothing": ("O modelo encerrou o texto sem escrever nada.", "The model ended the text without writing anything."),
    "risks.hall.expected_found": (
        "A resposta certa “{answer}” aparece no texto do controle. Logo depois do texto do controle, o modelo dá "
        "{p} de probabilidade a ela.",
        "The right answer “{answer}” appears in the control's text. Right after the control text, the model gives it "
        "a probability of {p}.",
    ),
    "risks.hall.expected_missing": (
        "A resposta certa “{answer}” **não** aparece no texto do controle: mesmo sobre um fato real, um modelo "
        "pequeno erra, com o mesmo tipo de confiança. Logo depois do texto do controle, ele dá {p} de "
        "probabilidade a ela.",
        "The right answer “{answer}” does **not** appear in the control's text: even on a real fact a small model "
        "gets things wrong, with the same kind of confidence. Right after the control text, it gives the answer "
        "a probability of {p}.",
    ),
    "risks.hall.verdict_higher": (
        "Sobre algo que não existe, o modelo escreveu com probabilidade média de {inv} %, tanto ou mais do que "
        "sobre o fato real ({ctl} %). Nada no texto avisa que a resposta foi inventada. **Confiança não é "
        "verdade:** a probabilidade mede quão comum é uma continuação no tipo de texto que o modelo viu, não se "
        "ela é verdadeira.",
        "About something that does not exist, the model wrote with a mean probability of {inv} %, as high as or "
        "higher than on the real fact ({ctl} %). Nothing in the text warns that the answer was made up. "
        "**Confidence is not truth:** a probability measures how usual a continuation is in the kind of text the "
        "model saw, not whether it is true.",
    ),
    "risks.hall.verdict_lower": (
        "Sobre algo que não existe, o modelo escreveu com probabilidade média de {inv} %, menos do que sobre o fato "
        "real ({ctl} %), mas ainda assim escreveu uma resposta fluente, e nada no texto avisa que ela foi inventada. "
        "**Confiança não é verdade:** a probabilidade mede quão comum é uma continuação no tipo de texto que o "
        "modelo viu, não se ela é verdadeira; e quem lê o texto nem vê essas probabilidades.",
        "About something that does not exist, the model wrote with a mean probability of {inv} %, lower than on the "
        "real fact ({ctl} %), yet it still wrote a fluent answer, and nothing in the text warns that it was made up. "
        "**Confidence is not truth:** a probability measures how usual a continuation is in the kind of text the "
        "model saw, not whether it is true; and whoever reads the text never sees these probabilities.",
    ),
    # --- 3. prompt sensitivity
    "risks.sens.header": ("A mesma pergunta, escrita de jeitos diferentes", "The same question, phrased differently"),
    "risks.sens.intro": (
        "Cada linha é uma forma de pedir a mesma coisa. Para cada uma, a probabilidade que o modelo dá à resposta "
        "certa logo em seguida.",
        "Each line asks for the same thing in another way. For each, the probability the model gives the right "
        "answer right after it.",
    ),
    "risks.sens.phrasings": ("Formulações (uma por linha, até {max})", "Phrasings (one a line, up to {max})"),
    "risks.sens.phrasings_default": (
        "A capital da França é\nA França tem como capital a cidade de\nPergunta: Qual é a capital da França?\\nResposta:"
        "\nQual cidade é a capital da França? A resposta é\na capital da frança é",
        "The capital of France is\nFrance has its capital in the city of\nQ: What is the capital of France?\\nA:"
        "\nWhich city is the capital of France? The answer is\nthe capital of france is",
    ),
    "risks.sens.phrasings_help": (
        "Uma formulação por linha. Para uma formulação de várias linhas, escreva \\n onde a linha quebra.",
        "One phrasing a line. For a phrasing of several lines, write \\n where the line breaks.",
    ),
    "risks.sens.answer": ("Resposta certa", "Right answer"),
    "risks.sens.answer_default": ("Paris", "Paris"),
    "risks.sens.empty": (
        "Escreva ao menos uma formulação e a resposta certa.",
        "Write at least one phrasing and the right answer.",
    ),
    "risks.sens.too_many": ("Só as {max} primeiras formulações entram.", "Only the first {max} phrasings are used."),
    "risks.sens.too_long": (
        "Formulações com mais de {max} caracteres ficaram de fora.",
        "Phrasings longer than {max} characters were left out.",
    ),
    "risks.sens.chart_title": ("P(resposta certa) em cada formulação", "P(right answer) for each phrasing"),
    "risks.sens.col.phrasing": ("Formulação", "Phrasing"),
    "risks.sens.col.p": ("P(“{answer}”)", "P(“{answer}”)"),
    "risks.sens.col.top": ("Próximo token favorito do modelo", "Model's favourite next token"),
    "risks.sens.summary": (
        "A melhor formulação deixa a resposta {ratio}× mais provável do que a pior ({best} % contra {worst} %), "
        "e a pergunta é a mesma.",
        "The best phrasing makes the answer {ratio}× likelier than the worst ({best} % against {worst} %), "
        "for the same question.",
    ),
    # --- 4. context window
    "risks.ctx.header": ("Truncamento da janela de contexto, à vista", "Context-window truncation, made visible"),
    "risks.ctx.intro": (
        "Um fato aparece no começo do texto e a pergunta vem no fim. Quando o texto não cabe na janela, fica o "
        "token inicial <bos> e o final do texto; o meio (e o começo) some.",
        "A fact appears at the start of the text and the question comes at the end. When the text does not fit the "
        "window, the start token <bos> and the end of the text stay; the middle (and the start) is gone.",
    ),
    "risks.ctx.text": ("Texto longo", "Long text"),
    "risks.ctx.answer": ("Resposta esperada", "Expected answer"),
    "risks.ctx.window": ("Janela de contexto (tokens)", "Context window (tokens)"),
    "risks.ctx.window_help": (
        "Quantos tokens o modelo lê. O Gemma 3 270M lê até 32.768; aqui o limite é {max}. A resposta também ocupa "
        "lugar na janela.",
        "How many tokens the model reads. Gemma 3 270M reads up to 32,768; here the limit is {max}. The answer "
        "takes room in the window too.",
    ),
    "risks.ctx.empty": ("Escreva um texto e a resposta esperada.", "Write a text and the expected answer."),
    "risks.ctx.chars_cut": (
        "O texto tem {count} caracteres; só os {max} primeiros são usados.",
        "The text has {count} characters; only the first {max} are used.",
    ),
    "risks.ctx.lab_cut": (
        "O texto tem {tokens} tokens, mais do que os {max} que este laboratório lê: “o texto inteiro” abaixo já são "
        "os seus {max} últimos tokens (com <bos>).",
        "The text has {tokens} tokens, more than the {max} this lab reads: “the whole text” below is already its "
        "last {max} tokens (with <bos>).",
    ),
    "risks.ctx.window_small": (
        "A resposta tem {answer} tokens: a janela precisa de pelo menos {min}.",
        "The answer is {answer} tokens long: the window needs at least {min}.",
    ),
    "risks.ctx.counts": (
        "O texto tem {total} tokens. A janela de {window} guarda {kept} deles; {dropped} ficam de fora (riscados).",
        "The text has {total} tokens. The window of {window} keeps {kept} of them; {dropped} are left out (struck through).",
    ),
    "risks.ctx.fits": (
        "O texto tem {total} tokens e cabe inteiro na janela de {window}: nada fica de fora.",
        "The text has {total} tokens and fits whole in the window of {window}: nothing is left out.",
    ),
    "risks.ctx.multi_token": (
        "“{answer}” ocupa {n} tokens: a probabilidade é o produto das probabilidades de cada um.",
        "“{answer}” takes {n} tokens: its probability is the product of each token's probability.",
    ),
    "risks.ctx.chips_label": (
        "Tokens do texto (riscados e apagados: fora da janela)",
        "The text's tokens (struck through and greyed: outside the window)",
    ),
    "risks.ctx.metric.full": ("P(“{answer}”) com o texto inteiro", "P(“{answer}”) with the whole text"),
    "risks.ctx.metric.cut": ("P(“{answer}”) com a janela de {window}", "P(“{answer}”) with the window of {window}"),
    "risks.ctx.top.full": ("5 próximos tokens mais prováveis: texto inteiro", "Top 5 next tokens: whole text"),
    "risks.ctx.top.cut": ("5 próximos tokens mais prováveis: janela de {window}", "Top 5 next tokens: window of {window}"),
    "risks.ctx.lost": (
        "Sem a primeira frase, o modelo não tem como saber a resposta: a probabilidade cai de {full} % para {cut} %. "
        "Nada avisa o modelo de que algo foi cortado; ele simplesmente responde com o que sobrou.",
        "Without the first sentence the model has no way to know the answer: the probability falls from {full} % to "
        "{cut} %. Nothing tells the model that something was cut; it simply answers from what is left.",
    ),
    "risks.ctx.kept_all": (
        "Com o fato dentro da janela, a probabilidade é a mesma do texto inteiro (a diferença, se houver, é "
        "arredondamento). Diminua a janela até o fato sair dela.",
        "With the fact inside the window, the probability is the same as with the whole text (any difference is "
        "rounding). Shrink the window until the fact falls out of it.",
    ),
    "risks.ctx.changed": (
        "Com a janela de {window}, a probabilidade vai de {full} % para {cut} %.",
        "With the window of {window}, the probability goes from {full} % to {cut} %.",
    ),
    "risks.ctx.legend.kept": ("na janela", "in the window"),
    "risks.ctx.legend.dropped": ("fora da janela", "outside the window"),
    "risks.ctx.reads": ("O que o modelo lê pela janela, como texto", "What the model reads through the window, as text"),
}
