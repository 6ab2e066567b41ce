"""Short forms of official names, for procedures imported without plain names or aliases."""

from __future__ import annotations

from knowledge.names import HEAD_FACTOR, name_forms


def forms(name: str) -> dict[str, float]:
    return dict(name_forms(name))


def test_boilerplate_and_notes_in_parentheses_are_dropped() -> None:
    assert forms("Thủ tục công nhận hòa giải viên (cấp xã)") == {"công nhận hòa giải viên": 1.0}
    assert "Giải quyết tranh chấp đất đai" in forms(
        "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp xã"
    )
    assert "Phê duyệt phương án bảo vệ công trình thủy lợi" in forms(
        "Phê duyệt phương án bảo vệ công trình thủy lợi do Chủ tịch Ủy ban nhân dân cấp tỉnh"
        " phân cấp cho Chủ tịch UBND cấp xã"
    )


def test_a_name_joining_procedures_is_split_into_them() -> None:
    got = forms(
        "Đăng ký thành lập hợp tác xã, liên hiệp hợp tác xã; đăng ký chuyển đổi tổ hợp tác"
        " thành hợp tác xã"
    )
    assert "Đăng ký thành lập hợp tác xã" in got  # the federation is dropped too
    assert "đăng ký chuyển đổi tổ hợp tác thành hợp tác xã" in got


def test_a_list_that_continues_after_a_semicolon_shares_the_action() -> None:
    got = forms("Công nhận hộ nghèo, hộ cận nghèo; hộ thoát nghèo, hộ thoát cận nghèo hằng năm")
    assert "Công nhận hộ thoát nghèo, hộ thoát cận nghèo hằng năm" in got
    slashed = forms(
        "Cấp lại Giấy chứng nhận đăng ký tổ hợp tác/ Giấy chứng nhận đăng ký hợp tác xã"
    )
    assert "Cấp lại Giấy chứng nhận đăng ký hợp tác xã" in slashed


def test_a_clause_that_only_lists_issuers_stays_inside_the_name() -> None:
    got = forms(
        "Chứng thực bản sao từ bản chính giấy tờ do cơ quan có thẩm quyền của Việt Nam;"
        " cơ quan có thẩm quyền của nước ngoài"
    )
    assert "cơ quan có thẩm quyền của nước ngoài" not in got
    assert "Chứng thực bản sao từ bản chính giấy tờ do cơ quan có thẩm quyền của nước ngoài" in got


def test_the_head_before_a_qualifier_counts_for_less() -> None:
    got = forms("Cấp giấy phép xây dựng sửa chữa, cải tạo đối với công trình cấp III, cấp IV")
    assert got["Cấp giấy phép xây dựng sửa chữa, cải tạo"] == HEAD_FACTOR
    # A head too short to name anything ("Chế độ, chính sách") is not offered.
    assert forms("Chế độ, chính sách đối với người tham gia chữa cháy bị tai nạn") == {}


def test_a_short_plain_name_has_no_other_form() -> None:
    assert forms("Đăng ký lại khai tử") == {}
    assert forms("Thủ tục đăng ký khai sinh") == {}
