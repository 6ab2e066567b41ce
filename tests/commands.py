"""Running motcua in a process of its own, as an operator would, with only the settings
a test gives: the developer's own MOTCUA_ variables must not leak into it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def motcua_env(**settings: str) -> dict[str, str]:
    """This process's environment without any MOTCUA_ variable, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(settings)
    return env


def run_motcua(*args: str, timeout: float, **settings: str) -> subprocess.CompletedProcess[str]:
    """``motcua ARGS`` to its end, its output captured (``check`` left to the test)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=motcua_env(**settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
