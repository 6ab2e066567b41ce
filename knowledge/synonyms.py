"""The staff-editable word lists: abbreviations, folk terms and topics handled elsewhere.

They live in ``knowledge/data/synonyms.yaml`` rather than in code because the words people
use change from place to place, and the one-stop staff are the ones who hear them:

- ``abbreviations``: one typed word -> what it stands for ("gks" -> "giấy khai sinh"),
  optionally only after or before given words ("hk" is "hộ khẩu" after "nhập", else
  "không").
- ``folk_terms``: phrases residents use -> the official wording ("sổ đỏ" -> "giấy chứng
  nhận quyền sử dụng đất"). The matcher searches both.
- ``elsewhere``: things residents ask the commune for that another level or agency does
  (passports, driving licences, companies...), with where to go instead. A message about
  one of them never gets a confident commune procedure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.lexicon import Hit, PhraseIndex, Words, word_matches
from knowledge.normalize import fold_word, normalize

__all__ = [
    "DEFAULT_PATH",
    "Abbreviation",
    "Elsewhere",
    "FolkTerm",
    "Synonyms",
    "SynonymsError",
    "load_synonyms",
]

DEFAULT_PATH = Path(__file__).parent / "data" / "synonyms.yaml"
FORMAT = "motcua-synonyms/1"

# Words skipped when looking for a folk phrase, so "bố tôi mất" reads like "bố mất".
_FILLERS = frozenset(
    {"tôi", "em", "mình", "tao", "tớ", "ạ", "à", "ơi", "nhé", "đã", "vừa", "chiếc", "cái", "mảnh"}
)


class SynonymsError(ValueError):
    """The synonyms file is malformed; the message says where."""


@dataclass(frozen=True)
class Abbreviation:
    means: tuple[str, ...]  # normalised words
    after: tuple[str, ...] = ()  # the previous word must be one of these (empty: any)
    before: tuple[str, ...] = ()  # the next word must be one of these (empty: any)

    def fits(self, prev: str | None, nxt: str | None) -> bool:
        return _context_ok(self.after, prev) and _context_ok(self.before, nxt)


def _context_ok(allowed: tuple[str, ...], word: str | None) -> bool:
    if not allowed:
        return True
    if word is None:
        return False
    fw = fold_word(word)
    return any(word_matches(word, fw, a, fold_word(a)) for a in allowed)


@dataclass(frozen=True)
class FolkTerm:
    means: str  # the official wording, normalised
    phrase: str  # the folk phrase as written in the file


@dataclass(frozen=True)
class Elsewhere:
    """A topic another level or agency handles, with where residents should go."""

    topic: str
    where: str
    terms: tuple[tuple[str, ...], ...]  # any term matches; a term needs all its parts
    unless: tuple[str, ...] = ()  # any of these words keeps the topic in scope


@dataclass
class Synonyms:
    abbreviations: dict[str, list[Abbreviation]] = field(default_factory=dict)
    folk_terms: list[FolkTerm] = field(default_factory=list)
    elsewhere: list[Elsewhere] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._folk = PhraseIndex((t.phrase, t) for t in self.folk_terms)
        parts: list[tuple[str, tuple[int, int, int]]] = []
        for ei, e in enumerate(self.elsewhere):
            for ti, term in enumerate(e.terms):
                for pi, part in enumerate(term):
                    parts.append((part, (ei, ti, pi)))
            for ui, word in enumerate(e.unless):
                parts.append((word, (ei, -1, ui)))
        self._elsewhere = PhraseIndex(parts)

    def expand_abbreviations(self, words: Words) -> Words:
        """Replace abbreviations by the words they stand for."""
        return self.expand_with_sources(words)[0]

    def expand_with_sources(self, words: Words) -> tuple[Words, list[int]]:
        """``expand_abbreviations``, and for each word of the result the position of the
        word it came from (so positions read from the typed text can be carried over)."""
        if not self.abbreviations:
            return words, list(range(len(words)))
        out: list[str] = []
        sources: list[int] = []
        ws = words.words
        for i, w in enumerate(ws):
            options = self.abbreviations.get(w)
            if options:
                prev = ws[i - 1] if i > 0 else None
                nxt = ws[i + 1] if i + 1 < len(ws) else None
                chosen = next((a for a in options if a.fits(prev, nxt)), None)
                if chosen is not None:
                    out.extend(chosen.means)
                    sources.extend([i] * len(chosen.means))
                    continue
            out.append(w)
            sources.append(i)
        return Words.from_words(out), sources

    def find_folk(self, words: Words) -> list[Hit[FolkTerm]]:
        """Folk phrases in the message (positions refer to ``words``)."""
        keep = [i for i, w in enumerate(words.words) if w not in _FILLERS]
        if len(keep) == len(words):
            return self._folk.find(words)
        compact = Words(tuple(words.words[i] for i in keep), tuple(words.folded[i] for i in keep))
        hits = self._folk.find(compact)
        return [Hit(keep[h.start], keep[h.end - 1] + 1, h.value) for h in hits]

    def find_elsewhere(self, words: Words) -> Elsewhere | None:
        """The first out-of-scope topic the message is about, if any."""
        hit = self.elsewhere_hit(words)
        return hit[0] if hit else None

    def elsewhere_hit(
        self, words: Words, ignore: frozenset[int] = frozenset()
    ) -> tuple[Elsewhere, frozenset[int]] | None:
        """The first out-of-scope topic and the word positions that named it.

        ``ignore``: positions whose words cannot keep a topic in scope (the "mất" of "mất
        bao lâu" is no lost passport).
        """
        if not self.elsewhere:
            return None
        seen: dict[int, dict[int, dict[int, set[int]]]] = {}
        blocked: set[int] = set()
        for h in self._elsewhere.find_all(words):
            ei, ti, pi = h.value
            if ti < 0:
                if not ignore.intersection(range(h.start, h.end)):
                    blocked.add(ei)
            else:
                parts = seen.setdefault(ei, {}).setdefault(ti, {})
                parts.setdefault(pi, set()).update(range(h.start, h.end))
        for ei in sorted(seen):
            if ei in blocked:
                continue
            e = self.elsewhere[ei]
            for ti, parts in seen[ei].items():
                if len(parts) == len(e.terms[ti]):
                    return e, frozenset(i for span in parts.values() for i in span)
        return None


def _words(value: str) -> tuple[str, ...]:
    return tuple(normalize(value).split())


def _as_list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    raise SynonymsError(f"{where}: expected a list, got {type(value).__name__}")


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str | int | float) or not str(value).strip():
        raise SynonymsError(f"{where}: expected text")
    return str(value)


def _parse_abbreviations(raw: Any) -> dict[str, list[Abbreviation]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SynonymsError("abbreviations: expected a mapping of word -> meaning")
    out: dict[str, list[Abbreviation]] = {}
    for key, value in raw.items():
        word = normalize(_str(key, "abbreviations"))
        if " " in word or not word:
            raise SynonymsError(f"abbreviations: {key!r} must be a single word")
        options: list[Abbreviation] = []
        for j, item in enumerate(_as_list(value, f"abbreviations.{key}")):
            where = f"abbreviations.{key}[{j}]"
            if isinstance(item, Mapping):
                means = _words(_str(item.get("means"), f"{where}.means"))
                after = tuple(normalize(_str(a, where)) for a in _as_list(item.get("after"), where))
                before = tuple(
                    normalize(_str(b, where)) for b in _as_list(item.get("before"), where)
                )
                options.append(Abbreviation(means, after, before))
            else:
                options.append(Abbreviation(_words(_str(item, where))))
        out[word] = options
    return out


def _parse_folk(raw: Any) -> list[FolkTerm]:
    out: list[FolkTerm] = []
    for j, item in enumerate(_as_list(raw, "folk_terms")):
        where = f"folk_terms[{j}]"
        if not isinstance(item, Mapping):
            raise SynonymsError(f"{where}: expected {{terms: [...], means: ...}}")
        means = normalize(_str(item.get("means"), f"{where}.means"))
        for term in _as_list(item.get("terms"), f"{where}.terms"):
            out.append(FolkTerm(means, _str(term, f"{where}.terms")))
    return out


def _parse_elsewhere(raw: Any) -> list[Elsewhere]:
    out: list[Elsewhere] = []
    for j, item in enumerate(_as_list(raw, "elsewhere")):
        where = f"elsewhere[{j}]"
        if not isinstance(item, Mapping):
            raise SynonymsError(f"{where}: expected {{topic, where, terms, unless}}")
        terms = tuple(
            tuple(p.strip() for p in _str(t, f"{where}.terms").split("+") if p.strip())
            for t in _as_list(item.get("terms"), f"{where}.terms")
        )
        if not terms:
            raise SynonymsError(f"{where}: no terms")
        out.append(
            Elsewhere(
                topic=_str(item.get("topic"), f"{where}.topic"),
                where=_str(item.get("where"), f"{where}.where"),
                terms=terms,
                unless=tuple(_str(u, where) for u in _as_list(item.get("unless"), where)),
            )
        )
    return out


def parse_synonyms(data: Any) -> Synonyms:
    """Build the lists from already-parsed YAML (a mapping)."""
    if not isinstance(data, Mapping):
        raise SynonymsError("the synonyms file must be a mapping")
    fmt = data.get("format")
    if fmt is not None and fmt != FORMAT:
        raise SynonymsError(f"unknown format {fmt!r}, expected {FORMAT!r}")
    return Synonyms(
        abbreviations=_parse_abbreviations(data.get("abbreviations")),
        folk_terms=_parse_folk(data.get("folk_terms")),
        elsewhere=_parse_elsewhere(data.get("elsewhere")),
    )


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime: float) -> Synonyms:
    with path.open(encoding="utf-8") as f:
        return parse_synonyms(yaml.safe_load(f))


def load_synonyms(path: Path | None = None) -> Synonyms:
    """Read the synonyms file (default: the shipped ``knowledge/data/synonyms.yaml``)."""
    p = Path(path) if path is not None else DEFAULT_PATH
    return _load_cached(p.resolve(), p.stat().st_mtime)


def merge(lists: Iterable[Synonyms]) -> Synonyms:
    """Combine several lists (a commune's own file on top of the shipped one)."""
    abbreviations: dict[str, list[Abbreviation]] = {}
    folk: list[FolkTerm] = []
    elsewhere: list[Elsewhere] = []
    for s in lists:
        abbreviations.update(s.abbreviations)
        folk.extend(s.folk_terms)
        elsewhere.extend(s.elsewhere)
    return Synonyms(abbreviations, folk, elsewhere)
