"""The matcher on a small hand-built catalogue: answer, clarify and "none"."""

from __future__ import annotations

import pytest

from knowledge.models import Catalogue, Procedure
from knowledge.search import Matcher, SearchResult, load_synonyms
from knowledge.synonyms import SynonymsError, merge, parse_synonyms


def proc(
    code: str,
    name: str,
    plain: str | None = None,
    aliases: tuple[str, ...] = (),
    related: tuple[str, ...] = (),
    field: str = "Hộ tịch",
) -> Procedure:
    return Procedure(
        code=code,
        name=name,
        plain_name=plain,
        aliases=list(aliases),
        related=list(related),
        field=field,
        levels=["Cấp xã"],
    )


KHAI_SINH = "1.001193"
BAN_SAO = "2.000635"
KHAI_SINH_LAI = "1.004884"
KET_HON = "1.000894"
KHAI_TU = "1.000656"
DOC_THAN = "1.004873"
CC_DUOI_14 = "1.014062"
CC_TU_14 = "1.014061"
MAT_HO_CHIEU = "1.010386"
CHUNG_THUC_BAN_SAO = "2.000815"
CHUNG_THUC_HOP_DONG = "2.001035"
TAI_KHOAN_TO_CHUC = "3.000498"

CATALOGUE = Catalogue(
    [
        proc(
            KHAI_SINH,
            "Thủ tục đăng ký khai sinh",
            "Làm giấy khai sinh cho con",
            ("giấy khai sinh", "khai sinh cho bé"),
            related=(BAN_SAO, KHAI_SINH_LAI),
        ),
        proc(
            BAN_SAO,
            "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
            "Xin bản sao giấy khai sinh, trích lục",
            ("bản sao giấy khai sinh", "trích lục kết hôn"),
            related=(KHAI_SINH_LAI,),
        ),
        proc(
            KHAI_SINH_LAI,
            "Thủ tục đăng ký lại khai sinh",
            "Đăng ký lại khai sinh khi giấy và sổ gốc đều mất",
            related=(BAN_SAO,),
        ),
        proc(KET_HON, "Thủ tục đăng ký kết hôn", "Đăng ký kết hôn", ("làm giấy kết hôn",)),
        proc(
            KHAI_TU,
            "Thủ tục đăng ký khai tử",
            "Làm giấy khai tử cho người đã mất",
            ("khai tử", "làm giấy chứng tử"),
        ),
        proc(DOC_THAN, "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"),
        proc(
            CC_DUOI_14,
            "Cấp thẻ căn cước cho người dưới 14 tuổi",
            "Làm thẻ căn cước cho con dưới 14 tuổi",
            ("làm căn cước cho con nhỏ", "căn cước cho trẻ em"),
            related=(CC_TU_14,),
            field="Căn cước",
        ),
        proc(
            CC_TU_14,
            "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
            "Làm thẻ căn cước lần đầu",
            ("làm căn cước lần đầu", "làm căn cước cho con lớn"),
            related=(CC_DUOI_14,),
            field="Căn cước",
        ),
        proc(
            MAT_HO_CHIEU,
            "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)",
            field="Quản lý xuất nhập cảnh",
        ),
        proc(
            CHUNG_THUC_BAN_SAO,
            "Chứng thực bản sao từ bản chính giấy tờ",
            field="Chứng thực",
        ),
        proc(
            CHUNG_THUC_HOP_DONG,
            "Chứng thực hợp đồng mua bán tài sản",
            field="Chứng thực",
        ),
        proc(
            TAI_KHOAN_TO_CHUC,
            "Cấp tài khoản định danh điện tử cho cơ quan, tổ chức",
            field="Định danh và xác thực điện tử",
        ),
    ]
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(CATALOGUE)


def offered_codes(result: SearchResult) -> set[str]:
    return {m.code for m in result.offered}


@pytest.mark.parametrize(
    "text",
    [
        "Làm giấy khai sinh cho bé",
        "lam giay khai sinh cho be",
        "ddang kys khai sinh cho con",
        "làm gks cho con",
    ],
)
def test_one_clear_procedure_is_answered(matcher: Matcher, text: str) -> None:
    result = matcher.search(text)
    assert result.decision == "answer"
    assert result.best is not None and result.best.code == KHAI_SINH


def test_a_single_keyword_puts_its_procedure_first(matcher: Matcher) -> None:
    """Two words cannot rule out the related procedures, so they may be offered too."""
    result = matcher.search("khai sinh")
    assert result.decision in ("answer", "clarify")
    assert result.best is not None and result.best.code == KHAI_SINH
    single = matcher.search("khai tử")
    assert single.decision == "answer"
    assert single.best is not None and single.best.code == KHAI_TU


def test_a_paper_named_alone_gets_a_question_and_a_stated_procedure_an_answer(
    matcher: Matcher,
) -> None:
    """ "giấy khai sinh" may be a new one, a copy or a re-registration; "đăng ký kết hôn"
    says what to do and names the whole procedure."""
    paper = matcher.search("giấy khai sinh")
    assert paper.decision == "clarify"
    assert {KHAI_SINH, BAN_SAO} <= offered_codes(paper)
    stated = matcher.search("đăng ký kết hôn")
    assert stated.decision == "answer"
    assert stated.best is not None and stated.best.code == KET_HON


def test_asking_which_procedure_applies_gets_choices(matcher: Matcher) -> None:
    result = matcher.search("con tôi chưa có căn cước thì phải đăng ký những gì")
    assert result.decision == "clarify"
    assert {CC_DUOI_14, CC_TU_14} <= offered_codes(result)


def test_scores_are_ranked_and_bounded(matcher: Matcher) -> None:
    result = matcher.search("làm giấy khai sinh cho con")
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_folk_terms_reach_the_official_procedure(matcher: Matcher) -> None:
    """The folk term "giấy độc thân" appears nowhere in the catalogue: synonyms.yaml maps it."""
    result = matcher.search("xin giấy độc thân ở đâu")
    assert result.best is not None and result.best.code == DOC_THAN
    assert result.decision == "answer"
    assert result.aspect == "place"


def test_a_story_with_a_death_points_to_death_registration(matcher: Matcher) -> None:
    result = matcher.search("Bố tôi mới mất tối qua, giờ nhà tôi cần làm giấy tờ gì?")
    assert result.best is not None and result.best.code == KHAI_TU
    assert result.aspect == "documents"


def test_confusable_procedures_lead_to_a_clarifying_question(matcher: Matcher) -> None:
    result = matcher.search("lam can cuoc cho con")
    assert result.decision == "clarify"
    assert {CC_DUOI_14, CC_TU_14} <= offered_codes(result)
    assert 2 <= len(result.offered) <= 4


def test_the_deciding_fact_resolves_the_ambiguity(matcher: Matcher) -> None:
    result = matcher.search("làm căn cước cho con 5 tuổi")
    assert result.decision == "answer"
    assert result.best is not None and result.best.code == CC_DUOI_14


def test_another_agencys_topic_is_not_answered(matcher: Matcher) -> None:
    result = matcher.search("làm hộ chiếu ở đâu")
    assert result.decision == "none"
    assert result.elsewhere is not None and "xuất nhập cảnh" in result.elsewhere.where


def test_what_the_commune_does_about_the_same_topic_is_answered(matcher: Matcher) -> None:
    result = matcher.search("bị mất hộ chiếu, trình báo ở đâu")
    assert result.decision == "answer"
    assert result.best is not None and result.best.code == MAT_HO_CHIEU


def test_a_greeting_with_a_question_is_a_procedure_question(matcher: Matcher) -> None:
    result = matcher.search("chào ad, làm giấy khai sinh cho con ở đâu")
    assert result.decision == "answer"
    assert result.best is not None and result.best.code == KHAI_SINH
    assert result.aspect == "place"
    assert result.intent == "greeting"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("chào ad", "greeting"),
        ("cảm ơn nhiều nha", "thanks"),
        ("🙏", "smalltalk"),
        ("tôi muốn phản ánh thái độ cán bộ", "complaint"),
        ("cho xin số điện thoại bộ phận một cửa", "human"),
        ("5 sao", "rating"),
    ],
)
def test_non_procedure_intents_get_no_procedure(matcher: Matcher, text: str, intent: str) -> None:
    result = matcher.search(text)
    assert result.decision == "none"
    assert result.intent == intent
    assert result.matches == ()


