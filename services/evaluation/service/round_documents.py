"""Use cases: the documents of a signed decision — the Quyết định công nhận (DOCX and PDF) with its annex
by village, the council's minutes it rests on, a certificate per recognised subject — stored in object
storage, linked from the decision (round) and the recognitions (cases), their digests in the audit
(service layer). Rendering is deterministic, so a retried activity stores the same bytes again."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from common.canonical import canonical_json
from common.errors import ValidationFailed
from services.evaluation.domain.criteria import TITLE_NAMES_VI
from services.evaluation.paperwork import AnnexRow, Certificate, DecisionDocument, Signature, vn_date
from services.evaluation.paperwork.render import certificate_files, decision_files, sha256_hex
from services.evaluation.service.audit import case_entry
from services.evaluation.service.plans import resolve_plan
from services.evaluation.service.round_audit import decision_number, get_round_or_raise, round_entry

MAX_DOCUMENT_BYTES = 200 * 1024 * 1024
_PREFIXES = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ")


def _place(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _store(storage: Any, key: str, data: bytes, media_type: str) -> dict[str, Any]:
    stored = storage.put_stream(key, io.BytesIO(data), content_type=media_type, max_bytes=MAX_DOCUMENT_BYTES)
    return {"key": key, "sha256": stored.sha256, "size": len(data), "media_type": media_type}


def _issuer(uow: Any, rnd: dict[str, Any]) -> tuple[str, str, str]:
    """The issuing body ("ỦY BAN NHÂN DÂN XÃ …"), the place ("…") and the unit as named in running text
    ("xã …")."""
    unit = uow.admin_units.get(rnd["admin_unit_code"])
    name = unit.name if unit else rnd["admin_unit_code"]
    return f"ỦY BAN NHÂN DÂN {name.upper()}", _place(name), name[:1].lower() + name[1:]


def _legal_bases(plan: Any, council: dict[str, Any] | None) -> tuple[str, ...]:
    bases = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"]
    for ref in plan.document.legal_basis:
        when = f" {vn_date(ref.issued_on)}" if ref.issued_on else ""
        bases.append(f"Căn cứ văn bản số {ref.number}{when} của {ref.issuer_vi}")
    when = f" {vn_date(plan.document.issued_on)}" if plan.document.issued_on else ""
    number = plan.document.number or plan.code
    bases.append(f"Căn cứ Kế hoạch số {number}{when} về {plan.name_vi}")
    if council:
        met = dt.date.fromisoformat(council["met_on"])
        bases.append(f"Căn cứ Biên bản họp Hội đồng xét công nhận {vn_date(met)}")
    return tuple(bases)


def decision_document(
    plan: Any,
    issuer: tuple[str, str, str],
    decision: dict[str, Any],
    rnd: dict[str, Any],
    rows: list[dict[str, Any]],
    amends: Any = None,
) -> DecisionDocument:
    """The paperwork model of a signed decision."""
    body, place, running = issuer
    authority = f"CHỦ TỊCH {body}"
    annex = tuple(
        AnnexRow(name=r["subject_name"], village=r.get("village_name") or "", note=r.get("note", ""))
        for r in sorted(rows, key=lambda r: (r.get("village_name") or "", r["subject_name"], r["case_id"]))
    )
    return DecisionDocument(
        issuing_body=body,
        number=int(decision["number"]),
        symbol=decision["symbol"],
        place=place,
        date=decision["signed_on"],
        title=TITLE_NAMES_VI.get(decision["title"], decision["title"]),
        year=int(rnd["year"]),
        authority=authority,
        legal_bases=_legal_bases(plan, rnd.get("council")),
        signature=Signature(
            capacity="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name=decision["signer_name"] or ""
        ),
        annex=annex,
        issuer_reference=f"Chủ tịch Ủy ban nhân dân {running}",
        proposal="Chủ tịch Hội Khuyến học",
        amends=amends,
    )


def generate_decision_documents(uow: Any, storage: Any, *, decision_id: str) -> dict[str, Any]:
    """Render and store a signed recognition decision and the minutes it rests on (once)."""
    with uow:
        decision = uow.decisions.get(decision_id)
        if decision is None or decision["status"] not in ("signed", "recorded"):
            raise ValidationFailed(
                "Quyết định chưa được ký.",
                "The decision is not signed.",
                errors={"decision_id": [decision_id]},
            )
        if decision["documents"].get("pdf"):
            return dict(decision["documents"])
        rnd = get_round_or_raise(uow, decision["round_id"])
        rows = [r for r in uow.decisions.items(decision_id) if r["outcome"] == "recognised"]
        issuer = _issuer(uow, rnd)
    if not rows:
        return {}  # nobody recognised under this title: no decision of recognition to issue
    plan = resolve_plan(uow, admin_unit_code=rnd["admin_unit_code"], plan_code=rnd["plan_code"])
    doc = decision_document(plan, issuer, decision, rnd, rows)
    prefix = f"rounds/{rnd['id']}/decisions/{decision['number']:02d}-{decision['title']}"
    docx, pdf = decision_files(doc)
    documents = {
        "docx": _store(storage, f"{prefix}.docx", docx.data, docx.media_type),
        "pdf": _store(storage, f"{prefix}.pdf", pdf.data, pdf.media_type),
    }
    if rnd.get("council"):
        minutes = canonical_json(rnd["council"]).encode()
        documents["minutes"] = _store(
            storage, f"rounds/{rnd['id']}/bien-ban-hoi-dong.json", minutes, "application/json"
        )
    with uow:
        uow.decisions.update(decision_id, documents=documents)
        uow.record(
            round_entry(
                rnd,
                action="decision.documents_stored",
                actor="system",
                after={
                    "decision_id": decision_id,
                    "number": decision_number(decision),
                    **{kind: {"key": f["key"], "sha256": f["sha256"]} for kind, f in documents.items()},
                },
                evidence_sha256=sorted(f["sha256"] for f in documents.values()),
            )
        )
        uow.commit()
    return documents


def generate_certificate_page(
    uow: Any, storage: Any, *, decision_id: str, after: str, limit: int
) -> tuple[str, int, bool]:
    """Render and store the certificates of the next page of a decision's recognitions; each in its case's
    audit chain with its digests. Returns the cursor, how many were made, and whether it was the last."""
    with uow:
        decision = uow.decisions.get(decision_id)
        rnd = get_round_or_raise(uow, decision["round_id"])
        recs = uow.decisions.recognitions_of(decision_id, after=after, limit=limit)
        names = {
            i["case_id"]: i
            for i in uow.decisions.items(decision_id, after=after, limit=None)
            if recs and i["case_id"] <= recs[-1]["case_id"]
        }
        body, place, _ = _issuer(uow, rnd)
    authority = f"CHỦ TỊCH {body}"
    made = []
    for rec in recs:
        if rec["certificate"]:
            continue
        item = names.get(rec["case_id"], {})
        cert = Certificate(
            issuing_body=body,
            title=TITLE_NAMES_VI.get(rec["title"], rec["title"]),
            year=int(rec["year"]),
            subject_name=item.get("subject_name") or rec["subject_id"],
            address=item.get("village_name") or place,
            decision_number=int(decision["number"]),
            decision_symbol=decision["symbol"],
            decision_date=decision["signed_on"],
            place=place,
            date=decision["signed_on"],
            signature=Signature(
                capacity="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name=decision["signer_name"] or ""
            ),
            authority=authority,
            register_number=f"GCN-{rec['year']}-{decision['number']:02d}-{rec['case_id'][:8]}",
        )
        docx, pdf = certificate_files(cert)
        key = f"rounds/{rnd['id']}/certificates/{rec['case_id']}"
        files = {
            "docx": _store(storage, f"{key}.docx", docx.data, docx.media_type),
            "pdf": _store(storage, f"{key}.pdf", pdf.data, pdf.media_type),
        }
        made.append((rec, files))
    with uow:
        for rec, files in made:
            uow.decisions.set_recognition(rec["id"], certificate=files)
            case = uow.cases.get(rec["case_id"])
            uow.record(
                case_entry(
                    case,
                    action="certificate.issued",
                    actor="system",
                    after={
                        "decision_id": decision_id,
                        **{k: {"key": f["key"], "sha256": f["sha256"]} for k, f in files.items()},
                    },
                    evidence_sha256=sorted(f["sha256"] for f in files.values()),
                )
            )
        uow.commit()
    cursor = recs[-1]["case_id"] if recs else after
    return cursor, len(made), len(recs) < limit


__all__ = ["generate_certificate_page", "generate_decision_documents", "decision_document", "sha256_hex"]
