"""Official documents of a recognition round: decisions, annexes, certificates as DOCX and PDF (paperwork)."""

from services.evaluation.paperwork.dates import document_number, place_and_date, vn_date
from services.evaluation.paperwork.model import (
    Amendment,
    AnnexRow,
    Certificate,
    DecisionDocument,
    PaperworkInvalid,
    Signature,
    certificates_for,
)
from services.evaluation.paperwork.render import (
    RenderedFile,
    certificate_docx,
    certificate_files,
    certificate_pdf,
    decision_docx,
    decision_files,
    decision_pdf,
    sha256_hex,
)

__all__ = [
    "Amendment",
    "AnnexRow",
    "Certificate",
    "DecisionDocument",
    "PaperworkInvalid",
    "RenderedFile",
    "Signature",
    "certificate_docx",
    "certificate_files",
    "certificate_pdf",
    "certificates_for",
    "decision_docx",
    "decision_files",
    "decision_pdf",
    "document_number",
    "place_and_date",
    "sha256_hex",
    "vn_date",
]
