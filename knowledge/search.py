"""Find the procedure a resident means, and decide whether to answer, ask, or say not found.

How a message is read (all lexicons are data: ``knowledge/intents.py``, ``synonyms.yaml``):

1. ``normalize`` (NFC, tone placement, telex leftovers), then abbreviations and chat
   shorthand from the synonyms file ("gks" -> "giấy khai sinh", "ko" -> "không").
   Punctuation is dropped, but where a clause starts is kept (``clause_starts``).
2. Intent and aspect cues ("phản ánh", "ở đâu"); their words count little for the topic.
3. Topics another agency handles ("hộ chiếu", "tách thửa"): no answer, unless a commune
   procedure is named outright besides ("xin xác nhận số CMND cũ để mở sổ tiết kiệm"), or
   the topic is only the purpose or the background ("xin xác nhận cư trú để làm hộ
   chiếu", "đã ly hôn, giờ muốn đổi họ cho con").
4. Folk terms add the official wording ("sổ đỏ" -> "giấy chứng nhận quyền sử dụng đất"),
   except when a two-word phrase straddles two compounds ("chứng nhận | nuôi trồng").
5. What each word weighs: the story around the request counts less than the request.
   A purpose or reason clause ("để làm thủ tục thừa kế", "vì bản cũ bị mất"), the paper
   a procedure needs ("đăng ký kết hôn cần giấy độc thân không"), a paper already held
   ("đã có giấy khai sinh, giờ ..."), relatives ("bố mẹ", "nhà tôi"), small numbers and
   the words of an age count for less; negated words become terms of their own ("không
   phải cộng tác viên" meets a name that says the same).
6. Scoring, against an index built once per catalogue over each procedure's official
   name, short forms derived from it (``knowledge/names.py``: boilerplate and notes
   dropped, joined procedures split, the head before "đối với ..."), plain name, aliases
   and field:
   - BM25-style term weights: folded words and adjacent word pairs, weighted by how rare
     they are in the catalogue (inverse document frequency), so "khai sinh" counts and
     "đăng ký" barely does. Long stories work because only the discriminative words score.
     Candidates are gathered from the rarest words first, within a budget.
   - Unknown words are corrected against the index vocabulary with rapidfuzz ("sinhh");
     regional spellings are tried for word pairs ("tạm chú" -> "tạm trú").
   - Accent-aware: folding merges "bán" / "bạn" / "ban", so when the resident typed
     accents, a word whose accents differ counts for less; an unaccented stop word that
     is also a topic word ("khai bao", "ban sao") counts when it makes a pair of the index.
   - The candidates are re-ranked by how much of the message they explain, how much of
     their best name or alias the message covers, and rapidfuzz similarity to it.
   - An age ("con 5 tuổi", "sắp vào lớp 1") or years of service ("đi bộ đội 17 năm") is
     checked against the name's condition ("dưới 14 tuổi", "từ đủ 15 đến dưới 20 năm");
     procedures only organisations file yield to those for residents, and procedures
     that re-do something ("đăng ký lại", "cấp lại") to first-time ones unless something
     was lost or is redone.
7. Decision: "answer" when one procedure clearly wins (see ``Matcher._confident``);
   "clarify" when the best few are close, or are look-alikes (linked as ``related`` in
   the catalogue, or siblings whose official names nearly coincide) that the message does
   not tell apart, when the message names a paper or a status without saying what to do
   ("giấy khai sinh", "tạm trú"), or when it asks which procedure applies, offering 2-4 of
   them; "none" when nothing fits, when the topic belongs elsewhere, or when the message
   is a complaint, a request for a person, a rating or small talk.

The thresholds (``Thresholds``) were tuned on the dev and held-out sets;
``knowledge/evaluation.py`` documents the metrics and ``tests/knowledge/test_evaluation.py``
holds their floors.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process

from knowledge.catalogue import build_catalogue
from knowledge.intents import ROUTED_INTENTS, Reading, read
from knowledge.lexicon import Words
from knowledge.models import Catalogue, Procedure
from knowledge.names import name_forms
from knowledge.normalize import (
    clause_starts,
    fold,
    fold_word,
    has_diacritics,
    is_syllable,
    normalize,
)
from knowledge.synonyms import Elsewhere, Synonyms, load_synonyms

__all__ = [
    "Decision",
    "Match",
    "Matcher",
    "SearchResult",
    "Synonyms",
    "Thresholds",
    "build_matcher",
    "load_synonyms",
]

Decision = Literal["answer", "clarify", "none"]


@dataclass(frozen=True)
class Match:
    code: str
    score: float  # 0..100
    procedure: Procedure


@dataclass(frozen=True)
class SearchResult:
    text: str
    decision: Decision
    matches: tuple[Match, ...]  # ranked; for "clarify" the 2-4 offered first
    intent: str | None
    aspect: str | None
    elsewhere: Elsewhere | None = None  # set when the topic belongs to another agency
    n_offered: int = 0  # for "clarify": how many of ``matches`` to offer as buttons

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    @property
    def offered(self) -> tuple[Match, ...]:
        """The choices of a clarifying question (empty unless decision is "clarify")."""
        return self.matches[: self.n_offered]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.matches)


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs (0..100) for the decision; tuned on the dev set, see evaluation.py."""

    answer: float = 60.0  # the best must reach this to be answered
    coverage: float = 0.75  # ... cover this share of one of its names or aliases
    coverage_far_ahead: float = 0.55  # ... or, for an official name only, this share
    core: float = 0.95  # share of the official name's core a message must state to be "plain"
    far_ahead: float = 25.0  # ... when it leads by this much
    margin: float = 8.0  # ... and lead the second by this much
    related_margin: float = 14.0  # ... or by this much when the two are linked as related
    short_words: int = 3  # a message with at most this many topic words is "short"
    short_related_margin: float = 25.0  # lead a short message needs over any related one
    clarify: float = 38.0  # below this nothing is offered
    explained: float = 0.3  # ... nor when the best explains less of the message than this
    offer_window: float = 15.0  # candidates within this of the best are offered
    despite_elsewhere: float = 80.0  # a message naming another agency's topic needs this
    max_offer: int = 4


# Words that carry no topic. Accented forms; an unaccented typed word counts as a stop
# word only when its folded form is not also the fold of a topic word in the catalogue.
_STOPWORD_TEXT = """
    tôi em anh chị mình bạn admin ạ à ơi nhé nha vậy thế nhỉ hả chứ đó này kia ấy cháu cô chú
    bác ông bà gì nào đâu sao bao nhiêu lâu mấy không chưa có được phải cần muốn hỏi xin làm
    thì là mà và với của cho để khi nếu như rồi giờ bây hay hoặc cũng đã đang sẽ vẫn còn nữa
    luôn ở tại thủ tục các những vâng dạ ừ ok hướng dẫn giúp giùm dùm biết thể nào ai
    đi về ra vào lên xuống trên dưới thôi chỉ mới nhờ cái việc gồm bị thấy nói bảo
    đều cả rất quá lắm hơn nhất sắp lúc hôm nay mai đứa bọn chúng mấy vài luôn liền ngay
    mô răng rứa
    """
