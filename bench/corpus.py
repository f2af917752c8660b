"""Where the real development corpus lives, found the same way by every benchmark and slow test.

``$DECREE_REAL_CORPUS`` if set; else ``<repo>/../shared/real`` (the lead's checkout); else
``<repo>/../../shared/real`` (a git worktree kept one folder deeper). The corpus
is absent in CI: callers skip or print a note when ``REAL`` is not a directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def default_real() -> Path:
    """The real corpus directory (may not exist: check ``is_dir()``)."""
    env = os.environ.get("DECREE_REAL_CORPUS")
    if env:
        return Path(env)
    for up in (REPO.parent, REPO.parent.parent):
        if (up / "shared" / "real").is_dir():
            return up / "shared" / "real"
    return REPO.parent / "shared" / "real"


REAL = default_real()
