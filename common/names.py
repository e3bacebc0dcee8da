"""What people call the roles and a case's statuses, Vietnamese first then English: one catalogue for
the pages and for the reasons the system writes into the audit trail."""

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
