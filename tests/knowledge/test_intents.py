"""Intents and aspects on hand-written messages (not taken from the evaluation sets)."""

from __future__ import annotations

import pytest

from knowledge.intents import detect_aspect, detect_intent


@pytest.mark.parametrize(
    "text",
    [
        "Tôi muốn khiếu nại việc trả sổ đỏ chậm",
        "cho toi gui phan anh ve viec thu phi cho",
        "cán bộ tiếp nhận thái độ hách dịch với người già",
        "cong ranh sau truong tac nghen, boc mui ca thang nay",
        "nộp hồ sơ 5 tuần rồi mà vẫn chưa thấy trả",
        "góp ý: nên có ghế ngồi chờ ở phòng một cửa",
        "gui don online 3 tuan roi ma ko thay ai tra loi",  # "ko thay" after shorthand
        "hen 8h ma 10h moi co nguoi lam viec",
        "cán bộ xã nói năng cộc cằn với người dân",
        "hồ sơ hẹn đi hẹn lại mãi không xong",
    ],
)
def test_complaints_are_recognised(text: str) -> None:
    assert detect_intent(text) == "complaint"


@pytest.mark.parametrize(
    "text",
    [
        "cho mình xin số điện thoại của bộ phận một cửa",
        "muon noi chuyen voi nguoi that",
        "gọi lại cho tôi được không",
        "bot không hiểu gì, cho gặp nhân viên",
    ],
)
def test_requests_for_a_person_are_recognised(text: str) -> None:
    assert detect_intent(text) == "human"


@pytest.mark.parametrize(
    "text",
    ["4 sao", "chấm 9/10", "⭐⭐⭐⭐", "nhân viên rất tận tình, tôi hài lòng", "7"],
)
def test_ratings_are_recognised(text: str) -> None:
    assert detect_intent(text) == "rating"


def test_a_score_with_a_grievance_is_a_rating() -> None:
    assert detect_intent("3/10 vì phải chờ lâu quá") == "rating"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("xin chào ạ", "greeting"),
        ("alo alo", "greeting"),
        ("cảm ơn ad nhiều", "thanks"),
        ("thanks", "thanks"),
        ("tạm biệt nhé", "goodbye"),
        ("hihi", "smalltalk"),
        ("😀", "smalltalk"),
        ("bạn là người thật hay máy thế", "smalltalk"),
    ],
)
def test_small_talk_is_recognised(text: str, intent: str) -> None:
    assert detect_intent(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "đổi cccd có mất tiền hong",  # "hong" is shorthand for "không", not "hỏng"
        "bị mất điện thoại thì làm lại tài khoản định danh thế nào",
        "lập di chúc ở xã",  # "chúc" of "di chúc" is no greeting wish
        "làm khai sinh cho con",
        "lam mat ho chieu, bao cong an xa dc ko",  # the resident lost it, not the police
    ],
)
def test_procedure_questions_carry_no_routed_intent(text: str) -> None:
    assert detect_intent(text) not in {"complaint", "human", "rating"}


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("đăng ký tạm trú cần giấy tờ gì", "documents"),
        ("lam so do can mang nhung gi", "documents"),
        ("chứng thực bản sao mất phí không", "fee"),
        ("khai tu het bao nhieu tien", "fee"),
        ("làm căn cước mất bao lâu", "time"),
        ("giấy độc thân có giá trị bao lâu", "time"),
        ("xin trich luc o dau", "place"),
        ("làm ở công an xã hay phải lên tỉnh", "place"),
        ("đăng ký kết hôn ở xã được không", "place"),
        ("gia han tam tru onl duoc ko", "online"),
        ("đăng ký thường trú trên vneid được không", "online"),
        ("khai sinh", None),
        ("kich hoat vneid muc 2", None),
        ("xin xác nhận hộ nghèo để được miễn học phí", None),
        ("ra xã chứng thực di chúc được không", "place"),
        ("chưa ra xã đăng ký kết hôn, giờ con được 1 tháng thì làm sao", None),
        ("xin chặt cây thì làm đơn gửi đâu", "place"),
        ("ngày sinh trên vneid bị sai", None),  # the data on VNeID, not the online channel
        ("quá 60 ngày mới khai sinh có bị phạt không", "time"),
    ],
)
def test_aspect_is_what_the_question_asks(text: str, aspect: str | None) -> None:
    assert detect_aspect(text) == aspect


def test_the_last_asked_aspect_wins() -> None:
    assert detect_aspect("thông tin trên vneid bị sai, sửa ở đâu") == "place"
    assert detect_aspect("làm ở xã hay làm online trên vneid được") == "online"
