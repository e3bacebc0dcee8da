"""The text of each part of a decision or certificate, shared by the DOCX and PDF renderers (paperwork layer).

Everything a renderer prints comes from here, already composed and in Unicode NFC, so both formats
say exactly the same words and a renderer only decides where and how they are drawn.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

from services.evaluation.domain.text import normalize_text
from services.evaluation.paperwork import wording
from services.evaluation.paperwork.dates import document_number, place_and_date, roman, thousands, vn_date
from services.evaluation.paperwork.model import Certificate, DecisionDocument, Signature

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
_UBND = "ỦY BAN NHÂN DÂN"

T = TypeVar("T")


@dataclass(frozen=True)
class Header:
    """The top of the first page: issuer (left), motto (right), number (left), place and date (right)."""

    parent: str
    issuer_lines: tuple[str, ...]
    motto: tuple[str, str]
    number_line: str
    place_date: str


@dataclass(frozen=True)
class Article:
    """'Điều 1.' and its paragraphs; the first paragraph runs on after the label."""

    label: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class AnnexGroup:
    """One village of the annex: its Roman numeral, its name and its rows (STT, name, address, note)."""

    numeral: str
    village: str
    rows: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class AnnexContent:
    """The annex: heading lines, the '(Kèm theo ...)' line, column titles, groups and the total."""

    heading: tuple[str, str, str]
    reference: str
    columns: tuple[str, str, str, str]
    groups: tuple[AnnexGroup, ...]
    total: str


@dataclass(frozen=True)
class SignatureBlock:
    """Capacity and title lines (capitals, bold), then the signer's name after the space to sign."""

    lines: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class DecisionContent:
    """Every piece of text of a decision, in reading order."""

    header: Header
    doc_type: str
    subject: str
    authority: str
    bases: tuple[str, ...]
    decides: str
    articles: tuple[Article, ...]
    recipients_label: str
    recipients: tuple[str, ...]
    signature: SignatureBlock
    annex: AnnexContent | None
    metadata_title: str


@dataclass(frozen=True)
class CertificateContent:
    """Every piece of text of a certificate, in reading order."""

    header: Header
    heading: str
    title_line: str
    authority: str
    certifies: str
    subject_name: str
    address_line: str
    achievement: str
    decision_line: str
    register_line: str
    place_date: str
    signature: SignatureBlock
    metadata_title: str


def nfc(value: T) -> T:
    """A copy of a dataclass, tuple or string with every string in Unicode NFC (recursively)."""
    return _nfc(value)  # type: ignore[no-any-return]


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, tuple):
        return tuple(_nfc(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _nfc(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def issuer_lines(name: str) -> tuple[str, ...]:
    """The issuer's name as printed: split at '\\n', or after 'ỦY BAN NHÂN DÂN' by itself."""
    if "\n" in name:
        return tuple(normalize_text(line) for line in name.split("\n") if line.strip())
    name = normalize_text(name)
    if name.upper().startswith(_UBND + " "):
        return (name[: len(_UBND)], name[len(_UBND) + 1 :])
    return (name,)


def _header(parent: str, issuer: str, number_line: str, place_date: str) -> Header:
    return Header(normalize_text(parent), issuer_lines(issuer), MOTTO, number_line, place_date)


def _signature(sig: Signature) -> SignatureBlock:
    lines = tuple(normalize_text(x) for x in (sig.capacity, sig.title) if x.strip())
    return SignatureBlock(lines, normalize_text(sig.name))


def decision_content(doc: DecisionDocument) -> DecisionContent:
    """The text of a decision (Quyết định) and of its annex."""
    doc = nfc(doc)
    bases = list(doc.legal_bases)
    if doc.proposal:
        bases.append(f"Theo đề nghị của {doc.proposal}")
    articles = tuple(
        Article(f"Điều {i}.", tuple(normalize_text(p) for p in text.split("\n") if p.strip()))
        for i, text in enumerate(wording.articles(doc), start=1)
    )
    number = document_number(doc.number, doc.symbol)
    return DecisionContent(
        header=_header(
            doc.parent_body,
            doc.issuing_body,
            f"Số: {number}",
            place_and_date(normalize_text(doc.place), doc.date),
        ),
        doc_type="QUYẾT ĐỊNH",
        subject=normalize_text(wording.subject_line(doc)),
        authority=normalize_text(doc.authority).upper(),
        bases=wording.punctuated([normalize_text(b) for b in bases]),
        decides="QUYẾT ĐỊNH:",
        articles=articles,
        recipients_label="Nơi nhận:",
        recipients=tuple(f"- {r}" for r in wording.punctuated([normalize_text(r) for r in doc.recipients])),
        signature=_signature(doc.signature),
        annex=_annex(doc) if doc.annex else None,
        metadata_title=f"Quyết định số {number}",
    )


def _annex(doc: DecisionDocument) -> AnnexContent:
    by_village: dict[str, list[tuple[str, str, str]]] = {}
    for row in doc.annex:
        village = normalize_text(row.village)
        address = normalize_text(row.address) or village
        by_village.setdefault(village, []).append(
            (normalize_text(row.name), address, normalize_text(row.note))
        )
    groups = []
    stt = 0
    for g, (village, rows) in enumerate(by_village.items(), start=1):
        numbered = []
        for name, address, note in rows:
            stt += 1
            numbered.append((str(stt), name, address, note))
        groups.append(AnnexGroup(roman(g), village, tuple(numbered)))
    return AnnexContent(
        heading=wording.annex_heading(doc),
        reference=wording.annex_reference(doc),
        columns=("STT", doc.name_column, "Địa chỉ", "Ghi chú"),
        groups=tuple(groups),
        total=f"Tổng số: {thousands(stt)} {doc.noun}.",
    )


def certificate_content(cert: Certificate) -> CertificateContent:
    """The text of a certificate (Giấy chứng nhận)."""
    cert = nfc(cert)
    number = document_number(cert.decision_number, cert.decision_symbol)
    return CertificateContent(
        header=_header(cert.parent_body, cert.issuing_body, "", ""),
        heading="GIẤY CHỨNG NHẬN",
        title_line=f"DANH HIỆU {wording.quoted(normalize_text(cert.title).upper())} NĂM {cert.year}",
        authority=normalize_text(cert.authority).upper(),
        certifies="CHỨNG NHẬN" if cert.authority.strip() else "Chứng nhận",
        subject_name=normalize_text(cert.subject_name),
        address_line=f"Địa chỉ: {normalize_text(cert.address)}",
        achievement=f"Đạt danh hiệu {wording.quoted(normalize_text(cert.title))} năm {cert.year}",
        decision_line=f"(Theo Quyết định số {number} {vn_date(cert.decision_date)})",
        register_line=f"Số vào sổ: {normalize_text(cert.register_number)}"
        if cert.register_number.strip()
        else "",
        place_date=place_and_date(normalize_text(cert.place), cert.date),
        signature=_signature(cert.signature),
        metadata_title=f"Giấy chứng nhận - {normalize_text(cert.subject_name)}",
    )
