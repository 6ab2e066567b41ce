"""Records in the national portal's export formats, written for the importer tests.

The real files (../shared/data) are never copied into the project; these hand-made
records reproduce the shapes and the crawl's defects the importers must handle (see
/work/shared/data/README.md), and ``write_samples`` turns them into the files the
tests import: JSON lines for the portal and the Defence ministry, an XLSX list.
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any

import openpyxl

# What most portal records say; each record below gives only its own values.
PORTAL_FIELDS: dict[str, Any] = {
    "ma_thu_tuc": "",
    "detail_url": "",
    "formality_id": "",
    "ten_thu_tuc": "",
    "so_quyet_dinh": "163/QĐ-BTP",
    "cap_thuc_hien": "Cấp xã",
    "loai_thu_tuc": "TTHC được giao luật quy định chi tiết",
    "linh_vuc": "",
    "doi_tuong_thuc_hien": "Công dân Việt Nam",
    "co_quan_co_tham_quyen": "",
    "dia_chi_tiep_nhan": "",
    "co_quan_duoc_uy_quyen": "",
    "co_quan_phoi_hop": "",
    "thu_tuc_lien_quan": "Không có thông tin",
    "trinh_tu_thuc_hien": "",
    "cach_thuc_thuc_hien": "",
    "thanh_phan_ho_so": "",
    "can_cu_phap_ly": "",
    "co_quan_thuc_hien": "Ủy ban nhân dân cấp xã",
    "yeu_cau_dieu_kien": "Không có thông tin",
    "ket_qua_xu_ly": "",
    "raw_text": "",
}


def _portal(**fields: Any) -> dict[str, Any]:
    """A record: the fields given, the rest as in ``PORTAL_FIELDS`` (same key order)."""
    unknown = set(fields) - set(PORTAL_FIELDS)
    assert not unknown, f"not a field of these records: {unknown}"
    return {key: fields.get(key, value) for key, value in PORTAL_FIELDS.items()}


# Two codes the portal lists on one page with one text: the importer must keep both.
SHARED_PAGE: dict[str, Any] = {
    "detail_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/shared-page",
    "ten_thu_tuc": (
        "Công bố Danh mục và Quy trình nội bộ thủ tục hành chính "
        "thuộc thẩm\nquyền giải quyết của Sở Nội vụ về thực hiện một "
        "số chính sách đảm bảo an\nsinh xã hội trên địa bàn tỉnh Hà "
        "Tĩnh giai đoạn 2026 - 2030"
    ),
    "so_quyet_dinh": "1404/QĐ-UBND",
    "cap_thuc_hien": "Cấp tỉnh, Cấp xã",
    "linh_vuc": "Người có công",
    "raw_text": (
        "Công bố Danh mục và Quy trình nội bộ thủ tục hành chínhTên "
        "thủ tụcCông bố Danh mục và Quy trình nội bộ thủ tục hành "
        "chínhMã thủ tục3.000579Số quyết định1404/QĐ-UBNDCấp thực "
        "hiệnCấp tỉnh, Cấp xã"
    ),
}

# One item a line of tthc_sample.jsonl: a record, or a raw line (blank, broken JSON).
PORTAL_LINES: list[dict[str, Any] | str] = [
    _portal(
        ma_thu_tuc="1.001193",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.001193",
        ten_thu_tuc="Thủ tục đăng ký khai sinh",
        linh_vuc="Hộ tịch",
        trinh_tu_thuc_hien=(
            "- Người yêu cầu nộp hồ sơ tại Trung \ntâm Phục vụ hành chính "
            "công.\n- Cán bộ kiểm tra hồ sơ; hồ sơ đủ thì cấp Giấy khai "
            "sinh."
        ),
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn "
            "phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí"
        ),
        thanh_phan_ho_so=(
            "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng- "
            "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì "
            "nộp văn bản của người làm chứng.1 bản chínhTrường hợp người "
            "yêu cầu đã nộp bản điện tử Giấy chứng sinh thì không phải "
            "nộp bản giấy.0 bản chính- Tờ khai đăng ký khai sinh theo "
            "mẫu (nếu nộp hồ sơ trực tiếp hoặc qua bưu chính);To khai "
            "dang ky khai sinh.docx1 bản chính- Văn bản ủy quyền (được "
            "chứng thực)1 bản chính,1 bản sao* Giấy tờ phải xuất "
            "trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Hộ chiếu/Thẻ căn "
            "cước hoặc giấy tờ tùy thân còn giá trị sử dụng1 bản chính* "
            "Lưu ý:Tên giấy tờMẫu đơn, tờ khaiSố lượng- Cá nhân có quyền "
            "lựa chọn cơ quan đăng ký hộ tịch nơi cư trú.0 bản chính"
        ),
        can_cu_phap_ly=(
            "Tên văn bản pháp lýMã văn bảnNghị định số 123/2015/NĐ-CP "
            "ngày 15/11/2015 của Chính phủ quy định chi tiết Luật Hộ "
            "tịch123/2015/NĐ-CPThông tư số 08/2025/TT-BTP ngày 12/6/2025 "
            "của Bộ trưởng Bộ Tư pháp08/2025/TT-BTPNghị quyết số "
            "66.7/2025/NQ-CP của Chính phủ66.7/2025/NQ-CPLuật "
            "60/2014/QH1360/2014/QH13"
        ),
        co_quan_thuc_hien="Không có thông tin",
        ket_qua_xu_ly=(
            "Giấy khai sinhMã: KQ.X00.000001Từ khóaKhông có thông tinMô "
            "tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ "
            "ngành-- Chọn Tỉnh/ Thành phố --Phường/ XãSở-- Chọn Phường/ "
            "Xã --Hệ thống chỉ hiển thị những cơ quan đã áp dụng dịch vụ "
            "công trực tuyếnNộp hồ sơ"
        ),
        raw_text=(
            "Thủ tục đăng ký khai sinhTên thủ tụcThủ tục đăng ký khai "
            "sinhMã thủ tục1.001193Số quyết định163/QĐ-BTPCấp thực "
            "hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.000253",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.000253",
        ten_thu_tuc=(
            "Khai báo tạm trú cho người nước ngoài tại Việt Nam bằng Phiếu khai báo tạm trú"
        ),
        so_quyet_dinh="QĐ/0001-BCA",
        linh_vuc="Quản lý xuất nhập cảnh",
        dia_chi_tiep_nhan="Công an Xã",
        trinh_tu_thuc_hien=(
            "+ Bước 1: Người khai báo nhận thông tin tạm trú. + Bước 2: "
            "Khai, nộp Phiếu khai báo tạm trú cho Công an cấp xã."
        ),
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp7 NgàyKhông "
            "có thông tinNộp trực tiếp tại trụ sở Công an cấp xãTrực "
            "tuyến3 Ngày làm việc8,000 Việt Nam Đồng(/bản)Nộp trực "
            "tuyến: qua Cổng dịch vụ công"
        ),
        thanh_phan_ho_so=(
            "--Tên giấy tờMẫu đơn, tờ khaiSố lượngPhiếu khai báo tạm trú "
            "cho người nước ngoài (mẫu NA17)101-Mau A17 tam tru cho "
            "nguoi nuoc ngoai.doc1 bản chính"
        ),
        can_cu_phap_ly=(
            "Tên văn bản pháp lýMã văn bảnLuật Nhập cảnh, xuất cảnh, quá "
            "cảnh, cư trú của người nước ngoài tại Việt NamLuật "
            "47/2014/QH13"
        ),
        co_quan_thuc_hien="Công an cấp Xã",
        yeu_cau_dieu_kien="Khai báo ngay khi người nước ngoài đến ở.",
        ket_qua_xu_ly=(
            "Phiếu khai báo tạm trú được Công an xác nhận.Mã: "
            "KQ.X00.000002Từ khóaKhông có thông tinMô tảKhông có thông "
            "tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ ngành-- Chọn "
            "Tỉnh/ Thành phố --Phường/ XãSở-- Chọn Phường/ Xã --Hệ thống "
            "chỉ hiển thị những cơ quan đã áp dụng dịch vụ công trực "
            "tuyếnNộp hồ sơ"
        ),
        raw_text=(
            "Khai báo tạm trú cho người nước ngoài tại Việt Nam bằng "
            "Phiếu khai báo tạm trúTên thủ tụcKhai báo tạm trú cho người "
            "nước ngoài tại Việt Nam bằng Phiếu khai báo tạm trúMã thủ "
            "tục1.000253Số quyết địnhQĐ/0001-BCACấp thực hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.001456",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.001456",
        ten_thu_tuc="Cấp hộ chiếu phổ thông (thực hiện tại cấp tỉnh)",
        cap_thuc_hien="Cấp tỉnh",
        linh_vuc="Quản lý xuất nhập cảnh",
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp8 Ngày làm việc200,000 Việt Nam Đồng"
        ),
        thanh_phan_ho_so=(
            "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đề nghị cấp hộ chiếu1 bản chính"
        ),
        ket_qua_xu_ly=(
            "Hộ chiếu phổ thôngMã: KQ.G01.000001Từ khóaKhông có thông "
            "tinMô tảKhông có thông tinChọn cơ quan thực hiệnTỉnh/ Thành "
            "phốBộ ngành-- Chọn Tỉnh/ Thành phố --Phường/ XãSở-- Chọn "
            "Phường/ Xã --Hệ thống chỉ hiển thị những cơ quan đã áp dụng "
            "dịch vụ công trực tuyếnNộp hồ sơ"
        ),
        raw_text=(
            "Cấp hộ chiếu phổ thông (thực hiện tại cấp tỉnh)Tên thủ "
            "tụcCấp hộ chiếu phổ thông (thực hiện tại cấp tỉnh)Mã thủ "
            "tục1.001456Số quyết định163/QĐ-BTPCấp thực hiệnCấp tỉnh"
        ),
    ),
    _portal(ma_thu_tuc="2.001428", **SHARED_PAGE),
    _portal(ma_thu_tuc="3.000226", **SHARED_PAGE),
    _portal(
        ma_thu_tuc="1.000004",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.000004",
        ten_thu_tuc=("Công bố Danh mục và Quy trình nội bộ thủ tục hành chính lĩnh vực hộ tịch"),
        linh_vuc="Hộ tịch",
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việcMiễn phí"
        ),
        thanh_phan_ho_so=(
            "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký giám hộ theo mẫu1 bản chính"
        ),
        raw_text=(
            "Đăng ký giám hộTên thủ tụcĐăng ký giám hộMã thủ "
            "tục1.000004Số quyết định163/QĐ-BTPCấp thực hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.014853",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.014853",
        ten_thu_tuc=(
            "Cấp gia hạn giấy phép cho hoạt động nuôi trồng thủy sản "
            "trong phạm vi bảo vệ công trình thủy lợi"
        ),
        linh_vuc="Thủy lợi",
        trinh_tu_thuc_hien=("Bước 1: Nộp hồ sơ.\nBước 2: Cơ quan thẩm định và cấp giấy phép."),
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí"
        ),
        thanh_phan_ho_so=(
            "--Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn đề nghị gia hạn giấy phép1 bản chính"
        ),
        raw_text=(
            "Cấp gia hạn giấy phép cho hoạt động nuôi trồng thủy sản "
            "trong phạm vi bảo vệ công trình thủy lợiTên thủ tụcCấp gia "
            "hạn giấy phép cho hoạt động nuôi trồng thủy sản trong phạm "
            "vi bảo vệ công trình thủy lợiMã thủ tục1.014853Số quyết "
            "định163/QĐ-BTPCấp thực hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.014863",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.014863",
        ten_thu_tuc=(
            "Cấp gia hạn giấy phép cho hoạt động du lịch trong phạm vi bảo vệ công trình thủy lợi"
        ),
        linh_vuc="Thủy lợi",
        trinh_tu_thuc_hien=("Bước 1: Nộp hồ sơ.\nBước 2: Cơ quan thẩm định và cấp giấy phép."),
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việcMiễn phí"
        ),
        thanh_phan_ho_so=(
            "--Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn đề nghị gia hạn giấy phép1 bản chính"
        ),
        raw_text=(
            "Cấp gia hạn giấy phép cho hoạt động du lịch trong phạm vi "
            "bảo vệ công trình thủy lợiTên thủ tụcCấp gia hạn giấy phép "
            "cho hoạt động du lịch trong phạm vi bảo vệ công trình thủy "
            "lợiMã thủ tục1.014863Số quyết định163/QĐ-BTPCấp thực "
            "hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.000034",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.000034",
        ten_thu_tuc="Thủ tục hải quan đối với xăng dầu xuất khẩu",
        cap_thuc_hien="Cấp bộ, Cấp tỉnh, Cấp xã",
        linh_vuc="Hải quan",
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyếnKhông có thông tinMiễn phí"
        ),
        thanh_phan_ho_so=(
            "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai hàng hóa xuất khẩu1 bản chính"
        ),
        co_quan_thuc_hien="Chi cục Hải quan khu vực",
        raw_text=(
            "Thủ tục hải quan đối với xăng dầu xuất khẩuTên thủ tụcThủ "
            "tục hải quan đối với xăng dầu xuất khẩuMã thủ tục1.000034Số "
            "quyết định163/QĐ-BTPCấp thực hiệnCấp bộ, Cấp tỉnh, Cấp xã"
        ),
    ),
    _portal(
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-",
        ten_thu_tuc="Bản ghi không có mã thủ tục",
        raw_text=(
            "Bản ghi không có mã thủ tụcTên thủ tụcBản ghi không có mã "
            "thủ tụcMã thủ tụcSố quyết định163/QĐ-BTPCấp thực hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.23",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.23",
        ten_thu_tuc="Bản ghi có mã sai định dạng",
        raw_text=(
            "Bản ghi có mã sai định dạngTên thủ tụcBản ghi có mã sai "
            "định dạngMã thủ tục1.23Số quyết định163/QĐ-BTPCấp thực "
            "hiệnCấp xã"
        ),
    ),
    _portal(
        ma_thu_tuc="1.002759",
        detail_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/test-1.002759",
        ten_thu_tuc="Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH, thẻ BHYT",
        cap_thuc_hien="Cấp bộ, Cấp tỉnh, Cấp xã",
        linh_vuc="Cấp sổ BHXH, thẻ BHYT",
        trinh_tu_thuc_hien="Bước 1. Lập hồ sơ theo quy định tại mục",
        cach_thuc_thuc_hien=(
            "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3Miễn "
            "phí((Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết "
            "định.))"
        ),
        thanh_phan_ho_so=".\nBước 2. Nộp hồ sơ cho cơ quan BHXH.",
        co_quan_thuc_hien="Bảo hiểm xã hội cấp huyện",
        raw_text=(
            "Cấp lại, đổi sổ BHXH, thẻ BHYTTên thủ tụcCấp lại, đổi, điều "
            "chỉnh thông tin trên sổ BHXH, thẻ BHYTMã thủ tục1.002759Số "
            "quyết định163/QĐ-BTPTrình Tự Thực HiệnBước 1. Lập hồ sơ "
            "theo quy định tại mục Thành phần hồ sơ.\nBước 2. Nộp hồ sơ "
            "cho cơ quan BHXH.\nCách Thức Thực HiệnHình thức nộpThời "
            "gianPhí, lệ phíMô tảTrực tiếp3Miễn phíThành phần hồ sơ--Tên "
            "giấy tờMẫu đơn, tờ khaiSố lượngTờ khai tham gia, điều chỉnh "
            "thông tin BHXH, BHYT (mẫu TK1-TS)1 bản chínhCăn cứ pháp "
            "lýTên văn bản pháp lýMã văn bảnLuật Bảo hiểm xã "
            "hội41/2024/QH15Cơ quan thực hiệnBảo hiểm xã hội cấp huyện"
        ),
    ),
    "",
]


# What the Defence ministry's records share; each record gives only its own values.
BQP_FIELDS: dict[str, Any] = {
    "thu_tuc_id": "",
    "source_file": "",
    "metadata": {},
    "content": {
        "trình_tự_thực_hiện": (
            "Bước 1: Ban Chỉ huy quân sự cấp xã chuyển quyết định gọi "
            "đăng ký. Bước 2: Công dân đến đăng ký trực tiếp hoặc trực "
            "tuyến."
        ),
        "cách_thức_thực_hiện": "",
        "đối_tượng_thực_hiện": "Công dân Việt Nam",
        "cơ_quan_thực_hiện": "Ban chỉ huy quân sự cấp Xã",
        "cơ_quan_có_thẩm_quyền": "Không có thông tin",
        "cơ_quan_được_ủy_quyền": "Không có thông tin",
        "cơ_quan_phối_hợp": "Không có thông tin",
        "địa_chỉ_tiếp_nhận_hs": "Không có thông tin",
        "kết_quả_thực_hiện": "Giấy chứng nhận đăng ký nghĩa vụ quân sự",
        "yêu_cầu_điều_kiện_thực_hiện": "Không",
        "từ_khóa": "Không có thông tin",
        "mô_tả": "Không có thông tin",
    },
    "tables": {},
}


def _bqp(**fields: Any) -> dict[str, Any]:
    """A record: the fields given, the rest as in ``BQP_FIELDS`` (same key order)."""
    unknown = set(fields) - set(BQP_FIELDS)
    assert not unknown, f"not a field of these records: {unknown}"
    return {key: fields.get(key, value) for key, value in BQP_FIELDS.items()}


BQP_LINES: list[dict[str, Any] | str] = [
    _bqp(
        thu_tuc_id="1.013133",
        source_file="ChiTietTTHC_1.013133.doc",
        metadata={
            "mã_thủ_tục": "1.013133",
            "tên_thủ_tục": "Thủ tục đăng ký nghĩa vụ quân sự lần đầu",
            "số_quyết_định": "Quyết định số 6375/QĐ-BQP",
            "cấp_thực_hiện": "Cấp Xã",
            "loại_thủ_tục": "TTHC được luật giao quy định chi tiết",
            "lĩnh_vực": "Nghĩa vụ quân sự",
        },
        tables={
            "hinh_thuc_nop": [
                {
                    "hinh_thuc": "Trực tiếp",
                    "thoi_han_giai_quyet": "01 Ngày làm việc",
                    "phi_le_phi": "Phí : 0 Đồng",
                    "mo_ta": "",
                },
                {
                    "hinh_thuc": "Trực tuyến",
                    "thoi_han_giai_quyet": "02 Giờ",
                    "phi_le_phi": "Phí : Không Đồng",
                    "mo_ta": "Qua Cổng dịch vụ công",
                },
            ],
            "thanh_phan_ho_so": [
                {
                    "ten_giay_to": "Phiếu tự khai sức khỏe nghĩa vụ quân sự",
                    "so_luong": "Mau so 01.docx",
                    "ghi_chu": "Bản chính: 1\nBản sao: 0",
                },
                {
                    "ten_giay_to": "- Bản chụp Căn cước công dân hoặc Thẻ Căn cước",
                    "so_luong": "",
                    "ghi_chu": "Bản chính: 0\nBản sao: 1",
                },
            ],
            "can_cu_phap_ly": [
                {
                    "so_ky_hieu": "78/2015/QH13",
                    "trich_yeu": "Luật Nghĩa vụ quân sự",
                    "ngay_ban_hanh": "19-06-2015",
                    "co_quan_ban_hanh": "Quốc hội",
                },
                {
                    "so_ky_hieu": "13",
                    "trich_yeu": (
                        "Nghị định 13/2016/NĐ-CP quy định trình tự, thủ tục đăng ký "
                        "nghĩa vụ quân sự"
                    ),
                    "ngay_ban_hanh": "19-02-2016",
                    "co_quan_ban_hanh": "Chính phủ",
                },
            ],
        },
    ),
    _bqp(
        thu_tuc_id="1.013124",
        source_file="ChiTietTTHC_1.013124.doc",
        metadata={
            "mã_thủ_tục": "1.013124",
            "tên_thủ_tục": "Thủ tục thẩm định kế hoạch ứng phó sự cố tràn dầu",
            "số_quyết_định": "Quyết định số 6375/QĐ-BQP",
            "cấp_thực_hiện": "Cấp Bộ",
            "loại_thủ_tục": "TTHC được luật giao quy định chi tiết",
            "lĩnh_vực": "Nghĩa vụ quân sự",
        },
        tables={
            "hinh_thuc_nop": [
                {
                    "hinh_thuc": "Trực tiếp",
                    "thoi_han_giai_quyet": "30 Ngày làm việc",
                    "phi_le_phi": "Lệ phí : 1.5 USD",
                    "mo_ta": "",
                },
            ],
            "thanh_phan_ho_so": [
                {
                    "ten_giay_to": "Văn bản đề nghị thẩm định",
                    "so_luong": "",
                    "ghi_chu": "Bản chính: 1\nBản sao: 0",
                },
            ],
            "can_cu_phap_ly": [],
        },
    ),
    _bqp(
        thu_tuc_id="1.013137",
        source_file="ChiTietTTHC_1.013137.doc",
        metadata={
            "mã_thủ_tục": "1.013137",
            "tên_thủ_tục": "Thủ tục đăng ký nghĩa vụ quân sự chuyển đến",
            "số_quyết_định": "Quyết định số 6375/QĐ-BQP",
            "cấp_thực_hiện": "Cấp Bộ, Cấp Tỉnh, Cấp Xã",
            "loại_thủ_tục": "TTHC được luật giao quy định chi tiết",
            "lĩnh_vực": "Nghĩa vụ quân sự",
        },
        tables={
            "hinh_thuc_nop": [
                {
                    "hinh_thuc": "Dịch vụ bưu chính",
                    "thoi_han_giai_quyet": "Không quy định",
                    "phi_le_phi": "Phí : 50.000 Đồng (50.000 đồng/hồ sơ)",
                    "mo_ta": "",
                },
            ],
            "thanh_phan_ho_so": [
                {
                    "ten_giay_to": "Giấy giới thiệu di chuyển đăng ký nghĩa vụ quân sự",
                    "so_luong": "",
                    "ghi_chu": "Bản chính: 1\nBản sao: 1",
                },
            ],
            "can_cu_phap_ly": [],
        },
    ),
    "",
]


XLSX_TITLE = "Danh sách TTHC"
XLSX_ROWS: list[list[Any]] = [
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập – Tự do – Hạnh phúc\n"
        "------------------------------\n"
        "\n"
        "DANH SÁCH THỦ TỤC HÀNH CHÍNH\n"
        "\n"
        "\n",
        None,
        None,
        None,
        None,
    ],
    ["Bộ Tư pháp", None, None, None, None],
    [None, None, None, None, None],
    ["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"],
    ["1.001193", "Thủ tục đăng ký khai sinh", "Bộ Tư pháp", "Ủy ban nhân dân cấp xã", "Hộ tịch"],
    [None, None, None, None, None],
    [
        "3.000323",
        " Đăng ký giám sát việc giám hộ ",
        "Bộ Tư pháp",
        "Ủy ban nhân dân cấp xã\nPhòng Tư pháp",
        "Hộ tịch",
    ],
    [1.00119, "Mã nhập dạng số trong Excel", "Bộ Tư pháp", "Sở Tư pháp", "Chứng thực"],
    ["không có mã", "Hàng thiếu mã thủ tục", "Bộ Tư pháp", "Sở Tư pháp", "Chứng thực"],
]


def _write_lines(path: Path, lines: list[dict[str, Any] | str]) -> None:
    text = [
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    ]
    path.write_text("\n".join(text), encoding="utf-8")


@functools.cache
def write_samples() -> Path:
    """The sample files, written once per test session into a temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="motcua-portal-samples-"))
    _write_lines(directory / "tthc_sample.jsonl", PORTAL_LINES)
    _write_lines(directory / "bqp_sample.jsonl", BQP_LINES)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = XLSX_TITLE
    for row in XLSX_ROWS:
        sheet.append(row)
    book.save(directory / "danh-sach-tthc-sample.xlsx")
    return directory
