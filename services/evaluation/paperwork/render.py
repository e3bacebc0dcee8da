"""Public renderers: a decision or a certificate as DOCX or PDF bytes, and their digests (paperwork layer)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from services.evaluation.paperwork import layout as L
from services.evaluation.paperwork.content import certificate_content, decision_content
from services.evaluation.paperwork.docx_certificate import build_certificate
from services.evaluation.paperwork.docx_common import finish
from services.evaluation.paperwork.docx_decision import build_decision
from services.evaluation.paperwork.model import Certificate, DecisionDocument
from services.evaluation.paperwork.pdf_certificate import border, certificate_story
from services.evaluation.paperwork.pdf_common import render
from services.evaluation.paperwork.pdf_decision import decision_story, page_number

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"
_DECISION_MARGINS = (L.MARGIN_TOP, L.MARGIN_BOTTOM, L.MARGIN_LEFT, L.MARGIN_RIGHT)


@dataclass(frozen=True)
class RenderedFile:
    """One generated file: suggested name, media type, bytes and their sha256 (hex)."""

    filename: str
    media_type: str
    data: bytes
    sha256: str


def sha256_hex(data: bytes) -> str:
    """The sha256 of a generated file, as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def decision_docx(doc: DecisionDocument) -> bytes:
    """The decision and its annex as a .docx (Times New Roman, A4, ND 30 margins)."""
    content = decision_content(doc)
    return finish(
        build_decision(content), title=content.metadata_title, subject=content.subject, date=doc.date
    )


def decision_pdf(doc: DecisionDocument) -> bytes:
    """The decision and its annex as a PDF with the Unicode font embedded."""
    content = decision_content(doc)
    return render(
        decision_story(content),
        page=L.A4,
        margins=_DECISION_MARGINS,
        title=content.metadata_title,
        subject=content.subject,
        date=doc.date,
        later_pages=page_number,
        seed=repr(doc).encode(),
    )


def certificate_docx(cert: Certificate) -> bytes:
    """A certificate as a .docx on one landscape page."""
    content = certificate_content(cert)
    docx = build_certificate(content, cert.paper)
    return finish(docx, title=content.metadata_title, subject=content.achievement, date=cert.date)


def certificate_pdf(cert: Certificate) -> bytes:
    """A certificate as a PDF on one landscape page, the font embedded."""
    content = certificate_content(cert)
    geo = L.CERTIFICATE[cert.paper]
    return render(
        certificate_story(content, geo),
        page=geo.page,
        margins=(geo.margin,) * 4,
        title=content.metadata_title,
        subject=content.achievement,
        date=cert.date,
        first_page=border(geo),
        seed=repr(cert).encode(),
    )


def decision_files(doc: DecisionDocument) -> tuple[RenderedFile, RenderedFile]:
    """The decision as DOCX and PDF, each with its digest, named after its number and year."""
    stem = f"quyet-dinh-{doc.number:02d}-{doc.date.year}"
    return (
        _file(f"{stem}.docx", DOCX_MEDIA_TYPE, decision_docx(doc)),
        _file(f"{stem}.pdf", PDF_MEDIA_TYPE, decision_pdf(doc)),
    )


def certificate_files(cert: Certificate, stem: str = "giay-chung-nhan") -> tuple[RenderedFile, RenderedFile]:
    """A certificate as DOCX and PDF, each with its digest."""
    return (
        _file(f"{stem}.docx", DOCX_MEDIA_TYPE, certificate_docx(cert)),
        _file(f"{stem}.pdf", PDF_MEDIA_TYPE, certificate_pdf(cert)),
    )


def _file(name: str, media_type: str, data: bytes) -> RenderedFile:
    return RenderedFile(name, media_type, data, sha256_hex(data))
