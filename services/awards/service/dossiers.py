"""Use cases: render the award decision and each nominee's dossier (PDF plus a zip with the evidence
pulled from object storage), store them, record their digests in the audit (service layer; idempotent)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from common.audit_entry import AuditEntry
from services.awards.domain.council import tally
from services.awards.domain.errors import WrongPhase
from services.awards.paperwork.pdf import decision_pdf, dossier_pdf
from services.awards.service.nominations import nomination_view
from services.awards.service.rounds import chain, round_view

ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed member timestamps: the same dossier gives the same zip digest


def _put(storage: Any, key: str, data: bytes, content_type: str) -> str:
    stored = storage.put_stream(key, io.BytesIO(data), content_type=content_type, max_bytes=len(data) + 1)
    return str(stored.sha256)


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    return out.getvalue()


def build_documents(
    uow: Any, storage: Any, *, round_id: str, unit_name: str, actor: str, workflow_id: str | None = None
) -> dict[str, Any]:
    """The decision PDF and one dossier per awarded or forwarded nominee (those done already are kept)."""
    with uow:
        item = uow.rounds.get(round_id)
        decision = uow.decisions.of_round(round_id)
        if item is None or decision is None:
            raise WrongPhase(item.status if item else "missing", "decided")
        nominations = [n for n in uow.nominations.of_round(round_id) if n.status in ("awarded", "forwarded")]
        scores = uow.council.scores(round_id)
        done = {d["nomination_id"] for d in uow.decisions.dossiers(round_id)}
    storage.ensure_bucket()
    rnd = round_view(item)
    names = {f.key: f.name_vi for f in item.forms}
    listed = [dict(nomination_view(n), form_name=names.get(n.form_key, n.form_key)) for n in nominations]
    if not decision["pdf_key"]:
        pdf = decision_pdf(
            rnd,
            decision,
            [n for n in listed if n["status"] == "awarded"],
            [n for n in listed if n["status"] == "forwarded"],
            unit_name,
        )
        key = f"awards/{round_id}/decision-{decision['id']}.pdf"
        digest = _put(storage, key, pdf, "application/pdf")
        with uow:
            uow.decisions.set_document(decision["id"], pdf_key=key, pdf_sha256=digest)
            uow.record(
                AuditEntry(
                    chain=chain(round_id),
                    action="decision.rendered",
                    actor=actor,
                    after={"key": key, "sha256": digest},
                    evidence_sha256=[digest],
                    workflow_id=workflow_id,
                )
            )
            uow.commit()
    for n in nominations:
        if n.id not in done:
            _dossier(
                uow,
                storage,
                rnd,
                n,
                names.get(n.form_key, n.form_key),
                scores,
                decision["decided_on"],
                actor,
                workflow_id,
            )
    return {"round_id": round_id, "dossiers": len(nominations)}


def _dossier(
    uow: Any,
    storage: Any,
    rnd: dict[str, Any],
    n: Any,
    form_name: str,
    scores: list[Any],
    on: Any,
    actor: str,
    workflow_id: str | None,
) -> None:
    t = tally(n.id, scores)
    minutes = {
        "scores": [
            {"username": s.username, "score": s.score, "approve": s.approve}
            for s in sorted(scores, key=lambda s: s.username)
            if s.nomination_id == n.id
        ],
        "average": t.average,
        "approvals": t.approvals,
        "votes": t.votes,
        "conclusion": "Đề nghị cấp trên xét khen thưởng."
        if n.status == "forwarded"
        else "Đề nghị khen thưởng.",
    }
    evidence_files = []
    for e in n.evidence:
        data = b"".join(storage.iter_object(e["key"]))
        if hashlib.sha256(data).hexdigest() != e["sha256"]:
            raise ValueError(f"evidence {e['key']} no longer matches its digest")
        evidence_files.append((f"minh-chung/{e['sha256'][:12]}-{e['filename']}", data))
    pdf = dossier_pdf(rnd, nomination_view(n), form_name, minutes, list(n.evidence), on)
    manifest = {
        "nomination_id": n.id,
        "subject_id": n.subject_id,
        "form_key": n.form_key,
        "dossier_pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "evidence": [{"name": name, "sha256": hashlib.sha256(d).hexdigest()} for name, d in evidence_files],
    }
    archive = _zip(
        [
            ("ho-so.pdf", pdf),
            *evidence_files,
            ("manifest.json", json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()),
        ]
    )
    base = f"awards/{n.round_id}/dossiers/{n.id}"
    pdf_sha, zip_sha = (
        _put(storage, base + ".pdf", pdf, "application/pdf"),
        _put(storage, base + ".zip", archive, "application/zip"),
    )
    with uow:
        if uow.decisions.dossier(n.id) is None:
            uow.decisions.add_dossier(
                nomination_id=n.id,
                round_id=n.round_id,
                pdf_key=base + ".pdf",
                pdf_sha256=pdf_sha,
                zip_key=base + ".zip",
                zip_sha256=zip_sha,
                created_at=datetime.now(UTC),
            )
            uow.record(
                AuditEntry(
                    chain=chain(n.round_id),
                    action="dossier.built",
                    actor=actor,
                    after={"nomination_id": n.id, "pdf_sha256": pdf_sha, "zip_sha256": zip_sha},
                    evidence_sha256=[pdf_sha, zip_sha, *(e["sha256"] for e in n.evidence)],
                    workflow_id=workflow_id,
                )
            )
            uow.commit()
