"""Imports every domain's table module so ``Base.metadata`` is complete.

Alembic's autogenerate and the test suite need all tables; the rest of the code imports
only the models it uses.
"""

from __future__ import annotations

import importlib

DOMAIN_MODEL_MODULES: tuple[str, ...] = (
    "surveys.models",
    "bot.channels.zalo_oa.models",
    "complaints.models",
    "staff.models",
    "privacy.models",
)


def import_domain_models() -> None:
    for module in DOMAIN_MODEL_MODULES:
        importlib.import_module(module)
