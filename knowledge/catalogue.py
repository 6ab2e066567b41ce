"""The catalogue the bot answers from: the shipped YAML files, plus the commune's imports.

The shipped files are part of the program, so a broken one is a bug to fix before
anything runs: :func:`shipped_catalogue` raises instead of answering from half a
catalogue. Files given with the CLI's ``--catalogue PATH`` are merged on top, in order,
by :func:`build_catalogue`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from knowledge.importers import CatalogueImportError, load_file
from knowledge.merge import MergeReport, merge
from knowledge.models import Catalogue, Procedure

SHIPPED_DIR = Path(__file__).parent / "data" / "catalogue"


def shipped_catalogue() -> Catalogue:
    """The project's own catalogue (every *.yaml in knowledge/data/catalogue).

    Loaded once per process; each call returns a fresh copy, so callers may edit theirs.
    """
    return Catalogue(p.model_copy(deep=True) for p in shipped_procedures())


@cache
def shipped_procedures() -> tuple[Procedure, ...]:
    """The shipped records themselves, shared by every caller: never edit them in place.

    For readers that build many catalogues over the same list (a province's hundred
    communes): a deep copy per commune made a start-up take seconds.
    """
    try:
        return tuple(load_catalogue_dir(SHIPPED_DIR))
    except CatalogueImportError as exc:
        raise CatalogueImportError(f"the shipped catalogue is broken: {exc}") from exc


def load_catalogue_dir(directory: Path) -> Catalogue:
    """Every *.yaml file of a directory, in name order; a code defined twice is an error."""
    catalogue = Catalogue()
    defined_in: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        for procedure in load_file(path).procedures:
            if procedure.code in defined_in:
                raise CatalogueImportError(
                    f"{path.name}: procedure {procedure.code} is already defined in "
                    f"{defined_in[procedure.code]}"
                )
            defined_in[procedure.code] = path.name
            catalogue.put(procedure)
    return catalogue


def build_catalogue(
    paths: Sequence[Path], *, all_levels: bool = False
) -> tuple[Catalogue, list[MergeReport]]:
    """The shipped catalogue merged with each file in order, and one report per file.

    Each report carries its file's ImportResult (skipped records, warnings). A file that
    cannot be imported raises CatalogueImportError and nothing is returned.
    """
    catalogue = shipped_catalogue()
    reports: list[MergeReport] = []
    for path in paths:
        imported = load_file(path, all_levels=all_levels)
        report = merge(catalogue, imported.procedures)
        report.label = str(path)
        report.imported = imported
        catalogue = report.catalogue
        reports.append(report)
    return catalogue, reports
