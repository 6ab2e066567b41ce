"""Checks Bot API calls and objects against the published method and type tables.

The tables (tests/fixtures/telegram/telegram-bot-api.json, MIT-licensed, copied with its
licence) list every method with its parameters and every type with its fields. A call
the real Telegram would reject for its shape (unknown method, unknown parameter, missing
required field, wrong type) is reported here, so the fake server can fail the test
instead of quietly answering ``ok``.

Form-encoded calls (what python-telegram-bot sends) carry every value as a string, with
objects and arrays JSON-encoded; ``decode_form_value`` turns them back into typed values
using the parameter's declared types before checking.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "telegram" / "telegram-bot-api.json"
SCALARS = {"Integer", "String", "Boolean", "Float"}
# Tags Telegram accepts with parse_mode=HTML.
_HTML_TAGS = (
    "b|strong|i|em|u|ins|s|strike|del|a|code|pre|span|tg-spoiler|tg-emoji|tg-time|blockquote"
)
# "Scope type, must be chat" / 'always "kicked"': the discriminator of a union member.
_FIXED = re.compile(r'(?:must be|always) "?([a-z_]+)"?\s*$')
_HTML_TOKEN = re.compile(
    rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|[<&]"
)


class BotApiSpec:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data.get("version", "?")
        self.methods: dict[str, Any] = data["methods"]
        self.types: dict[str, Any] = data["types"]

    @classmethod
    @functools.cache
    def load(cls, path: Path = SPEC_PATH) -> BotApiSpec:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def method_key(self, name: str) -> str | None:
        """Method names are case-insensitive in the Bot API."""
        if name in self.methods:
            return name
        lowered = {m.lower(): m for m in self.methods}
        return lowered.get(name.lower())

    # --- calls ---------------------------------------------------------------------------

    def check_call(
        self, method: str, params: dict[str, Any], *, files: frozenset[str] = frozenset()
    ) -> list[str]:
        """Problems with a call whose parameters are already decoded (typed values)."""
        key = self.method_key(method)
        if key is None:
            return [f"unknown method {method!r}"]
        fields = {f["name"]: f for f in self.methods[key].get("fields", [])}
        problems = [f"{key}: unknown parameter {name!r}" for name in params if name not in fields]
        for name, spec in fields.items():
            if name not in params and name not in files:
                if spec["required"]:
                    problems.append(f"{key}: missing required parameter {name!r}")
                continue
            if name in files:
                if "InputFile" not in spec["types"]:
                    problems.append(f"{key}.{name}: a file was uploaded where none is allowed")
                continue
            problems += self.check_value(params[name], spec["types"], f"{key}.{name}")
        return problems

    def decode_form_value(self, method: str, name: str, raw: str) -> Any:
        """A form field as the typed value it stands for (JSON for non-strings)."""
        key = self.method_key(method)
        fields = {f["name"]: f for f in self.methods[key].get("fields", [])} if key else {}
        types = fields.get(name, {}).get("types", ["String"])
        if "String" in types:
            return raw
        try:
            return json.loads(raw)
        except ValueError:
            return raw  # reported as a type error by check_value

    # --- values ----------------------------------------------------------------------------

    def check_value(self, value: Any, types: list[str], where: str) -> list[str]:
        """Problems if ``value`` matches none of ``types`` (the first failure is reported)."""
        best: list[str] | None = None
        for type_name in types:
            problems = self._check_one(value, type_name, where)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or [f"{where}: no type to check against"]

    def _check_one(self, value: Any, type_name: str, where: str) -> list[str]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: expected {type_name}, got {type(value).__name__}"]
            inner = type_name[len("Array of ") :]
            problems: list[str] = []
            for index, item in enumerate(value):
                problems += self._check_one(item, inner, f"{where}[{index}]")
            return problems
        if type_name in SCALARS:
            return (
                []
                if _is_scalar(value, type_name)
                else [f"{where}: expected {type_name}, got {value!r:.60}"]
            )
        if type_name == "InputFile":
            return [] if isinstance(value, str) else [f"{where}: expected an InputFile"]
        return self.check_object(type_name, value, where)

    def check_object(self, type_name: str, value: Any, where: str) -> list[str]:
        spec = self.types.get(type_name)
        if spec is None:
            return [f"{where}: unknown type {type_name!r}"]
        if spec.get("subtypes"):
            return self.check_value(value, spec["subtypes"], where)
        if not isinstance(value, dict):
            return [f"{where}: expected a {type_name} object, got {type(value).__name__}"]
        fields = {f["name"]: f for f in spec.get("fields", [])}
        problems = [
            f"{where}: unknown field {name!r} for {type_name}"
            for name in value
            if name not in fields
        ]
        for name, field in fields.items():
            if name not in value:
                if field["required"]:
                    problems.append(f"{where}: {type_name} lacks required field {name!r}")
                continue
            problems += self.check_value(value[name], field["types"], f"{where}.{name}")
            fixed = _FIXED.search(field.get("description", ""))
            if fixed and field["types"] == ["String"] and value[name] != fixed.group(1):
                problems.append(f"{where}.{name}: must be {fixed.group(1)!r} for {type_name}")
        return problems


def _is_scalar(value: Any, type_name: str) -> bool:
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, int | float) and not isinstance(value, bool)  # Float


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse ``text`` with parse_mode=HTML, or None."""
    depth: list[str] = []
    for match in _HTML_TOKEN.finditer(text):
        token = match.group(0)
        if token in ("<", "&"):
            return f"can't parse entities: unescaped {token!r} at byte offset {match.start()}"
        if token.startswith("</"):
            name = token[2:-1].split()[0]
            if not depth or depth.pop() != name:
                return f"can't parse entities: unexpected end tag {name!r}"
        elif token.startswith("<"):
            depth.append(token[1:-1].split()[0])
    if depth:
        return f"can't parse entities: unclosed tag {depth[-1]!r}"
    return None


def visible_text(text: str, parse_mode: str | None) -> str:
    """The message text after entity parsing (what Telegram counts towards 4096)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(re.sub(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?>", "", text))
    return text


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
