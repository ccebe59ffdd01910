"""UI strings (pt-BR, en) for the classroom: joining a class, saved progress, the instructor page.

{name}, {class_name} and {location} are user or server text: escape them before Markdown.
"""

STRINGS: dict[str, tuple[str, str]] = {
    "classroom.nav.section": ("Professor", "Instructor"),
    "classroom.nav.page": ("Painel do professor", "Instructor dashboard"),
    # --- sidebar
    "classroom.sidebar.title": ("Turma", "Class"),
    "classroom.sidebar.join_or_resume": ("Entrar numa turma ou voltar", "Join a class or come back"),
    "classroom.sidebar.tab.join": ("Entrar", "Join"),
    "classroom.sidebar.tab.resume": ("Voltar", "Come back"),
    "classroom.sidebar.class_code": ("Código da turma", "Class code"),
    "classroom.sidebar.class_code_help": (
        "O código que quem dá a aula passou (ex.: IA-2025).",
        "The code your instructor gave you (e.g. AI-2025).",
    ),
    "classroom.sidebar.name": ("Seu nome", "Your name"),
    "classroom.sidebar.name_help": (
        "Como o professor verá você. Não use senha nem dado sensível.",
        "How your instructor will see you. No passwords or sensitive data.",
    ),
    "classroom.sidebar.join": ("Entrar na turma", "Join the class"),
    "classroom.sidebar.return_code": ("Código de retorno", "Return code"),
    "classroom.sidebar.return_code_help": (
        "O código que o GPT Lab mostrou quando você entrou na turma.",
        "The code GPT Lab showed you when you joined the class.",
    ),
    "classroom.sidebar.resume": ("Continuar de onde parei", "Pick up where I left off"),
    "classroom.sidebar.privacy": (
        "Ficam salvos o seu nome, a turma e as suas respostas; o professor da turma os vê, os colegas não.",
        "Your name, class and answers are saved; your class's instructor sees them, classmates do not.",
    ),
    "classroom.sidebar.signed_in": ("**{name}** · turma `{code}`", "**{name}** · class `{code}`"),
    "classroom.sidebar.sign_out": ("Sair", "Sign out"),
    "classroom.sidebar.sign_out_help": (
        "Num computador compartilhado, saia ao terminar. Para voltar, use o seu código de retorno.",
        "On a shared computer, sign out when you are done. To come back, use your return code.",
    ),
    "classroom.sidebar.new_code": (
        "Guarde este código de retorno: é a única forma de recuperar o seu progresso em outro navegador "
        "ou depois de fechar esta aba. Ele não será mostrado de novo.",
        "Keep this return code: it is the only way back to your progress from another browser or after "
        "closing this tab. It will not be shown again.",
    ),
    "classroom.sidebar.saved_it": ("Já guardei", "I have saved it"),
    "classroom.sidebar.joined": ("Você entrou na turma {code}.", "You joined class {code}."),
    "classroom.sidebar.resumed": ("Bem-vindo(a) de volta, {name}.", "Welcome back, {name}."),
    "classroom.sidebar.signed_out": ("Você saiu da turma.", "You signed out of the class."),
    "classroom.unavailable": (
        "O banco de dados do progresso não respondeu. Tente de novo em instantes; se persistir, avise o professor.",
        "The progress database did not answer. Try again in a moment; if it persists, tell your instructor.",
    ),
    "classroom.save_failed": (
        "A nota acima vale, mas esta tentativa não pôde ser salva no banco de dados do progresso.",
        "The grade above stands, but this attempt could not be saved to the progress database.",
    ),
    "classroom.session_lost": (
        "A turma não reconhece mais o seu código de retorno (o banco de dados mudou?). Você saiu da turma; "
        "entre de novo para salvar o progresso.",
        "The class no longer knows your return code (did the database change?). You were signed out; "
        "join again to save your progress.",
    ),
    # --- progress on the home page and above a lesson's exercises
    "classroom.progress.line": (
        "{solved} de {total} resolvidos · {attempted} tentados",
        "{solved} of {total} solved · {attempted} attempted",
    ),
    "classroom.progress.lesson_line": (
        "**{title}**: {solved} de {total} resolvidos · {attempted} tentados",
        "**{title}**: {solved} of {total} solved · {attempted} attempted",
    ),
    "classroom.progress.saved_for": (
        "Salvo para {name} (turma {code}).",
        "Saved for {name} (class {code}).",
    ),
    "classroom.progress.session_only": (
        "Progresso guardado só nesta aba. Entre numa turma (barra lateral, “Turma”) para salvá-lo.",
        "Progress kept in this tab only. Join a class (sidebar, “Class”) to save it.",
    ),
    "classroom.home.joined": (
        "Você está na turma **{code}** como **{name}**. Seu progresso fica salvo: volte com o código de retorno "
        "de qualquer navegador.",
        "You are in class **{code}** as **{name}**. Your progress is saved: come back with your return code "
        "from any browser.",
    ),
    "classroom.home.invite": (
        "Entre numa turma na barra lateral (“Turma”) com o código que o professor passou: o seu progresso fica "
        "salvo e você pode voltar a ele depois. Sem entrar, o progresso vale só enquanto esta aba estiver aberta.",
        "Join a class in the sidebar (“Class”) with the code your instructor gave you: your progress is saved and "
        "you can come back to it later. Without joining, progress lasts only while this tab is open.",
    ),
    "classroom.home.nothing_yet": (
        "Nenhum exercício tentado ainda: cada lição termina com exercícios corrigidos na hora.",
        "No exercise attempted yet: each lesson ends with exercises graded on the spot.",
    ),
    # --- instructor page
    "classroom.instructor.title": ("Painel do professor", "Instructor dashboard"),
    "classroom.instructor.no_secret": (
        "O painel do professor está trancado porque nenhum segredo de professor foi configurado neste servidor. "
        "Quem administra o servidor define um (longo e difícil de adivinhar) de uma destas formas e reinicia o "
        "GPT Lab:",
        "The instructor dashboard is locked because no instructor secret is set on this server. Whoever runs the "
        "server sets one (long and hard to guess) in one of these ways and restarts GPT Lab:",
    ),
    "classroom.instructor.no_secret_env": ("Variável de ambiente:", "Environment variable:"),
    "classroom.instructor.no_secret_file": (
        "Ou no arquivo `.streamlit/secrets.toml` (fora do git):",
        "Or in the file `.streamlit/secrets.toml` (kept out of git):",
    ),
    "classroom.instructor.locked": (
        "Esta página mostra o progresso das turmas e as respostas dos estudantes: digite o segredo de professor "
        "deste servidor.",
        "This page shows classes' progress and students' answers: type this server's instructor secret.",
    ),
    "classroom.instructor.secret": ("Segredo de professor", "Instructor secret"),
    "classroom.instructor.unlock": ("Destrancar", "Unlock"),
    "classroom.instructor.wrong": (
        "Segredo incorreto. Cada tentativa errada espera um segundo antes de responder.",
        "Wrong secret. Each wrong try waits one second before answering.",
    ),
    "classroom.instructor.lock": ("Trancar o painel", "Lock the dashboard"),
    "classroom.instructor.unlocked_note": (
        "Painel aberto nesta sessão do navegador. Tranque-o antes de projetar outra página ou emprestar o "
        "computador. Com ele aberto, os exercícios oferecem revelar a resposta para discuti-la com a turma.",
        "Dashboard open in this browser session. Lock it before projecting another page or lending the computer. "
        "While it is open, exercises offer to reveal their answer to discuss it with the class.",
    ),
    "classroom.instructor.location": ("Progresso salvo em: {location}", "Progress saved in: {location}"),
    "classroom.instructor.classes": ("Turmas", "Classes"),
    "classroom.instructor.no_classes": (
        "Nenhuma turma ainda: crie a primeira abaixo e passe o código aos estudantes.",
        "No class yet: create the first one below and give its code to your students.",
    ),
    "classroom.instructor.col.code": ("Código", "Code"),
    "classroom.instructor.col.class_name": ("Turma", "Class"),
    "classroom.instructor.col.created": ("Criada em (UTC)", "Created (UTC)"),
    "classroom.instructor.create": ("Criar uma turma", "Create a class"),
    "classroom.instructor.new_code": ("Código (3 a 20 letras, algarismos ou hífens)", "Code (3 to 20 letters, digits or hyphens)"),
    "classroom.instructor.new_name": ("Nome da turma", "Class name"),
    "classroom.instructor.create_button": ("Criar turma", "Create class"),
    "classroom.instructor.created": (
        "Turma {code} criada. Os estudantes entram com este código na barra lateral, em “Turma”.",
        "Class {code} created. Students join with this code in the sidebar, under “Class”.",
    ),
    "classroom.instructor.pick": ("Turma a acompanhar", "Class to follow"),
    "classroom.instructor.class_header": ("Turma {code}: {class_name}", "Class {code}: {class_name}"),
    "classroom.instructor.counts": (
        "Estudantes: {students} · respostas enviadas: {attempts}",
        "Students: {students} · answers submitted: {attempts}",
    ),
    "classroom.instructor.refresh": ("Atualizar", "Refresh"),
    "classroom.instructor.per_exercise": ("Por exercício", "Per exercise"),
    "classroom.instructor.no_attempts": (
        "Ninguém desta turma respondeu a um exercício ainda.",
        "Nobody in this class has answered an exercise yet.",
    ),
    "classroom.instructor.chart_title": ("Taxa de acerto por exercício", "Success rate per exercise"),
    "classroom.instructor.chart_caption": (
        "Taxa de acerto: dos estudantes que tentaram o exercício, a fração que o resolveu. A tabela traz os mesmos "
        "números, com quantos tentaram e quantos resolveram.",
        "Success rate: of the students who tried the exercise, the share who solved it. The table has the same "
        "numbers, with how many tried and how many solved it.",
    ),
    "classroom.instructor.col.exercise": ("Exercício", "Exercise"),
    "classroom.instructor.col.tried": ("Tentaram", "Tried"),
    "classroom.instructor.col.solved": ("Resolveram", "Solved"),
    "classroom.instructor.col.rate": ("Taxa de acerto", "Success rate"),
    "classroom.instructor.col.answers": ("Respostas", "Answers"),
    "classroom.instructor.per_student": ("Por estudante", "Per student"),
    "classroom.instructor.no_students": (
        "Ninguém entrou nesta turma ainda: os estudantes usam o código {code} na barra lateral.",
        "Nobody has joined this class yet: students use code {code} in the sidebar.",
    ),
    "classroom.instructor.col.name": ("Nome", "Name"),
    "classroom.instructor.col.attempted": ("Exercícios tentados", "Exercises attempted"),
    "classroom.instructor.col.correct": ("Exercícios resolvidos", "Exercises solved"),
    "classroom.instructor.col.mean_best": ("Média das melhores notas", "Mean best score"),
    "classroom.instructor.col.last": ("Última resposta (UTC)", "Last answer (UTC)"),
    "classroom.instructor.export": ("Exportar", "Export"),
    "classroom.instructor.export_help": (
        "Todas as respostas da turma, com as recorreções, uma por linha (CSV, UTF-8). Células que começam com "
        "= + - @ recebem um apóstrofo para a planilha não executá-las como fórmula.",
        "Every answer of the class, regrades included, one per line (CSV, UTF-8). Cells starting with = + - @ "
        "get an apostrophe so the spreadsheet does not run them as formulas.",
    ),
    "classroom.instructor.download": ("Baixar as respostas (CSV)", "Download the answers (CSV)"),
}
