"""The portal's crawled records: each flattened table, then whole records with their defects.

The records are hand-written in the portal's format (tests/knowledge/portal_samples.py)
and reproduce the crawl's defects (see /work/shared/data/README.md).
"""

from __future__ import annotations

import pytest

from knowledge.importers import ImportResult, load_file
from knowledge.importers.portal_tables import (
    parse_dossier,
    parse_fee,
    parse_legal_basis,
    parse_result,
    parse_steps,
    parse_time,
    parse_ways,
    split_form,
)
from knowledge.models import Channel, Procedure
from tests.knowledge.portal_samples import write_samples

SAMPLE = write_samples() / "tthc_sample.jsonl"
WAYS = "Hình thức nộpThời gianPhí, lệ phíMô tả"
DOSSIER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
LEGAL = "Tên văn bản pháp lýMã văn bản"
CHROME = (
    "Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phố"
    "Bộ ngành-- Chọn Tỉnh/ Thành phố --Phường/ XãSở-- Chọn Phường/ Xã --Nộp hồ sơ"
)


@pytest.fixture(scope="module")
def sample() -> ImportResult:
    return load_file(SAMPLE)


@pytest.fixture(scope="module")
def by_code(sample: ImportResult) -> dict[str, Procedure]:
    return {p.code: p for p in sample.procedures}


# --- ways to submit ----------------------------------------------------------------------


def test_flattened_ways_become_one_way_per_channel() -> None:
    ways = parse_ways(WAYS + "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí")
    assert [w.channel for w in ways] == [Channel.ONLINE, Channel.POST, Channel.IN_PERSON]
    assert all(w.time == "1 ngày làm việc" and w.days == 1 for w in ways)
    assert all(w.fee == "Miễn phí" and w.fee_vnd == 0 for w in ways)


def test_calendar_days_keep_their_text_but_are_not_working_days() -> None:
    (way,) = parse_ways(
        WAYS + "Trực tiếp7 NgàyKhông có thông tinNộp trực tiếp tại trụ sở Công an cấp xã"
    )
    assert way.time == "7 ngày"
    assert way.days is None
    assert way.fee is None and way.fee_vnd is None
    assert way.note == "Nộp trực tiếp tại trụ sở Công an cấp xã"


def test_amount_with_its_unit_and_a_description() -> None:
    (way,) = parse_ways(
        WAYS + "Trực tuyến3 Ngày làm việc8,000 Việt Nam Đồng(/bản)Nộp qua Cổng dịch vụ công"
    )
    assert (way.days, way.fee, way.fee_vnd) == (3, "8.000 đồng/bản", 8000)
    assert way.note == "Nộp qua Cổng dịch vụ công"


def test_channel_words_inside_a_description_do_not_start_a_row() -> None:
    ways = parse_ways(
        WAYS + "Trực tiếp2 Ngày làm việcMiễn phíHoặc Trực tuyến: qua Cổng dịch vụ công"
    )
    assert len(ways) == 1


def test_fee_written_with_a_label() -> None:
    assert parse_fee("Lệ phí : 8.000 Đồng") == ("8.000 đồng", 8000, None, "")
    assert parse_fee("Phí : 0 Đồng")[:2] == ("Miễn phí", 0)


def test_free_fee_that_the_provincial_council_sets_is_not_called_free() -> None:
    fee, fee_vnd, detail, _ = parse_fee(
        "Miễn phí((Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.))"
    )
    assert fee_vnd is None
    assert fee == "Theo mức do Hội đồng nhân dân tỉnh quy định"
    assert detail is not None and "Hội đồng nhân dân" in detail


