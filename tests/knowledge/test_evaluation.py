"""The evaluation: exact metric formulas on a tiny set, and the golden-set floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.bench import bench_matcher
from knowledge.catalogue import build_catalogue
from knowledge.evaluation import evaluate, evaluate_file, load_labelled
from knowledge.search import Matcher
from tests.conftest import shared_file
from tests.knowledge.test_search import CATALOGUE, CC_DUOI_14, CC_TU_14, KHAI_SINH, KHAI_TU

RECORDS = [
    {"id": "a", "text": "làm giấy khai sinh cho con cần gì", "expect": [KHAI_SINH],
     "kind": "in_scope", "intent": None, "aspect": "documents"},
    {"id": "b", "text": "khai tử ở đâu", "expect": [KHAI_SINH],  # wrong on purpose
     "kind": "in_scope", "intent": None, "aspect": "place"},
    {"id": "c", "text": "lam can cuoc cho con", "expect": [CC_DUOI_14, CC_TU_14],
     "kind": "clarify", "intent": None, "aspect": None},
    {"id": "d", "text": "làm hộ chiếu ở đâu", "expect": [],
     "kind": "out_of_scope", "intent": None, "aspect": "place"},
    {"id": "e", "text": "xin chào", "expect": [], "kind": "smalltalk", "intent": None,
     "aspect": None},
    {"id": "f", "text": "tôi muốn khiếu nại", "expect": [], "kind": "intent",
     "intent": "complaint", "aspect": None, "note": "extra fields are ignored"},
]  # fmt: skip


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n\n", encoding="utf-8"
    )
    return path


def test_metrics_follow_the_documented_formulas(labelled: Path) -> None:
    report = evaluate_file(Matcher(CATALOGUE), labelled)
    counts = {m.name: (m.correct, m.n) for m in report.metrics}
    assert counts["top1"] == (1, 2)  # "b" expects the wrong code
    assert counts["top3"] == (2, 2)  # ... which still ranks among its top three
    assert counts["clarify"] == (1, 1)
    assert counts["not_confident"] == (2, 2)
    assert counts["intent"] == (1, 1)
    assert counts["aspect"] == (3, 3)  # in_scope and out_of_scope records
    assert counts["aspect_labelled"] == (3, 3)
    assert report.by_kind["in_scope"] == {"n": 2, "answer": 2, "clarify": 0, "none": 0}
    assert [(f.metric, f.id) for f in report.failures] == [("top1", "b")]


def test_predictions_show_what_the_resident_sees(labelled: Path) -> None:
    report = evaluate_file(Matcher(CATALOGUE), labelled)
    by_id = {p.id: p for p in report.predictions}
    assert by_id["a"].codes[0] == KHAI_SINH and by_id["a"].decision == "answer"
    assert by_id["c"].decision == "clarify" and set(by_id["c"].codes) >= {CC_DUOI_14, CC_TU_14}
    assert by_id["d"].codes == ()  # nothing is shown when nothing is answered
    assert by_id["f"].to_json() == {
        "id": "f", "decision": "none", "codes": [], "intent": "complaint", "aspect": None,
    }  # fmt: skip
    assert by_id["b"].codes[0] == KHAI_TU


def test_report_prints_and_serialises(labelled: Path) -> None:
    report = evaluate_file(Matcher(CATALOGUE), labelled)
    table = report.format_table()
    assert "top1" in table and "not_confident" in table and "in_scope" in table
    assert "[top1] b" in report.format_failures()
    data = json.loads(json.dumps(report.to_json()))
    assert data["metrics"]["top1"]["correct"] == 1
    assert len(data["predictions"]) == len(RECORDS)
    assert data["passed"] is False


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "?", "kind": "maybe"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind"):
        load_labelled(path)


def test_benchmark_reports_both_matchers(labelled: Path) -> None:
    queries = [r.text for r in load_labelled(labelled)]
    result = bench_matcher(CATALOGUE, queries, rounds=1)
    for who in ("matcher", "baseline"):
        assert set(result[who]) >= {"p50_ms", "p99_ms", "build_ms", "build_peak_mb", "rss_mb"}
        assert result[who]["n"] == len(queries)
    assert result["catalogue"]["procedures"] == len(CATALOGUE)


# Floors: the figures measured on the commune catalogue (shipped YAML merged with the
# 588-record portal file and the Defence file), minus one point. Raise them when the
# matcher improves; never lower them to make a change pass.
DEV_FLOORS = {
    "top1": 0.99,  # measured 100%
    "top3": 0.99,  # 100%
    "clarify": 0.83,  # 84.0%
    "not_confident": 0.99,  # 100%
    "intent": 0.99,  # 100%
    "aspect": 0.961,  # 97.1%
}
# The held-out set (tests/data/holdout_questions.jsonl) was used for error analysis and
# tuning too, like the dev set; a third set, unseen, judges generalisation.
HOLDOUT_FLOORS = {
    "top1": 0.955,  # measured 96.5%
    "top3": 0.981,  # 99.1%
    "clarify": 0.89,  # 90.0%
    "not_confident": 0.99,  # 100%
    "intent": 0.99,  # 100%
    "aspect": 0.933,  # 94.3%
}


# A second held-out set (tests/data/holdout2_questions.jsonl, see HOLDOUT2.md), written
# by someone who never saw the matcher or the other sets and measured once, untuned:
# the honest estimate of how the matcher does on residents' messages it has not seen.
HOLDOUT2_FLOORS = {
    "top1": 0.90,  # measured 91.3% (105/115)
    "top3": 0.947,  # 95.7% (110/115)
    "clarify": 0.74,  # 75.0% (15/20)
    "not_confident": 0.94,  # 95.0%
    "intent": 0.91,  # 92.0%
    "aspect": 0.954,  # 96.4%
}


@pytest.fixture(scope="module")
def commune_matcher() -> Matcher:
    catalogue, _ = build_catalogue(
        [
            shared_file("data/portal/tthc_cap_xa.jsonl.gz"),
            shared_file("data/portal_bqp/bqp_tthc_structured.jsonl"),
        ]
    )
    return Matcher(catalogue)


@pytest.mark.slow
def test_dev_set_figures_never_regress(commune_matcher: Matcher) -> None:
    records = load_labelled(shared_file("eval/dev_questions.jsonl"))
    report = evaluate(commune_matcher, records)
    rates = {m.name: m.rate for m in report.metrics}
    for name, floor in DEV_FLOORS.items():
        assert rates[name] >= floor, f"{name} fell to {rates[name]:.1%}\n{report.format_table()}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file", "floors"),
    [("holdout_questions.jsonl", HOLDOUT_FLOORS), ("holdout2_questions.jsonl", HOLDOUT2_FLOORS)],
)
def test_holdout_figures_never_regress(
    commune_matcher: Matcher, file: str, floors: dict[str, float]
) -> None:
    path = Path(__file__).parent.parent / "data" / file
    report = evaluate(commune_matcher, load_labelled(path))
    rates = {m.name: m.rate for m in report.metrics}
    for name, floor in floors.items():
        assert rates[name] >= floor, f"{name} fell to {rates[name]:.1%}\n{report.format_table()}"
