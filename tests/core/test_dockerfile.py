"""The image can only be built where a Docker daemon runs (not in CI here), so what can
go wrong silently is checked as text: a package added to pyproject but never copied
into the image would install without it and fail at start."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_every_package_is_copied_into_the_image() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE, re.MULTILINE))
    assert packages == copied


def test_the_image_runs_as_a_user_and_is_health_checked() -> None:
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK [^\n]*(\\\n[^\n]*)*/healthz", DOCKERFILE, re.MULTILINE)
    assert re.search(r'^CMD \["motcua", "serve"\]$', DOCKERFILE, re.MULTILINE)