def test_times_as_the_portal_writes_them() -> None:
    assert parse_time("15 Ngày làm việcMiễn phí")[:2] == ("15 ngày làm việc", 15)
    assert parse_time("2 GiờMiễn phí")[:2] == ("2 giờ", None)
    assert parse_time("Ngay trong ngày làm việcMiễn phí")[:2] == ("Trong ngày làm việc", 1)
    assert parse_time("Không có thông tinMiễn phí")[:2] == (None, None)
    assert parse_time("Không quy địnhMiễn phí")[:2] == ("Không quy định", None)
    # A number glued to a currency is a fee, not a time.
    assert parse_time("120 VNĐ(đối với 1 tờ khai)") == (None, None, "120 VNĐ(đối với 1 tờ khai)")


# --- dossier -----------------------------------------------------------------------------

BIRTH_DOSSIER = (
    "* Giấy tờ phải nộp:" + DOSSIER + "- Giấy chứng sinh.1 bản chính"
    "Trường hợp đã nộp bản điện tử Giấy chứng sinh thì không phải nộp bản giấy.0 bản chính"
    "- Tờ khai đăng ký khai sinh theo mẫu (nếu nộp hồ sơ trực tiếp);"
    "To khai dang ky khai sinh.docx1 bản chính"
    "- Văn bản ủy quyền (được chứng thực)1 bản chính,1 bản sao"
    "* Giấy tờ phải xuất trình:" + DOSSIER + "- Giấy tờ tùy thân còn giá trị sử dụng1 bản chính"
    "* Lưu ý:" + DOSSIER + "- Giấy tờ nước ngoài phải được hợp pháp hóa lãnh sự.1 bản chính"
)


def test_dossier_blocks_split_papers_to_submit_from_papers_to_show() -> None:
    dossier = parse_dossier(BIRTH_DOSSIER)
    assert [d.name for d in dossier.documents] == [
        "Giấy chứng sinh",
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Văn bản ủy quyền (được chứng thực)",
    ]
    assert [d.name for d in dossier.documents_to_show] == ["Giấy tờ tùy thân còn giá trị sử dụng"]


def test_zero_copy_rows_and_notes_blocks_are_not_papers() -> None:
    dossier = parse_dossier(BIRTH_DOSSIER)
    assert len(dossier.notes) == 2
    assert any("không phải nộp bản giấy" in note for note in dossier.notes)
    assert any("hợp pháp hóa lãnh sự" in note for note in dossier.notes)


def test_dossier_rows_keep_form_copies_and_condition() -> None:
    form, proxy = parse_dossier(BIRTH_DOSSIER).documents[1:]
    assert form.form == "To khai dang ky khai sinh.docx"
    assert form.copies == "1 bản chính"
    assert form.note == "nếu nộp hồ sơ trực tiếp"
    assert proxy.copies == "1 bản chính, 1 bản sao"


def test_zero_copy_row_that_names_a_paper_is_kept_without_a_count() -> None:
    (paper,) = parse_dossier("--" + DOSSIER + "Vận đơn (nếu có)0 bản chính").documents
    assert (paper.name, paper.copies, paper.note) == ("Vận đơn", None, "nếu có")


def test_a_block_title_becomes_the_note_of_its_papers() -> None:
    dossier = parse_dossier(
        "--" + DOSSIER + "Tờ khai1 bản chính"
        "Trường hợp ủy quyền thực hiện thủ tục:" + DOSSIER + "Văn bản ủy quyền1 bản chính"
    )
    assert [(d.name, d.note) for d in dossier.documents] == [
        ("Tờ khai", None),
        ("Văn bản ủy quyền", "Trường hợp ủy quyền thực hiện thủ tục"),
    ]


def test_dossier_without_the_table_has_no_papers() -> None:
    assert not parse_dossier("Không có thông tin").has_table
    assert parse_dossier(None).documents == []


