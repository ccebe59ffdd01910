"""UI strings (pt-BR, en) for the bert_vs_gpt page."""

STRINGS: dict[str, tuple[str, str]] = {
    # --- the sentence shared by the page's widgets
    "bvg.text": ("Sua frase", "Your sentence"),
    "bvg.default_text": (
        "O gato subiu no telhado porque estava com medo do cachorro.",
        "The cat climbed onto the roof because it was afraid of the dog.",
    ),
    "bvg.empty": (
        "Digite uma frase acima para ver o mascaramento do BERT e a atenção dos dois modelos.",
        "Type a sentence above to see BERT's masking and both models' attention.",
    ),
    "bvg.chars_cut": (
        "O texto tem {count} caracteres; só os {max} primeiros são usados.",
        "The text has {count} characters; only the first {max} are used.",
    ),
    # --- 1. MLM masking
    "bvg.mlm.header": ("O sorteio do BERT, token por token", "BERT's draw, token by token"),
    "bvg.seed": ("Semente", "Seed"),
    "bvg.seed_help": (
        "A mesma semente dá sempre o mesmo sorteio; mude-a para sortear de novo.",
        "The same seed always gives the same draw; change it to draw again.",
    ),
    "bvg.rate": ("Probabilidade de escolha (mlm_probability)", "Choice probability (mlm_probability)"),
    "bvg.rate_help": (
        "Cada token que não é especial é escolhido, à parte, com esta probabilidade. O BERT usou 0,15.",
        "Each token that is not special is chosen, on its own, with this probability. BERT used 0.15.",
    ),
    "bvg.vocab_note": (
        "Tokens WordPiece reais do all-MiniLM-L6-v2, um modelo da família BERT: vocabulário de {vocab} tokens, "
        "em inglês e em minúsculas, por isso palavras em português se partem em mais pedaços `##`. "
        "[MASK] é o id {mask_id}; um token aleatório é sorteado entre todos os {vocab} ids.",
        "Real WordPiece tokens of all-MiniLM-L6-v2, a BERT-family model: a vocabulary of {vocab} tokens, "
        "English and lower-case, which is why Portuguese words split into more `##` pieces. "
        "[MASK] is id {mask_id}; a random token is drawn from all {vocab} ids.",
    ),
    "bvg.truncated": (
        "Sua frase tem {count} tokens; o BERT lê no máximo {max} (posições aprendidas só até aí): "
        "ficam os {kept} primeiros e o [SEP] final.",
        "Your sentence has {count} tokens; BERT reads at most {max} (its learned positions stop there): "
        "the first {kept} and the final [SEP] are kept.",
    ),
    "bvg.only_special": (
        "Esta frase só tem tokens especiais ({tokens}), e eles nunca são escolhidos. Digite algumas palavras.",
        "This sentence has only special tokens ({tokens}), and those are never chosen. Type a few words.",
    ),
    "bvg.unk_note": (
        "{n} token(s) [UNK]: o vocabulário do MiniLM não tem esses caracteres (emoji, por exemplo). "
        "[UNK] é um token especial, então nunca é escolhido.",
        "{n} [UNK] token(s): MiniLM's vocabulary lacks those characters (emoji, for instance). "
        "[UNK] is a special token, so it is never chosen.",
    ),
    "bvg.m.tokens": ("tokens", "tokens"),
    "bvg.m.tokens_help": ("Todos os tokens da frase, [CLS] e [SEP] incluídos.", "Every token of the sentence, [CLS] and [SEP] included."),
    "bvg.m.chosen": ("escolhidos", "chosen"),
    "bvg.m.chosen_value": ("{k} de {n}", "{k} of {n}"),
    "bvg.m.chosen_help": (
        "Dos {n} tokens que podem ser escolhidos (os não especiais). Em média, {expected}.",
        "Out of the {n} tokens that can be chosen (the non-special ones). On average, {expected}.",
    ),
    "bvg.m.mask": ("→ [MASK]", "→ [MASK]"),
    "bvg.m.random": ("→ aleatório", "→ random"),
    "bvg.m.keep": ("mantidos", "kept"),
    "bvg.nothing_chosen": (
        "Nenhum token foi escolhido neste sorteio. Acontece: cada um dos {n} tokens é sorteado à parte com "
        "probabilidade {p}, e a chance de nenhum sair é (1 − {p})^{n} = {none} %. Mude a semente.",
        "No token was chosen in this draw. It happens: each of the {n} tokens is drawn on its own with "
        "probability {p}, and the chance that none is chosen is (1 − {p})^{n} = {none} %. Change the seed.",
    ),
    "bvg.action.mask": ("trocado por [MASK]", "replaced by [MASK]"),
    "bvg.action.random": ("trocado por um token aleatório", "replaced by a random token"),
    "bvg.action.keep": ("escolhido, mas mantido", "chosen, but kept"),
    "bvg.action.none": ("não escolhido", "not chosen"),
    "bvg.action.special": ("especial (nunca escolhido)", "special (never chosen)"),
    "bvg.legend": ("Legenda", "Legend"),
    "bvg.chips_caption": (
        "Em cada token escolhido: em cima, o token original (o alvo, em `labels`); embaixo, o que o modelo lê "
        "(em `input_ids`). O símbolo repete a cor.",
        "On each chosen token: on top, the original token (the target, in `labels`); below, what the model "
        "reads (in `input_ids`). The symbol repeats the colour.",
    ),
    "bvg.chips_aria": ("Tokens da frase e o que aconteceu com cada um", "The sentence's tokens and what happened to each"),
    "bvg.table": ("Tabela: cada token e o que aconteceu com ele", "Table: each token and what happened to it"),
    "bvg.col.position": ("posição", "position"),
    "bvg.col.token": ("token original", "original token"),
    "bvg.col.id": ("id original", "original id"),
    "bvg.col.chosen": ("escolhido?", "chosen?"),
    "bvg.col.action": ("o que aconteceu", "what happened"),
    "bvg.col.seen": ("o modelo lê", "the model reads"),
    "bvg.col.input_id": ("input_ids", "input_ids"),
    "bvg.col.label": ("labels", "labels"),
    "bvg.yes": ("sim", "yes"),
    "bvg.no": ("não", "no"),
    "bvg.rows": (
        "O que o modelo recebe: `input_ids` (a frase corrompida) e `labels` (o id original onde houve escolha; "
        "{ignore} onde a perda ignora a posição).",
        "What the model gets: `input_ids` (the corrupted sentence) and `labels` (the original id where a token "
        "was chosen; {ignore} where the loss ignores the position).",
    ),
    "bvg.same_as_collator": (
        "O sorteio segue, passo a passo e na mesma ordem, o `DataCollatorForLanguageModeling(mlm=True, "
        "mlm_probability=p, seed=semente)` do transformers: a mesma semente dá o mesmo resultado que ele.",
        "The draw follows, step by step and in the same order, transformers' `DataCollatorForLanguageModeling("
        "mlm=True, mlm_probability=p, seed=seed)`: the same seed gives the same result as it does.",
    ),
    # --- many draws
    "bvg.draws.header": ("Muitos sorteios: a regra 15 % e 80/10/10 aparece", "Many draws: the 15 % and 80/10/10 rule shows up"),
    "bvg.draws.n": ("Número de sorteios", "Number of draws"),
    "bvg.draws.caption": (
        "A mesma frase, sementes de {first} a {last}. Esperado: a regra. Faixa de 95 %: esperado ± 1,96 "
        "erros-padrão binomiais; cada proporção observada cai fora dela em cerca de 1 de cada 20 casos.",
        "The same sentence, seeds {first} to {last}. Expected: the rule. 95 % range: expected ± 1.96 binomial "
        "standard errors; each observed share falls outside it about 1 time in 20.",
    ),
    "bvg.check.chosen": ("escolhidos (dos não especiais)", "chosen (of the non-special)"),
    "bvg.check.mask": ("[MASK] (dos escolhidos)", "[MASK] (of the chosen)"),
    "bvg.check.random": ("aleatório (dos escolhidos)", "random (of the chosen)"),
    "bvg.check.keep": ("mantido (dos escolhidos)", "kept (of the chosen)"),
    "bvg.draws.col.what": ("o quê", "what"),
    "bvg.draws.col.count": ("contagem", "count"),
    "bvg.draws.col.observed": ("observado", "observed"),
    "bvg.draws.col.expected": ("esperado", "expected"),
    "bvg.draws.col.range": ("faixa de 95 %", "95 % range"),
    "bvg.draws.col.within": ("dentro da faixa?", "within the range?"),
    "bvg.draws.title": ("Observado em {n} sorteios e esperado pela regra", "Observed in {n} draws and expected by the rule"),
    "bvg.draws.chart_key": (
        "Barra azul: a proporção observada. Traço vermelho-alaranjado: a esperada. Linha preta: a faixa de 95 % em volta dela.",
        "Blue bar: the observed share. Red-orange tick: the expected one. Black line: the 95 % range around it.",
    ),
    "bvg.draws.share": ("proporção", "share"),
    "bvg.draws.per_draw": (
        "Tokens escolhidos por sorteio: de {low} a {high}, média {mean} (esperado: {n} × {p} = {expected}). "
        "O número varia porque cada token é sorteado à parte.",
        "Tokens chosen per draw: from {low} to {high}, mean {mean} (expected: {n} × {p} = {expected}). "
        "The number varies because each token is drawn on its own.",
    ),
    "bvg.draws.none_chosen": (
        "Nenhum token foi escolhido em nenhum sorteio: não há proporções entre os escolhidos para comparar.",
        "No token was chosen in any draw: there are no shares among the chosen to compare.",
    ),
    "bvg.draws.table": ("Tabela: observado e esperado", "Table: observed and expected"),
    # --- 2. attention compared
    "bvg.att.header": ("MiniLM ao lado do Gemma, camada por camada", "MiniLM beside Gemma, layer by layer"),
    "bvg.att.caption": (
        "A frase digitada acima, numa camada de cada modelo, com a atenção em média sobre todas as cabeças. "
        "Linhas: o token que olha; colunas: para onde ele olha. Acima da diagonal fica o futuro.",
        "The sentence typed above, in one layer of each model, attention averaged over all heads. "
        "Rows: the token that looks; columns: where it looks. Above the diagonal lies the future.",
    ),
    "bvg.att.bert_layer": ("Camada do BERT (MiniLM)", "BERT (MiniLM) layer"),
    "bvg.att.gpt_layer": ("Camada do Gemma 3 270M", "Gemma 3 270M layer"),
    "bvg.att.bert_title": (
        "BERT, camada {layer}, média de {heads} cabeças: bidirecional",
        "BERT, layer {layer}, mean of {heads} heads: bidirectional",
    ),
    "bvg.att.gpt_title": (
        "Gemma, camada {layer}, média de {heads} cabeças: causal",
        "Gemma, layer {layer}, mean of {heads} heads: causal",
    ),
    "bvg.att.future_layer": ("atenção no futuro, nesta camada", "attention on the future, this layer"),
    "bvg.att.future_help": (
        "Média, sobre as linhas (e as cabeças), do peso que cada token dá aos tokens à sua direita.",
        "Mean, over the rows (and the heads), of the weight each token gives to the tokens on its right.",
    ),
    "bvg.att.future_all": ("Em todas as {layers} camadas: {share}.", "Over all {layers} layers: {share}."),
    "bvg.att.summary": (
        "No BERT, {bert} do peso de atenção vai para tokens que vêm depois; no Gemma, {gpt}. O codificador lê a "
        "frase inteira de uma vez; a máscara causal do decodificador zera tudo acima da diagonal.",
        "In BERT, {bert} of the attention weight goes to tokens that come later; in Gemma, {gpt}. The encoder "
        "reads the whole sentence at once; the decoder's causal mask zeroes everything above the diagonal.",
    ),
    "bvg.att.needs_decoder": (
        "O Gemma 3 270M ainda está sendo preparado (veja a barra lateral); o lado do decodificador aparece "
        "quando ele estiver pronto.",
        "Gemma 3 270M is still being prepared (see the sidebar); the decoder's side shows up once it is ready.",
    ),
    "bvg.att.link": ("Abrir o laboratório de atenção (lição 2)", "Open the attention lab (lesson 2)"),
    # --- contextual vectors
    "bvg.emb.header": ("Vetores contextuais: o final da frase muda o começo?", "Contextual vectors: does the end of a sentence change its beginning?"),
    "bvg.emb.caption": (
        "Duas frases que começam iguais e terminam diferente. Para cada token do começo comum: o cosseno entre o "
        "vetor dele na frase A e na frase B, na saída da última camada (1 = o mesmo vetor).",
        "Two sentences that start alike and end differently. For each token of the shared beginning: the cosine "
        "between its vector in sentence A and in sentence B, at the last layer's output (1 = the same vector).",
    ),
    "bvg.emb.a": ("Frase A", "Sentence A"),
    "bvg.emb.b": ("Frase B", "Sentence B"),
    "bvg.emb.default_a": ("Ele foi ao banco para sacar dinheiro.", "She went to the bank to withdraw some money."),
    "bvg.emb.default_b": ("Ele foi ao banco da praça para descansar.", "She went to the bank of the river to fish."),
    "bvg.emb.empty": ("Digite as duas frases.", "Type both sentences."),
    "bvg.emb.same": ("As duas frases são iguais para este modelo: mude o final de uma delas.",
                     "The two sentences are the same for this model: change the end of one."),
    "bvg.emb.no_prefix": (
        "Para este modelo, as frases não começam com os mesmos tokens: mantenha o começo igual e mude só o final.",
        "For this model the sentences do not start with the same tokens: keep the beginning the same and change "
        "only the end.",
    ),
    "bvg.emb.col.token": ("token do começo comum", "token of the shared beginning"),
    "bvg.emb.col.cosine": ("cosseno A–B", "cosine A–B"),
    "bvg.emb.changed": (
        "Menor cosseno: {low}. O final diferente mudou os vetores do começo: o codificador lê a frase inteira.",
        "Lowest cosine: {low}. The different ending changed the beginning's vectors: the encoder reads the whole "
        "sentence.",
    ),
    "bvg.emb.unchanged": (
        "Menor cosseno: {low}. Os vetores do começo são os mesmos nas duas frases: o que vem depois não chega a eles.",
        "Lowest cosine: {low}. The beginning's vectors are the same in both sentences: what comes later does not "
        "reach them.",
    ),
}