_STOPWORDS = frozenset(normalize(_STOPWORD_TEXT).split())
# Words a procedure name starts with or adds that say nothing about its topic.
_NAME_NOISE_RE = re.compile(
    r"\((?:thực hiện )?(?:tại |ở )?cấp (?:xã|huyện|tỉnh|trung ương)\)|^thủ tục\s+", re.IGNORECASE
)
_YEARS_RANGE_RE = re.compile(r"từ (?:đủ )?(\d{1,2}) (?:năm )?đến dưới (\d{1,2}) năm")
_YEARS_MIN_RE = re.compile(r"(?:từ )?(?:đủ )?(\d{1,2}) năm trở lên")
_YEARS_MAX_RE = re.compile(r"dưới (\d{1,2}) năm")
_AGE_WORD_RE = re.compile(r"(\d{1,3})t")  # "14t"
_AGE_MAX_RE = re.compile(r"dưới (\d{1,3}) tuổi")
_AGE_MIN_RE = re.compile(r"(?:từ (?:đủ )?|trên |đủ )(\d{1,3}) tuổi")
_NEWBORN = ("mới sinh", "sơ sinh", "mới đẻ", "vừa sinh")

_SURFACE_WEIGHT = {"alias": 1.0, "plain": 1.0, "name": 0.9, "variant": 0.9, "field": 0.35}
_AGE_BONUS = 1.1  # the age in the message fits the age in the name ("dưới 14 tuổi")
_ACCENT_MISMATCH = 0.45  # weight of a word whose typed accents differ from the catalogue's
_SMALL_NUMBER_WEIGHT = 0.3  # weight of a number below 100 in a message
_CUE_WEIGHT = 0.2  # weight of words spent on an intent/aspect cue ("bao nhiêu tiền")
_FOLK_ORIGINAL = 0.6  # weight kept by the folk phrase itself once its meaning is added
_CONTEXT_WEIGHT = 0.4  # weight of a purpose or reason clause ("để ...", "vì ...")
_KIN_WEIGHT = 0.5  # weight of a word naming a relative ("bố", "vợ", "con gái")
_KIN_TEXT = "bố mẹ ba má cha tía con vợ chồng gái trai nội ngoại"
_KIN = frozenset(fold(_KIN_TEXT).split())
_KIN_VERBS = frozenset({"nhan", "lay", "nuoi", "cuoi"})
_PRONOUN_TEXT = "tôi em mình tui tao chị anh cháu con ta"
_PRONOUNS = frozenset(fold(_PRONOUN_TEXT).split())
# Words that say what to do. A message naming a paper or a status alone ("giấy khai
# sinh", "tạm trú") may want it made, copied or redone; one that says what to do with it
# ("làm giấy khai sinh", "đăng ký tạm trú") asks for the plain procedure.
_ACT_TEXT = """
    đăng ký, làm, xin, cấp, đổi, nhập, chuyển, cắt, tách, xóa, khai báo, báo, gia hạn, sửa,
    mua, chứng thực, công chứng, sang tên, rút, nộp, hưởng, đóng, thay đổi, hòa giải, giải
    quyết, trình báo, kích hoạt, tích hợp, lấy, cưới, nhận, đính chính, cải chính, tạm
    ngừng, chấm dứt, thoát, lập, mở, thành lập, đăng kí, dki, đk
    """
_ACTS = frozenset(fold(a) for a in _ACT_TEXT.split(","))
_CLAUSE_MARKERS = frozenset({"để", "de", "vì", "vi"})
_LEAVE = frozenset({"lai", "trong", "danh", "y", "quen"})
_NEEDS = frozenset({"can", "co", "mang", "theo", "kem"})  # "cần", "có", "mang theo", "kèm"
_NOT = "!"  # prefix of a negated word's term
_NEGATED_WEIGHT = 0.5
# Words between "không"/"chưa" and what is negated, and words that end the scope.
_NEGATION_GLUE = frozenset(
    {"phai", "la", "duoc", "co", "tung", "bao", "gio", "he", "con", "ai", "lam", "thuoc", "the"}
    | {"khong", "chua", "a", "nhe", "nha", "vay", "ha", "chu", "roi", "nua", "biet"}
)
_QUESTION_WORDS = frozenset({"gi", "j", "nao", "sao", "dau", "chi", "ntn", "mo"})
_RESIDENCE_WORDS = frozenset({"tam", "thuong", "cu", "o", "song", "sinh", "lam"})
_CLAUSE_BREAKS = frozenset({"nhung", "gio", "ma", "muon", "thi", "nay", "can", "roi"})
_PAPERS = frozenset({"giay", "so", "the", "ban", "can", "chung", "xac", "ho"})
# How a candidate's score mixes: the share of the message it explains (BM25-like), the
# share of its best name or alias the message covers, and rapidfuzz similarity.
_W_QUERY = 0.45
_W_NAME = 0.30
_W_FUZZ = 0.25
_CANDIDATES = 24  # procedures fully scored per message
_POSTING_BUDGET = 1000  # postings read to gather candidates (see _candidates)
_FUZZ_SURFACES = 8  # names/aliases per candidate compared with rapidfuzz
_COVERS_QUERY = 0.9  # query coverage at which a procedure matches every word of a message
# Words most official names carry whatever the topic ("Đăng ký ...", "Cấp ...", "Giải
# quyết ..."): the core of a name is the rest ("khai sinh", "kết hôn").
_GENERIC_NAME_WORDS = frozenset(
    fold_word(w)
    for w in ("đăng", "ký", "cấp", "giải", "quyết", "thực", "hiện", "việc", "đối", "với", "trường")
)
_ORG_FACTOR = 0.8  # procedures only organisations can file, when a resident asks
# A procedure that re-does something ("đăng ký lại khai sinh", "cấp lại giấy chứng nhận",
# "nay tiếp tục bị tai nạn") is for when the first was lost, broken or redone; a message
# that says nothing of the kind asks for the first time ("đăng ký ca nô" is not "đăng ký
# lại phương tiện").
_REDO_FACTOR = 0.92
_SIBLING_OVERLAP = 0.7  # share of the larger name core two siblings have in common
_REDO_NAME_RE = re.compile(r"\b(?:(?:đăng ký|cấp|làm) lại|tiếp tục bị|tái phát)\b")
_AGAIN = frozenset(
    {"lai", "mat", "hong", "rach", "chay", "hu", "that", "nat", "mo", "sai", "gay", "uot", "tiep"}
    | {"phat"}  # "tái phát"
)
_ORG_NAME_RE = re.compile(
    r"(?:cho|đối với|của) (?:các )?"
    r"(?:cơ quan|tổ chức|doanh nghiệp|hợp tác xã|cơ sở|dự án|nhà đầu tư)|^tổ chức kinh tế"
)
_PERSON_NAME_RE = re.compile(r"cá nhân|hộ gia đình|công dân|người dân|trẻ em|người")
_ORG_QUERY = frozenset(
    {"cơ quan", "tổ chức", "doanh nghiệp", "công ty", "hợp tác xã", "htx", "cơ sở", "dự án"}
)


