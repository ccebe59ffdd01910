"""Where the progress database is: GPTLAB_DATABASE_URL, else a SQLite file (GPTLAB_PROGRESS_DB, else in
GPT Lab's cache folder).

Without SQLAlchemy: the app asks on every page (the attempts kept on the server are filed by it), and opens
the database (gptlab.classroom.store) only when progress is written or read.
"""

from __future__ import annotations

import os
from pathlib import Path


def database_url() -> str:
    """GPTLAB_DATABASE_URL (any SQLAlchemy URL), else SQLite at GPTLAB_PROGRESS_DB or in the cache."""
    url = os.environ.get("GPTLAB_DATABASE_URL", "").strip()
    if url:
        return url
    path = os.environ.get("GPTLAB_PROGRESS_DB", "").strip()
    if path:
        db = Path(path).expanduser().resolve()
    else:
        from gptlab.models import cache_dir  # cheap: gptlab.models imports nothing heavy at import

        db = cache_dir().resolve() / "progress.sqlite3"
    return f"sqlite:///{db}"