@pytest.mark.parametrize(
    ("row", "name", "form"),
    [
        (
            "Phiếu khai báo tạm trú (mẫu NA17)101-Mau A17 tam tru cho nguoi nuoc ngoai.doc",
            "Phiếu khai báo tạm trú (mẫu NA17)",
            "101-Mau A17 tam tru cho nguoi nuoc ngoai.doc",
        ),
        ("Tờ khai theo Mẫu;Mau 9.9.docx", "Tờ khai theo Mẫu;", "Mau 9.9.docx"),
        (
            "Đơn theo Mẫu 03 Nghị định số 23/2026/NĐ-CPMau03.docx",
            "Đơn theo Mẫu 03 Nghị định số 23/2026/NĐ-CP",
            "Mau03.docx",
        ),
        (
            "Danh sách hành khách theo mẫuMauDanhsachhanhkhach.docxMauBankhaichung.docx",
            "Danh sách hành khách theo mẫu",
            "MauDanhsachhanhkhach.docx; MauBankhaichung.docx",
        ),
        ("Giấy chứng sinh", "Giấy chứng sinh", None),
    ],
)
def test_template_file_names_glued_to_the_paper_name(row: str, name: str, form: str | None) -> None:
    assert split_form(row) == (name, form)


# --- legal basis -------------------------------------------------------------------------


def test_run_together_legal_basis_is_split_into_title_and_number() -> None:
    docs = parse_legal_basis(
        LEGAL + "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015 của Chính phủ quy định chi tiết "
        "Luật Hộ tịch123/2015/NĐ-CPThông tư số 08/2025/TT-BTP ngày 12/6/2025 của Bộ trưởng "
        "Bộ Tư pháp08/2025/TT-BTPNghị quyết số 66.7/2025/NQ-CP của Chính phủ66.7/2025/NQ-CP"
        "Luật 60/2014/QH1360/2014/QH13"
    )
    assert [d.number for d in docs] == [
        "123/2015/NĐ-CP",
        "08/2025/TT-BTP",
        "66.7/2025/NQ-CP",
        "60/2014/QH13",
    ]
    assert docs[0].title.startswith("Nghị định số 123/2015/NĐ-CP ngày 15/11/2015")
    assert docs[0].title.endswith("Luật Hộ tịch")
    assert docs[-1].title == "Luật 60/2014/QH13"


def test_legal_numbers_end_where_the_next_title_starts() -> None:
    docs = parse_legal_basis(
        LEGAL + "Thông tư hướng dẫn về phí85/2019/TT-BTCNghị định 166/2016/NĐ-CP-Quy định về "
        "giao dịch điện tử166/2016/NĐ-CPLuật Xuất cảnh sửa đổi 202323/2023/QH15"
        "Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an53/2025/TT-BCA"
    )
    assert [(d.title, d.number) for d in docs] == [
        ("Thông tư hướng dẫn về phí", "85/2019/TT-BTC"),
        ("Nghị định 166/2016/NĐ-CP-Quy định về giao dịch điện tử", "166/2016/NĐ-CP"),
        ("Luật Xuất cảnh sửa đổi 2023", "23/2023/QH15"),
        ("Thông tư số 53/2025/TT-BCAngày 01/7/2025 của Bộ Công an", "53/2025/TT-BCA"),
    ]


def test_legal_title_without_a_number_is_kept() -> None:
    (doc,) = parse_legal_basis(LEGAL + "Bộ luật Hàng hải Việt Nam")
    assert (doc.title, doc.number) == ("Bộ luật Hàng hải Việt Nam", None)


# --- result and steps --------------------------------------------------------------------


def test_result_without_the_page_chrome() -> None:
    assert parse_result("Giấy khai sinhMã: KQ.G15.000031" + CHROME) == "Giấy khai sinh"


def test_several_results_are_listed() -> None:
    text = "Tiền trợ cấpMã: KQ.G24.000053Bản quá trình đóng BHXHMã: KQ.G24.000012" + CHROME
    assert parse_result(text) == "Tiền trợ cấp; Bản quá trình đóng BHXH"


def test_missing_result_is_none() -> None:
    assert parse_result("Không có thông tin") is None


