"""Score the matcher on a labelled message set (``dev_questions.jsonl`` format).

Input records: ``{"id", "text", "expect", "kind", "intent", "aspect"}`` (other fields are
ignored); ``kind`` is in_scope | clarify | out_of_scope | smalltalk | intent. See
``/work/shared/eval/README.md`` for the labelling rules.

What is predicted per message (``Prediction``): the decision, the codes the resident is
shown (``answer``: the ranked list, best first, at most 5; ``clarify``: only the 2-4
offered choices; ``none``: nothing), the intent and the aspect.

The metrics, exactly:

- ``top1`` (in_scope): decision is not "none" and ``codes[0]`` is any code in ``expect``.
- ``top3`` (in_scope): decision is not "none" and one of ``codes[:3]`` is in ``expect``.
- ``answered`` (in_scope, informative): decision is "answer"; ``answered_right``: answered
  and ``codes[0]`` in ``expect``; ``answered_wrong``: answered with a wrong code, the
  costly error.
- ``clarify`` (clarify): decision is "clarify" and one of the offered codes is in
  ``expect``.
- ``not_confident`` (out_of_scope and smalltalk): decision is not "answer".
- ``intent`` (intent): the predicted intent equals the label (complaint | human | rating).
  ``false_routing`` counts other messages that got a complaint/human/rating intent.
- ``aspect`` (in_scope and out_of_scope, the procedure questions): the predicted aspect
  equals the label, ``None`` included (a bare request must get ``None``). Clarify records
  are left out because their labels are all ``None`` by policy (the reply is a question,
  the aspect is not used yet), and smalltalk/intent records because ``None`` is trivial
  there. ``aspect_labelled`` is the same on records of any kind with a non-null label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from knowledge.search import Matcher, SearchResult

__all__ = [
    "EvalReport",
    "Failure",
    "Labelled",
    "Metric",
    "Prediction",
    "evaluate",
    "evaluate_file",
    "load_labelled",
    "predict",
]

KINDS = ("in_scope", "clarify", "out_of_scope", "smalltalk", "intent")
ROUTED = ("complaint", "human", "rating")


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    expect: tuple[str, ...]
    kind: str
    intent: str | None
    aspect: str | None


@dataclass(frozen=True)
class Prediction:
    id: str
    decision: str
    codes: tuple[str, ...]
    intent: str | None
    aspect: str | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (one line of a predictions file)."""
        d = asdict(self)
        d["codes"] = list(self.codes)
        return d


