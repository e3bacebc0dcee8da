"""Use cases: upload evidence to object storage with its digest, list, download, verify (service layer)."""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import filetype

from common.errors import InvalidTransition, ValidationFailed, not_one_of
from common.storage import ObjectTooLarge
from common.unit_of_work import reading
from services.evaluation.documents.criteria import get_criteria_set
from services.evaluation.domain import events
from services.evaluation.domain.errors import EvidenceNotFound, EvidenceRejected
from services.evaluation.domain.files import ALLOWED_TYPES, sanitize_file_name
from services.evaluation.domain.model import Case, Evidence
from services.evaluation.service import audit
from services.evaluation.service.cases import (
    case_and_progress_or_raise,
    case_progress_and_subject_or_raise,
    get_case_or_raise,
)
from services.evaluation.service.ports import Storage, UnitOfWork
from workflows.recognition import lifecycle as lc

logger = logging.getLogger(__name__)
SNIFF_BYTES = 8192


class _Prefixed(io.RawIOBase):
    """The sniffed head followed by the rest of the stream, read lazily."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        if self._head:
            if n < 0 or n >= len(self._head):
                out, self._head = self._head, b""
                more = self._rest.read(-1 if n < 0 else n - len(out))
                return out + (more or b"")
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._rest.read(n) or b""


def _sniff(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is None:
        raise EvidenceRejected(
            "Không nhận diện được loại tệp; chỉ nhận PDF, ảnh và tài liệu văn phòng.",
            "Unrecognised file type; only PDF, images and office documents are accepted.",
        )
    if kind.mime not in ALLOWED_TYPES:
        raise EvidenceRejected(
            f"Loại tệp {kind.mime} không được chấp nhận làm minh chứng.",
            f"File type {kind.mime} is not accepted as evidence.",
        )
    return str(kind.mime)


@dataclass(frozen=True)
class UploadRequest:
    """One uploaded file as the API hands it over."""

    case_id: str
    indicator_code: str | None
    file_name: str
    stream: BinaryIO
    uploaded_by: str
    role: str | None = None
    on_behalf_of: str | None = None  # the household a staff member uploads for


def _refuse_unknown_indicator(indicator_code: str | None, progress: dict[str, Any] | None) -> None:
    """Evidence is filed under an indicator of the case's criteria set (or under none: the dossier as a
    whole); a code the set does not have is a 422 naming `indicator_code`. Before the case's criteria
    set is known (its opening still running) the code cannot be judged and is taken as given."""
    key = (progress or {}).get("criteria_set_key")
    if indicator_code is None or not key:
        return
    code, _, version = key.partition("@")
    criteria = get_criteria_set(code, version)
    known = {i.code for group in (criteria.group_codes or (None,)) for i in criteria.indicators_for(group)}
    if indicator_code not in known:
        raise ValidationFailed(
            f"Bộ tiêu chí {key} không có chỉ số '{indicator_code}'.",
            f"Criteria set {key} has no indicator '{indicator_code}'.",
            errors={"indicator_code": [f"Không có trong bộ tiêu chí {key}."]},
            errors_en={"indicator_code": [f"Not in criteria set {key}."]},
        )


def upload_evidence(
    uow: audit.AuditedUnitOfWork,
    storage: Storage,
    *,
    request: UploadRequest,
    max_bytes: int,
    read: tuple[Case, dict[str, Any] | None] | None = None,
) -> tuple[Evidence, bool]:
    """Check the case and file, stream it to storage, record it with its audit entry; nothing half-written.
    Answers the evidence item and whether this upload created it.

    The same bytes (sha256) under the same indicator of the same case are one item: sending a file again
    (a double click, a retried request, the same photo twice) answers the item already there, with its
    verdict, and writes nothing (the copy just stored is removed). Two such uploads at once take turns on
    the case's row, so the second sees the first.

    `read`: the case and its progress row as the caller read them moments ago (its scope check), so they
    are not read again before the file is stored; the writing transaction reads them once more either
    way."""
    name = sanitize_file_name(request.file_name)
    if name is None:
        raise EvidenceRejected("Tên tệp không hợp lệ.", "Invalid file name.")
    if read is None:
        with reading(uow) as reader:
            read = case_and_progress_or_raise(reader, case_id=request.case_id)
    case, read_progress = read
    _refuse_unless_open(case)  # before the file is read and stored
    _refuse_unknown_indicator(request.indicator_code, read_progress)
    head = request.stream.read(SNIFF_BYTES)
    if not head:
        raise EvidenceRejected("Tệp rỗng.", "The file is empty.")
    content_type = _sniff(head)
    evidence_id = str(uuid.uuid4())
    key = f"cases/{request.case_id}/{evidence_id}"
    try:
        stored = storage.put_stream(
            key,
            _Prefixed(head, request.stream),
            content_type=content_type,
            max_bytes=max_bytes,  # type: ignore[arg-type]
        )
    except ObjectTooLarge as exc:
        limit = _size_words(exc.max_bytes)
        raise EvidenceRejected(
            f"Tệp vượt quá giới hạn {limit}.", f"The file exceeds the {limit} limit."
        ) from exc
    item = Evidence(
        id=evidence_id,
        case_id=request.case_id,
        indicator_code=request.indicator_code,
        file_name=name,
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        object_key=key,
        uploaded_by=request.uploaded_by,
        created_at=datetime.now(UTC),
    )
    try:
        with uow:
            # Again in the writing transaction (with its criteria set): the commune may have passed the
            # case on meanwhile.
            case, progress, subject = case_progress_and_subject_or_raise(uow, case_id=case.id, lock=True)
            _refuse_unless_open(case)
            _refuse_unknown_indicator(request.indicator_code, progress)  # the set may be known only now
            existing = uow.evidence.same_file(case.id, request.indicator_code, item.sha256)
            if existing is None:
                _add_evidence(uow, item, case, progress, subject, request)
                uow.commit()  # else the transaction ends with nothing written
    except Exception:
        # The row did not commit: storage keeps nothing the database does not know.
        _remove_object(storage, key)
        raise
    if existing is not None:
        _remove_object(storage, key)  # the bytes were already there: the copy just stored goes
        return existing, False
    return item, True


def _size_words(n: int) -> str:
    """A size limit as people read it: "25 MB", or "64 KB" for a limit under a megabyte (not "0 MB")."""
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _remove_object(storage: Storage, key: str) -> None:
    try:
        storage.remove(key)
    except Exception:
        logger.exception("orphan evidence object %s left after a failed write", key)


def _add_evidence(
    uow: audit.AuditedUnitOfWork,
    item: Evidence,
    case: Case,
    progress: dict[str, Any],
    subject: dict[str, Any],
    request: UploadRequest,
) -> None:
    """In the writing transaction: the evidence row, its event (naming whose case it is) and its audit
    entry."""
    uow.evidence.add(item)
    uow.publish(
        events.case_event(
            events.EVIDENCE_UPLOADED,
            case_id=item.case_id,
            evidence_id=item.id,
            sha256=item.sha256,
            file_name=item.file_name,
            indicator_code=item.indicator_code,
            actor=item.uploaded_by,
            admin_unit_code=case.admin_unit_code,
            village_code=progress.get("village_code"),
            subject_id=case.subject_id,
            **subject,
            status=case.status,
            # the reviewer is told of a file added while the case is before them; in draft or while
            # evidence is requested the household is still gathering (case.evidence_provided tells)
            reviewer_role=(
                lc.WAITING_ON[case.status] if case.status in (lc.VILLAGE_REVIEW, lc.COMMUNE_REVIEW) else None
            ),
        )
    )
    uow.record(
        audit.case_entry(
            case,
            action=events.EVIDENCE_UPLOADED,
            actor=item.uploaded_by,
            role=request.role,
            on_behalf_of=request.on_behalf_of,
            after={
                "evidence_id": item.id,
                "indicator_code": item.indicator_code,
                "file_name": item.file_name,
                "content_type": item.content_type,
                "size": item.size,
                "object_key": item.object_key,
            },
            evidence_sha256=[item.sha256],
            criteria_set_key=progress.get("criteria_set_key"),
            at=item.created_at,
        )
    )


def _refuse_unless_open(case: Case) -> None:
    if case.status not in lc.EVIDENCE_OPEN:
        open_states = ", ".join(s for s in lc.STATUSES if s in lc.EVIDENCE_OPEN)
        raise InvalidTransition(
            f"Hồ sơ đang ở trạng thái '{case.status}': không nhận thêm minh chứng.",
            f"The case is {case.status}: it takes no more evidence.",
            errors={
                "case_id": [f"Hồ sơ đang ở trạng thái '{case.status}'; chỉ nhận minh chứng ở: {open_states}."]
            },
            errors_en={
                "case_id": [f"The case is '{case.status}'; evidence is taken only in: {open_states}."]
            },
        )


def get_evidence_or_raise(uow: UnitOfWork, *, evidence_id: str) -> Evidence:
    """One evidence row, or EvidenceNotFound."""
    with uow:
        item = uow.evidence.get(evidence_id)
    if item is None:
        raise EvidenceNotFound(evidence_id)
    return item


def list_evidence(uow: UnitOfWork, *, case_id: str) -> list[Evidence]:
    """The evidence of one case."""
    with uow:
        get_case_or_raise(uow, case_id=case_id)
        return uow.evidence.list_for_case(case_id)


def download_url(storage: Storage, item: Evidence, *, ttl_seconds: int) -> str:
    """A short-lived presigned URL for the file."""
    return storage.presigned_get(
        item.object_key, expires=timedelta(seconds=ttl_seconds), filename=item.file_name
    )


def verify_evidence(storage: Storage, item: Evidence) -> bool:
    """Re-read the stored bytes and compare their sha256 with the recorded one."""
    digest = hashlib.sha256()
    for chunk in storage.iter_object(item.object_key):
        digest.update(chunk)
    return digest.hexdigest() == item.sha256


# A verdict as the household reads it, in the reason a refused verdict asks for.
_VERDICT_VI = {"rejected": "không được chấp nhận", "more_info_needed": "cần bổ sung thông tin"}
REVIEW_STATES = ("village_review", "commune_review", "evidence_requested")


def judge_evidence(
    uow: audit.AuditedUnitOfWork, *, evidence_id: str, verdict: str, reason: str, actor: str, role: str | None
) -> Evidence:
    """A reviewer's verdict on one file: accepted, rejected (with reason) or more information needed."""
    from datetime import UTC, datetime

    from services.evaluation.domain.errors import InvalidTransition, ValidationFailed
    from services.evaluation.domain.model import VERDICTS

    if verdict not in VERDICTS:
        raise not_one_of(
            "verdict",
            verdict,
            VERDICTS,
            noun_vi="kết luận",
            noun_en="verdict",
            message_vi="Kết luận không hợp lệ.",
            message_en="Unknown verdict.",
        )
    if verdict != "accepted" and not reason.strip():
        raise ValidationFailed(
            "Cần ghi rõ lý do.",
            "A reason is required.",
            errors={"reason": [f"Bắt buộc khi minh chứng {_VERDICT_VI[verdict]}: hãy ghi rõ lý do."]},
            errors_en={"reason": [f"Required when the verdict is '{verdict}': give the reason."]},
        )
    with uow:
        item = uow.evidence.get(evidence_id)
        if item is None:
            raise EvidenceNotFound(evidence_id)
        case, progress, subject = case_progress_and_subject_or_raise(uow, case_id=item.case_id)
        if case.status not in REVIEW_STATES:
            raise InvalidTransition(
                f"Không thể kết luận minh chứng khi hồ sơ ở trạng thái '{case.status}'.",
                f"Evidence cannot be judged while the case is '{case.status}'.",
            )
        now = datetime.now(UTC)
        uow.evidence.set_verdict(evidence_id, verdict=verdict, reason=reason or None, by=actor, at=now)
        uow.publish(
            events.case_event(
                "evidence.judged",
                case_id=case.id,
                evidence_id=evidence_id,
                verdict=verdict,
                reason=reason,
                actor=actor,
                file_name=item.file_name,
                indicator_code=item.indicator_code,
                admin_unit_code=case.admin_unit_code,
                village_code=progress.get("village_code"),
                subject_id=case.subject_id,
                **subject,
            )
        )
        uow.record(
            audit.case_entry(
                case,
                action="evidence.judged",
                actor=actor,
                role=role,
                reason=reason or None,
                before={"verdict": item.verdict},
                after={"evidence_id": evidence_id, "verdict": verdict},
                evidence_sha256=[item.sha256],
            )
        )
        uow.commit()
        judged = uow.evidence.get(evidence_id)
    assert judged is not None
    return judged