def test_a_formal_complaint_wins_over_the_procedure_it_names(matcher: Matcher) -> None:
    result = matcher.search("Tôi muốn khiếu nại việc làm giấy khai sinh bị trễ hẹn")
    assert (result.decision, result.intent) == ("none", "complaint")


def test_unrelated_text_finds_nothing(matcher: Matcher) -> None:
    assert matcher.search("qwerty zxcv").decision == "none"
    assert matcher.search("").decision == "none"


def test_a_bare_aspect_question_keeps_its_aspect_for_the_conversation(matcher: Matcher) -> None:
    result = matcher.search("mất bao lâu vậy ạ")
    assert (result.decision, result.aspect) == ("none", "time")


def test_typed_accents_tell_folded_twins_apart(matcher: Matcher) -> None:
    """Folded, "bán" (sell) and "bản" (copy) are both "ban"; typed accents decide."""
    sell = matcher.search("chứng thực giấy mua bán")
    copy = matcher.search("chứng thực bản chính giấy tờ")
    assert sell.best is not None and sell.best.code == CHUNG_THUC_HOP_DONG
    assert copy.best is not None and copy.best.code == CHUNG_THUC_BAN_SAO


def test_procedures_for_organisations_yield_to_those_for_residents() -> None:
    resident = proc("3.000228", "Cấp tài khoản định danh điện tử mức độ 02 cho công dân")
    matcher = Matcher(Catalogue([*CATALOGUE, resident]))
    result = matcher.search("cấp tài khoản định danh điện tử")
    assert result.best is not None and result.best.code == "3.000228"


def test_staff_can_add_their_own_folk_terms() -> None:
    extra = parse_synonyms(
        {"folk_terms": [{"terms": ["giấy chứng nhận cưới"], "means": "kết hôn"}]}
    )
    matcher = Matcher(CATALOGUE, merge([load_synonyms(), extra]))
    result = matcher.search("làm giấy chứng nhận cưới")
    assert result.best is not None and result.best.code == KET_HON


def test_a_malformed_synonyms_file_is_refused() -> None:
    with pytest.raises(SynonymsError, match="folk_terms"):
        parse_synonyms({"folk_terms": ["sổ đỏ"]})
    with pytest.raises(SynonymsError, match="format"):
        parse_synonyms({"format": "something-else/9"})


def test_the_shipped_synonyms_file_loads() -> None:
    synonyms = load_synonyms()
    assert "gks" in synonyms.abbreviations
    assert synonyms.folk_terms and synonyms.elsewhere
