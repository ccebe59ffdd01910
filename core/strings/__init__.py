"""UI strings of the later pages, one module per page, merged into core.i18n.STRINGS.

Each module defines STRINGS: dict[str, tuple[str, str]] (key -> (pt-BR, en)), keys prefixed by page.
"""

MODULES = ("bert_vs_gpt", "history", "risks", "exercises", "progress", "classroom")
