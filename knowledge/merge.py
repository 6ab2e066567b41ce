"""Merge imported procedures into a catalogue, keyed by national code.

Official data and the project's plain-language work live in the same record
(knowledge.models), and each side owns its fields:

- Official facts (name, documents, ways, fees, legal basis...) come from the incoming
  record when it has them. A record that says nothing about a field ("Không có thông
  tin", an empty list, an XLSX list without levels, a YAML entry without the key) leaves
  the base's value alone: missing data is not news. This also makes the merge safe for
  records that went through ``model_dump`` (where every key is present).
- Plain-language fields (PLAIN_FIELDS: plain_name, summary, aliases, tips, related,
  where) survive an official import; it only fills the ones that are empty. A record in
  the project's own format replaces them when it gives a value, so a commune's own file
  can rewrite our wording.
- Aliases are unioned, in order, without duplicates: a phrasing residents use is never
  lost by importing something.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from knowledge.importers.common import OFFICIAL_SOURCE_PREFIX, ImportResult
from knowledge.models import PLAIN_FIELDS, Catalogue, Procedure


@dataclass
class MergeReport:
    """The merged catalogue and what the merge did to it, code by code."""

    catalogue: Catalogue
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # code -> changed fields
    unchanged: list[str] = field(default_factory=list)
    label: str = ""  # what was merged (a file name), for reports
    imported: ImportResult | None = None  # the import behind it, when merged from a file


def is_official(procedure: Procedure) -> bool:
    """True for records from official data (the portal's files, the Defence file)."""
    return procedure.source.startswith(OFFICIAL_SOURCE_PREFIX)


def merge(base: Catalogue, incoming: Iterable[Procedure]) -> MergeReport:
    """A new catalogue: `base` with `incoming` merged in; `base` itself is not changed.

    Procedures the merge does not touch are shared between `base` and the new catalogue
    (copying thousands of records per file would dominate a multi-file build); call
    ``.copy()`` on the result before editing procedures in place.
    """
    catalogue = Catalogue(base)
    added: dict[str, None] = {}
    changed: dict[str, list[str]] = {}
    unchanged: dict[str, None] = {}
    for procedure in incoming:
        code = procedure.code
        current = catalogue.get(code)
        if current is None:
            catalogue.put(procedure.model_copy(deep=True))
            added[code] = None
            continue
        merged = merge_procedure(current, procedure)
        fields = changed_fields(current, merged)
        catalogue.put(merged)
        if code in added:
            continue
        if fields:
            unchanged.pop(code, None)
            known = changed.setdefault(code, [])
            known.extend(f for f in fields if f not in known)
        elif code not in changed:
            unchanged[code] = None
    return MergeReport(
        catalogue=catalogue, added=list(added), changed=changed, unchanged=list(unchanged)
    )


def merge_procedure(base: Procedure, incoming: Procedure) -> Procedure:
    """One record: `base` updated by `incoming` (same code) under the rules above."""
    official = is_official(incoming)
    values: dict[str, Any] = {}
    for name in Procedure.model_fields:
        old, new = getattr(base, name), getattr(incoming, name)
        if name == "aliases":
            values[name] = list(dict.fromkeys([*old, *new]))
        elif not _has_value(new) or (name == "source" and name not in incoming.model_fields_set):
            values[name] = old  # saying nothing is not news
        elif official and name in PLAIN_FIELDS and _has_value(old):
            values[name] = old  # our plain-language work survives official data
        else:
            values[name] = new
    return Procedure.model_validate(copy.deepcopy(values))


def changed_fields(before: Procedure, after: Procedure) -> list[str]:
    return [
        name for name in Procedure.model_fields if getattr(before, name) != getattr(after, name)
    ]


def _has_value(value: object) -> bool:
    return value is not None and value != "" and value != []


def override(procedure: Procedure, fields: dict[str, Any]) -> Procedure:
    """`procedure` with `fields` set exactly as given, empty values included.

    Unlike a merge, an override can clear a field or drop an alias: it is what staff
    wrote in the editor, the last word on those fields.
    """
    values = procedure.model_dump()
    values.update({k: copy.deepcopy(v) for k, v in fields.items() if k in Procedure.model_fields})
    values["code"] = procedure.code
    return Procedure.model_validate(values)


def superseded(overrides: dict[str, Any], incoming: Procedure) -> dict[str, Any]:
    """The overrides an official import leaves standing.

    Newer official facts replace a staff correction of the same fact (a fee staff fixed
    last month gives way to the portal's new fee); staff's plain-language fields stay.
    """
    if not is_official(incoming):
        return dict(overrides)
    kept = (*PLAIN_FIELDS, "aliases")
    return {
        name: value
        for name, value in overrides.items()
        if name in kept or not _has_value(getattr(incoming, name, None))
    }
