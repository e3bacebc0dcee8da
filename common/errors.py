"""Domain error base shared by the services (pure Python, no framework imports)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An expected business condition; the API turns it into a 4xx/503 envelope, never a 500."""

    status = 400
    code = "domain_error"

    def __init__(
        self,
        message_vi: str,
        message_en: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        errors_en: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message_en or message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi
        self.errors = errors or {}
        # The field errors in English, when they are sentences written in both languages (`errors` is
        # then Vietnamese); None when `errors` holds values or names that read the same in both.
        self.errors_en = errors_en

    def message_for(self, english: bool) -> str:
        return self.message_en if english else self.message_vi

    def errors_for(self, english: bool) -> dict[str, Any]:
        return self.errors_en if english and self.errors_en is not None else self.errors


class NotFound(DomainError):
    """The resource does not exist (or is outside the caller's scope)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request conflicts with current state (duplicate natural key, version mismatch)."""

    status = 409
    code = "conflict"


class AlreadyExists(Conflict):
    """A write met a unique constraint: another request wrote the same natural key first (a race the
    use case's own check could not see). Use cases that know the key turn it into their own words."""

    def __init__(
        self, message_vi: str = "Dữ liệu đã tồn tại.", message_en: str = "The record already exists."
    ) -> None:
        super().__init__(message_vi, message_en)


class PreconditionFailed(Conflict):
    """If-Match did not match the current ETag: someone else changed it first."""

    status = 412
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    """A change sent without If-Match: the client must say which version it read."""

    status = 428
    code = "precondition_required"


class InvalidTransition(Conflict):
    """The requested step is not allowed from the current state."""

    code = "invalid_transition"


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a business rule; errors name each field."""

    status = 422
    code = "validation_failed"


def unknown_admin_unit(code: str, field: str) -> ValidationFailed:
    """The refusal of a body field naming an administrative unit code that no unit has."""
    return ValidationFailed(
        "Không có đơn vị hành chính này.",
        "Unknown administrative unit.",
        errors={field: [f"Không có đơn vị hành chính mang mã '{code}'."]},
        errors_en={field: [f"No administrative unit has the code '{code}'."]},
    )


def not_one_of(
    field: str,
    value: str,
    allowed: Any,
    *,
    noun_vi: str,
    noun_en: str,
    message_vi: str,
    message_en: str,
) -> ValidationFailed:
    """The refusal of a value outside a closed list: the field's reason names the value and the list, in
    Vietnamese ("Thao tác 'fly' không có; thao tác phải là một trong: …") and English."""
    known = ", ".join(allowed)
    return ValidationFailed(
        message_vi,
        message_en,
        errors={
            field: [
                f"{noun_vi[:1].upper()}{noun_vi[1:]} '{value}' không có; {noun_vi} phải là một trong: {known}."
            ]
        },
        errors_en={field: [f"No {noun_en} '{value}'; it must be one of: {known}."]},
    )


class QuotaExceeded(Conflict):
    """A configured quota would be exceeded."""

    code = "quota_exceeded"


class DependencyUnavailable(DomainError):
    """A backing component (database, broker, Temporal, object store) cannot be reached."""

    status = 503
    code = "dependency_unavailable"

    def __init__(self, dependency: str, detail: str = "") -> None:
        super().__init__(
            f"Dịch vụ phụ trợ '{dependency}' tạm thời không truy cập được, vui lòng thử lại sau.",
            f"Dependency '{dependency}' is unavailable, please retry later.",
            errors={"dependency": dependency, "detail": detail[:300]},
        )
        self.dependency = dependency
