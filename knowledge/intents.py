"""What a message wants besides a procedure: its intent and the aspect it asks about.

Both are read from cue words (accent-aware, see ``knowledge.lexicon``): the messages are
short and the vocabulary is small and stable ("phản ánh", "cho gặp cán bộ", "5 sao",
"ở đâu", "bao lâu"). The cue lists are plain data below so they are easy to review.

Two kinds of intent cue:

- phrases that name the intent on their own ("khiếu nại", "số điện thoại", "hài lòng");
- pairs of a subject and a predicate anywhere in the message, because residents describe
  rather than name: "cống rãnh ... bốc mùi" (a public-works subject and a defect) is a
  complaint, "gọi ... cán bộ" asks for a person, "cán bộ ... tận tình" is a compliment
  (a rating).

Intent strength matters for routing. A strong cue ("khiếu nại", "chấm 2/10") names the
intent outright and wins over any procedure the message mentions ("Tôi muốn khiếu nại
quyết định thu hồi đất"). A weak cue ("hỏng", "chờ lâu") yields to a procedure the
matcher is sure about: "đổi cccd có mất tiền hong" is a fee question, not a report of
something broken.

Aspect: the part of a procedure the resident asks about, so the answer can show it first.
When several cues occur, the last one wins: residents put the actual question at the end
("thông tin trên vneid bị sai, sửa ở đâu" asks where, not how to do it online).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from knowledge.lexicon import Hit, PhraseIndex, Words

__all__ = [
    "ASPECTS",
    "INTENTS",
    "ROUTED_INTENTS",
    "Reading",
    "detect_aspect",
    "detect_intent",
    "read",
]

INTENTS = ("greeting", "thanks", "goodbye", "complaint", "human", "rating", "smalltalk")
# Intents that send the conversation to another flow (complaint desk, staff, survey).
ROUTED_INTENTS = frozenset({"complaint", "human", "rating"})
ASPECTS = ("documents", "fee", "time", "place", "online")


def _cues(text: str) -> tuple[str, ...]:
    """A comma-separated list of cue phrases (line breaks are spaces)."""
    return tuple(p.strip() for p in " ".join(text.split()).split(",") if p.strip())


# (intent, strong?) -> phrases that name the intent. Written with diacritics; they also match
# text typed without accents.
_PHRASES: dict[tuple[str, bool], tuple[str, ...]] = {
    ("complaint", True): _cues(
        """
        phản ánh, phản ảnh, khiếu nại, khiếu kiện, tố cáo, tố giác, kiến nghị, góp ý, hạch sách,
        sách nhiễu, nhũng nhiễu, gây khó dễ, làm khó dễ, vòi tiền, đòi tiền, tiền bồi dưỡng,
        phong bì, lót tay, tiêu cực, hách dịch, trễ hẹn, lỡ hẹn, quá hẹn, sai hẹn, hẹn lên hẹn
        xuống, hẹn đi hẹn lại, hẹn tới hẹn lui, hẹn mãi, mãi không xong, mãi chưa xong,
        không ai sửa, không ai giải quyết, không ai thu gom, không ai xử lý, không ai
        dọn, không ai quan tâm, bức xúc, tệ quá, quá tệ, bắt đi lại, đi lại nhiều lần, trả lại
        hồ sơ, hồ sơ bị trả, bị trả lại, làm mất hồ sơ, thất lạc hồ sơ, không có biên lai, thu
        sai, thu thêm, nộp thêm tiền, trái phép, xây không phép, tôi muốn báo, báo cáo vi phạm,
        không ai nghe, không nghe máy, đưa thêm, chi thêm, mới làm nhanh, mới làm cho, bôi trơn,
        đề nghị xã, đề nghị ủy ban, đề nghị chính quyền, đề nghị lãnh đạo, mong xã, mong chính
        quyền, yêu cầu xã, xem lại việc, xem xét lại, làm ăn kiểu gì, vẫn chưa trả, vẫn chưa có,
        vẫn chưa xong, chưa thấy trả, chưa thấy kết quả, đơn khiếu nại, đơn tố cáo, đơn kiến
        nghị, đơn phản ánh, làm mất giấy tờ, làm thất lạc, mới có người làm, mới thấy người làm,
        mới có cán bộ, không có người làm việc, không có ai làm việc, không ai làm việc, chưa
        có người làm việc, chưa có ai làm việc
        """
    ),
    ("complaint", False): _cues(
        """
        hỏng, hư, ổ gà, ổ voi, ngập, ngập úng, bốc mùi, hôi thối, ô nhiễm, ồn ào, hát karaoke,
        mở nhạc to, chậm quá, quá chậm, chậm trễ, lâu quá, chờ lâu, chờ cả buổi, chờ cả ngày,
        đợi cả buổi, đợi cả ngày, chờ cả tiếng, đợi cả tiếng, chưa có kết
        quả, chưa trả kết quả, mất điện, cúp điện, mất nước, đổ trộm, lấn chiếm, xuống cấp, tắc
        nghẽn, nước đục, nước bẩn, thu thêm nhiều, nhiều khoản
        """
    ),
    ("human", True): _cues(
        """
        gặp cán bộ, gặp nhân viên, gặp người, gặp trực tiếp, gặp lãnh đạo, nói chuyện với người,
        nói chuyện với cán bộ, nói chuyện với nhân viên, nói chuyện trực tiếp, chuyển cho nhân
        viên, chuyển cho cán bộ, chuyển cho người, chuyển nhân viên, chuyển máy, hotline, đường
        dây nóng, tổng đài, gọi điện, gọi trực tiếp, gọi lại cho tôi, gọi lại cho em, gọi cho
        tôi, gọi cho em, liên hệ lại, cán bộ nào trực, cán bộ trực, ai trực, người thật, tư vấn
        viên, nhân viên tư vấn, cho gặp, cần người hỗ trợ, người hỗ trợ, hỗ trợ trực tiếp, zalo
        cán bộ, số zalo, người trả lời, không phải máy, xin zalo, zalo của, người hướng dẫn,
        hướng dẫn trực tiếp, hẹn gặp, xin gặp, muốn gặp, xin số điện thoại, cho số điện thoại,
        cho xin số, số điện thoại của, số điện thoại liên hệ, số điện thoại cán bộ, số điện
        thoại bộ phận, số điện thoại xã, số điện thoại một cửa, xin sđt, cho sđt, xin sdt, cho
        sdt
        """
    ),
    # A phone number alone may be the topic ("số điện thoại trên VNeID bị sai").
    ("human", False): _cues(
        """
        số điện thoại, sđt, sdt, liên hệ ai, hỏi ai
        """
    ),
    # Phrases that contain a cue word but name no intent ("mất điện thoại" is not a power
    # cut): consumed first, they count for nothing.
    ("", False): _cues(
        """
        mất điện thoại, hỏng điện thoại, điện thoại hỏng, điện thoại bị hỏng, đánh giá tác
        động, đánh giá hộ nghèo, chấm dứt, chấm công
        """
    ),
    ("rating", True): _cues(
        """
        hài lòng, không hài lòng, đánh giá dịch vụ, đánh giá mức độ, đánh giá cán bộ, đánh giá
        nhân viên, chấm điểm, cho điểm, muốn đánh giá, phục vụ tốt, phục vụ rất tốt, phục vụ chu
        đáo, phục vụ kém, rất nhiệt tình, muốn khen, khen ngợi, khen cán bộ, đánh giá:
        """
    ),
    ("rating", False): _cues(
        """
        đánh giá, tuyệt vời, chấm, khen
        """
    ),
    ("thanks", False): _cues(
        """
        cảm ơn, cám ơn, thanks, thank, thank you, tks, thks, thanh kiu, cảm ơn nhiều
        """
    ),
    ("goodbye", False): _cues(
        """
        tạm biệt, bye, bai bai, bye bye, hẹn gặp lại, pp, chúc ngủ ngon
        """
    ),
    ("greeting", False): _cues(
        """
        chào, xin chào, hi, hello, helo, alo, a lô, hey, có ai ở đó không, có ai không, ai ở đó,
        chào buổi sáng, chào buổi chiều, chào buổi tối
        """
    ),
    ("smalltalk", False): _cues(
        """
        ok, oke, okie, okela, vâng, dạ vâng, ừ, uh, uhm, hihi, haha, hehe, kk, hiểu rồi, hiểu r,
        được rồi, rồi ạ, ăn cơm chưa, tên gì, người thật hay máy, người hay máy, là robot, là
        bot, là máy, chúc mừng, chúc ad, chúc bạn, chúc anh, chúc chị, chúc em, chúc cán bộ,
        chúc mọi, chúc cả, chúc sức khỏe, chúc một ngày, năm mới, trời mưa, trời nắng, thời
        tiết, buồn quá, vui quá, đẹp trai, xinh quá, xinh thế, yêu bạn, yêu ad, khỏe không, biết
        hát, đùa thôi, vui vẻ, giỏi quá, giỏi thế, thôi để mai, để mai hỏi, hỏi sau, vậy à, thế
        à, vậy hả, thế hả
        """
    ),
}

# (intent, strong?, subjects, predicates): the message mentions one of each.
_PAIRS: tuple[tuple[str, bool, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "complaint",
        True,
        _cues(
            """
            cán bộ, nhân viên, công chức, tiếp dân, người trực, một cửa, lãnh đạo, chủ tịch,
            công an, địa chính, tư pháp, bảo vệ
            """
        ),
        _cues(
            """
            không có mặt, vắng mặt, đi vắng, không làm việc, đi muộn, về sớm, thái độ, quát,
            mắng, chửi, gắt, cáu, khó chịu, thiếu tôn trọng, coi thường, thờ ơ, làm khó, gây
            khó, vòi, đòi, ăn tiền, nhận tiền, lấy tiền, chơi điện thoại, không nghe máy, không
            trả lời, đùn đẩy, né tránh, hướng dẫn sai, làm sai, bắt chờ, để chờ, kém,
            tệ, không nhiệt tình, cửa quyền, bắt nộp, cộc cằn, cộc lốc, hỗn, xấc, láo, lớn
            tiếng, to tiếng, quát tháo, nạt, nạt nộ, vô lễ, không lịch sự, xem thường, khinh
            thường, hạch hỏi, gây gổ, cau có, nhăn nhó, mặt nặng mày nhẹ, làm việc riêng, lơ là
            """
        ),
    ),
    (
        "complaint",
        False,
        _cues(
            """
            đường, ngõ, hẻm, cống, rãnh, mương, kênh, đèn, điện, nước, rác, cây, cầu, chợ, loa,
            vỉa hè, ống nước, bãi rác, xóm, hàng xóm, quán, xưởng, công trình, trường, nghĩa
            trang, chó, trâu bò, hồ sơ, kết quả, giấy hẹn, phòng, bụi, khói, cống rãnh, đèn
            đường, đường làng, đường xóm, đường thôn, đường đi, nước thải, rác thải, dây điện,
            cột điện, nhà bên cạnh, nhà hàng xóm
            """
        ),
        _cues(
            """
            hỏng, hư, vỡ, gãy, đổ, sập, sụt, lún, tắc, ngập, hôi, thối, bẩn, ồn, không ai, chưa
            ai, xuống cấp, lầy lội, xả thải, đốt, mấy tháng, cả tháng, lâu ngày, trễ, chậm, quá
            hạn, chưa có, chưa trả, thất lạc, thả rông, nguy hiểm, cả buổi, cả ngày, chờ, bốc
            mùi, tắc nghẽn, hư hỏng, bị hỏng, bị hư, bị vỡ, bị tắc, bị ngập, ngập nước, ô nhiễm,
            ồn ào, không ai sửa, chờ lâu, chờ mãi, đợi mãi, quá lâu, mất điện, mất nước, mấy
            tuần, mấy hôm, mấy ngày nay, cả tuần, lâu rồi, không sáng, bị tắt, đục ngầu, có
            mùi, mùi lạ, kêu to, to quá, inh ỏi, ầm ĩ, tự phát, lâu thế, lâu vậy, mãi không
            """
        ),
    ),
    (
        "human",
        False,
        _cues(
            """
            gặp, gọi, nói chuyện, liên hệ, kết nối, nhắn tin, trao đổi, tư vấn, gọi điện, gọi
            cho, gọi lại, muốn gặp, cho gặp, xin gặp, zalo
            """
        ),
        _cues(
            """
            cán bộ, nhân viên, người thật, lãnh đạo, chủ tịch, tư vấn viên, trực tiếp, tổng đài,
            ai đó, người
            """
        ),
    ),
    (
        "human",
        True,
        _cues(
            """
            không hiểu, trả lời sai, trả lời không đúng, vô dụng, không dùng được, không biết
            dùng, không rành, không biết cách
            """
        ),
        _cues(
            """
            bot, máy, tự động, người, cán bộ, nhân viên, trực tiếp
            """
        ),
    ),
    (
        "rating",
        True,
        _cues(
            """
            cán bộ, nhân viên, công chức, phục vụ, dịch vụ, hướng dẫn, tiếp đón, giải quyết, một
            cửa, thủ tục, làm thủ tục, cảm ơn
            """
        ),
        _cues(
            """
            tận tình, nhiệt tình, chu đáo, thân thiện, nhanh chóng, chuyên nghiệp, tuyệt vời,
            xuất sắc, rất tốt, tốt lắm, hài lòng, nhanh gọn, gọn gàng, nhanh lẹ, dễ chịu, chu
            toàn, tốt
            """
        ),
    ),
)

# Questions about the bot itself, which mention "người thật" without asking for one.
_BOT_IDENTITY = ("người thật hay máy", "người hay máy", "là người thật", "là người hay")

# "2/10", "5 sao", "9 điểm", or a message that is nothing but a number (a typed rating).
_SCORE_RE = re.compile(
    r"(?:^|\s)(?:\d+(?:[.,]\d+)?/(?:5|10)|\d+ (?:sao|điểm|diem))(?:\s|$)|^\d{1,2}$"
)
_STARS = ("⭐", "★", "🌟")
# "nộp hồ sơ 3 tháng rồi vẫn chưa thấy trả": a wait, then something still not done
# (shorthand is expanded first, so "ko thay" reads "không thay").
_DELAY_RE = re.compile(
    r"\b(?:nộp|nop|gửi|gui|chờ|đợi|hẹn|hen)\b.{0,40}?"
    r"\b(?:\d+|mấy|may|cả|ca|hàng|hang) (?:ngày|ngay|tuần|tuan|tháng|thang)\b"
    r".{0,40}\b(?:chưa|chua|(?:không|khong) (?:thấy|thay|ai))\b"
)

_ASPECT_CUES: dict[str, tuple[str, ...]] = {
    "documents": _cues(
        """
        giấy tờ gì, giấy tờ nào, giấy gì, cần gì, cần j, cần những gì, cần những giấy, cần giấy,
        cần mang, mang theo gì, mang gì, mang theo những gì, chuẩn bị gì, chuẩn bị những gì,
        chuẩn bị giấy, cần chuẩn bị, hồ sơ gồm, hồ sơ gì, hồ sơ cần, cần hồ sơ, thành phần hồ
        sơ, điều kiện gì, cần điều kiện, điều kiện như thế nào, điều kiện thế nào, phải có giấy,
        gồm những gì, gồm gì, giấy tờ cần, cần giấy tờ, cần những, mẫu đơn, tờ khai, cần có gì,
        phải mang, những giấy tờ, cần có những, đủ điều kiện không, cần chi, giấy tờ chi,
        giấy chi, mang chi, hồ sơ như thế nào, hồ sơ thế nào, giấy tờ như thế nào, những giấy gì,
        loại giấy nào, cần những loại
        """
    ),
    "fee": _cues(
        """
        bao nhiêu tiền, bao nhiu tiền, nhiêu tiền, mấy tiền, mất tiền, tốn tiền, hết bao nhiêu,
        mất phí, tốn phí, lệ phí, phí, chi phí, miễn phí, mức đóng, đóng bao nhiêu, bao nhiêu
        một bản, bao nhiêu 1 bản, có mất gì, trả tiền, nộp tiền, phải đóng tiền, giá bao nhiêu,
        tốn kém, có tốn, tốn bao nhiêu, mấy trăm, mấy chục nghìn, mấy nghìn, bao nhiêu nghìn,
        một trang, 1 trang, mỗi tháng bao nhiêu, một tháng bao nhiêu, bao nhiêu một tháng, tháng
        bao nhiêu, năm bao nhiêu tiền
        """
    ),
    "time": _cues(
        """
        bao lâu, mấy ngày, bao nhiêu ngày, bao nhiu ngày, trong ngày, lấy ngay, lấy luôn, khi
        nào, bao giờ có, bao giờ lấy, bao giờ nhận, bao giờ xong, thời hạn, thời gian, giá trị
        bao lâu, còn giá trị, trong vòng, mấy hôm, có nhanh không, mất mấy, hạn chót, mất bao
        lâu, mất bao nhiêu ngày, mất mấy ngày, mất bao nhiêu thời gian, mới lấy được, mới nhận
        được, mới có kết quả, bao lâu thì, lấy được chưa, mấy tuần, mấy tháng thì, lâu không,
        có lâu không, bao nhiêu lâu, mấy bữa, có ngay không, lấy liền, làm liền, hết hạn chưa,
        tháng mấy, ngày nào, lúc nào, làm trước được, đổi trước được, làm sớm được, quá hạn,
        hạn phải, trong thời hạn
        """
    ),
    "place": _cues(
        """
        ở đâu, tại đâu, chỗ nào, nơi nào, cơ quan nào, đến đâu, nộp đâu, làm đâu, ra đâu, lên
        tỉnh, lên huyện, ở chỗ, bộ phận nào, phòng nào, xin đâu, địa chỉ ở đâu, cho xin địa chỉ,
        đi đâu, đâu làm, ở ubnd, tại ubnd, tại xã, ở công an, ở mô, chỗ mô, đi mô, nộp mô, làm
        mô, ở chỗ nào, nơi làm, nơi nộp, nộp ở, làm ở đâu, gửi đâu, gửi ở đâu, nộp cho ai,
        gửi cho ai, nộp đơn ở đâu
        """
    ),
    # Nouns that contain a cue word but ask nothing ("miễn học phí"): consumed, no aspect.
    "": _cues(
        """
        học phí, viện phí, phí vệ sinh, phí bảo trì, tiền điện, tiền nước, mai táng phí, phí mai
        táng, chi phí mai táng, chưa bao giờ, không bao giờ, trên vneid bị sai, trên vneid sai,
        trên vneid ghi sai, vneid bị sai, vneid sai
        """
    ),
    "online": _cues(
        """
        online, onl, trực tuyến, qua mạng, trên mạng, trên vneid, qua vneid, bằng vneid, lên
        vneid, vneid được, trên app, qua app, ứng dụng, dịch vụ công, cổng dịch vụ công, làm tại
        nhà, qua zalo, trên điện thoại, qua điện thoại, không cần lên, không phải lên, không cần
        đến, trên cổng, cổng dịch vụ, nộp online, làm online, tại nhà được, ở nhà làm được
        """
    ),
}
_LATE_RE = re.compile(r"\bqua \d+ (?:ngay|thang)\b")
# "ở xã được không", "ra xã chứng thực được không", "ở công an xã hay phải lên tỉnh": a
# place question without "đâu" (folded words).
_PLACE_NOUNS = frozenset(
    {"xa", "phuong", "ubnd", "uy", "cong", "huyen", "tinh", "quan", "thi", "noi", "que"}
)
# ... then a question: "được không", "hay phải ...", "có làm không".
_PLACE_QUESTION_RE = re.compile(
    r"\b(?:(?:duoc|dc) (?:khong|ko|k|hong|hok|chu|chang)\b|hay\b|co lam)"
)
# "ở xã", "ra xã", "lên phường", "về xã" (as typed, with or without accents).
_PLACE_GO = frozenset({"ở", "o", "ra", "lên", "len", "về", "ve", "tại", "tai", "báo", "bao"})

# The resident does not know which procedure applies and asks: a list of choices helps
# more than a guess ("con tôi đi làm xa thì phải khai báo gì").
_WHICH = _cues(
    """
    khai báo gì, khai báo những gì, đăng ký gì, đăng ký những gì, làm thủ tục gì, làm những
    thủ tục gì, thủ tục nào, những thủ tục gì, làm gì trước, cần làm những gì, phải làm những
    gì, làm giấy gì, xin giấy gì, khai gì, làm giấy tờ cho, làm giấy tờ gì, làm những giấy tờ
    """
)


# The resident asks how to get something done: a procedure question, even when a word of
# it sounds like a complaint ("hồi xưa không ai làm giấy khai sinh ..., làm thế nào ạ").
_HOW = _cues(
    """
    làm thế nào, làm sao, thế nào, như thế nào, ra sao, làm như nào, thủ tục gì, làm thủ tục,
    phải làm gì, cần làm gì, làm gì, xin ở đâu, làm ở đâu
    """
)


@lru_cache(maxsize=1)
def _which_index() -> PhraseIndex[bool]:
    return PhraseIndex((p, True) for p in _WHICH)


@lru_cache(maxsize=1)
def _how_index() -> PhraseIndex[bool]:
    return PhraseIndex((p, True) for p in _HOW)


# When several intents are cued, the most actionable wins.
_PRIORITY = ("rating", "complaint", "human", "goodbye", "thanks", "greeting", "smalltalk")


@dataclass(frozen=True)
class Reading:
    """Cues read from a message before any procedure matching."""

    intent: str | None
    strong: bool  # the intent is named outright and overrides a procedure match
    aspect: str | None
    cue_positions: frozenset[int]  # words spent on intent/aspect cues, not on the topic
    asks_which: bool = False  # "phải khai báo gì": the resident asks which procedure applies
    social_positions: frozenset[int] = frozenset()  # of the cues, small talk ("vâng", "ok")
    asks_how: bool = False  # "làm thế nào", "thủ tục gì": a question about a procedure


# Weak complaint words are single syllables that fold together with common words
# ("hư" / "hủ", "ngập" / "ngắp"): without accents only their longer phrases count.
_STRICT = (("complaint", False),)


@lru_cache(maxsize=1)
def _indexes() -> tuple[
    PhraseIndex[tuple[str, bool]],
    PhraseIndex[tuple[str, bool]],
    PhraseIndex[tuple[int, int]],
    PhraseIndex[str],
    PhraseIndex[bool],
]:
    phrases = PhraseIndex(
        (phrase, key) for key, items in _PHRASES.items() for phrase in items if key not in _STRICT
    )
    strict = PhraseIndex(
        ((phrase, key) for key in _STRICT for phrase in _PHRASES[key]), strict_single=True
    )
    pairs = PhraseIndex(
        (
            (phrase, (i, slot))
            for i, (_, _, first, second) in enumerate(_PAIRS)
            for slot, items in enumerate((first, second))
            for phrase in items
        ),
        strict_single=True,
    )
    aspects = PhraseIndex(
        (phrase, aspect) for aspect, items in _ASPECT_CUES.items() for phrase in items
    )
    identity = PhraseIndex((p, True) for p in _BOT_IDENTITY)
    return phrases, strict, pairs, aspects, identity


def _intent(words: Words, raw: str) -> tuple[str | None, bool, set[int], set[int]]:
    """The intent, its strength, the word positions its cues used, and those of them
    that were small-talk cues ("vâng", "ok": single words that may be a topic's too)."""
    phrases, strict, pairs, _, identity = _indexes()
    found: dict[str, list[bool]] = {}
    positions: set[int] = set()
    social: set[int] = set()
    hits = phrases.find(words)
    taken = {i for h in hits for i in range(h.start, h.end)}
    hits += [h for h in strict.find(words) if not taken & set(range(h.start, h.end))]
    for h in hits:
        intent, strong = h.value
        if intent:
            found.setdefault(intent, []).append(strong)
            positions.update(range(h.start, h.end))
            if intent not in ROUTED_INTENTS:
                social.update(range(h.start, h.end))
    slots: dict[int, list[set[int]]] = {}
    for ph in pairs.find_all(words):
        i, slot = ph.value
        slots.setdefault(i, [set(), set()])[slot].update(range(ph.start, ph.end))
    for i, (first, second) in slots.items():
        if first and second and not first <= second and not second <= first:
            pair_intent, pair_strong, _, _ = _PAIRS[i]
            found.setdefault(pair_intent, []).append(pair_strong)
            positions.update(first | second)
    if "human" in found and identity.find_all(words):
        # "Bạn là người thật hay máy?" asks about the bot; it does not ask for a person.
        del found["human"]
        found.setdefault("smalltalk", []).append(False)
    if _DELAY_RE.search(words.text):
        found.setdefault("complaint", []).append(True)  # a wait not yet over
    if _SCORE_RE.search(words.text) or any(s in raw for s in _STARS):
        found.setdefault("rating", []).append(True)
    if any(found.get("rating", ())) and "complaint" in found:
        # A score with a grievance ("chấm 2/10, chờ lâu quá") is a rating.
        del found["complaint"]
    for intent in _PRIORITY:
        if intent in found:
            cues = found[intent]
            # Two weak cues of a routed intent read as one strong one.
            strong = any(cues) or (intent in ROUTED_INTENTS and len(cues) >= 2)
            return intent, strong, positions, social
    return None, False, positions, social


def _place_structure(words: Words) -> int | None:
    """Position of an "ở <xã|công an|...> ... được/hay" place question, if any."""
    n = len(words)
    for i in range(n - 1):
        if words.words[i] not in _PLACE_GO:
            continue
        if words.folded[i + 1] not in _PLACE_NOUNS:
            continue
        tail = " ".join(words.folded[i + 2 : i + 10])
        if _PLACE_QUESTION_RE.search(tail):
            return i
    return None


def read(words: Words, raw: str = "") -> Reading:
    """Intent, aspect and the cue words of a message (see the module docstring).

    ``raw`` is the message as typed, for what normalisation drops (star emoji).
    """
    intent, strong, positions, social = _intent(words, raw)
    _, _, _, aspect_index, _ = _indexes()
    aspect_hits: list[Hit[str]] = aspect_index.find(words)
    aspect: str | None = None
    last = -1
    for h in aspect_hits:
        if not h.value:
            continue  # "miễn học phí": a topic, neither an aspect nor a cue
        if h.end > last:
            aspect, last = h.value, h.end
        positions.update(range(h.start, h.end))
    if aspect is None and _LATE_RE.search(" ".join(words.folded)):
        aspect = "time"  # "quá 60 ngày mới đi khai sinh": the deadline
    pos = _place_structure(words)
    if pos is not None:
        positions.update((pos, pos + 1))
        if pos + 1 > last:
            aspect, last = "place", pos + 1
    which = _which_index().find(words)
    positions.update(i for h in which for i in range(h.start, h.end))
    return Reading(
        intent,
        strong,
        aspect,
        frozenset(positions),
        asks_which=bool(which),
        social_positions=frozenset(social),
        asks_how=bool(which) or aspect is not None or bool(_how_index().find(words)),
    )


def detect_intent(text: str) -> str | None:
    """The message's intent, ignoring whether it also names a procedure."""
    from knowledge.synonyms import load_synonyms  # shorthand ("sdt", "ko") first

    words = load_synonyms().expand_abbreviations(Words.of(text))
    reading = read(words, text)
    if reading.intent is None and not words.words and text.strip():
        return "smalltalk"  # emoji, stickers, punctuation only
    return reading.intent


def detect_aspect(text: str) -> str | None:
    """documents | fee | time | place | online | None (a bare or general request)."""
    from knowledge.synonyms import load_synonyms

    words = load_synonyms().expand_abbreviations(Words.of(text))
    return read(words, text).aspect
