"""Merging imports into the catalogue: official facts refresh, our plain words survive."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import build_catalogue, load_catalogue_dir, shipped_catalogue
from knowledge.importers import CatalogueImportError
from knowledge.merge import merge
from knowledge.models import Catalogue, Channel, Document, Procedure, Way
from tests.knowledge.portal_samples import write_samples

PORTAL = write_samples() / "tthc_sample.jsonl"


def shipped_birth() -> Procedure:
    return Procedure(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        plain_name="Làm giấy khai sinh cho con",
        summary="Đăng ký khai sinh cho trẻ mới sinh.",
        aliases=["giấy khai sinh", "gks"],
        tips=["Đăng ký đúng hạn thì miễn lệ phí."],
        agency="Ủy ban nhân dân cấp xã",
        documents=[Document(name="Tờ khai đăng ký khai sinh", copies="1 bản chính")],
        source="dichvucong.gov.vn (2026-06)",
    )


def official_birth(**changes: object) -> Procedure:
    values: dict[str, object] = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "summary": "Official summary that must not replace ours.",
        "aliases": ["đăng ký khai sinh", "gks"],
        "documents": [Document(name="Giấy chứng sinh", copies="1 bản chính")],
        "ways": [Way(channel=Channel.ONLINE, days=1, fee="Miễn phí", fee_vnd=0)],
        "agency": None,  # "Không có thông tin" on the portal
        "where": "Bộ phận Một cửa",
        "source": "portal:tthc_cap_xa.jsonl.gz",
    }
    values.update(changes)
    return Procedure.model_validate(values)


def test_official_import_refreshes_facts_and_keeps_our_plain_words() -> None:
    report = merge(Catalogue([shipped_birth()]), [official_birth()])
    merged = report.catalogue["1.001193"]
    assert [d.name for d in merged.documents] == ["Giấy chứng sinh"]
    assert merged.ways[0].fee == "Miễn phí"
    assert merged.source == "portal:tthc_cap_xa.jsonl.gz"
    assert merged.plain_name == "Làm giấy khai sinh cho con"
    assert merged.summary == "Đăng ký khai sinh cho trẻ mới sinh."
    assert merged.tips == ["Đăng ký đúng hạn thì miễn lệ phí."]


def test_aliases_of_both_sides_are_unioned_in_order() -> None:
    merged = merge(Catalogue([shipped_birth()]), [official_birth()]).catalogue["1.001193"]
    assert merged.aliases == ["giấy khai sinh", "gks", "đăng ký khai sinh"]


def test_missing_official_values_do_not_erase_ours() -> None:
    merged = merge(Catalogue([shipped_birth()]), [official_birth()]).catalogue["1.001193"]
    assert merged.agency == "Ủy ban nhân dân cấp xã"


def test_official_import_fills_empty_plain_fields() -> None:
    merged = merge(Catalogue([shipped_birth()]), [official_birth()]).catalogue["1.001193"]
    assert merged.where == "Bộ phận Một cửa"


def test_our_own_format_replaces_the_plain_words_it_gives() -> None:
    commune_file = Procedure(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        plain_name="Đăng ký khai sinh cho bé",
        tips=["Mang theo giấy chứng sinh bản chính."],
    )
    merged = merge(Catalogue([shipped_birth()]), [commune_file]).catalogue["1.001193"]
    assert merged.plain_name == "Đăng ký khai sinh cho bé"
    assert merged.tips == ["Mang theo giấy chứng sinh bản chính."]
    assert merged.summary == "Đăng ký khai sinh cho trẻ mới sinh."  # not given: kept
    assert merged.documents == shipped_birth().documents  # not given: kept
    assert merged.source == "dichvucong.gov.vn (2026-06)"  # not given: kept


def test_report_lists_added_changed_with_fields_and_unchanged() -> None:
    death = Procedure(code="1.000656", name="Thủ tục đăng ký khai tử", source="portal:x")
    base = Catalogue([shipped_birth(), death])
    guardian = Procedure(code="1.000004", name="Đăng ký giám hộ", source="portal:x")
    report = merge(base, [official_birth(), death, guardian])
    assert report.added == ["1.000004"]
    assert report.changed == {"1.001193": ["where", "documents", "ways", "aliases", "source"]}
    assert report.unchanged == ["1.000656"]
    assert report.catalogue.codes == ["1.001193", "1.000656", "1.000004"]


def test_merge_leaves_the_base_catalogue_alone() -> None:
    base = Catalogue([shipped_birth()])
    merge(base, [official_birth()])
    assert base["1.001193"] == shipped_birth()


# --- the shipped catalogue and building from files -----------------------------------------


def test_shipped_catalogue_loads_and_each_call_gets_its_own_copy() -> None:
    first = shipped_catalogue()
    assert "1.001193" in first
    first["1.001193"].aliases.append("changed by a caller")
    assert "changed by a caller" not in shipped_catalogue()["1.001193"].aliases


def test_a_bad_catalogue_file_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "ho_tich.yaml").write_text(
        'format: motcua-catalogue/1\nprocedures:\n  - code: "1.001193"\n    nam: typo\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueImportError, match=r"ho_tich\.yaml, line 3"):
        load_catalogue_dir(tmp_path)


def test_a_code_in_two_catalogue_files_fails_loudly(tmp_path: Path) -> None:
    entry = 'format: motcua-catalogue/1\nprocedures:\n  - code: "1.001193"\n    name: Khai sinh\n'
    (tmp_path / "a.yaml").write_text(entry, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(entry, encoding="utf-8")
    with pytest.raises(CatalogueImportError, match=r"b\.yaml: procedure 1\.001193 .* in a\.yaml"):
        load_catalogue_dir(tmp_path)


def test_build_keeps_shipped_plain_words_across_an_official_import() -> None:
    shipped = shipped_catalogue()["1.001193"]
    catalogue, (report,) = build_catalogue([PORTAL])
    merged = catalogue["1.001193"]
    assert merged.source == "portal:tthc_sample.jsonl"
    assert merged.result == "Giấy khai sinh"  # the fixture's official fact
    assert merged.plain_name == shipped.plain_name
    assert merged.summary == shipped.summary
    assert merged.aliases[: len(shipped.aliases)] == shipped.aliases
    assert "1.001193" in report.changed
    assert report.imported is not None and report.imported.source_format == "portal-jsonl"
    assert report.label == str(PORTAL)


def test_build_merges_files_in_order(tmp_path: Path) -> None:
    own = tmp_path / "commune.yaml"
    own.write_text(
        'format: motcua-catalogue/1\nprocedures:\n  - code: "1.001193"\n'
        "    name: Thủ tục đăng ký khai sinh\n    plain_name: Khai sinh cho bé (xã Tân Phú)\n",
        encoding="utf-8",
    )
    catalogue, reports = build_catalogue([PORTAL, own])
    assert len(reports) == 2
    assert catalogue["1.001193"].plain_name == "Khai sinh cho bé (xã Tân Phú)"
    assert catalogue["1.001193"].result == "Giấy khai sinh"
