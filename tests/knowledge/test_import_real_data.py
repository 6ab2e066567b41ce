"""The importers on the real portal and Defence files (MOTCUA_SHARED_DIR; skipped if absent).

Counts as of the mid-2026 crawl. 17 commune-level portal records are skipped on purpose:
their crawled page is another procedure's (7 "Người có công" records show one Hà Tĩnh
decision, page code 3.000579; 10 show the page of 1.014023), so their real facts are
not in the file. The catalogue therefore holds 571 portal + 85 Defence commune-level
procedures, not the 588 + 85 the records number.
"""

from __future__ import annotations

import pytest

from knowledge.catalogue import build_catalogue, shipped_catalogue
from knowledge.importers import ImportResult, load_file
from knowledge.models import Procedure
from tests.conftest import shared_file

WRONG_PAGE = {
    # the Hà Tĩnh "Công bố Danh mục và Quy trình nội bộ ..." decision (page 3.000579)
    "2.001428", "3.000226", "3.000243", "3.000244", "3.000246", "3.000283", "3.000331",
    # the page of 1.014023 "Hỗ trợ phát triển sản xuất cộng đồng"
    "1.014208", "2.001709", "3.000224", "3.000272", "3.000274", "3.000284", "3.000285",
    "3.000286", "3.000332", "1.002544",
}  # fmt: skip


@pytest.fixture(scope="module")
def commune() -> ImportResult:
    return load_file(shared_file("data/portal/tthc_cap_xa.jsonl.gz"))


def by_code(result: ImportResult) -> dict[str, Procedure]:
    return {p.code: p for p in result.procedures}


def test_commune_file_counts(commune: ImportResult) -> None:
    assert commune.records == 588
    assert len(commune.procedures) == 571
    assert {s.code for s in commune.skipped} == WRONG_PAGE
    assert all("belongs to procedure" in s.reason for s in commune.skipped)


def test_commune_file_warnings_count_the_known_defects(commune: ImportResult) -> None:
    warnings = "\n".join(commune.warnings)
    assert "235 commune-level records: customs or tax procedures (Hải quan 124, Thuế 111)" in (
        warnings
    )
    assert "22 records: steps cut at the words 'Thành phần hồ sơ'" in warnings
    assert "without an implementing agency" in warnings


def test_birth_registration_facts(commune: ImportResult) -> None:
    birth = by_code(commune)["1.001193"]
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert {w.channel.value for w in birth.ways} == {"in_person", "online", "post"}
    assert all(w.fee_vnd == 0 and w.days == 1 for w in birth.ways)
    assert any(d.name.startswith("Tờ khai đăng ký khai sinh") for d in birth.documents)
    assert any(d.name.startswith("Giấy chứng sinh") for d in birth.documents)
    assert any("giấy tờ tùy thân" in d.name for d in birth.documents_to_show)
    numbers = {d.number for d in birth.legal_basis}
    assert {"60/2014/QH13", "123/2015/NĐ-CP", "08/2025/TT-BTP", "66.7/2025/NQ-CP"} <= numbers
    assert birth.result == "Giấy khai sinh"
    assert birth.decision == "163/QĐ-BTP"


def test_records_whose_dossier_was_cut_get_it_back(commune: ImportResult) -> None:
    lump_sum = by_code(commune)["1.001613"]  # BHXH một lần
    assert lump_sum.documents
    assert any("Thành phần hồ sơ" in step for step in lump_sum.steps)


def test_defence_file_counts() -> None:
    path = shared_file("data/portal_bqp/bqp_tthc_structured.jsonl")
    commune_level = load_file(path)
    assert (commune_level.records, len(commune_level.procedures)) == (207, 85)
    assert {"1.013133", "1.013134", "1.013137", "1.013138"} <= set(by_code(commune_level))
    assert len(load_file(path, all_levels=True).procedures) == 207


@pytest.mark.slow
def test_all_levels_file_counts() -> None:
    result = load_file(shared_file("data/portal/tthc_all.jsonl.gz"), all_levels=True)
    assert result.records == 2642
    assert len(result.procedures) + len(result.skipped) == 2642
    assert {s.code for s in result.skipped} == WRONG_PAGE


def test_exported_lists_hold_every_procedure() -> None:
    folder = shared_file("data/portal/lists_xlsx")
    results = [load_file(path) for path in sorted(folder.glob("*.xlsx"))]
    assert sum(len(r.procedures) for r in results) == 2642
    assert not any(r.skipped for r in results)


def test_catalogue_of_shipped_portal_and_defence_procedures() -> None:
    paths = [
        shared_file("data/portal/tthc_cap_xa.jsonl.gz"),
        shared_file("data/portal_bqp/bqp_tthc_structured.jsonl"),
    ]
    shipped = shipped_catalogue()
    catalogue, reports = build_catalogue(paths)
    imported = {p.code for r in reports if r.imported for p in r.imported.procedures}
    assert len(imported) == 571 + 85
    assert set(shipped.codes) | imported == set(catalogue.codes)
    for code in shipped.codes:
        before, after = shipped[code], catalogue[code]
        assert after.plain_name == before.plain_name
        assert after.aliases[: len(before.aliases)] == before.aliases
