"""UI strings (pt-BR, en) for the history page: GPT-1 input builder, in-context learning, timeline."""

STRINGS: dict[str, tuple[str, str]] = {
    "history.needs_decoder": (
        "O aprendizado em contexto roda no decodificador do laboratório (Gemma 3 270M), que ainda está sendo "
        "preparado: veja o andamento na barra lateral. O resto da página já funciona.",
        "In-context learning runs on the lab's decoder (Gemma 3 270M), which is still being prepared: see the "
        "progress in the sidebar. The rest of the page already works.",
    ),
    # --- GPT-1 input builder
    "history.gpt1.task": ("Tarefa", "Task"),
    "history.gpt1.task.classification": ("Classificação", "Classification"),
    "history.gpt1.task.entailment": ("Implicação (entailment)", "Entailment"),
    "history.gpt1.task.similarity": ("Similaridade", "Similarity"),
    "history.gpt1.task.multiple_choice": ("Múltipla escolha", "Multiple choice"),
    "history.gpt1.text.classification": ("Texto", "Text"),
    "history.gpt1.text.entailment": ("Premissa", "Premise"),
    "history.gpt1.text.similarity": ("Frase 1", "Sentence 1"),
    "history.gpt1.text.multiple_choice": ("Contexto (a pergunta)", "Context (the question)"),
    "history.gpt1.second.entailment": ("Hipótese", "Hypothesis"),
    "history.gpt1.second.similarity": ("Frase 2", "Sentence 2"),
    "history.gpt1.choices": ("Respostas candidatas, uma por linha (2 a {n})", "Candidate answers, one per line (2 to {n})"),
    "history.gpt1.default.text.classification": ("O filme é longo, mas vale cada minuto.",
                                                 "The film is long, but worth every minute."),
    "history.gpt1.default.text.entailment": ("Um homem toca violão na praça.", "A man is playing a guitar in the square."),
    "history.gpt1.default.second.entailment": ("Alguém está tocando música.", "Someone is playing music."),
    "history.gpt1.default.text.similarity": ("Como faço para trocar a senha?", "How do I change my password?"),
    "history.gpt1.default.second.similarity": ("Esqueci minha senha, como mudo?", "I forgot my password, how do I reset it?"),
    "history.gpt1.default.text.multiple_choice": ("Ana deixou o sorvete no sol. O que aconteceu?",
                                                  "Ana left the ice cream in the sun. What happened?"),
    "history.gpt1.default.choices": ("Ele derreteu.\nEle congelou.\nEle cantou.",
                                     "It melted.\nIt froze.\nIt sang."),
    "history.gpt1.problem.empty": ("Preencha o campo “{field}”.", "Fill in the field “{field}”."),
    "history.gpt1.problem.too_long": ("O campo “{field}” passou de {n} caracteres; encurte-o.",
                                      "The field “{field}” is over {n} characters; shorten it."),
    "history.gpt1.problem.too_few": ("Escreva pelo menos duas respostas candidatas, uma por linha.",
                                     "Write at least two candidate answers, one per line."),
    "history.gpt1.problem.too_many": ("No máximo {n} respostas candidatas.", "At most {n} candidate answers."),
    "history.gpt1.sequence": ("Sequência {i} de {n} ({tokens} tokens)", "Sequence {i} of {n} ({tokens} tokens)"),
    "history.gpt1.too_long_for_gpt1": (
        "A sequência {i} tem {tokens} tokens: mais que os {context} do contexto do GPT-1, ela não caberia.",
        "Sequence {i} has {tokens} tokens: more than GPT-1's {context}-token context, it would not fit.",
    ),
    "history.gpt1.legend": (
        "Em destaque, os tokens especiais do GPT-1, com os nomes do artigo: **⟨s⟩** (Start, o início), **$** "
        "(Delim, o delimitador) e **⟨e⟩** (Extract, de onde se extrai a representação), "
        "embeddings novos aprendidos no ajuste fino. Os demais são os tokens do seu texto, mostrados com o BPE do "
        "GPT-2 (o BPE de 40.000 fusões do GPT-1 não vem com o laboratório; as peças diferem pouco).",
        "Highlighted, GPT-1's special tokens: **⟨s⟩** (Start), **$** (Delim) and **⟨e⟩** (Extract), new "
        "embeddings learned during fine-tuning. The others are your text's tokens, shown with GPT-2's BPE "
        "(GPT-1's 40,000-merge BPE does not ship with the lab; the pieces differ little).",
    ),
    "history.gpt1.as_text": ("Em texto: {tokens}", "As text: {tokens}"),
    "history.gpt1.combine.single": (
        "Uma passada pelo decodificador de 12 blocos. O estado final no token ⟨e⟩, $h_l^m$, entra na única camada "
        "nova, $W_y$: $P(y \\mid x^1,\\dots,x^m) = \\mathrm{{softmax}}(h_l^m W_y)$.",
        "One pass through the 12-block decoder. The final state at the ⟨e⟩ token, $h_l^m$, enters the only new "
        "layer, $W_y$: $P(y \\mid x^1,\\dots,x^m) = \\mathrm{{softmax}}(h_l^m W_y)$.",
    ),
    "history.gpt1.combine.sum": (
        "Duas passadas, uma por ordem das frases (um par não tem ordem natural). Os dois estados finais em ⟨e⟩ "
        "são somados elemento a elemento antes da camada linear $W_y$.",
        "Two passes, one per order of the sentences (a pair has no natural order). The two final states at ⟨e⟩ "
        "are added element-wise before the linear layer $W_y$.",
    ),
    "history.gpt1.combine.softmax_over_sequences": (
        "Uma passada por resposta candidata ({n} aqui). A camada linear dá uma nota a cada sequência e um "
        "softmax sobre as {n} notas escolhe a resposta.",
        "One pass per candidate answer ({n} here). The linear layer gives each sequence a score, and a softmax "
        "over the {n} scores picks the answer.",
    ),
    # --- in-context learning
    "history.icl.preset": ("Tarefa de exemplo", "Example task"),
    "history.icl.preset.plural": ("Plural", "Plural"),
    "history.icl.preset.antonyms": ("Antônimos", "Antonyms"),
    "history.icl.preset.capitals": ("Capitais", "Capitals"),
    "history.icl.preset.translation": ("Tradução", "Translation"),
    "history.icl.instruction": ("Descrição da tarefa (pode ficar vazia)", "Task description (may be empty)"),
    "history.icl.examples": ("Exemplos resolvidos, um por linha: entrada => saída (até {n})",
                             "Solved examples, one per line: input => output (up to {n})"),
    "history.icl.query": ("Entrada a resolver", "Input to solve"),
    "history.icl.answer": ("Resposta certa", "Right answer"),
    "history.icl.max_shots": ("Até quantos exemplos (shots)", "Up to how many examples (shots)"),
    "history.icl.problem.no_arrow": ("Linha {line} dos exemplos: falta o “=>” entre a entrada e a saída.",
                                     "Line {line} of the examples: the “=>” between input and output is missing."),
    "history.icl.problem.empty_side": ("Linha {line} dos exemplos: a entrada ou a saída está vazia.",
                                       "Line {line} of the examples: the input or the output is empty."),
    "history.icl.problem.too_long": ("Linha {line} dos exemplos: entrada ou saída com mais de {n} caracteres.",
                                     "Line {line} of the examples: an input or output over {n} characters."),
    "history.icl.problem.too_many": ("Linha {line} dos exemplos: no máximo {n} exemplos.",
                                     "Line {line} of the examples: at most {n} examples."),
    "history.icl.problem.field": ("O campo “{field}” está vazio ou passou de {n} caracteres.",
                                  "The field “{field}” is empty or over {n} characters."),
    "history.icl.no_examples": ("Sem exemplos, só dá para medir o zero-shot: escreva alguns acima.",
                                "Without examples only zero-shot can be measured: write some above."),
    "history.icl.progress": ("Pontuando com {k} de {n} exemplos…", "Scoring with {k} of {n} examples…"),
    "history.icl.x": ("Exemplos no prompt (shots)", "Examples in the prompt (shots)"),
    "history.icl.y": ("P(resposta certa)", "P(right answer)"),
    "history.icl.summary": (
        "Zero-shot, o modelo dá {p0} à resposta “{answer}”; com {k} exemplos, {pk}. O melhor foi {best} com "
        "{best_k} exemplos.",
        "Zero-shot, the model gives the answer “{answer}” {p0}; with {k} examples, {pk}. The best was {best} with "
        "{best_k} examples.",
    ),
    "history.icl.col.shots": ("Exemplos", "Shots"),
    "history.icl.col.probability": ("P(resposta certa)", "P(right answer)"),
    "history.icl.col.rank": ("Posição do 1º token da resposta", "Rank of the answer's 1st token"),
    "history.icl.col.top": ("Próximo token mais provável", "Most likely next token"),
    "history.icl.table": ("Tabela (alternativa em texto ao gráfico)", "Table (text alternative to the chart)"),
    "history.icl.show_prompt": ("Ver o prompt exato com k exemplos", "See the exact prompt with k examples"),
    "history.icl.k": ("k", "k"),
    "history.icl.caption": (
        "Calculado agora, no Gemma 3 270M: a probabilidade de toda a resposta (produto das probabilidades dos seus "
        "tokens), sem nenhuma atualização de pesos entre uma linha e outra. Só o prompt muda.",
        "Computed now, on Gemma 3 270M: the probability of the whole answer (the product of its tokens' "
        "probabilities), with no weight update between one row and the next. Only the prompt changes.",
    ),
    # --- timeline
    "history.timeline.x": ("Data", "Date"),
    "history.timeline.y": ("Parâmetros (bilhões, escala log)", "Parameters (billions, log scale)"),
    "history.timeline.model": ("Modelo", "Model"),
    "history.timeline.organisation": ("Organização", "Organisation"),
    "history.timeline.parameters": ("Parâmetros (bilhões)", "Parameters (billions)"),
    "history.timeline.tokens": ("Tokens de treino (bilhões)", "Training tokens (billions)"),
    "history.timeline.open": ("Pesos abertos", "Open weights"),
    "history.timeline.source": ("Fonte", "Source"),
    "history.timeline.undisclosed": ("não divulgado", "not disclosed"),
    "history.timeline.yes": ("sim", "yes"),
    "history.timeline.no": ("não", "no"),
    "history.timeline.not_plotted": (
        "Fora do gráfico (tamanho nunca divulgado): {names}. Cada linha da grade vale 10 vezes a de baixo.",
        "Not on the chart (size never disclosed): {names}. Each grid line is worth 10 times the one below.",
    ),
    "history.timeline.ratio": (
        "Do GPT-1 ao GPT-3 em dois anos: {ratio} vezes mais parâmetros.",
        "From GPT-1 to GPT-3 in two years: {ratio} times more parameters.",
    ),
}
