"""What people call the roles, a case's statuses and its subject, Vietnamese first then English: one
catalogue for the pages, the notices and the reasons the system writes into the audit trail."""

from __future__ import annotations

ROLE_NAMES = {
    "household_representative": ("Đại diện hộ gia đình", "Household representative"),
    "village_officer": ("Cán bộ thôn/khu phố", "Village officer"),
    "commune_association_officer": ("Cán bộ Hội Khuyến học xã", "Commune association officer"),
    "learning_centre_staff": ("Trung tâm học tập cộng đồng", "Learning centre staff"),
    "commune_chairman": ("Chủ tịch UBND xã", "Commune chairman"),
    "unit_head": ("Thủ trưởng đơn vị", "Unit head"),
    "auditor": ("Kiểm toán viên", "Auditor"),
    "administrator": ("Quản trị viên", "Administrator"),
}
STATUS_NAMES = {
    "draft": ("Đang tự đánh giá", "Self-assessment"),
    "village_review": ("Thôn đang thẩm định", "Village review"),
    "evidence_requested": ("Cần bổ sung minh chứng", "Evidence requested"),
    "commune_review": ("Xã đang thẩm định", "Commune review"),
    "awaiting_decision": ("Chờ quyết định", "Awaiting decision"),
    "recognised": ("Được công nhận", "Recognised"),
    "not_recognised": ("Không được công nhận", "Not recognised"),
    "withdrawn": ("Đã rút hồ sơ", "Withdrawn"),
}


def subject_label(name: object, code: object) -> str:
    """Who a case is about as people know them: "Nguyễn Văn An (H001)" — the register's name and code —,
    the name or the code alone when only one is known (or both are the same), "" when neither is."""
    name = name if isinstance(name, str) and name else None
    code = code if isinstance(code, str) and code else None
    if name and code and name != code:
        return f"{name} ({code})"
    return name or code or ""