@dataclass(frozen=True)
class Metric:
    name: str
    correct: int
    n: int
    target: float | None = None  # the acceptance threshold, as a fraction

    @property
    def rate(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def passed(self) -> bool | None:
        return None if self.target is None or not self.n else self.rate >= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "correct": self.correct,
            "n": self.n,
            "rate": round(self.rate, 4),
            "target": self.target,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class Failure:
    metric: str
    id: str
    kind: str
    text: str
    expected: str
    got: str


@dataclass
class EvalReport:
    metrics: list[Metric]
    by_kind: dict[str, dict[str, int]]  # kind -> {n, answer, clarify, none}
    predictions: list[Prediction]
    failures: list[Failure] = field(default_factory=list)
    source: str = ""

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

    @property
    def passed(self) -> bool:
        return all(m.passed is not False for m in self.metrics)

    def to_json(self) -> dict[str, Any]:
        """Everything as a JSON-ready dict: metrics, counts per kind, failures, predictions."""
        return {
            "source": self.source,
            "passed": self.passed,
            "metrics": {m.name: m.to_json() for m in self.metrics},
            "by_kind": self.by_kind,
            "failures": [asdict(f) for f in self.failures],
            "predictions": [p.to_json() for p in self.predictions],
        }

    def format_table(self) -> str:
        """The metrics and the decisions per kind, as a plain-text table."""
        lines = [f"Matcher evaluation{': ' + self.source if self.source else ''}", ""]
        lines.append(f"{'metric':<20} {'correct':>7} {'n':>5} {'rate':>7} {'target':>7}  ok")
        for m in self.metrics:
            target = f"{m.target:.0%}" if m.target is not None else "-"
            ok = {True: "yes", False: "NO", None: ""}[m.passed]
            lines.append(f"{m.name:<20} {m.correct:>7} {m.n:>5} {m.rate:>7.1%} {target:>7}  {ok}")
        lines += ["", f"{'kind':<14} {'n':>5} {'answer':>7} {'clarify':>8} {'none':>6}"]
        for kind, c in self.by_kind.items():
            lines.append(
                f"{kind:<14} {c['n']:>5} {c['answer']:>7} {c['clarify']:>8} {c['none']:>6}"
            )
        return "\n".join(lines)

    def format_failures(self) -> str:
        """Every failed check, for error analysis."""
        if not self.failures:
            return "No failures."
        lines = [f"Failures ({len(self.failures)}):"]
        for f in self.failures:
            lines.append(f"  [{f.metric}] {f.id} ({f.kind}) {f.text!r}")
            lines.append(f"      expected {f.expected}; got {f.got}")
        return "\n".join(lines)


def load_labelled(path: Path | str) -> list[Labelled]:
    """Read a labelled JSONL file; blank lines are skipped, unknown fields ignored."""
    out: list[Labelled] = []
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            kind = r.get("kind")
            if kind not in KINDS:
                raise ValueError(f"{path}:{n}: unknown kind {kind!r}")
            out.append(
                Labelled(
                    id=str(r.get("id", n)),
                    text=str(r["text"]),
                    expect=tuple(r.get("expect") or ()),
                    kind=kind,
                    intent=r.get("intent"),
                    aspect=r.get("aspect"),
                )
            )
    return out


def to_prediction(id_: str, result: SearchResult) -> Prediction:
    if result.decision == "answer":
        codes = result.codes[:5]
    elif result.decision == "clarify":
        codes = tuple(m.code for m in result.offered)
    else:
        codes = ()
    return Prediction(id_, result.decision, codes, result.intent, result.aspect)


def predict(matcher: Matcher, records: Iterable[Labelled]) -> list[Prediction]:
    return [to_prediction(r.id, matcher.search(r.text)) for r in records]


def _score(
    records: Sequence[Labelled], preds: Sequence[Prediction]
) -> tuple[list[Metric], list[Failure]]:
    counts: dict[str, list[int]] = {}
    failures: list[Failure] = []

    def tally(name: str, ok: bool, r: Labelled, expected: str, got: str) -> None:
        c = counts.setdefault(name, [0, 0])
        c[0] += ok
        c[1] += 1
        if not ok:
            failures.append(Failure(name, r.id, r.kind, r.text, expected, got))

    for r, p in zip(records, preds, strict=True):
        shown = f"{p.decision} {list(p.codes)}"
        expect = set(r.expect)
        if r.kind == "in_scope":
            live = p.decision != "none"
            tally("top1", live and bool(p.codes) and p.codes[0] in expect, r, str(r.expect), shown)
            tally("top3", live and bool(expect & set(p.codes[:3])), r, str(r.expect), shown)
            answered = p.decision == "answer"
            counts.setdefault("answered", [0, 0])
            counts["answered"][0] += answered
            counts["answered"][1] += 1
            counts.setdefault("answered_wrong", [0, 0])
            counts["answered_wrong"][0] += answered and p.codes[0] not in expect
            counts["answered_wrong"][1] += 1
        elif r.kind == "clarify":
            ok = p.decision == "clarify" and bool(expect & set(p.codes))
            tally("clarify", ok, r, f"clarify among {list(r.expect)}", shown)
        elif r.kind in ("out_of_scope", "smalltalk"):
            tally("not_confident", p.decision != "answer", r, "no answer", shown)
        else:
            tally("intent", p.intent == r.intent, r, str(r.intent), f"intent {p.intent}")
        if r.kind != "intent" and p.intent in ROUTED:
            counts.setdefault("false_routing", [0, 0])[0] += 1
        if r.kind != "intent":
            counts.setdefault("false_routing", [0, 0])[1] += 1
        if r.kind in ("in_scope", "out_of_scope"):
            tally("aspect", p.aspect == r.aspect, r, str(r.aspect), str(p.aspect))
        if r.aspect is not None:
            c = counts.setdefault("aspect_labelled", [0, 0])
            c[0] += p.aspect == r.aspect
            c[1] += 1

    targets = {
        "top1": 0.90,
        "top3": 0.97,
        "clarify": 0.80,
        "not_confident": 0.90,
        "intent": 0.90,
        "aspect": 0.85,
    }
    order = (
        "top1",
        "top3",
        "answered",
        "answered_wrong",
        "clarify",
        "not_confident",
        "intent",
        "false_routing",
        "aspect",
        "aspect_labelled",
    )
    metrics = [
        Metric(name, counts[name][0], counts[name][1], targets.get(name))
        for name in order
        if name in counts
    ]
    return metrics, failures


def evaluate(matcher: Matcher, records: Sequence[Labelled], source: str = "") -> EvalReport:
    """Run the matcher over labelled records and score it (see the module docstring)."""
    preds = predict(matcher, records)
    metrics, failures = _score(records, preds)
    by_kind: dict[str, dict[str, int]] = {}
    for r, p in zip(records, preds, strict=True):
        c = by_kind.setdefault(r.kind, {"n": 0, "answer": 0, "clarify": 0, "none": 0})
        c["n"] += 1
        c[p.decision] += 1
    return EvalReport(metrics, by_kind, preds, failures, source)


def evaluate_file(matcher: Matcher, path: Path | str) -> EvalReport:
    return evaluate(matcher, load_labelled(path), source=str(path))
