"""Inputs of the official documents: decisions, their annex rows and certificates (paperwork layer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from common.errors import ValidationFailed

AmendmentKind = Literal["correction", "revocation"]
PaperSize = Literal["A4", "A5"]

# The noun a title recognises and the heading of the annex's name column, for the standard wording.
SUBJECT_WORDING = {
    "Gia đình học tập": ("hộ gia đình", "Họ và tên chủ hộ"),
    "Dòng họ học tập": ("dòng họ", "Dòng họ (trưởng họ)"),
    "Cộng đồng học tập cấp thôn": ("thôn, tổ dân phố", "Tên thôn, tổ dân phố"),
    "Đơn vị học tập": ("đơn vị", "Tên đơn vị"),
    "Công dân học tập": ("công dân", "Họ và tên"),
}


class PaperworkInvalid(ValidationFailed):
    """The document cannot be drawn up as given (no number, an empty list, a date before its subject)."""

    code = "paperwork_invalid"

    def __init__(self, field_name: str, message_vi: str, message_en: str) -> None:
        super().__init__(
            message_vi, message_en, errors={field_name: [message_vi]}, errors_en={field_name: [message_en]}
        )


@dataclass(frozen=True)
class Signature:
    """The signature block: capacity ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH" or ""), title and name."""

    title: str
    name: str
    capacity: str = ""


@dataclass(frozen=True)
class AnnexRow:
    """One recognised subject in the annex; rows are grouped by `village` in first-seen order."""

    name: str
    village: str
    address: str = ""
    note: str = ""


@dataclass(frozen=True)
class Amendment:
    """What a new decision corrects or revokes: the earlier decision, the reason and the changes.

    A correction lists its changes (one line each) and, in the annex, the rows as corrected; a
    revocation lists, in the annex, the subjects whose recognition it withdraws, or withdraws the
    whole earlier decision when the annex is empty. Documents are never edited: a fix is a new decision.
    """

    kind: AmendmentKind
    earlier_number: int
    earlier_symbol: str
    earlier_date: dt.date
    reason: str = ""
    changes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("correction", "revocation"):
            raise PaperworkInvalid(
                "amends.kind", "Loại quyết định sửa đổi không hợp lệ.", "kind is correction or revocation"
            )
        if self.earlier_number < 1:
            raise PaperworkInvalid("amends.earlier_number", "Số quyết định phải từ 1.", "a number is >= 1")
        if self.kind == "correction" and not self.changes:
            raise PaperworkInvalid(
                "amends.changes",
                "Quyết định sửa đổi phải nêu nội dung sửa đổi.",
                "a correction lists its changes",
            )


@dataclass(frozen=True)
class DecisionDocument:
    """A decision (Quyết định) of recognition, or one correcting or revoking an earlier decision.

    `issuing_body` may hold "\\n" where its name breaks; "ỦY BAN NHÂN DÂN ..." breaks after
    "ỦY BAN NHÂN DÂN" by itself. Empty `articles` means the standard article set for the kind.
    `legal_bases` are the lines as said ("Căn cứ ..."), `proposal` who proposed it ("Trưởng ban ...",
    for "Theo đề nghị của ..."); the punctuation (";" after each, "." after the last) is added.
    """

    issuing_body: str
    number: int
    symbol: str
    place: str
    date: dt.date
    title: str
    year: int
    authority: str
    legal_bases: tuple[str, ...]
    signature: Signature
    annex: tuple[AnnexRow, ...] = ()
    articles: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ("Như Điều 3", "Lưu: VT")
    parent_body: str = ""
    issuer_reference: str = ""
    subject_noun: str = ""
    name_header: str = ""
    executors: str = ""
    subject: str = ""
    amends: Amendment | None = None
    proposal: str = ""

    def __post_init__(self) -> None:
        _check_number("number", self.number)
        _check_year(self.year, self.date)
        if not self.articles and self.amends is None and not self.annex:
            raise PaperworkInvalid(
                "annex",
                "Quyết định công nhận phải có danh sách kèm theo.",
                "a decision of recognition with the standard articles needs annex rows",
            )
        if self.amends is not None and self.amends.earlier_date > self.date:
            raise PaperworkInvalid(
                "amends.earlier_date",
                "Quyết định được sửa đổi phải ban hành trước quyết định này.",
                "the amended decision must predate this one",
            )

    @property
    def noun(self) -> str:
        """The noun of the recognised subjects ("hộ gia đình")."""
        return self.subject_noun or SUBJECT_WORDING.get(self.title, ("đối tượng", ""))[0]

    @property
    def name_column(self) -> str:
        """The heading of the annex's name column."""
        return self.name_header or SUBJECT_WORDING.get(self.title, ("", "Tên"))[1]


