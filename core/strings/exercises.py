"""UI strings (pt-BR, en) for the exercises: the shared widget and the checkers' feedback."""

STRINGS: dict[str, tuple[str, str]] = {
    # --- the widget
    "exercises.header": ("Exercícios", "Exercises"),
    "exercises.intro": (
        "Cada exercício se corrige sozinho. Você pode tentar quantas vezes quiser; vale a sua melhor nota.",
        "Each exercise grades itself. Try as many times as you like; your best score counts.",
    ),
    "exercises.total": ("Sua nota nesta lição: {score} de {total}", "Your score in this lesson: {score} of {total}"),
    "exercises.title": ("Exercício {n} · {kind}", "Exercise {n} · {kind}"),
    "exercises.kind.single": ("escolha uma", "pick one"),
    "exercises.kind.multiple": ("escolha todas as certas", "pick every right one"),
    "exercises.kind.numeric": ("número", "number"),
    "exercises.kind.text": ("resposta curta", "short answer"),
    "exercises.kind.cells": ("marque as células", "tick the cells"),
    "exercises.kind.code": ("código", "code"),
    "exercises.kind.task": ("tarefa no laboratório", "task in the lab"),
    "exercises.check": ("Verificar", "Check"),
    "exercises.check_task": ("Verificar o estado do laboratório", "Check the lab's state"),
    "exercises.new_attempt": ("Nova tentativa", "New attempt"),
    "exercises.hint_button": ("Mostrar uma dica ({shown} de {total})", "Show a hint ({shown} of {total})"),
    "exercises.hint": ("Dica {n}", "Hint {n}"),
    "exercises.best": ("Melhor nota: {score}", "Best score: {score}"),
    "exercises.answer": ("Sua resposta", "Your answer"),
    "exercises.number_help": (
        "Aceita 0,001, 1e-3 e 50.257 (ponto como separador de milhar) ou 50257.",
        "Accepts 0.001, 1e-3 and 50,257 (comma as thousands separator) or 50257.",
    ),
    "exercises.cells_help": (
        "Linha = o token que olha; coluna = o token olhado. Marque as células que pedem.",
        "Row = the token that looks; column = the token looked at. Tick the cells asked for.",
    ),
    "exercises.code_label": ("Seu código (Python)", "Your code (Python)"),
    "exercises.code_help": (
        "Pode usar `import math` e `import numpy as np`. Roda isolado, com limite de tempo e memória.",
        "You may `import math` and `import numpy as np`. It runs isolated, with time and memory limits.",
    ),
    "exercises.examples": ("Exemplos (os mesmos que o corretor testa primeiro)",
                           "Examples (the same ones the checker tests first)"),
    "exercises.hidden_note": (
        "Além dos exemplos, o corretor testa casos escondidos, sorteados a cada envio.",
        "Besides the examples, the checker runs hidden cases, drawn afresh at every submission.",
    ),
    "exercises.stdout": ("O que seu código imprimiu", "What your code printed"),
    "exercises.choices_explained": ("Por que cada escolha sua está certa ou errada",
                                    "Why each of your choices is right or wrong"),
    "exercises.running": ("Corrigindo…", "Checking…"),
    "exercises.task_reads": ("O corretor lê: {keys}", "The checker reads: {keys}"),
    "exercises.task_needs_decoder": (
        "Esta tarefa usa o Gemma 3 270M, que ainda está sendo preparado. Tente de novo quando ele estiver pronto.",
        "This task uses Gemma 3 270M, which is still being prepared. Try again once it is ready.",
    ),
    "exercises.status.correct": ("Certo", "Correct"),
    "exercises.status.incorrect": ("Ainda não", "Not yet"),
    "exercises.status.invalid": ("Não consegui ler a resposta", "Could not read the answer"),
    "exercises.status.error": ("O código não rodou", "The code did not run"),
    "exercises.status.timeout": ("Tempo esgotado", "Time limit"),
    "exercises.status.limit": ("Limite excedido", "Limit exceeded"),
    "exercises.status.busy": ("Corretor ocupado", "Checker busy"),
    "exercises.score": ("nota {score}", "score {score}"),
    "exercises.none_for_lesson": ("Esta lição ainda não tem exercícios.", "This lesson has no exercises yet."),
    # --- reading answers
    "exercises.problem.empty": ("Escreva uma resposta antes de verificar.", "Write an answer before checking."),
    "exercises.problem.too_long": ("A resposta é longa demais.", "The answer is too long."),
    "exercises.problem.not_a_number": (
        "Não consegui ler isso como número. Escreva, por exemplo, 0,25 ou 2,5e-1.",
        "I could not read that as a number. Write, for example, 0.25 or 2.5e-1.",
    ),
    "exercises.problem.unknown_choice": ("Escolha uma das opções.", "Pick one of the options."),
    "exercises.problem.one_choice": ("Escolha exatamente uma opção.", "Pick exactly one option."),
    "exercises.problem.bad_cells": (
        "Escreva as células como (linha,coluna), por exemplo (0,1) (0,2).",
        "Write the cells as (row,column), for example (0,1) (0,2).",
    ),
    "exercises.problem.cell_outside": ("Uma das células está fora da grade.", "One of the cells is outside the grid."),
    "exercises.problem.bad_json": ("O estado da tarefa não é um objeto JSON.", "The task's state is not a JSON object."),
    "exercises.problem.bad_state": ("O estado da tarefa não tem a forma que a página guarda.",
                                    "The task's state is not shaped like the one the page keeps."),
    "exercises.problem.code_too_long": ("O código é longo demais para este exercício.",
                                        "The code is too long for this exercise."),
    # --- choices
    "exercises.choice.correct": ("Certo!", "Right!"),
    "exercises.choice.wrong": ("Não é essa. Leia a explicação da sua escolha e tente de novo.",
                               "Not that one. Read the explanation of your choice and try again."),
    "exercises.choice.extra": ("{n} das suas escolhas não deveria(m) estar marcada(s).",
                               "{n} of your choices should not be ticked."),
    "exercises.choice.missed": ("Falta(m) {n} escolha(s) certa(s).", "{n} right choice(s) missing."),
    # --- numbers
    "exercises.numeric.read_as": ("Li sua resposta como {value}.", "I read your answer as {value}."),
    "exercises.numeric.correct": ("Certo!", "Right!"),
    "exercises.numeric.nan": ("NaN (não é um número) nunca é a resposta certa.", "NaN (not a number) is never the right answer."),
    "exercises.numeric.infinite": ("A resposta é um número finito.", "The answer is a finite number."),
    "exercises.numeric.percent": (
        "Está 100 vezes longe: confira se misturou porcentagem e fração.",
        "It is off by a factor of 100: check whether you mixed up a percentage and a fraction.",
    ),
    "exercises.numeric.sign": ("O valor está certo, mas o sinal não.", "The size is right but the sign is not."),
    "exercises.numeric.wrong": (
        "Não bate com o valor esperado (dentro da tolerância). Refaça a conta passo a passo ou peça uma dica.",
        "It does not match the expected value (within the tolerance). Redo the calculation step by step or ask for a hint.",
    ),
    # --- short text
    "exercises.text.correct": ("Certo!", "Right!"),
    "exercises.text.wrong": ("Não é essa resposta. Peça uma dica se travar.", "That is not the answer. Ask for a hint if you are stuck."),
    # --- cells
    "exercises.cells.correct": ("Todas as células certas!", "Every cell right!"),
    "exercises.cells.summary": ("{wrong} célula(s) errada(s) de {total}.", "{wrong} cell(s) wrong out of {total}."),
    "exercises.cells.extra": ("A célula ({row},{column}) não deveria estar marcada: {why}.",
                              "Cell ({row},{column}) should not be ticked: {why}."),
    "exercises.cells.missed": ("Falta a célula ({row},{column}): {why}.", "Cell ({row},{column}) is missing: {why}."),
    "exercises.cells.more": ("E mais {n} célula(s) errada(s).", "And {n} more wrong cell(s)."),
    # --- code
    "exercises.code.correct": ("Todos os {n} testes passaram.", "All {n} checks passed."),
    "exercises.code.summary": ("{failed} de {n} testes falharam.", "{failed} of {n} checks failed."),
    "exercises.code.hidden_failed": ("{k} de {n} testes escondidos falharam.", "{k} of {n} hidden checks failed."),
    "exercises.code.hidden_passed": ("Os {n} testes escondidos passaram.", "The {n} hidden checks passed."),
    "exercises.code.should_be": ("{where} deveria ser {expected}, mas deu {got}.", "{where} should be {expected}, got {got}."),
    "exercises.code.should_be_why": ("{where} deveria ser {expected} ({why}), mas deu {got}.",
                                     "{where} should be {expected} ({why}), got {got}."),
    "exercises.code.length": ("{where} deveria ter {expected} elemento(s), mas tem {got}.",
                              "{where} should have {expected} item(s), it has {got}."),
    "exercises.code.raised": ("{call} deu erro: {error}", "{call} raised {error}"),
    "exercises.code.error": (
        "Não consegui usar seu código: confira a sintaxe e se ele define a função {name}.",
        "I could not use your code: check its syntax and that it defines the function {name}.",
    ),
    "exercises.code.timeout": (
        "Seu código passou do limite de tempo. Procure um laço que não termina ou uma conta grande demais.",
        "Your code ran out of time. Look for a loop that never ends or a computation that is far too big.",
    ),
    "exercises.code.limit": (
        "Seu código passou de um limite (memória, arquivos, processos ou saída impressa). Use listas pequenas e imprima pouco.",
        "Your code went past a limit (memory, files, processes or printed output). Keep lists small and print little.",
    ),
    "exercises.code.busy": (
        "O corretor está ocupado; tente de novo em alguns segundos. Esta tentativa não conta.",
        "The checker is busy; try again in a few seconds. This attempt does not count.",
    ),
    "exercises.code.detail": ("Detalhe técnico: {detail}", "Technical detail: {detail}"),
    # --- tasks, shared
    "exercises.task.needs_decoder": (
        "Esta tarefa precisa do Gemma 3 270M, que ainda não foi preparado.",
        "This task needs Gemma 3 270M, which has not been prepared yet.",
    ),
    "exercises.task.no_text": ("Primeiro digite um texto no laboratório acima.", "First type a text in the lab above."),
    "exercises.task.no_prompt": ("Primeiro escreva um prompt no laboratório acima.", "First write a prompt in the lab above."),
    "exercises.task.bad_settings": ("As configurações do laboratório não são válidas.", "The lab's settings are not valid."),
    # --- tokenization tasks
    "exercises.tok.unk_found": (
        "Certo: o BERT trocou {n} palavra(s) por [UNK], por exemplo {words}. Essa informação se perde antes de o modelo ver o texto.",
        "Right: BERT replaced {n} word(s) by [UNK], for example {words}. That information is lost before the model sees the text.",
    ),
    "exercises.tok.unk_none": (
        "Nenhum [UNK] nos {n} tokens do BERT: cada palavra do seu texto pôde ser montada com peças do vocabulário.",
        "No [UNK] among BERT's {n} tokens: every word of your text could be built from vocabulary pieces.",
    ),
    "exercises.tok.partial_found": (
        "Certo: {n} token(s) guardam só parte de um caractere; {piece} tem os bytes {hex}, que sozinhos não são UTF-8 válido.",
        "Right: {n} token(s) hold only part of a character; {piece} has the bytes {hex}, which alone are not valid UTF-8.",
    ),
    "exercises.tok.partial_none": (
        "Cada um dos {n} tokens do GPT-2 guarda caracteres inteiros. Procure um caractere de vários bytes que o GPT-2 divida.",
        "Each of GPT-2's {n} tokens holds whole characters. Look for a multi-byte character that GPT-2 splits.",
    ),
    # --- attention tasks
    "exercises.att.too_short": ("Use uma frase com pelo menos {n} tokens.", "Use a sentence of at least {n} tokens."),
    "exercises.att.no_such_head": ("Essa camada ou cabeça não existe.", "That layer or head does not exist."),
    "exercises.att.prev_found": (
        "Certo: na camada {layer}, cabeça {head}, cada token põe em média {share} da atenção no token anterior.",
        "Right: in layer {layer}, head {head}, each token puts on average {share} of its attention on the previous token.",
    ),
    "exercises.att.prev_low": (
        "Na camada {layer}, cabeça {head}, o token anterior recebe em média {share} da atenção; a tarefa pede pelo menos {threshold}.",
        "In layer {layer}, head {head}, the previous token gets on average {share} of the attention; the task asks for at least {threshold}.",
    ),
    "exercises.att.prev_sink": (
        "Esta cabeça é um sumidouro: {share} da atenção vai para <bos>. Procure uma linha clara logo abaixo da diagonal.",
        "This head is a sink: {share} of the attention goes to <bos>. Look for a bright line just below the diagonal.",
    ),
    # --- decoding tasks
    "exercises.dec.top_k_on": (
        "O top-k está ligado ({k}): desligue-o (0) para que só o top-p corte.",
        "Top-k is on ({k}): turn it off (0) so that only top-p cuts.",
    ),
    "exercises.dec.greedy": (
        "Com temperatura 0 a escolha é gulosa: sobra sempre 1 token. Suba a temperatura.",
        "At temperature 0 the choice is greedy: 1 token always survives. Raise the temperature.",
    ),
    "exercises.dec.three_ok": ("Certo: com top-p {p}, exatamente 3 tokens sobrevivem.",
                               "Right: with top-p {p}, exactly 3 tokens survive."),
    "exercises.dec.too_many": ("Com top-p {p} sobrevivem {n} tokens: são demais. Diminua o top-p.",
                               "With top-p {p}, {n} tokens survive: too many. Lower top-p."),
    "exercises.dec.too_few": ("Com top-p {p} sobrevivem só {n}: são poucos. Aumente o top-p.",
                              "With top-p {p}, only {n} survive: too few. Raise top-p."),
    "exercises.dec.grid_missing": (
        "Ainda não há grade gerada: clique em gerar a grade (T × top-p) no laboratório acima.",
        "No grid has been generated yet: click the grid button (T × top-p) in the lab above.",
    ),
    "exercises.dec.grid_incomplete": (
        "A geração da grade foi interrompida: gere-a de novo até o fim.",
        "The grid's generation was stopped: generate it again to the end.",
    ),
    "exercises.dec.grid_short": (
        "Os textos são curtos demais para medir repetição: gere pelo menos {n} tokens novos.",
        "The texts are too short to measure repetition: generate at least {n} new tokens.",
    ),
    "exercises.dec.grid_no_cell": ("Escolha uma das células da grade.", "Pick one of the grid's cells."),
    "exercises.dec.grid_ok": (
        "Certo: essa célula tem o menor distinct-2 da sua grade ({d2}). Agora compare: ela também é a menos fluente? Algum texto afirma algo falso?",
        "Right: that cell has the lowest distinct-2 of your grid ({d2}). Now compare: is it also the least fluent? Does any text state something false?",
    ),
    "exercises.dec.grid_wrong": (
        "Essa célula tem distinct-2 = {d2}; há uma célula mais repetitiva, com {lowest}. Veja a tabela de repetição abaixo da grade.",
        "That cell has distinct-2 = {d2}; another cell repeats more, with {lowest}. See the repetition table below the grid.",
    ),
    "exercises.dec.prefix_long": ("Use um prefixo de até {n} caracteres.", "Use a prefix of at most {n} characters."),
    "exercises.dec.prompt_long": ("O prompt é longo demais para esta tarefa: encurte-o.", "The prompt is too long for this task: shorten it."),
    "exercises.dec.prefix_ok": (
        "Certo: sem o prefixo o favorito é {before} ({p_before}); com ele, {after} ({p_after}). O prefixo é contexto, e o modelo condiciona tudo a ele.",
        "Right: without the prefix the favourite is {before} ({p_before}); with it, {after} ({p_after}). The prefix is context, and the model conditions everything on it.",
    ),
    "exercises.dec.prefix_same": (
        "O favorito continua {before} ({p_before} sem o prefixo, {p_after} com ele). Tente um prefixo que peça outro formato ou outro estilo.",
        "The favourite is still {before} ({p_before} without the prefix, {p_after} with it). Try a prefix that asks for another format or style.",
    ),
    # --- fine-tuning tasks
    "exercises.ft.no_corpus": ("O corpus está vazio: escreva ou envie textos no laboratório.",
                               "The corpus is empty: type or upload texts in the lab."),
    "exercises.ft.corpus_small": ("O corpus é pequeno demais para dar 2 blocos com qualquer tamanho.",
                                  "The corpus is too small to give 2 blocks with any size."),
    "exercises.ft.too_few_blocks": (
        "Com block_size {size} o corpus ({tokens} tokens) dá só {blocks} bloco(s): escolha um tamanho que dê pelo menos 2.",
        "With block_size {size} the corpus ({tokens} tokens) gives only {blocks} block(s): choose a size that gives at least 2.",
    ),
    "exercises.ft.remainder_ok": (
        "Certo: com block_size {size}, {blocks} blocos e só {dropped} token(s) descartado(s) dos {tokens}: nenhuma opção descarta menos.",
        "Right: with block_size {size}, {blocks} blocks and only {dropped} token(s) dropped out of {tokens}: no option drops fewer.",
    ),
    "exercises.ft.remainder_more": (
        "Com block_size {size} sobram {dropped} token(s) fora dos {blocks} blocos. Outro tamanho descarta menos: cada bloco leva block_size − 1 tokens do corpus, mais o <bos>.",
        "With block_size {size}, {dropped} token(s) are left out of the {blocks} blocks. Another size drops fewer: each block takes block_size − 1 corpus tokens, plus <bos>.",
    ),
    "exercises.ft.no_run": ("Ainda não há um treino concluído nesta sessão: treine no laboratório acima.",
                            "There is no finished training run in this session yet: train in the lab above."),
    "exercises.ft.run_unfinished": ("O treino não terminou (foi parado ou divergiu): rode-o até o fim.",
                                    "The run did not finish (it was stopped or diverged): run it to the end."),
    "exercises.ft.few_texts": ("O corpus treinado tem só {n} texto(s) diferente(s); use pelo menos {min}.",
                               "The trained corpus has only {n} different text(s); use at least {min}."),
    "exercises.ft.seed_corpus": (
        "{share} dos textos treinados são as frases sintéticas do notebook: troque-as por textos reais de um domínio.",
        "{share} of the trained texts are the notebook's synthetic sentences: replace them with real texts from a domain.",
    ),
    "exercises.ft.short_corpus": ("O corpus treinado tem só {n} caracteres diferentes; use pelo menos {min}.",
                                  "The trained corpus has only {n} distinct characters of text; use at least {min}."),
    "exercises.ft.domain_ok": (
        "Certo: você ajustou o modelo em {texts} textos seus, por {steps} passos. Compare agora o antes e o depois.",
        "Right: you fine-tuned the model on {texts} texts of your own, for {steps} steps. Now compare before and after.",
    ),
    "exercises.ft.domain_trend": ("Perda de treino: {first} no primeiro registro, {last} no último.",
                                  "Training loss: {first} at the first log, {last} at the last."),
    "exercises.ft.no_validation": (
        "O último treino não teve validação: ponha uma fração de validação acima de 0 e treine de novo.",
        "The last run had no validation: set a validation share above 0 and train again.",
    ),
    "exercises.ft.one_validation": (
        "A validação rodou uma vez só: escolha validar a cada N passos com N menor que o total, para ter pelo menos 2 medidas.",
        "Validation ran only once: validate every N steps with N below the total, to get at least 2 measurements.",
    ),
    "exercises.ft.evals_at": ("Seu treino validou nos passos {steps}.", "Your run validated at steps {steps}."),
    "exercises.ft.ppl_ok": ("Certo: a menor perplexidade de validação foi {ppl}.", "Right: the lowest validation perplexity was {ppl}."),
    "exercises.ft.ppl_is_loss": (
        "Esse número é a perda de validação; a perplexidade é exp(perda).",
        "That number is the validation loss; the perplexity is exp(loss).",
    ),
    "exercises.ft.ppl_last": ("Essa é a perplexidade da última validação, não a menor.",
                              "That is the perplexity of the last validation, not the lowest."),
    "exercises.ft.ppl_wrong": (
        "{value} não é nenhuma das perplexidades de validação do seu treino. Veja a tabela abaixo do gráfico.",
        "{value} is not any of your run's validation perplexities. See the table below the chart.",
    ),
    # --- the instructor's reveal switch
    "exercises.reveal.toggle": ("Mostrar a resposta (professor)", "Reveal the answer (instructor)"),
    "exercises.reveal.help": (
        "Só aparece para quem desbloqueou a página do professor nesta sessão. Use para discutir o exercício com "
        "a turma, por exemplo no modo projetor.",
        "Only shown to whoever unlocked the instructor page in this session. Use it to discuss the exercise with "
        "the class, e.g. in projector mode.",
    ),
    "exercises.reveal.number": ("Resposta: **{answer}** (tolerância ±{tolerance}).",
                                "Answer: **{answer}** (tolerance ±{tolerance})."),
    "exercises.reveal.text": ("Respostas aceitas (após normalizar maiúsculas, espaços e Unicode): {accepted}",
                              "Accepted answers (after normalising case, spaces and Unicode): {accepted}"),
    "exercises.reveal.cells": ("Células certas (linha, coluna): {cells}", "Right cells (row, column): {cells}"),
    "exercises.reveal.code": ("Uma solução de referência (a que o corretor usa):",
                              "A reference solution (the one the checker uses):"),
    "exercises.reveal.task": (
        "Esta tarefa é corrigida a partir do estado dos widgets da página, com o modelo real; o caminho até a "
        "resposta:",
        "This task is checked from the page's widget state, with the real model; the way to the answer:",
    ),
}
