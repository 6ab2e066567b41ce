"""The other formats (Defence JSON lines, the portal's XLSX lists, our own YAML), format
detection, and files that must be refused whole."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import openpyxl
import pytest

from knowledge.importers import CatalogueImportError, ImportResult, load_file
from knowledge.models import Channel, Procedure
from tests.knowledge.portal_samples import write_samples

FIXTURES = write_samples()
PORTAL = FIXTURES / "tthc_sample.jsonl"
BQP = FIXTURES / "bqp_sample.jsonl"
XLSX = FIXTURES / "danh-sach-tthc-sample.xlsx"

GOOD_YAML = """\
format: motcua-catalogue/1
procedures:
  - code: "1.001193"
    name: Thủ tục đăng ký khai sinh
    plain_name: Làm giấy khai sinh cho con
    levels: [Cấp xã]
    aliases: [giấy khai sinh, gks]
  - code: "1.000656"
    name: Thủ tục đăng ký khai tử
    documents:
      - name: Giấy báo tử
        copies: 1 bản chính
"""


def by_code(result: ImportResult) -> dict[str, Procedure]:
    return {p.code: p for p in result.procedures}


# --- Ministry of Defence ----------------------------------------------------------------


def test_defence_records_at_commune_level_by_default() -> None:
    result = load_file(BQP)
    assert result.source_format == "bqp-jsonl"
    assert result.records == 3
    assert list(by_code(result)) == ["1.013133", "1.013137"]
    assert len(load_file(BQP, all_levels=True).procedures) == 3


def test_defence_record_fields() -> None:
    first = by_code(load_file(BQP))["1.013133"]
    assert first.levels == ["Cấp xã"]  # written "Cấp Xã" in the file
    assert first.decision == "6375/QĐ-BQP"  # "Quyết định số 6375/QĐ-BQP"
    assert first.agency == "Ban chỉ huy quân sự cấp Xã"
    assert first.requirements is None  # "Không"
    assert first.source == "portal_bqp:bqp_sample.jsonl"
    assert first.steps == [
        "Bước 1: Ban Chỉ huy quân sự cấp xã chuyển quyết định gọi đăng ký.",
        "Bước 2: Công dân đến đăng ký trực tiếp hoặc trực tuyến.",
    ]
    health, id_card = first.documents
    assert (health.name, health.form, health.copies) == (
        "Phiếu tự khai sức khỏe nghĩa vụ quân sự",
        "Mau so 01.docx",
        "1 bản chính",
    )
    assert (id_card.name, id_card.copies) == (
        "Bản chụp Căn cước công dân hoặc Thẻ Căn cước",
        "1 bản sao",
    )


def test_defence_ways_and_fees() -> None:
    procedures = by_code(load_file(BQP))
    in_person, online = procedures["1.013133"].ways
    assert (in_person.channel, in_person.days, in_person.fee_vnd) == (Channel.IN_PERSON, 1, 0)
    assert (online.time, online.days, online.fee, online.fee_vnd) == ("02 giờ", None, "Miễn phí", 0)
    (post,) = procedures["1.013137"].ways
    assert (post.time, post.days) == ("Không quy định", None)
    assert (post.fee, post.fee_vnd) == ("50.000 đồng", 50000)


def test_defence_legal_number_found_in_the_title_when_the_number_cell_is_short() -> None:
    laws = by_code(load_file(BQP))["1.013133"].legal_basis
    assert [(d.title, d.number) for d in laws] == [
        ("Luật Nghĩa vụ quân sự", "78/2015/QH13"),
        (
            "Nghị định 13/2016/NĐ-CP quy định trình tự, thủ tục đăng ký nghĩa vụ quân sự",
            "13/2016/NĐ-CP",
        ),
    ]


# --- the portal's XLSX lists ------------------------------------------------------------


def test_xlsx_list_header_is_found_below_the_title_block() -> None:
    result = load_file(XLSX)
    assert result.source_format == "portal-xlsx"
    procedures = by_code(result)
    assert list(procedures) == ["1.001193", "3.000323", "1.001190"]
    assert procedures["3.000323"].name == "Đăng ký giám sát việc giám hộ"
    assert procedures["3.000323"].agency == "Ủy ban nhân dân cấp xã; Phòng Tư pháp"
    assert procedures["3.000323"].field == "Hộ tịch"
    assert procedures["1.001193"].levels == []


def test_xlsx_code_typed_as_a_number_keeps_its_trailing_zero() -> None:
    assert "1.001190" in by_code(load_file(XLSX))


def test_xlsx_row_without_a_code_is_skipped_by_row_number() -> None:
    (skip,) = load_file(XLSX).skipped
    assert (skip.unit, skip.line, skip.code) == ("row", 9, "không có mã")
    assert str(skip).startswith("row 9 (không có mã): the procedure code")


def test_xlsx_lists_say_they_have_no_level() -> None:
    result = load_file(XLSX)
    assert any("no level column" in w for w in result.warnings)


def test_xlsx_without_the_expected_columns_is_refused(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Số thứ tự", "Nội dung"])
    workbook.active.append(["1", "1.001193 Thủ tục đăng ký khai sinh"])
    path = tmp_path / "danh-sach.xlsx"
    workbook.save(path)
    with pytest.raises(CatalogueImportError, match=r"danh-sach\.xlsx: no sheet has a header row"):
        load_file(path)


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_text("Mã số,Tên\n1.001193,Khai sinh\n", encoding="utf-8")
    with pytest.raises(CatalogueImportError, match="not an XLSX workbook"):
        load_file(path)


# --- our own format ----------------------------------------------------------------------


def test_own_yaml_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML, encoding="utf-8")
    result = load_file(path)
    assert result.source_format == "own"
    birth = by_code(result)["1.001193"]
    assert birth.plain_name == "Làm giấy khai sinh cho con"
    assert birth.aliases == ["giấy khai sinh", "gks"]
    assert by_code(result)["1.000656"].documents[0].copies == "1 bản chính"


def test_own_format_as_json(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "mine.json"
    path.write_text(json.dumps(yaml.safe_load(GOOD_YAML), ensure_ascii=False, indent="\t"))
    assert list(by_code(load_file(path))) == ["1.001193", "1.000656"]


def test_own_format_keeps_entries_at_every_level(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML.replace("[Cấp xã]", "[Cấp tỉnh]"), encoding="utf-8")
    assert len(load_file(path).procedures) == 2


def test_invalid_yaml_entry_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML.replace("- name: Giấy báo tử", "- name: ''"), encoding="utf-8")
    with pytest.raises(CatalogueImportError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith("mine.yaml, line 11: procedure 1.000656: field 'documents.0.name'")


def test_unknown_field_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML.replace("    levels:", "    fee: 0\n    levels:"), encoding="utf-8")
    with pytest.raises(
        CatalogueImportError, match=r"mine\.yaml, line 6: procedure 1.001193: field 'fee'"
    ):
        load_file(path)


def test_unquoted_code_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML.replace('"1.000656"', "1.000656"), encoding="utf-8")
    with pytest.raises(CatalogueImportError, match="write codes in quotes"):
        load_file(path)


def test_a_code_defined_twice_in_one_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML.replace('"1.000656"', '"1.001193"'), encoding="utf-8")
    with pytest.raises(CatalogueImportError, match=r"1\.001193 is already defined at line 3"):
        load_file(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD_YAML + "  - code: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueImportError, match=r"mine\.yaml: line \d+: invalid YAML"):
        load_file(path)


def test_yaml_that_is_not_a_catalogue_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(CatalogueImportError, match="not a catalogue file"):
        load_file(path)


# --- detection, gzip, and files refused whole ----------------------------------------------


def test_gzipped_file_reads_like_the_plain_one(tmp_path: Path) -> None:
    path = tmp_path / "tthc.jsonl.gz"
    path.write_bytes(gzip.compress(PORTAL.read_bytes()))
    assert [p.code for p in load_file(path).procedures] == [
        p.code for p in load_file(PORTAL).procedures
    ]


def test_format_is_recognised_from_content_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "download.txt"
    path.write_bytes(BQP.read_bytes())
    assert load_file(path).source_format == "bqp-jsonl"


def test_truncated_gzip_is_refused_naming_where_it_stops(tmp_path: Path) -> None:
    whole = gzip.compress(PORTAL.read_bytes())
    path = tmp_path / "tthc.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(
        CatalogueImportError,
        match=r"tthc\.jsonl\.gz: the gzip file is truncated: "
        r"the data stops in line \d+",
    ):
        load_file(path)


def test_invalid_json_line_is_refused_naming_the_line(tmp_path: Path) -> None:
    lines = PORTAL.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:80]  # cut in the middle of a record
    path = tmp_path / "tthc.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogueImportError, match=r"tthc\.jsonl, line 3: invalid JSON"):
        load_file(path)


def test_json_lines_of_an_unknown_kind_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"id": 1}\n{"id": 2}\n', encoding="utf-8")
    with pytest.raises(CatalogueImportError, match="unrecognised format"):
        load_file(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogueImportError, match="cannot read the file"):
        load_file(tmp_path / "nowhere.jsonl")