@dataclass(frozen=True)
class Certificate:
    """A certificate (Giấy chứng nhận) for one recognised subject, landscape A4 or A5."""

    issuing_body: str
    title: str
    year: int
    subject_name: str
    address: str
    decision_number: int
    decision_symbol: str
    decision_date: dt.date
    place: str
    date: dt.date
    signature: Signature
    authority: str = ""
    register_number: str = ""
    parent_body: str = ""
    paper: PaperSize = "A4"

    def __post_init__(self) -> None:
        _check_number("decision_number", self.decision_number)
        _check_year(self.year, self.date)
        if self.paper not in ("A4", "A5"):
            raise PaperworkInvalid("paper", "Khổ giấy là A4 hoặc A5.", "paper is A4 or A5")
        if self.decision_date > self.date:
            raise PaperworkInvalid(
                "decision_date",
                "Giấy chứng nhận không thể cấp trước quyết định công nhận.",
                "a certificate cannot predate its decision",
            )


def _check_number(name: str, number: int) -> None:
    if number < 1:
        raise PaperworkInvalid(name, "Số văn bản phải từ 1.", "a document number is >= 1")


def _check_year(year: int, date: dt.date) -> None:
    # A title is recognised for the year being judged, decided in that year's quarter IV or the next
    # months; a later "year" than the signing date is always a slip.
    if year > date.year:
        raise PaperworkInvalid(
            "year",
            "Năm công nhận không thể sau ngày ký.",
            "the year recognised cannot follow the signing date",
        )


# How a certificate names the subject before the name in the annex ("Hộ gia đình ông (bà) Nguyễn Văn An").
CERTIFICATE_NAME_PREFIX = {
    "Gia đình học tập": "Hộ gia đình ông (bà)",
    "Dòng họ học tập": "Dòng họ",
    "Công dân học tập": "Ông (bà)",
}


def certificates_for(
    decision: DecisionDocument,
    *,
    date: dt.date | None = None,
    paper: PaperSize = "A4",
    register_prefix: str = "",
) -> tuple[Certificate, ...]:
    """One certificate per annex row of a decision of recognition, dated and signed as the decision.

    With `register_prefix` ("GCN-2026-"), each gets a register number: the prefix and its STT.
    """
    if decision.amends is not None:
        raise PaperworkInvalid(
            "amends",
            "Chỉ cấp giấy chứng nhận theo quyết định công nhận.",
            "certificates follow a decision of recognition, not an amending one",
        )
    prefix = CERTIFICATE_NAME_PREFIX.get(decision.title, "")
    return tuple(
        Certificate(
            issuing_body=decision.issuing_body,
            parent_body=decision.parent_body,
            title=decision.title,
            year=decision.year,
            subject_name=f"{prefix} {row.name}".strip(),
            address=row.address or row.village,
            decision_number=decision.number,
            decision_symbol=decision.symbol,
            decision_date=decision.date,
            place=decision.place,
            date=date or decision.date,
            signature=decision.signature,
            authority=decision.authority,
            register_number=f"{register_prefix}{i}" if register_prefix else "",
            paper=paper,
        )
        for i, row in enumerate(decision.annex, start=1)
    )