@dataclass
class _Surface:
    kind: str
    sorted_text: str  # content words, folded and sorted, for rapidfuzz
    terms: frozenset[str]  # unigrams and bigrams
    idf: dict[str, float] = field(default_factory=dict)  # its words -> idf, for coverage
    unigram_idf: float = 0.0  # their summed idf
    factor: float = 1.0  # how far covering it stands for the whole procedure


@dataclass
class _Doc:
    procedure: Procedure
    surfaces: list[_Surface]
    weights: dict[str, float]  # term -> best surface weight
    accented: frozenset[str]  # accented words, for accent-aware scoring
    min_age: int | None = None
    max_age: int | None = None
    age_words: frozenset[str] = frozenset()  # folded words of its age condition
    min_years: int | None = None  # years of service its name asks for ("dưới 15 năm")
    max_years: int | None = None
    core: dict[str, float] = field(default_factory=dict)  # official name's words -> idf
    core_idf: float = 0.0
    for_organisations: bool = False  # only organisations apply (not residents)
    redo: bool = False  # it re-does something ("đăng ký lại", "cấp lại")
    named: list[_Surface] = field(default_factory=list)  # surfaces but the field
    curated: bool = False  # the commune wrote a plain name or aliases for it


@dataclass(frozen=True)
class _Scored:
    doc: int
    score: float
    raw: float  # summed term weights (BM25-like)
    qcov: float  # share of the query's weight the procedure matches
    dcov: float  # share of the best-matching name/alias the query covers
    fz: float  # rapidfuzz similarity to the closest name/alias, 0..1
    evidence: float  # 0..1, low when only a weak word or two matched
    covers_query: bool  # the procedure matches (nearly) every topic word of the message
    core_cov: float = 0.0  # share of its official name's core the message covers


def _similarity(query: str, surface: str) -> float:
    """rapidfuzz similarity of the query's topic words to one name or alias, 0..1.

    Both strings hold their words sorted, so ``ratio`` and ``partial_ratio`` here are
    rapidfuzz's ``token_sort_ratio`` and ``partial_token_sort_ratio`` without re-sorting
    on every call.
    """
    full = fuzz.ratio(query, surface, processor=None)
    part = fuzz.partial_ratio(query, surface, processor=None)
    return (full + part) / 200.0


@dataclass
class _Query:
    terms: dict[str, float] = field(default_factory=dict)  # term -> query weight
    accented: dict[str, set[str]] = field(default_factory=dict)  # word -> accented as typed
    content: list[str] = field(default_factory=list)  # folded content words, for rapidfuzz
    age: int | None = None
    years: int | None = None  # a duration in years ("đi bộ đội 17 năm")
    organisation: bool = False  # the asker speaks for a company, agency or cooperative
    topic_words: int = 0  # distinct words of the message itself that name a topic
    unknown_words: int = 0  # ... of which the catalogue has never heard
    acts: bool = False  # the message says what to do ("làm", "xin", "đăng ký", "nhập")
    again: bool = False  # something is lost, broken or to be redone ("mất", "lại", "hỏng")


def _content(words: Sequence[str]) -> list[str]:
    return [w for w in words if w not in _STOPWORDS]


def _terms(folded: Sequence[str]) -> list[str]:
    """Words and adjacent word pairs ("khai", "sinh", "khai sinh")."""
    return [*folded, *(f"{a} {b}" for a, b in itertools.pairwise(folded))]


