"""Ticket codes residents can read aloud and type: ``PA-7K3M2Q``.

Six characters from an alphabet without look-alikes (no 0/O, 1/I) drawn with ``secrets``:
about a billion codes, so they cannot be guessed, and a code alone never opens a ticket
(the lookup also needs the resident who filed it, see service.find_for_resident).
"""

from __future__ import annotations

import re
import secrets

PREFIX = "PA-"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 6
# A code as residents type it: any case, with or without the dash or a space.
_TYPED = re.compile(rf"\bPA[\s\-_.]*([{ALPHABET}{ALPHABET.lower()}]{{{LENGTH}}})\b", re.I)


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """``pa 7k3m2q`` -> ``PA-7K3M2Q``; None when the text holds no well-formed code."""
    match = _TYPED.search(text.strip())
    if match is None:
        return None
    body = match.group(1).upper()
    if any(ch not in ALPHABET for ch in body):
        return None
    return PREFIX + body


def find_codes(text: str) -> list[str]:
    """Every well-formed code in a text (e.g. the code quoted in a relayed message)."""
    found = []
    for match in _TYPED.finditer(text):
        body = match.group(1).upper()
        if all(ch in ALPHABET for ch in body):
            found.append(PREFIX + body)
    return found
