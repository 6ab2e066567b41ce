"""Accent-aware phrase lookup shared by synonyms, intents and aspects.

Half of the messages come without diacritics, so a phrase written "sổ đỏ" must also match
"so do". Folding everything would make "sơ đồ" (a diagram) match too, so a word the
resident typed *with* accents only matches the same accented word; a word typed without
accents matches any word that folds to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from knowledge.normalize import fold_word, has_diacritics, normalize

T = TypeVar("T")

__all__ = ["Hit", "PhraseIndex", "Words", "word_matches"]


@dataclass(frozen=True)
class Words:
    """A normalised message split into words, with their folded forms."""

    words: tuple[str, ...]
    folded: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Words:
        return cls.from_words(normalize(text).split())

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Words:
        ws = tuple(words)
        return cls(ws, tuple(fold_word(w) for w in ws))

    def __len__(self) -> int:
        return len(self.words)

    @property
    def text(self) -> str:
        return " ".join(self.words)


def word_matches(typed: str, typed_folded: str, word: str, word_folded: str) -> bool:
    """Does a typed word match a lexicon word? Accents count only when they were typed."""
    if typed == word:
        return True
    return typed_folded == word_folded and not has_diacritics(typed)


@dataclass(frozen=True)
class Hit(Generic[T]):
    """A phrase found at words[start:end]."""

    start: int
    end: int
    value: T


@dataclass(frozen=True)
class _Phrase(Generic[T]):
    words: tuple[str, ...]
    folded: tuple[str, ...]
    value: T


class PhraseIndex(Generic[T]):
    """Finds known phrases in a message, keyed by the folded first word for speed."""

    def __init__(self, items: Iterable[tuple[str, T]], strict_single: bool = False) -> None:
        """``strict_single``: a one-word phrase written with accents matches only the same
        accented word. Many single syllables fold together with very common words
        ("sập" / "sắp", "chờ" / "cho", "điện" / "diện"), so typed without accents they
        prove nothing; longer phrases ("bốc mùi", "không ai sửa") are safe either way.
        """
        self._strict_single = strict_single
        self._by_first: dict[str, list[_Phrase[T]]] = {}
        for phrase, value in items:
            words = tuple(normalize(phrase).split())
            if not words:
                continue
            entry = _Phrase(words, tuple(fold_word(w) for w in words), value)
            self._by_first.setdefault(entry.folded[0], []).append(entry)
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e.words))  # longest first

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def _at(self, text: Words, i: int) -> list[_Phrase[T]]:
        found: list[_Phrase[T]] = []
        for entry in self._by_first.get(text.folded[i], ()):
            n = len(entry.words)
            if text.folded[i : i + n] != entry.folded:
                continue  # also when the message ends first; then the accents are checked
            if n == 1 and self._strict_single and text.words[i] != entry.words[0]:
                continue
            if all(
                word_matches(text.words[i + k], text.folded[i + k], entry.words[k], entry.folded[k])
                for k in range(n)
            ):
                found.append(entry)
        return found

    def find_all(self, text: Words) -> list[Hit[T]]:
        """Every occurrence of every phrase, overlaps included, in reading order."""
        hits: list[Hit[T]] = []
        for i in range(len(text)):
            for entry in self._at(text, i):
                hits.append(Hit(i, i + len(entry.words), entry.value))
        return hits

    def find(self, text: Words) -> list[Hit[T]]:
        """Leftmost-longest occurrences that do not overlap (for rewriting)."""
        hits: list[Hit[T]] = []
        i = 0
        while i < len(text):
            entries = self._at(text, i)
            if entries:
                entry = entries[0]
                hits.append(Hit(i, i + len(entry.words), entry.value))
                i += len(entry.words)
            else:
                i += 1
        return hits


def spans(hits: Sequence[Hit[T]]) -> set[int]:
    """Word positions covered by some hit."""
    covered: set[int] = set()
    for h in hits:
        covered.update(range(h.start, h.end))
    return covered