class Matcher:
    """An index over one catalogue; ``search`` is cheap, building is done once."""

    def __init__(
        self,
        catalogue: Catalogue,
        synonyms: Synonyms | None = None,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.synonyms = synonyms if synonyms is not None else load_synonyms()
        self.thresholds = thresholds or Thresholds()
        self._docs: list[_Doc] = [self._doc(p) for p in catalogue]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for i, d in enumerate(self._docs):
            for t, w in d.weights.items():
                self._postings.setdefault(t, []).append((i, w))
        n = max(len(self._docs), 1)
        self._idf: dict[str, float] = {
            t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self._postings.items()
        }
        # The idf of a word found in one procedure only: a match needs about this much
        # summed weight (one rare word, or a pair of common ones) to count fully.
        self._idf_max = math.log(1 + (n - 0.5) / 1.5)
        self._idf_unknown = self._idf_max * 0.5
        for d in self._docs:
            for s in d.surfaces:
                s.idf = {t: self._idf[t] for t in s.terms if " " not in t}
                s.unigram_idf = sum(s.idf.values()) or 1.0
                if s.kind == "name":
                    d.core = {t: i for t, i in s.idf.items() if t not in _GENERIC_NAME_WORDS}
                    d.core_idf = sum(d.core.values())
        self._vocab = sorted(
            t for t in self._postings if " " not in t and len(t) >= 2 and t[0] != _NOT
        )
        self._vocab_set = frozenset(self._vocab)
        accented_vocab = {w for d in self._docs for w in d.accented}
        # Unaccented stop words are ambiguous when a topic word folds to the same letters
        # ("ban" could be "bản sao"); those count a little instead of nothing.
        topic_folds = {fold_word(w) for w in accented_vocab if w not in _STOPWORDS}
        self._ambiguous_stop = frozenset(fold_word(w) for w in _STOPWORDS) & topic_folds
        self._stop_folded = frozenset(fold_word(w) for w in _STOPWORDS) - self._ambiguous_stop
        self._corrections: dict[tuple[str, bool], str | None] = {}
        self._siblings: dict[tuple[int, int], bool] = {}

    # -- index -------------------------------------------------------------------------

    def _doc(self, p: Procedure) -> _Doc:
        texts: list[tuple[str, str, float]] = [("name", _NAME_NOISE_RE.sub(" ", p.name), 1.0)]
        texts.extend(("variant", form, factor) for form, factor in name_forms(p.name))
        if p.plain_name:
            texts.append(("plain", p.plain_name, 1.0))
        texts.extend(("alias", a, 1.0) for a in p.aliases)
        if p.field:
            texts.append(("field", p.field, 1.0))
        surfaces: list[_Surface] = []
        weights: dict[str, float] = {}
        accented: set[str] = set()
        for kind, text, factor in texts:
            all_words = self.synonyms.expand_abbreviations(Words.of(text))
            content = _content(all_words.words)
            if not content:
                continue
            if kind != "field":
                for t in _negated(all_words.folded):
                    weights[t] = max(weights.get(t, 0.0), _SURFACE_WEIGHT[kind])
            accented.update(content)
            folded = [str(int(f)) if f.isdecimal() else f for f in map(fold_word, content)]
            terms = frozenset(_terms(folded))
            sorted_text = " ".join(sorted(folded))
            if any(x.sorted_text == sorted_text and x.factor >= factor for x in surfaces):
                continue  # a short form equal to the name (or an alias) as a bag of words
            surfaces.append(_Surface(kind, sorted_text, terms, factor=factor))
            w = _SURFACE_WEIGHT[kind]
            for t in terms:
                if weights.get(t, 0.0) < w:
                    weights[t] = w
        name_n = normalize(" ".join(t for k, t, _ in texts if k in ("name", "plain")))
        official = normalize(p.name)
        for_orgs = bool(_ORG_NAME_RE.search(official)) and not _PERSON_NAME_RE.search(official)
        max_age = min((int(m) - 1 for m in _AGE_MAX_RE.findall(name_n)), default=None)
        min_age = max((int(m) for m in _AGE_MIN_RE.findall(name_n)), default=None)
        min_years, max_years = _service_years(official)
        age_words = frozenset(
            fold_word(w)
            for m in (*_AGE_MAX_RE.finditer(name_n), *_AGE_MIN_RE.finditer(name_n))
            for w in [*m.group(0).split(), "trở", "lên"]
        )
        return _Doc(
            p,
            surfaces,
            weights,
            frozenset(accented),
            min_age=min_age,
            max_age=max_age,
            age_words=age_words,
            min_years=min_years,
            max_years=max_years,
            for_organisations=for_orgs,
            redo=bool(_REDO_NAME_RE.search(official)),
            named=[s for s in surfaces if s.kind != "field"],
            curated=bool(p.plain_name or p.aliases),
        )

    # -- query -------------------------------------------------------------------------

    def _correct(self, token: str, accented: bool) -> str | None:
        """The index word a mistyped word most likely is, or None.

        A word typed with accents is a real word far more often than a typo, so it needs
        a closer match.
        """
        key = (token, accented)
        if key in self._corrections:
            return self._corrections[key]
        fixed: str | None = None
        if len(token) >= 4 and not token.isdecimal():
            cutoff = 90.0 if accented else 84.0
            hit = process.extractOne(token, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
            if hit is not None:
                fixed = hit[0]
        self._corrections[key] = fixed
        return fixed

    def _is_stop(self, word: str, folded: str) -> float:
        """0 for a topic word, 1 for a stop word, in between for an ambiguous one."""
        if not has_diacritics(word):
            # Typed without accents, "bao" may be "báo" (khai báo), "sao" "bản sao", "nha"
            # "nhà": the folded form decides, as for any unaccented word.
            if folded in self._stop_folded:
                return 1.0
            if folded in self._ambiguous_stop:
                return 0.7
        elif word in _STOPWORDS:
            return 1.0
        return 0.0

    def _straddles(self, folded: Sequence[str], start: int, end: int) -> bool:
        """Is words[start:end] the tail of one compound and the head of another?

        "giấy chứng nhận nuôi trồng thủy sản" contains "nhận nuôi" (adopt), but "chứng
        nhận" and "nuôi trồng" are the words meant; a folk phrase read across them is not.
        """
        before = start > 0 and f"{folded[start - 1]} {folded[start]}" in self._idf
        after = end < len(folded) and f"{folded[end - 1]} {folded[end]}" in self._idf
        return before and after

    def _forms_pair(self, folded: Sequence[str], i: int) -> bool:
        """Does word i make a word pair of the index with a neighbour?"""
        before = i > 0 and f"{folded[i - 1]} {folded[i]}" in self._idf
        after = i + 1 < len(folded) and f"{folded[i]} {folded[i + 1]}" in self._idf
        return before or after

    def _add_sequence(
        self,
        q: _Query,
        words: Sequence[str],
        weights: Sequence[float],
        cues: frozenset[int] = frozenset(),
    ) -> set[str]:
        """Add a run of words (and their adjacent pairs) to the query.

        Returns the distinct topic words among them (not stop words, not ``cues``).
        """
        topic: set[str] = set()
        kept: list[tuple[str, str, float]] = []
        stops = [self._is_stop(w, fold_word(w)) for w in words]
        # Neighbours once the stop words are gone ("căn cước cho con" -> "cuoc con").
        live = [i for i, stop in enumerate(stops) if stop < 1.0]
        folded = [fold_word(words[i]) for i in live]
        for k, i in enumerate(live):
            w, wt, stop = words[i], weights[i], stops[i]
            f = folded[k]
            if 0.0 < stop < 1.0 and self._forms_pair(folded, k):
                stop = 0.0  # "dang ky" is "đăng ký", not "đang"
            if wt <= 0:
                continue
            if f.isdecimal():
                f = w = str(int(f))  # "02" and "2" are the same number
                if int(f) < 100:
                    # A count or a size ("3 tầng", "2 tháng") is a detail of the story; a
                    # decision's number ("quyết định 290") names a procedure.
                    wt *= _SMALL_NUMBER_WEIGHT
            elif f not in self._vocab_set and wt >= 1.0 and not is_syllable(f):
                # A well-spelt word the catalogue lacks ("chim") is a real word, not a typo.
                fixed = self._correct(f, has_diacritics(w))
                if fixed is not None:
                    f = fixed
                    w = f  # the typed accents no longer apply
            if stop < 0.5 and i not in cues:
                topic.add(f)
            kept.append((w, f, wt * (1.0 - stop)))
        for w, f, wt in kept:
            q.content.append(f)
            if q.terms.get(f, 0.0) < wt:
                q.terms[f] = wt
            if has_diacritics(w):
                q.accented.setdefault(f, set()).add(w)
        for (_, f1, a), (_, f2, b) in itertools.pairwise(kept):
            t = f"{f1} {f2}"
            wt = min(a, b)
            if t not in self._idf and wt >= 0.5:  # not with a stop word ("hộ cho")
                t = self._regional_pair(f1, f2) or t
                if t not in q.terms and t in self._idf:
                    for f in t.split():  # "tạm chú" read as "tạm trú"
                        q.terms[f] = max(q.terms.get(f, 0.0), wt)
            if q.terms.get(t, 0.0) < wt:
                q.terms[t] = wt
        return topic

    def _regional_pair(self, f1: str, f2: str) -> str | None:
        """The index's word pair a regionally misspelt one stands for, if exactly one.

        Many residents write as they speak: "tạm chú" (trú), "xổ đỏ" (sổ), "giấy dờ"
        (giấy tờ). Swapping the consonants that merge in speech finds the pair meant.
        """
        found = {
            f"{a} {b}"
            for a in _regional_spellings(f1)
            for b in _regional_spellings(f2)
            if (a, b) != (f1, f2) and f"{a} {b}" in self._idf
        }
        return found.pop() if len(found) == 1 else None

    def _context_clause(
        self, words: Words, cues: frozenset[int], breaks: frozenset[int] = frozenset()
    ) -> set[int]:
        """Positions of a purpose or reason clause that follows the topic.

        "xin trích lục khai tử của bố để làm thủ tục thừa kế", "tạm ngừng kinh doanh 6
        tháng để sửa nhà", "xin lại bản sao vì bản cũ bị mất": what comes after "để" or
        "vì" says why, not what; it still counts, for less. A marker right after a cue
        ("cần giấy tờ gì để khai tử") introduces the topic itself and is left alone.
        """
        n = len(words)
        fw = words.folded
        for i, w in enumerate(words.words):
            if i + 1 >= n:
                break
            if fw[i] == "sau" and fw[i + 1] == "khi":
                pass  # "tách hộ sau khi cưới vợ": when, not what
            elif w in _CLAUSE_MARKERS:
                if f"{fw[i]} {fw[i + 1]}" in self._idf:
                    continue  # "đề nghị", "vi phạm"
                if fw[i + 1] in _LEAVE:
                    continue  # "để lại", "để trống": the verb "leave", not "in order to"
            elif w in ("cần", "can", "mang", "kèm") or (
                w in ("có", "co") and i > 0 and fw[i - 1] in ("phai", "can")
            ):
                # "đăng ký kết hôn cần giấy độc thân không": the paper asked about belongs
                # to the procedure named before it.
                nxt = fw[i + 1] if fw[i + 1] not in _NEEDS or i + 2 >= n else fw[i + 2]
                if nxt not in _PAPERS:
                    continue
            else:
                continue
            # A topic must come first, and the marker must not follow a question word
            # ("cần giấy tờ gì để khai tử" asks what khai tử needs).
            if any(fw[j] in _QUESTION_WORDS for j in range(max(0, i - 2), i)):
                continue
            if any(j not in cues and self._is_stop(words.words[j], fw[j]) < 0.5 for j in range(i)):
                end = next((k for k in range(i + 1, n) if fw[k] == "thi" or k in breaks), n)
                return set(range(i + 1, end))
        return set()

    def _query(
        self, words: Words, reading: Reading, breaks: frozenset[int] = frozenset()
    ) -> _Query:
        q = _Query()
        folk = [
            h
            for h in self.synonyms.find_folk(words)
            if not all(i in reading.cue_positions for i in range(h.start, h.end))
            and not (h.end - h.start <= 2 and self._straddles(words.folded, h.start, h.end))
        ]
        in_folk = {i for h in folk for i in range(h.start, h.end)}
        # A small-talk cue that makes a pair of the index with its neighbour is a topic
        # word: "khai bao tam vang" is no "vâng".
        social = {i for i in reading.social_positions if self._forms_pair(words.folded, i)}
        cues = reading.cue_positions - social
        context = (
            self._context_clause(words, cues, breaks)
            | _already_held(words, breaks)
            | _where_described(words)
        )
        q.age, age_words = _query_age(words)
        q.years = _query_years(words)
        kin = _kin_positions(words)
        base = []
        for i in range(len(words)):
            wt = 1.0
            if i in age_words:
                wt = 0.0
            elif i in cues:
                wt = _CUE_WEIGHT
            elif i in kin:
                wt = _KIN_WEIGHT
            if i in context:
                wt *= _CONTEXT_WEIGHT
            base.append(wt)
        weights = [wt * _FOLK_ORIGINAL if i in in_folk else wt for i, wt in enumerate(base)]
        topic = self._add_sequence(q, words.words, weights, cues)
        q.topic_words = len(topic)
        q.acts = bool(set(words.folded) & _ACTS) or any(
            f"{a} {b}" in _ACTS for a, b in itertools.pairwise(words.folded)
        )
        q.unknown_words = sum(1 for f in topic if f not in self._vocab_set and not f.isdecimal())
        q.again = bool(set(words.folded) & _AGAIN)
        for t in _negated(words.folded, breaks):
            q.terms[t] = max(q.terms.get(t, 0.0), _NEGATED_WEIGHT)
        for h in folk:
            # The official wording weighs what the folk phrase itself weighed: "bố" read
            # as "cha" is still a relative, "để sửa nhà" still a purpose.
            means = h.value.means.split()
            wt = max(base[h.start : h.end])
            self._add_sequence(q, means, [wt] * len(means))
        q.organisation = any(o in words.text for o in _ORG_QUERY)
        return q

    # -- scoring -----------------------------------------------------------------------

    def _candidates(self, q: _Query) -> list[_Scored]:
        known: list[tuple[str, float, frozenset[str] | None]] = []
        total = 0.0
        for t, qw in q.terms.items():
            idf = self._idf.get(t)
            if idf is None:
                if " " not in t:
                    total += self._idf_unknown * qw
                continue
            total += idf * qw
            as_typed = q.accented.get(t) if " " not in t else None
            known.append((t, idf * qw, frozenset(as_typed) if as_typed else None))
        if not known or total <= 0:
            return []
        # Gather candidates from the rarest terms first, within a budget of postings:
        # the common words ("đăng ký", "cấp") only re-rank docs a rarer word brought in.
        known.sort(key=lambda k: -self._idf[k[0]])
        pool: dict[int, float] = {}
        used = 0
        get = pool.get
        for t, iw, _ in known:
            postings = self._postings[t]
            if pool and used + len(postings) > _POSTING_BUDGET:
                break
            used += len(postings)
            for di, w in postings:
                pool[di] = get(di, 0.0) + iw * w
        shortlist = heapq.nlargest(_CANDIDATES * 2, pool, key=pool.__getitem__)
        by_term = {t: (iw, typed) for t, iw, typed in known}
        scored: list[tuple[float, int]] = []
        for di in shortlist:
            d = self._docs[di]
            raw = 0.0
            for t in d.weights.keys() & by_term.keys():
                iw, typed = by_term[t]
                w = d.weights[t]
                if typed is not None and typed.isdisjoint(d.accented):
                    w *= _ACCENT_MISMATCH
                raw += iw * w
            scored.append((raw, di))
        scored.sort(reverse=True)
        top = [(di, raw) for raw, di in scored[:_CANDIDATES]]
        # Cue words ("mất bao lâu") and folk phrases already translated take no part in
        # the fuzzy comparison or the coverage of a name: only the topic does.
        q_words = sorted({f for f in q.content if q.terms.get(f, 0.0) >= 0.5})
        q_sorted = " ".join(q_words)
        q_uni = {t: min(w, 1.0) for t, w in q.terms.items() if " " not in t}
        out: list[_Scored] = []
        for di, raw in top:
            d = self._docs[di]
            qcov = min(raw / total, 1.0)
            age = _age_factor(q.age, d) * _years_factor(q.years, d)
            # A message that gives an age meeting the name's condition ("con 5 tuổi" for
            # "dưới 14 tuổi") has said everything that condition asks.
            have = q_uni if age <= 1.0 else {**q_uni, **dict.fromkeys(d.age_words, 1.0)}
            dcov = 0.0
            fz = 0.0
            covered: list[tuple[float, str]] = []
            for s in d.named:
                shared = s.idf.keys() & have.keys()
                if not shared:
                    continue  # a name sharing no word with the message scores nothing here
                got = sum(s.idf[t] * have[t] for t in shared)
                covered.append((got / s.unigram_idf * s.factor, s.sorted_text))
            if covered:
                covered.sort(reverse=True)
                dcov = covered[0][0]
                # rapidfuzz on the best-covered names only: the others cannot win.
                fz = max(_similarity(q_sorted, text) for _, text in covered[:_FUZZ_SURFACES])
            evidence = min(1.0, raw / self._idf_max) ** 0.5
            if age > 1.0 and dcov < 0.75:
                age = 1.0  # an age confirms a match; it does not make one
            audience = 1.0 if q.organisation or not d.for_organisations else _ORG_FACTOR
            if d.redo and not q.again:
                audience *= _REDO_FACTOR
            score = 100.0 * (_W_QUERY * qcov + _W_NAME * dcov + _W_FUZZ * fz) * evidence
            score = round(min(100.0, score * age * audience), 6)
            core = sum(d.core[t] * have[t] for t in d.core.keys() & have.keys())
            # Rounded: sums over sets add up in hash order, and two names whose cores are
            # both fully stated must compare equal on every run.
            core_cov = round(core / d.core_idf, 6) if d.core_idf else 0.0
            out.append(
                _Scored(di, score, raw, qcov, dcov, fz, evidence, qcov >= _COVERS_QUERY, core_cov)
            )
        # Equal scores: the procedure with the shorter name first (a sibling that adds a
        # condition the message did not state comes after the plain one).
        out.sort(key=lambda x: (-x.score, self._docs[x.doc].core_idf))
        return out

    # -- decision ----------------------------------------------------------------------

    def search(self, text: str) -> SearchResult:
        words, sources = self.synonyms.expand_with_sources(Words.of(text))
        starts = clause_starts(text)
        breaks = frozenset(
            i for i in range(1, len(words)) if sources[i] != sources[i - 1] and sources[i] in starts
        )
        reading = read(words, text)
        social = reading.intent if reading.intent not in ROUTED_INTENTS else None
        if not words.words:
            intent = reading.intent or ("smalltalk" if text.strip() else None)
            return SearchResult(text, "none", (), intent, None)
        if reading.intent in ROUTED_INTENTS and reading.strong:
            return SearchResult(text, "none", (), reading.intent, None)
        away = self.synonyms.elsewhere_hit(words, reading.cue_positions)
        background = self._context_clause(words, reading.cue_positions, breaks)
        if away is not None and min(away[1]) > 0 and words.folded[min(away[1]) - 1] == "da":
            background |= away[1]  # "đã ly hôn", "đã làm hộ chiếu": done, the story goes on
        if away is not None and away[1] <= background:
            # Another agency's topic named only as the purpose or background ("xin xác
            # nhận cư trú để làm hộ chiếu", "đổi họ cho con sau khi ly hôn"): the commune
            # procedure asked for is what counts.
            away = None
        elsewhere = away[0] if away else None
        if away is not None:
            # The words naming another agency's topic ("hộ chiếu", "sổ tiết kiệm") say
            # nothing about a commune procedure; what is left may still name one.
            reading = replace(reading, cue_positions=reading.cue_positions | away[1])
        q = self._query(words, reading, breaks)
        ranked = self._candidates(q) if q.terms else []
        matches = tuple(
            Match(self._docs[c.doc].procedure.code, round(c.score, 1), self._docs[c.doc].procedure)
            for c in ranked
        )
        th = self.thresholds
        if q.topic_words == 0 and elsewhere is None:
            # Only cue words ("mất bao lâu?", "ở đâu ạ"): a follow-up about the procedure
            # already under discussion, or nothing to search for.
            return SearchResult(text, "none", (), reading.intent, reading.aspect)
        # Only a commune procedure named outright besides the other agency's topic ("xin
        # xác nhận số CMND cũ để làm sổ tiết kiệm") is answered.
        if elsewhere is not None and not (
            matches
            and matches[0].score >= th.despite_elsewhere
            and self._confident(ranked, matches, q, reading.asks_which)
        ):
            return SearchResult(text, "none", matches[:3], None, reading.aspect, elsewhere)
        if not matches or matches[0].score < th.clarify:
            if reading.intent is not None:
                return SearchResult(text, "none", (), reading.intent, None)
            return SearchResult(text, "none", matches[:3], None, reading.aspect)
        best = matches[0]
        unexplained = 2 * q.unknown_words >= q.topic_words or ranked[0].qcov < th.explained
        if unexplained and ranked[0].dcov < th.coverage:
            # Most of what the message is about ("nuôi chim cảnh") is unknown to the
            # catalogue or fits no procedure, and no name fits: a guess would mislead.
            return SearchResult(text, "none", matches[:3], reading.intent, reading.aspect)
        if social is not None and (
            q.topic_words == 0 or (q.topic_words <= 2 and best.score < th.answer)
        ):
            # "chào ad", "cảm ơn nhiều nha": small talk that brushes a word or two of a name.
            return SearchResult(text, "none", (), social, None)
        if self._confident(ranked, matches, q, reading.asks_which):
            return SearchResult(text, "answer", matches, social, reading.aspect)
        if reading.intent in ROUTED_INTENTS and best.score < th.answer and not reading.asks_how:
            # A weakly cued complaint ("đường ... hỏng") that only brushes some procedure
            # names goes to its own flow rather than to a question about procedures.
            return SearchResult(text, "none", (), reading.intent, None)
        offered = self._offer(ranked, matches, wide=reading.asks_which)
        rest = tuple(m for m in matches if m not in offered)
        return SearchResult(
            text, "clarify", (*offered, *rest), social, reading.aspect, n_offered=len(offered)
        )

    def _confident(
        self,
        ranked: Sequence[_Scored],
        matches: Sequence[Match],
        q: _Query,
        asks_which: bool = False,
    ) -> bool:
        """Does the best procedure clearly win?

        It must score well, cover one of its names or aliases almost whole (so "làm hộ
        chiếu" does not answer "trình báo mất hộ chiếu"), and lead the runner-up. A
        look-alike (linked as ``related``, or a sibling by name) must be left further
        behind, and for a short message ("đăng ký xe", "nhận con") any look-alike near the
        top counts, since two or three words cannot tell them apart. A resident who asks
        which procedure applies ("phải khai báo gì", "làm giấy tờ cho con") gets choices.
        None of the look-alike rules holds when the message says what to do and states the
        whole core of the best one's official name ("đăng ký kết hôn" for "Thủ tục đăng
        ký kết hôn") and the look-alike adds to it; a paper or status named alone ("giấy
        khai sinh", "tạm trú") says neither.
        """
        th = self.thresholds
        best = matches[0]
        lead = best.score - matches[1].score if len(matches) > 1 else best.score
        plain = ranked[0].core_cov >= th.core and q.acts and not asks_which
        if best.score < th.answer or asks_which:
            return False  # ... and a resident asking which procedure applies gets choices
        sibling = len(matches) > 1 and self._related(ranked[0].doc, ranked[1].doc)
        extends = sibling and plain and ranked[1].core_cov < ranked[0].core_cov
        if lead < th.margin and not extends:
            return False
        dcov = ranked[0].dcov
        # An official name alone is long ("... phổ thông (thực hiện tại cấp xã)") and
        # residents never say all of it; one the commune wrote aliases for must be met.
        lenient = not self._docs[ranked[0].doc].curated and lead >= th.far_ahead
        if dcov < (th.coverage_far_ahead if lenient else th.coverage):
            return False
        short = q.topic_words <= th.short_words
        for i, m in enumerate(matches[1 : th.max_offer + 2], start=1):
            if not self._related(ranked[0].doc, ranked[i].doc):
                continue
            if plain and ranked[i].core_cov < ranked[0].core_cov:
                # "khai sinh" is the core of "Đăng ký khai sinh"; "đăng ký lại khai sinh"
                # or "bản sao giấy khai sinh" add a condition the message did not state.
                continue
            if i == 1 and best.score - m.score < th.related_margin:
                return False
            # Two or three words ("đăng ký xe", "nhận con") that fit a related procedure as
            # fully as the best cannot tell them apart.
            close = best.score - m.score < th.short_related_margin
            if close and (asks_which or (short and ranked[i].covers_query)):
                return False
        return True

    def _related(self, a: int, b: int) -> bool:
        """Linked as ``related`` in the catalogue, or siblings by their official names.

        Siblings share a field and nearly all the words of their names' core ("đăng ký
        việc nuôi con nuôi" / "đăng ký lại việc nuôi con nuôi"; "... TNLĐ lần đầu" / "...
        nay tiếp tục bị TNLĐ"): a procedure imported without ``related`` links still has
        look-alikes a short message cannot tell apart.
        """
        da, db = self._docs[a], self._docs[b]
        if _related(da.procedure, db.procedure):
            return True
        key = (a, b) if a < b else (b, a)
        hit = self._siblings.get(key)
        if hit is None:
            hit = da.procedure.field == db.procedure.field and bool(da.core) and bool(db.core)
            if hit:
                shared = sum(da.core[t] for t in da.core.keys() & db.core.keys())
                hit = shared >= _SIBLING_OVERLAP * max(da.core_idf, db.core_idf)
            self._siblings[key] = hit
        return hit

    def _offer(
        self, ranked: Sequence[_Scored], matches: Sequence[Match], wide: bool = False
    ) -> list[Match]:
        """The 2-4 choices of a clarifying question: the close ones, then related ones.

        ``wide``: the resident asked which procedure applies, so farther ones are offered.
        """
        th = self.thresholds
        best = matches[0]
        window = th.offer_window * (1.7 if wide else 1.0)
        offered = [m for m in matches[: th.max_offer] if m.score >= best.score - window]
        for code in best.procedure.related:
            if len(offered) >= th.max_offer:
                break
            m = next((m for m in matches if m.code == code), None)
            if m is not None and m not in offered and m.score >= th.clarify:
                offered.append(m)
        # Siblings by name among the next few ("đăng ký lại việc nuôi con nuôi").
        for i in range(1, min(len(ranked), 2 * th.max_offer)):
            if len(offered) >= th.max_offer:
                break
            m = matches[i]
            if (
                m not in offered
                and m.score >= th.clarify
                and self._related(ranked[0].doc, ranked[i].doc)
            ):
                offered.append(m)
        if len(offered) < 2 and len(matches) > 1 and matches[1] not in offered:
            offered.append(matches[1])
        return offered


# Consonants that many regional accents merge, as folded spellings.
_ONSET_SWAPS = (("tr", "ch"), ("ch", "tr"), ("s", "x"), ("x", "s"), ("d", "gi"), ("gi", "d"),
                ("r", "d"), ("d", "r"), ("r", "g"), ("l", "n"), ("n", "l"), ("v", "d"))  # fmt: skip
_FINAL_SWAPS = (("n", "ng"), ("ng", "n"), ("t", "c"), ("c", "t"))


@lru_cache(maxsize=4096)
def _regional_spellings(f: str) -> tuple[str, ...]:
    """A folded word and its spellings with merged consonants swapped, one at a time."""
    out = [f]
    for a, b in _ONSET_SWAPS:
        # "nh", "ng", "gh", "gi" are letters of their own, not "n", "g" + something.
        whole = a == "gi" or f[len(a) : len(a) + 1] not in ("h", "g", "i")
        if f.startswith(a) and whole:
            out.append(b + f[len(a) :])
    for a, b in _FINAL_SWAPS:
        if f.endswith(a) and len(f) > len(a) and not f.endswith(("nh", "ch") if a in "nc" else "_"):
            out.append(f[: -len(a)] + b)
    return tuple(dict.fromkeys(out))


def _related(a: Procedure, b: Procedure) -> bool:
    return b.code in a.related or a.code in b.related


def _negated(folded: Sequence[str], breaks: frozenset[int] = frozenset()) -> set[str]:
    """Words said not to hold, as terms of their own: "!cong", "!tac", "!vien".

    "người dịch không phải cộng tác viên" and the name "... người dịch không phải là cộng
    tác viên" share the negated words; a name that says "cộng tác viên" plainly does not.
    The scope is the few topic words after "không" or "chưa" (stop words skipped: "không
    phải là", "chưa được"), within the clause.
    """
    out: set[str] = set()
    n = len(folded)
    for i, f in enumerate(folded):
        if f not in ("khong", "chua"):
            continue
        j = i + 1
        while j < n and j not in breaks and folded[j] in _NEGATION_GLUE:
            j += 1
        k = j
        while k < n and k - j < 3 and k not in breaks and folded[k] not in _NEGATION_GLUE:
            out.add(_NOT + folded[k])
            k += 1
    return out


def _already_held(words: Words, breaks: frozenset[int] = frozenset()) -> set[int]:
    """The paper a resident says they already hold: "con đã có giấy khai sinh nhưng ...".

    What is already done is background; the question is about what comes next ("...
    nhưng để trống tên cha, giờ bố muốn nhận con"; "đã có giấy phép xây dựng, muốn điều
    chỉnh thiết kế").
    """
    fw = words.folded
    n = len(fw)
    for i in range(n - 2):
        if fw[i] == "da" and fw[i + 1] == "co" and fw[i + 2] in _PAPERS:
            end = next((k for k in range(i + 2, n) if fw[k] in _CLAUSE_BREAKS or k in breaks), n)
            return set(range(i + 2, min(end, i + 8)))
    return set()


def _where_described(words: Words) -> set[int]:
    """Words that say where, not what: "nộp ở xã nơi bố mẹ tạm trú", "chỗ đang ở".

    "nơi tạm trú" in a question about birth registration names the place to file, not
    the temporary-residence procedure.
    """
    fw = words.folded
    out: set[int] = set()
    for i, f in enumerate(fw[:-1]):
        if f in ("noi", "cho") and words.words[i] in ("nơi", "noi", "chỗ"):
            j = i + 1
            while j < len(fw) and j - i <= 4 and fw[j] in _KIN | _PRONOUNS | {"dang", "minh"}:
                j += 1  # "nơi bố mẹ tạm trú", "chỗ em đang ở"
            if j < len(fw) and fw[j] in _RESIDENCE_WORDS:
                out.update(range(i, min(j + 2, len(fw))))
    return out


def _kin_positions(words: Words) -> set[int]:
    """Words that say whose affair it is, not what it is: "bố mẹ", "vợ", "nhà tôi".

    Stories name relatives everywhere ("nộp ở xã nơi bố mẹ tạm trú", "chị gái mất"); a
    relative is rarely what tells two procedures apart, and when it is ("nhận cha con",
    "lấy vợ") the word next to it carries the difference.
    """
    fw = words.folded
    out = {
        i
        for i, f in enumerate(fw)
        if f in _KIN
        # ... unless the relative is what is done: "nhận con", "lấy vợ", "con nuôi"
        and not (i > 0 and fw[i - 1] in _KIN_VERBS)
        and not (i + 1 < len(fw) and fw[i + 1] == "nuoi")
    }
    for i, f in enumerate(fw[:-1]):
        if f == "nha" and fw[i + 1] in _PRONOUNS:
            out.add(i)  # "nhà tôi" is the family, not a house
    return out


def _query_age(words: Words) -> tuple[int | None, set[int]]:
    """The age the message gives, and the positions of the words that gave it.

    "con 5 tuổi", "dưới 14t", "mới sinh"; a school grade gives an age too ("sắp vào lớp
    1": about 6). The words of an explicit age ("5 tuổi") are the age, not a topic: the
    age is checked against ages in the names instead (``_age_factor``).
    """
    text = words.text
    if any(p in text for p in _NEWBORN):
        return 0, set()
    fw = words.folded
    for i, f in enumerate(fw):
        m = _AGE_WORD_RE.fullmatch(f)
        if m is not None:
            n, used = int(m.group(1)), {i}
        elif f.isdecimal() and i + 1 < len(fw) and fw[i + 1] in ("tuoi", "t"):
            n, used = int(f), {i, i + 1}
        else:
            continue
        if n > 120:
            continue
        qualifier = fw[i - 1] if i > 0 else ""
        if qualifier in ("duoi", "tren", "du"):
            used.add(i - 1)
        if qualifier == "duoi":
            return max(n - 1, 0), used
        if qualifier == "tren":
            return n + 1, used
        return n, used
    for i, f in enumerate(fw[:-1]):
        if f == "lop" and fw[i + 1].isdecimal() and 1 <= int(fw[i + 1]) <= 12:
            return int(fw[i + 1]) + 5, set()  # first grade at six
    if "mau giao" in " ".join(fw) or "mam non" in " ".join(fw):
        return 4, set()
    return None, set()


def _service_years(official: str) -> tuple[int | None, int | None]:
    """The years of service an official name asks for, as (at least, at most).

    "có từ đủ 15 đến dưới 20 năm công tác", "có dưới 15 năm", "có 20 năm trở lên": the
    Defence procedures for veterans differ by them alone.
    """
    m = _YEARS_RANGE_RE.search(official)
    if m is not None:
        return int(m.group(1)), int(m.group(2)) - 1
    low = _YEARS_MIN_RE.search(official)
    high = _YEARS_MAX_RE.search(official)
    return (int(low.group(1)) if low else None), (int(high.group(1)) - 1 if high else None)


def _query_years(words: Words) -> int | None:
    """A duration in years the message gives ("đi bộ đội chống Mỹ 17 năm")."""
    fw = words.folded
    for i, f in enumerate(fw[:-1]):
        if f.isdecimal() and fw[i + 1] == "nam" and 1 <= int(f) <= 60:
            return int(f)
    return None


def _years_factor(years: int | None, d: _Doc) -> float:
    if years is None or (d.min_years is None and d.max_years is None):
        return 1.0
    if d.min_years is not None and years < d.min_years:
        return 0.6
    if d.max_years is not None and years > d.max_years:
        return 0.6
    return _AGE_BONUS


def _age_factor(age: int | None, d: _Doc) -> float:
    if age is None or (d.min_age is None and d.max_age is None):
        return 1.0
    if d.min_age is not None and age < d.min_age:
        return 0.6
    if d.max_age is not None and age > d.max_age:
        return 0.6
    return _AGE_BONUS


def build_matcher(paths: Iterable[Path] = (), synonyms: Path | None = None) -> Matcher:
    """A matcher over the shipped catalogue merged with the given imported files."""
    catalogue, _ = build_catalogue(list(paths))
    return Matcher(catalogue, load_synonyms(synonyms))
