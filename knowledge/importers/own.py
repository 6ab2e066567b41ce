"""The project's own catalogue format (YAML, or the same content as JSON).

See knowledge/data/catalogue/README.md. People edit these files by hand, so a mistake is
reported with the file, the line of the offending entry or field (from PyYAML's node
marks) and the field's name, and the whole file is refused: a catalogue must never be
half-loaded from a file someone is still fixing.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.importers.common import CatalogueImportError, ImportResult
from knowledge.models import Procedure

FORMAT = "own"
FORMAT_TAG = "motcua-catalogue/1"

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def looks_like_own_document(document: object) -> bool:
    return isinstance(document, dict) and "procedures" in document


def load(text: str, name: str) -> ImportResult:
    """Procedures from a YAML (or JSON) catalogue file; any invalid entry is fatal."""
    root, document = _parse(text, name)
    if not looks_like_own_document(document):
        raise CatalogueImportError(
            f"{name}: not a catalogue file: expected 'format: {FORMAT_TAG}' and a "
            "'procedures:' list at the top"
        )
    assert isinstance(document, dict)
    tag = document.get("format", FORMAT_TAG)
    if tag != FORMAT_TAG:
        raise CatalogueImportError(
            f"{name}, line {_line(root, ['format'])}: unknown format {tag!r} "
            f"(this version reads {FORMAT_TAG!r})"
        )
    entries = document["procedures"]
    if not isinstance(entries, list):
        raise CatalogueImportError(
            f"{name}, line {_line(root, ['procedures'])}: 'procedures' must be a list of entries"
        )
    result = ImportResult(source_format=FORMAT, records=len(entries))
    first_line: dict[str, int | str] = {}
    for index, entry in enumerate(entries):
        line = _line(root, ["procedures", index])
        procedure = _procedure(entry, index, root, name)
        if procedure.code in first_line:
            raise CatalogueImportError(
                f"{name}, line {line}: procedure {procedure.code} is already defined at line "
                f"{first_line[procedure.code]}"
            )
        first_line[procedure.code] = line
        result.procedures.append(procedure)
    return result


def _procedure(entry: object, index: int, root: yaml.Node | None, name: str) -> Procedure:
    line = _line(root, ["procedures", index])
    if not isinstance(entry, dict):
        raise CatalogueImportError(
            f"{name}, line {line}: entry {index + 1} is not a mapping of fields"
        )
    try:
        return Procedure.model_validate(entry)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [part for part in error["loc"] if isinstance(part, str | int)]
        field = ".".join(str(part) for part in loc) or "entry"
        at = _line(root, ["procedures", index, *loc]) if loc else line
        code = entry.get("code")
        who = f"procedure {code}" if isinstance(code, str) else f"entry {index + 1}"
        raise CatalogueImportError(
            f"{name}, line {at}: {who}: field '{field}': {error['msg']}{_hint(error)}"
        ) from exc


def _hint(error: Any) -> str:
    """Codes written without quotes load as numbers and lose trailing zeros."""
    loc = error["loc"]
    if loc and loc[0] in ("code", "related") and isinstance(error.get("input"), float):
        return ' (write codes in quotes, e.g. code: "1.001193")'
    return ""


# --- YAML with positions -----------------------------------------------------------------


def _parse(text: str, name: str) -> tuple[yaml.Node | None, object]:
    """The YAML node tree (it keeps line numbers) and the plain data.

    JSON is YAML, except for a few corners (tabs for indentation): JSON that PyYAML
    rejects is read with the json module, without line numbers.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        try:
            return None, json.loads(text)
        except ValueError:
            raise CatalogueImportError(f"{name}: {_yaml_problem(exc)}") from exc
    if root is None:
        return None, None
    loader = _Loader("")
    try:
        return root, loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise CatalogueImportError(f"{name}: {_yaml_problem(exc)}") from exc
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"line {mark.line + 1}: invalid YAML ({problem})"
    return f"invalid YAML ({problem})"


def _line(node: yaml.Node | None, path: list[str | int]) -> int | str:
    """1-based line of the node at `path`, or of its nearest ancestor that exists."""
    if node is None:
        return "?"
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                found: yaml.Node = value
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None