def test_steps_rejoin_broken_lines_and_split_run_on_steps() -> None:
    assert parse_steps("- Nộp hồ sơ tại Trung \ntâm Phục vụ hành chính công.\n- Nhận kết quả.") == [
        "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công.",
        "Nhận kết quả.",
    ]
    assert parse_steps("+ Bước 1: Nộp hồ sơ. + Bước 2: Nhận kết quả.") == [
        "Bước 1: Nộp hồ sơ.",
        "Bước 2: Nhận kết quả.",
    ]


# --- whole records from the fixture file ------------------------------------------------


def test_only_commune_level_records_by_default(sample: ImportResult) -> None:
    assert sample.source_format == "portal-jsonl"
    assert sample.records == 12
    assert "1.001456" not in {p.code for p in sample.procedures}  # Cấp tỉnh only
    assert all(p.commune_level for p in sample.procedures)
    assert any("not at commune level" in w for w in sample.warnings)


def test_all_levels_keeps_provincial_records() -> None:
    result = load_file(SAMPLE, all_levels=True)
    assert "1.001456" in {p.code for p in result.procedures}


def test_record_fields_map_onto_the_procedure(by_code: dict[str, Procedure]) -> None:
    birth = by_code["1.001193"]
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.levels == ["Cấp xã"]
    assert birth.decision == "163/QĐ-BTP"
    assert birth.online_url == "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.001193"
    assert birth.result == "Giấy khai sinh"
    assert birth.source == "portal:tthc_sample.jsonl"
    assert birth.requirements is None  # "Không có thông tin"
    assert birth.agency is None  # "Không có thông tin", and no competent agency either
    assert [d.name for d in birth.documents_to_show] == [
        "Hộ chiếu/Thẻ căn cước hoặc giấy tờ tùy thân còn giá trị sử dụng"
    ]
    stay = by_code["1.000253"]
    assert stay.where == "Công an Xã"
    assert stay.documents[0].form == "101-Mau A17 tam tru cho nguoi nuoc ngoai.doc"


def test_pages_of_another_procedure_are_skipped_with_the_reason(sample: ImportResult) -> None:
    foreign = [s for s in sample.skipped if s.code in ("2.001428", "3.000226")]
    assert [s.line for s in foreign] == [4, 5]
    assert all("belongs to procedure 3.000579" in s.reason for s in foreign)


def test_a_decision_title_is_replaced_by_the_pages_own_title(
    by_code: dict[str, Procedure],
) -> None:
    assert by_code["1.000004"].name == "Đăng ký giám hộ"


def test_records_with_identical_content_are_kept_with_a_warning(
    sample: ImportResult, by_code: dict[str, Procedure]
) -> None:
    assert {"1.014853", "1.014863"} <= set(by_code)
    assert any("1.014853, 1.014863" in w and "identical" in w for w in sample.warnings)


def test_customs_and_tax_records_are_kept_and_counted(
    sample: ImportResult, by_code: dict[str, Procedure]
) -> None:
    assert "1.000034" in by_code
    assert any("customs or tax" in w and "Hải quan 1" in w for w in sample.warnings)


def test_records_without_a_usable_code_are_skipped_not_fatal(sample: ImportResult) -> None:
    reasons = {s.line: s.reason for s in sample.skipped}
    assert reasons[10] == "no procedure code"
    assert "not in the national N.NNNNNN format" in reasons[11]


def test_steps_cut_at_the_words_thanh_phan_ho_so_are_reread_from_the_page(
    sample: ImportResult, by_code: dict[str, Procedure]
) -> None:
    pension = by_code["1.002759"]
    assert pension.steps == [
        "Bước 1. Lập hồ sơ theo quy định tại mục Thành phần hồ sơ.",
        "Bước 2. Nộp hồ sơ cho cơ quan BHXH.",
    ]
    assert [d.name for d in pension.documents] == [
        "Tờ khai tham gia, điều chỉnh thông tin BHXH, BHYT (mẫu TK1-TS)"
    ]
    assert any("re-read from the page text (1.002759)" in w for w in sample.warnings)
