"""How the matcher reads residents' messages about procedures imported with official names
only (no plain name, no aliases): short name forms, purposes, negations, siblings, ages
and years of service. Messages are hand-written, not taken from the evaluation sets."""

from __future__ import annotations

import pytest

from knowledge.models import Catalogue, Procedure
from knowledge.search import Matcher

TAM_NGUNG = "1.001570"
GPXD_SUA = "1.013229"
DICH_CTV = "2.000992"
DICH_KHONG_CTV = "2.001008"
CA_NO_LAN_DAU = "2.001215"
CA_NO_LAI = "2.001214"
CON_NUOI = "2.001263"
CON_NUOI_LAI = "2.001255"
TAM_VANG = "1.003677"
XAC_NHAN_CU_TRU = "1.010041"
BO_DOI_DUOI_15 = "1.013159"
BO_DOI_15_20 = "1.013157"


def official(code: str, name: str, field: str) -> Procedure:
    return Procedure(code=code, name=name, field=field, levels=["Cấp xã"])


CATALOGUE = Catalogue(
    [
        official(
            TAM_NGUNG,
            "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ"
            " kinh doanh",
            "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
        ),
        official(
            GPXD_SUA,
            "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với công trình cấp III, cấp IV"
            " (công trình Không theo tuyến/Theo tuyến trong đô thị) và nhà ở riêng lẻ",
            "Hoạt động xây dựng",
        ),
        official(
            DICH_CTV,
            "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật của Ủy ban"
            " nhân dân cấp xã",
            "Chứng thực",
        ),
        official(
            DICH_KHONG_CTV,
            "Chứng thực chữ ký người dịch mà người dịch không phải là cộng tác viên dịch thuật"
            " của Ủy ban nhân dân cấp xã",
            "Chứng thực",
        ),
        official(
            CA_NO_LAN_DAU,
            "Đăng ký phương tiện hoạt động vui chơi, giải trí dưới nước lần đầu",
            "Hàng hải và đường thủy nội địa",
        ),
        official(
            CA_NO_LAI,
            "Đăng ký lại phương tiện hoạt động vui chơi, giải trí dưới nước",
            "Hàng hải và đường thủy nội địa",
        ),
        official(CON_NUOI, "Đăng ký việc nuôi con nuôi trong nước", "Nuôi con nuôi"),
        official(CON_NUOI_LAI, "Đăng ký lại việc nuôi con nuôi trong nước", "Nuôi con nuôi"),
        official(TAM_VANG, "Khai báo tạm vắng", "Đăng ký, quản lý cư trú"),
        official(XAC_NHAN_CU_TRU, "Xác nhận thông tin về cư trú", "Đăng ký, quản lý cư trú"),
        official(
            BO_DOI_DUOI_15,
            "Thủ tục thực hiện chế độ trợ cấp một lần đối với quân nhân tham gia kháng chiến"
            " chống Mỹ cứu nước có dưới 15 năm công tác trong quân đội đã phục viên, xuất ngũ"
            " về địa phương",
            "Chính sách",
        ),
        official(
            BO_DOI_15_20,
            "Thủ tục thực hiện chế độ trợ cấp hàng tháng đối với quân nhân tham gia kháng"
            " chiến chống Mỹ cứu nước có từ đủ 15 đến dưới 20 năm công tác trong quân đội đã"
            " phục viên, xuất ngũ về địa phương",
            "Chính sách",
        ),
    ]
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(CATALOGUE)


def best(matcher: Matcher, text: str) -> str | None:
    result = matcher.search(text)
    return result.best.code if result.best is not None and result.decision != "none" else None


def test_a_long_official_name_is_met_by_its_short_form(matcher: Matcher) -> None:
    result = matcher.search("xin giấy phép sửa chữa cải tạo nhà ở")
    assert result.decision == "answer"
    assert result.best is not None and result.best.code == GPXD_SUA


def test_a_purpose_counts_less_than_what_is_asked(matcher: Matcher) -> None:
    """ "để sửa nhà" says why; the household business pauses."""
    assert best(matcher, "tạm ngừng kinh doanh 2 tháng để sửa chữa nhà") == TAM_NGUNG


def test_a_negation_matches_a_name_that_states_it(matcher: Matcher) -> None:
    text = "người dịch là em tôi chứ không phải cộng tác viên, muốn chứng thực chữ ký người dịch"
    assert best(matcher, text) == DICH_KHONG_CTV
    result = matcher.search("em tự dịch, không phải cộng tác viên của xã, chứng thực ở đâu")
    assert result.matches and result.matches[0].code == DICH_KHONG_CTV


def test_a_first_registration_comes_before_a_re_registration(matcher: Matcher) -> None:
    assert best(matcher, "đăng ký ca nô phục vụ khách du lịch") == CA_NO_LAN_DAU
    assert best(matcher, "giấy đăng ký ca nô bị mất, đăng ký lại thế nào") == CA_NO_LAI


def test_look_alike_procedures_without_links_are_offered_together(matcher: Matcher) -> None:
    result = matcher.search("lam giay to cho con nuoi")
    assert result.decision == "clarify"
    assert {CON_NUOI, CON_NUOI_LAI} <= {m.code for m in result.offered}


def test_unaccented_bao_can_be_khai_bao(matcher: Matcher) -> None:
    """ "bao" is also the stop word of "bao nhiêu"; next to "khai" it is "khai báo"."""
    assert best(matcher, "ong bo e di lam an xa 1 nam, co phai khai bao tam vang ko") == TAM_VANG


def test_years_of_service_pick_the_veterans_procedure(matcher: Matcher) -> None:
    assert best(matcher, "bố tôi đi bộ đội chống Mỹ 17 năm, xin trợ cấp") == BO_DOI_15_20
    assert best(matcher, "bố tôi đi bộ đội chống Mỹ 8 năm, xin trợ cấp") == BO_DOI_DUOI_15


def test_another_agencys_topic_as_a_purpose_does_not_block(matcher: Matcher) -> None:
    result = matcher.search("xin xác nhận thông tin cư trú để làm hộ chiếu")
    assert result.elsewhere is None
    assert result.best is not None and result.best.code == XAC_NHAN_CU_TRU
    assert matcher.search("làm hộ chiếu ở đâu").elsewhere is not None
