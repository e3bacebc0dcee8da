"""Use cases: the documents of a signed decision — the Quyết định công nhận (DOCX and PDF) with its annex
by village, the council's minutes it rests on (JSON, DOCX, PDF), a certificate per recognised subject and
one PDF of all its certificates for printing — stored in object storage, linked from the decision (round)
and the recognitions (cases), their digests in the audit (service layer). Rendering is deterministic, so
a retried activity stores the same bytes again; one that already finished stores nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from typing import Any

from common.canonical import canonical_json
from common.errors import ValidationFailed
from services.evaluation.domain.criteria import TITLE_NAMES_VI
from services.evaluation.paperwork import AnnexRow, Certificate, DecisionDocument, Signature, vn_date, wording
from services.evaluation.paperwork.dates import thousands
from services.evaluation.paperwork.minutes import (
    CouncilMinutesDocument,
    MinutesVote,
    merge_pdfs,
    minutes_files,
)
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


def _supplementary(doc: DecisionDocument, earlier: list[dict[str, Any]]) -> DecisionDocument:
    """A quyết định công nhận bổ sung: its own subject line and first article, and the round's decision of
    the same title among its bases (no council minutes: the council did not see these cases)."""
    what = wording.recognised(doc)
    bases = list(doc.legal_bases)
    for d in earlier:
        bases.append(
            f"Căn cứ Quyết định số {decision_number(d)} {vn_date(d['signed_on'])} của {doc.issuer_reference} "
            f"về việc công nhận {what}"
        )
    executors = wording.DEFAULT_EXECUTORS.format(noun=doc.noun)
    return dataclasses.replace(
        doc,
        subject=f"Về việc công nhận bổ sung {what}",
        legal_bases=tuple(bases),
        articles=(
            f"Công nhận bổ sung {thousands(len(doc.annex))} {doc.noun} đạt {what} (có danh sách kèm theo).",
            "Quyết định này có hiệu lực kể từ ngày ký.",
            f"{executors} chịu trách nhiệm thi hành Quyết định này.",
        ),
    )


MINUTES_KINDS = ("minutes", "minutes_docx", "minutes_pdf")


def minutes_document(
    rnd: dict[str, Any], issuer: tuple[str, str, str], items: list[tuple[dict[str, Any], dict[str, Any]]]
) -> CouncilMinutesDocument:
    """The paperwork model of the council's minutes, from the stored JSON (rounds.council) and the round's
    lists (the names and titles of the subjects voted)."""
    council = rnd["council"]
    body, place, running = issuer
    subjects = {item["case_id"]: (item, d["title"]) for d, item in items}
    titles = []
    for d, _ in items:
        name = TITLE_NAMES_VI.get(d["title"], d["title"])
        if name not in titles:
            titles.append(name)
    votes = []
    for v in council.get("votes") or []:
        item, title = subjects.get(v["case_id"], ({}, ""))
        votes.append(
            MinutesVote(
                name=item.get("subject_name") or v["case_id"],
                title=TITLE_NAMES_VI.get(title, title),
                in_favour=int(v["in_favour"]),
                against=int(v["against"]),
                abstain=int(v.get("abstain") or 0),
            )
        )
    commune = body.removeprefix("ỦY BAN NHÂN DÂN ")
    return CouncilMinutesDocument(
        parent_body=f"UBND {commune}",
        place=place,
        venue=f"Trụ sở Ủy ban nhân dân {running}",
        met_on=dt.date.fromisoformat(council["met_on"]),
        year=int(rnd["year"]),
        titles=tuple(titles),
        chair=council["chair"],
        secretary=council["secretary"],
        attendance=tuple(council.get("attendance") or ()),
        absent=tuple(council.get("absent") or ()),
        votes=tuple(votes),
        notes=council.get("notes") or "",
        recorded_by=council.get("recorded_by") or "",
        source_sha256=council.get("sha256") or "",
    )


def _store_minutes(
    storage: Any,
    rnd: dict[str, Any],
    issuer: tuple[str, str, str],
    items: list[tuple[dict[str, Any], dict[str, Any]]],
) -> dict[str, dict[str, Any]]:
    """The minutes as canonical JSON (as recorded), DOCX and PDF, stored under the round."""
    key = f"rounds/{rnd['id']}/bien-ban-hoi-dong"
    docx, pdf = minutes_files(minutes_document(rnd, issuer, items))
    return {
        "minutes": _store(
            storage, f"{key}.json", canonical_json(rnd["council"]).encode(), "application/json"
        ),
        "minutes_docx": _store(storage, f"{key}.docx", docx.data, docx.media_type),
        "minutes_pdf": _store(storage, f"{key}.pdf", pdf.data, pdf.media_type),
    }


def generate_decision_documents(uow: Any, storage: Any, *, decision_id: str) -> dict[str, Any]:
    """Render and store a signed recognition decision and the minutes it rests on (once; the minutes are
    stored with the round's first decision and linked from the others)."""
    with uow:
        decision = uow.decisions.get(decision_id)
        if decision is None or decision["status"] not in ("signed", "recorded"):
            raise ValidationFailed(
                "Quyết định chưa được ký.",
                "The decision is not signed.",
                errors={"decision_id": [f"Quyết định '{decision_id}' chưa được ký hoặc không tồn tại."]},
                errors_en={"decision_id": [f"Decision '{decision_id}' is not signed or does not exist."]},
            )
        if decision["documents"].get("pdf"):
            return dict(decision["documents"])
        rnd = get_round_or_raise(uow, decision["round_id"])
        rows = [r for r in uow.decisions.items(decision_id) if r["outcome"] == "recognised"]
        issuer = _issuer(uow, rnd)
        earlier = [  # the round's decision of the same title, which a supplementary one completes
            d
            for d in uow.decisions.of_round(rnd["id"])
            if d["kind"] == "recognition" and d["title"] == decision["title"] and d["number"]
        ]
        # The minutes are the round's, one set of files: stored with its first decision, then linked.
        minutes = next(
            (
                {k: f for k, f in d["documents"].items() if k in MINUTES_KINDS}
                for d in uow.decisions.of_round(rnd["id"])
                if d["id"] != decision_id and (d["documents"] or {}).get("minutes_pdf")
            ),
            None,
        )
        council_items = (
            [
                (d, item)
                for d in uow.decisions.of_round(rnd["id"])
                if d["kind"] == "recognition"
                for item in uow.decisions.items(d["id"])
            ]
            if rnd.get("council") and minutes is None and decision["kind"] != "supplementary"
            else []
        )
    if not rows:
        return {}  # nobody recognised under this title: no decision of recognition to issue
    plan = resolve_plan(uow, admin_unit_code=rnd["admin_unit_code"], plan_code=rnd["plan_code"])
    if decision["kind"] == "supplementary":
        doc = _supplementary(
            decision_document(plan, issuer, decision, {**rnd, "council": None}, rows), earlier
        )
    else:
        doc = decision_document(plan, issuer, decision, rnd, rows)
    prefix = f"rounds/{rnd['id']}/decisions/{decision['number']:02d}-{decision['title']}"
    docx, pdf = decision_files(doc)
    documents = {
        "docx": _store(storage, f"{prefix}.docx", docx.data, docx.media_type),
        "pdf": _store(storage, f"{prefix}.pdf", pdf.data, pdf.media_type),
    }
    if rnd.get("council") and decision["kind"] != "supplementary":  # the council did not see those cases
        documents.update(minutes or _store_minutes(storage, rnd, issuer, council_items))
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
    done = len(recs) < limit
    if done:
        merge_certificates(uow, storage, decision_id=decision_id)
    cursor = recs[-1]["case_id"] if recs else after
    return cursor, len(made), done


def _certificate(rec: dict[str, Any]) -> dict[str, Any]:
    value = rec["certificate"]
    return json.loads(value) if isinstance(value, str) else dict(value)


# Certificates per printable PDF: a decision of a large ward (10,000 households) is merged in volumes,
# so the worker holds one volume (≈ 15 MB of certificates and pypdf's objects for them), never all.
CERTIFICATES_PER_VOLUME = 500


def certificate_volume_kind(volume: int) -> str:
    """The document kind of a volume of merged certificates: `certificates_pdf`, then
    `certificates_pdf_2`, `certificates_pdf_3`, ... (a decision of up to CERTIFICATES_PER_VOLUME
    certificates has the first only)."""
    return "certificates_pdf" if volume == 1 else f"certificates_pdf_{volume}"


def merge_certificates(uow: Any, storage: Any, *, decision_id: str) -> list[dict[str, Any]] | None:
    """Printable PDFs of every certificate of a decision: the stored certificate PDFs' pages in the
    annex's order (village, name), in volumes of CERTIFICATES_PER_VOLUME, stored once on the decision
    (`certificates_pdf`, `certificates_pdf_2`, ...), their digests in the round's audit
    (`decision.certificates_merged`). None when the decision has no certificate or is merged already."""
    with uow:
        decision = uow.decisions.get(decision_id)
        if (decision["documents"] or {}).get("certificates_pdf"):
            return None  # already merged: a retried last page stores nothing
        rnd = get_round_or_raise(uow, decision["round_id"])
        items = {i["case_id"]: i for i in uow.decisions.items(decision_id)}
        recs = [
            r for r in uow.decisions.recognitions_of(decision_id) if r["certificate"] and not r["revoked"]
        ]
    if not recs:
        return None

    def order(rec: dict[str, Any]) -> tuple[str, str, str]:
        item = items.get(rec["case_id"], {})
        return (item.get("village_name") or "", item.get("subject_name") or "", rec["case_id"])

    recs.sort(key=order)
    keys = [_certificate(rec)["pdf"]["key"] for rec in recs]
    volumes: dict[str, dict[str, Any]] = {}
    base = f"rounds/{rnd['id']}/certificates/{decision['number']:02d}-{decision['title']}-tat-ca"
    for start in range(0, len(keys), CERTIFICATES_PER_VOLUME):
        volume = start // CERTIFICATES_PER_VOLUME + 1
        chunk = keys[start : start + CERTIFICATES_PER_VOLUME]
        merged = merge_pdfs(b"".join(storage.iter_object(key)) for key in chunk)
        key = f"{base}.pdf" if volume == 1 else f"{base}-tap-{volume:02d}.pdf"
        volumes[certificate_volume_kind(volume)] = _store(storage, key, merged, "application/pdf")
        del merged
    with uow:
        decision = uow.decisions.get(decision_id)
        if (decision["documents"] or {}).get("certificates_pdf"):
            return None
        uow.decisions.update(decision_id, documents={**decision["documents"], **volumes})
        uow.record(
            round_entry(
                rnd,
                action="decision.certificates_merged",
                actor="system",
                after={
                    "decision_id": decision_id,
                    "number": decision_number(decision),
                    "certificates": len(recs),
                    **{kind: {"key": v["key"], "sha256": v["sha256"]} for kind, v in volumes.items()},
                },
                evidence_sha256=[v["sha256"] for v in volumes.values()],
            )
        )
        uow.commit()
    return list(volumes.values())


__all__ = [
    "decision_document",
    "generate_certificate_page",
    "generate_decision_documents",
    "merge_certificates",
    "minutes_document",
    "sha256_hex",
]
