"""UI strings (pt-BR, en) for saved progress: the messages of core.progress's errors (`error.key`).

Placeholders are the error's `params`. {name} is the student's own text: escape it before markdown.
"""

STRINGS: dict[str, tuple[str, str]] = {
    "progress.error.bad_class_code": (
        "Código de turma inválido: use de {min} a {max} letras sem acento, algarismos ou hífens (ex.: IA-2025).",
        "Invalid class code: use {min} to {max} unaccented letters, digits or hyphens (e.g. AI-2025).",
    ),
    "progress.error.bad_class_name": (
        "Dê à turma um nome de 1 a {max} caracteres, sem caracteres de controle.",
        "Give the class a name of 1 to {max} characters, without control characters.",
    ),
    "progress.error.bad_name": (
        "Escolha um nome de 1 a {max} caracteres, sem caracteres de controle.",
        "Choose a name of 1 to {max} characters, without control characters.",
    ),
    "progress.error.bad_attempt": (
        "Esta tentativa não pôde ser salva: seus dados estão incompletos ou fora do formato.",
        "This attempt could not be saved: its data is incomplete or malformed.",
    ),
    "progress.error.class_not_found": (
        "Não existe turma com o código {code}. Confira o código com quem dá a aula.",
        "There is no class with code {code}. Check the code with your instructor.",
    ),
    "progress.error.class_exists": (
        "Já existe uma turma com o código {code}. Escolha outro código.",
        "A class with code {code} already exists. Choose another code.",
    ),
    "progress.error.name_taken": (
        "O nome “{name}” já está em uso na turma {code}. Se é você, use o seu código de retorno; "
        "se não, escolha outro nome.",
        "The name “{name}” is already taken in class {code}. If it is you, use your return code; "
        "if not, choose another name.",
    ),
    "progress.error.unknown_student": (
        "Este código de retorno não corresponde a nenhum estudante. Confira se o copiou inteiro.",
        "This return code matches no student. Check that you copied all of it.",
    ),
}
