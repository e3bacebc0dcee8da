"""Vietnamese first, English on request: a small catalogue keyed by the Vietnamese text (NFC).

Templates call `_("Vietnamese text")`; in English the catalogue's translation is shown. A test checks
that every string the templates use has an English entry."""

from __future__ import annotations

import json
import unicodedata

from flask import has_request_context, session

from common import names
from common.local_time import as_read_in_vietnam
from common.names import ROLE_NAMES as ROLE_NAMES
from common.names import STATUS_NAMES as STATUS_NAMES

LANGS = ("vi", "en")

TITLE_NAMES = {
    "learning_family": ("Gia đình học tập", "Learning Family"),
    "learning_clan": ("Dòng họ học tập", "Learning Clan"),
    "learning_community_village": ("Cộng đồng học tập cấp thôn", "Learning Community (village)"),
    "learning_unit": ("Đơn vị học tập", "Learning Unit"),
    "learning_citizen": ("Công dân học tập", "Learning Citizen"),
    "learning_community_commune": ("Cộng đồng học tập cấp xã", "Learning Community (commune)"),
}
ACTION_NAMES = {
    "case.opened": ("Mở hồ sơ", "Case opened"),
    "case.draft_saved": ("Lưu nháp", "Draft saved"),
    "case.submitted": ("Nộp hồ sơ", "Submitted"),
    "case.score_adjusted": ("Điều chỉnh điểm", "Score adjusted"),
    "case.evidence_requested": ("Yêu cầu bổ sung minh chứng", "Evidence requested"),
    "case.evidence_provided": ("Đã bổ sung minh chứng", "Evidence provided"),
    "case.review_passed": ("Đạt thẩm định, chuyển tiếp", "Review passed"),
    "case.withdrawn": ("Rút hồ sơ", "Withdrawn"),
    "case.claimed": ("Nhận xử lý hồ sơ", "Case claimed"),
    "case.reassigned": ("Giao hồ sơ cho người khác", "Case reassigned"),
    "case.assigned": ("Được giao hồ sơ", "Case handed over"),
    "case.village_changed": ("Chuyển thôn theo sổ đăng ký", "Moved village (register)"),
    "case.self_assessment_opened": ("Đến thời gian tự đánh giá", "Self-assessment open"),
    "self_assessment.opened": ("Đến thời gian tự đánh giá", "Self-assessment open"),
    "deadline.reminder": ("Nhắc hạn", "Reminder"),
    "deadline.overdue": ("Quá hạn", "Overdue"),
    "deadline.escalated": ("Chuyển cấp do quá hạn", "Escalated"),
    "case.reminder_due": ("Nhắc hạn", "Reminder"),
    "case.overdue": ("Quá hạn", "Overdue"),
    "case.escalated": ("Chuyển cấp do quá hạn", "Escalated"),
    "case.decided": ("Quyết định công nhận", "Decided"),
    "evidence.uploaded": ("Tải minh chứng lên", "Evidence uploaded"),
    "evidence.judged": ("Kết luận minh chứng", "Evidence judged"),
    # yearly rounds, award rounds, annual reports and accounts (their own timelines)
    "round.opened": ("Mở kỳ xét", "Round opened"),
    "round.created": ("Tạo đợt", "Round created"),
    "round.reminder_due": ("Nhắc hạn", "Reminder"),
    "round.self_assessment_closed": ("Hết hạn tự đánh giá", "Self-assessment closed"),
    "round.decision_list_built": ("Lập danh sách đề nghị công nhận", "Decision list built"),
    "round.posted": ("Niêm yết công khai", "Posted publicly"),
    "round.council_due": ("Đến họp hội đồng", "Council due"),
    "round.council_recorded": ("Ghi biên bản hội đồng", "Council minutes recorded"),
    "round.awaiting_signature": ("Chờ ký quyết định", "Awaiting signature"),
    "round.signed": ("Ký quyết định", "Decision signed"),
    "round.recorded": ("Ghi quyết định vào hồ sơ", "Decision recorded on the cases"),
    "round.decided": ("Đã có quyết định", "Decided"),
    "round.supplements_open": ("Nhận hồ sơ bổ sung", "Supplements open"),
    "round.supplementary_list_built": ("Lập danh sách bổ sung", "Supplementary list built"),
    "round.supplementary_awaiting_signature": (
        "Quyết định bổ sung chờ ký",
        "Supplementary decision awaiting signature",
    ),
    "round.closed": ("Kết thúc kỳ xét", "Round closed"),
    "round.nominations_closed": ("Hết hạn đề cử", "Nominations closed"),
    "round.shortlisted": ("Chọn danh sách khen thưởng", "Shortlisted"),
    "objection.filed": ("Nhận ý kiến phản ánh", "Objection filed"),
    "objection.assigned": ("Giao xác minh ý kiến", "Objection assigned"),
    "objection.resolved": ("Kết luận ý kiến phản ánh", "Objection resolved"),
    "decision.item_rejudged": ("Xét lại tỷ lệ thành viên", "Members' share judged again"),
    "decision.dependency_unmet": ("Không còn đạt tỷ lệ thành viên", "Members' share no longer met"),
    "decision.dependency_restored": ("Đạt lại tỷ lệ thành viên", "Members' share met again"),
    "decision.documents_stored": ("Lưu văn bản quyết định", "Decision documents stored"),
    "decision.certificates_merged": ("Gộp giấy chứng nhận để in", "Certificates merged for printing"),
    "decision.correction": ("Quyết định đính chính", "Correcting decision"),
    "decision.revocation": ("Quyết định thu hồi", "Revoking decision"),
    "decision.rendered": ("Lập quyết định khen thưởng", "Award decision rendered"),
    "certificate.issued": ("Cấp giấy chứng nhận", "Certificate issued"),
    "council.set": ("Lập hội đồng", "Council set"),
    "council.scored": ("Hội đồng chấm điểm", "Council scored"),
    "council.conflict_of_interest": (
        "Thành viên hội đồng có xung đột lợi ích",
        "Council member's conflict of interest",
    ),
    "nomination.submitted": ("Gửi đề cử", "Nomination submitted"),
    "nomination.decided": ("Kết quả đề nghị khen thưởng", "Nomination outcome"),
    "nomination.refused": ("Đề cử chưa đủ điều kiện", "Nomination refused"),
    "nomination.evidence_added": ("Thêm minh chứng đề cử", "Nomination evidence added"),
    "nomination.forwarded_in": ("Nhận đề cử từ cấp dưới", "Nomination forwarded in"),
    "dossier.built": ("Lập hồ sơ đề nghị khen thưởng", "Dossier built"),
    "report.opened": ("Mở báo cáo", "Report opened"),
    "report.submitted": ("Gửi báo cáo", "Report submitted"),
    "report.rolled_up": ("Tổng hợp báo cáo", "Report rolled up"),
    "report.reminder_due": ("Nhắc hạn báo cáo", "Report reminder"),
    "report.overdue": ("Báo cáo quá hạn", "Report overdue"),
    "user.created": ("Tạo tài khoản", "Account created"),
    "user.access_changed": ("Thay đổi quyền truy cập tài khoản", "Account access changed"),
    "user.signed_out": ("Đăng xuất mọi thiết bị", "Signed out everywhere"),
    "save_draft": ("Lưu nháp", "Save draft"),
    "submit": ("Nộp hồ sơ", "Submit"),
    "adjust_score": ("Điều chỉnh điểm", "Adjust scores"),
    "request_evidence": ("Yêu cầu bổ sung minh chứng", "Request evidence"),
    "provide_evidence": ("Đã bổ sung minh chứng", "Evidence provided"),
    "pass_review": ("Chuyển cấp trên / Đạt thẩm định", "Pass review"),
    "withdraw": ("Rút hồ sơ", "Withdraw"),
}
PHASE_NAMES = {
    "self_assessment": ("Đang tự đánh giá", "Self-assessment open"),
    "reviewing": ("Đang thẩm định", "Reviewing"),
    "posting": ("Niêm yết công khai, nhận ý kiến", "Public posting, objections"),
    "council": ("Hội đồng xét duyệt", "Council"),
    "awaiting_signature": ("Chờ Chủ tịch ký", "Awaiting signature"),
    "recording": ("Đang ghi quyết định", "Recording the decision"),
    "documents": ("Đang tạo văn bản", "Generating documents"),
    "supplementary": (
        "Đã ban hành quyết định, nhận công nhận bổ sung",
        "Decided; supplementary decisions open",
    ),
    "supplement_signature": ("Chờ Chủ tịch ký quyết định bổ sung", "Awaiting the supplementary signature"),
    "closed": ("Đã kết thúc", "Closed"),
}
OUTCOME_NAMES = {
    "recognised": ("Được công nhận", "Recognised"),
    "not_recognised": ("Không được công nhận", "Not recognised"),
}
DECISION_STATUS_NAMES = {
    "draft": ("Dự thảo", "Draft"),
    "signed": ("Đã ký", "Signed"),
    "recorded": ("Đã ghi vào hồ sơ", "Recorded on the cases"),
}
DOCUMENT_NAMES = {
    "docx": ("Quyết định (Word, DOCX)", "Decision (Word, DOCX)"),
    "pdf": ("Quyết định (PDF)", "Decision (PDF)"),
    "minutes": ("Biên bản hội đồng (JSON)", "Council minutes (JSON)"),
    "minutes_docx": ("Biên bản hội đồng (Word, DOCX)", "Council minutes (Word, DOCX)"),
    "minutes_pdf": ("Biên bản hội đồng (PDF)", "Council minutes (PDF)"),
    "certificates_pdf": ("Tất cả giấy chứng nhận (PDF để in)", "Every certificate (PDF to print)"),
    "certificate_docx": ("Giấy chứng nhận (Word, DOCX)", "Certificate (Word, DOCX)"),
    "certificate_pdf": ("Giấy chứng nhận (PDF)", "Certificate (PDF)"),
}
VERDICT_NAMES = {
    "accepted": ("Chấp nhận", "Accepted"),
    "rejected": ("Không chấp nhận", "Rejected"),
    "more_info_needed": ("Cần thêm thông tin", "More information needed"),
}

# An objection to a posted list (services/evaluation/service/round_steps.py).
OBJECTION_STATUS_NAMES = {
    "open": ("Chưa xử lý", "Open"),
    "assigned": ("Đang xác minh", "Being checked"),
    "resolved": ("Đã kết luận", "Resolved"),
}

# Award rounds (services/awards/domain/model.py): kinds, phases, levels, nominees, nominations.
AWARD_KIND_NAMES = {
    "annual": ("Khen thưởng hằng năm", "Annual awards"),
    "so_ket": ("Sơ kết giai đoạn 2023–2025", "Mid-term review 2023–2025"),
    "tong_ket": ("Tổng kết giai đoạn 2023–2030", "Final review 2023–2030"),
}
AWARD_PHASE_NAMES = {
    "open": ("Đang mở", "Open"),
    "nominating": ("Đang nhận đề cử", "Taking nominations"),
    "scoring": ("Hội đồng đang chấm điểm", "Council scoring"),
    "shortlisted": ("Đã chọn danh sách", "Shortlisted"),
    "decided": ("Đã có quyết định", "Decided"),
}
LEVEL_NAMES = {
    "commune": ("Cấp xã", "Commune"),
    "agency": ("Cơ quan, đơn vị", "Agency"),
    "district": ("Cấp huyện", "District"),
    "province": ("Cấp tỉnh", "Province"),
    "ministry": ("Cấp bộ", "Ministry"),
    "national": ("Cấp nhà nước", "National"),
}
NOMINEE_KIND_NAMES = {
    "collective": ("Tập thể", "Collective"),
    "household": ("Hộ gia đình", "Household"),
    "individual": ("Cá nhân", "Individual"),
}
NOMINATION_STATUS_NAMES = {
    "eligible": ("Đủ điều kiện xét", "Eligible"),
    "shortlisted": ("Được chọn", "Shortlisted"),
    "not_selected": ("Không được chọn", "Not selected"),
    "forwarded": ("Đã chuyển cấp trên", "Forwarded"),
    "awarded": ("Được khen thưởng", "Awarded"),
}

# What a verification found (common/audit.py VerifyResult.kind, common/audit_anchor.py AnchorProblem.kind).
AUDIT_PROBLEM_NAMES = {
    "altered": ("Một mục bị sửa (nội dung hoặc mã băm)", "An entry was changed (its fields or hash)"),
    "broken_link": ("Một mục không nối với mục trước (bị chèn)", "An entry does not link to the one before"),
    "missing": ("Một mục ở giữa chuỗi bị xóa", "An entry in the middle was deleted"),
    "duplicate": ("Hai mục cùng một vị trí", "Two entries in one place"),
    "reordered": ("Thứ tự các mục bị đảo", "Entries were reordered"),
    "truncated": ("Các mục mới nhất bị xóa", "The newest entries were deleted"),
    "unanchored": (
        "Có mục thêm sau đầu chuỗi, ngoài ứng dụng",
        "Entries were added after the head outside the application",
    ),
    "head_mismatch": ("Đầu chuỗi bị ghi đè", "The chain's head was rewritten"),
    "no_head": ("Chuỗi không có đầu chuỗi", "Entries without a head"),
    "rewritten": (
        "Các mục đã neo bị viết lại, chèn hoặc xóa",
        "Anchored entries were rewritten, inserted or removed",
    ),
    "broken_sequence": ("Một mốc neo bị xóa hoặc sửa", "An anchor was removed or changed"),
}

# The fields an audit entry records before and after an action (its `before` / `after`), as the timeline
# names them beside their code. A test scans the services' audit calls for fields without a name.
FIELD_NAMES = {
    "active": ("Đang hoạt động", "Active"),
    "admin_unit_code": ("Đơn vị hành chính", "Administrative unit"),
    "approve": ("Tán thành", "Approves"),
    "assignee": ("Người xử lý", "Assignee"),
    "village_code": ("Thôn, khu phố", "Village"),
    "awarded": ("Được khen thưởng", "Awarded"),
    "cases": ("Hồ sơ", "Cases"),
    "certificates": ("Số giấy chứng nhận", "Certificates"),
    "changes": ("Nội dung sửa đổi", "Changes"),
    "children": ("Đơn vị cấp dưới", "Units below"),
    "complete": ("Đã đủ báo cáo cấp dưới", "Complete"),
    "conflict": ("Xung đột lợi ích", "Conflict of interest"),
    "content_type": ("Loại tệp", "File type"),
    "counts": ("Số lượng", "Counts"),
    "decided_on": ("Ngày quyết định", "Decided on"),
    "decision": ("Quyết định", "Decision"),
    "decision_id": ("Mã quyết định", "Decision id"),
    "decisions": ("Các quyết định", "Decisions"),
    "docx": ("Bản Word", "Word document"),
    "due_at": ("Hạn", "Due"),
    "escalated_to_role": ("Chuyển lên", "Escalated to"),
    "escalation_step": ("Bậc chuyển cấp", "Escalation step"),
    "evidence_id": ("Mã minh chứng", "Evidence id"),
    "file_name": ("Tên tệp", "File name"),
    "filename": ("Tên tệp", "File name"),
    "from_round": ("Từ đợt", "From round"),
    "full_name": ("Họ và tên", "Full name"),
    "indicator_code": ("Chỉ tiêu", "Indicator"),
    "key": ("Khóa lưu trữ", "Storage key"),
    "met_on": ("Ngày họp", "Met on"),
    "nomination_id": ("Mã đề cử", "Nomination id"),
    "nominations": ("Số đề cử", "Nominations"),
    "not_recognised": ("Số không được công nhận", "Not recognised"),
    "number": ("Số quyết định", "Number"),
    "object_key": ("Khóa lưu trữ", "Storage key"),
    "objections_close": ("Hết hạn nhận ý kiến", "Objections close"),
    "on_time": ("Đúng hạn", "On time"),
    "outcomes": ("Kết quả", "Outcomes"),
    "password": ("Mật khẩu", "Password"),
    "pdf": ("Bản PDF", "PDF document"),
    "pdf_sha256": ("Mã băm bản PDF", "PDF hash"),
    "phase": ("Giai đoạn", "Phase"),
    "plan": ("Kế hoạch", "Plan"),
    "plan_code": ("Kế hoạch", "Plan"),
    "present": ("Có mặt", "Present"),
    "reason": ("Lý do", "Reason"),
    "recognised": ("Số được công nhận", "Recognised"),
    "recognitions": ("Các danh hiệu đã được công nhận", "Recognitions held"),
    "returned_to": ("Trả về bước", "Returned to"),
    "role": ("Vai trò", "Role"),
    "rolled_up": ("Tổng hợp", "Rolled up"),
    "rules_version": ("Phiên bản quy định", "Rules version"),
    "scope_code": ("Phạm vi (mã đơn vị)", "Scope (unit code)"),
    "score": ("Điểm", "Score"),
    "scores": ("Điểm", "Scores"),
    "self_assessment_closes": ("Hết hạn tự đánh giá", "Self-assessment closes"),
    "sha256": ("Mã băm SHA-256", "SHA-256"),
    "signed_on": ("Ngày ký", "Signed on"),
    "signer_name": ("Người ký", "Signer"),
    "size": ("Dung lượng (byte)", "Size (bytes)"),
    "status": ("Trạng thái", "Status"),
    "streak": ("Số năm liên tục", "Years in a row"),
    "subject_id": ("Đối tượng", "Subject"),
    "supplementary": ("Bổ sung", "Supplementary"),
    "supplements_until": ("Nhận bổ sung đến", "Supplements until"),
    "title": ("Danh hiệu", "Title"),
    "tokens_revoked": ("Thu hồi phiên đăng nhập", "Sign-ins revoked"),
    "unit": ("Đơn vị", "Unit"),
    "unmet": ("Điều kiện chưa đạt", "Requirements unmet"),
    "username": ("Tên đăng nhập", "Username"),
    "verdict": ("Kết luận", "Verdict"),
    "version": ("Phiên bản", "Version"),
    "votes": ("Số phiếu", "Votes"),
    "year": ("Năm", "Year"),
    "zip_sha256": ("Mã băm tệp nén", "Archive hash"),
}
# A recorded field whose value is a code of one of these tables is shown by that code's name.
FIELD_VALUE_NAMES: dict[str, tuple[dict[str, tuple[str, str]], ...]] = {
    "role": (ROLE_NAMES,),
    "escalated_to_role": (ROLE_NAMES,),
    "status": (STATUS_NAMES, OBJECTION_STATUS_NAMES, NOMINATION_STATUS_NAMES),
    "returned_to": (STATUS_NAMES,),
    "verdict": (VERDICT_NAMES,),
    "title": (TITLE_NAMES,),
    "phase": (PHASE_NAMES, AWARD_PHASE_NAMES),
}


EN: dict[str, str] = {
    "Có": "Yes",
    "Không": "No",
    "Tài khoản": "Accounts",
    "Khóa, mở khóa hoặc đặt mật khẩu mới cho tài khoản thuộc phạm vi của bạn. Mỗi thay đổi cần lý do, được ghi vào nhật ký và thu hồi mọi phiên đăng nhập của tài khoản.": "Lock, unlock or set a new password for the accounts within your scope. Each change needs a reason, is recorded in the audit trail and revokes every sign-in of the account.",
    "Tên đăng nhập hoặc họ tên": "Username or full name",
    "Tìm": "Search",
    "Tìm thấy": "Found",
    "Không có tài khoản nào khớp.": "No account matches.",
    "Hộ": "Household",
    "Trang": "Page",
    "Tạo tài khoản": "Create an account",
    "Tên đăng nhập (chữ thường không dấu)": "Username (lower-case letters without accents)",
    "Họ và tên": "Full name",
    "Mã đơn vị phụ trách (để trống: toàn quốc)": "Code of the unit answered for (empty: the whole country)",
    "Mã hộ (chỉ với đại diện hộ gia đình)": "Household code (household representatives only)",
    "Thư điện tử (tuỳ chọn)": "E-mail (optional)",
    "Mật khẩu ban đầu (ít nhất 10 ký tự)": "Initial password (at least 10 characters)",
    "Đã tạo tài khoản {username}.": "Account {username} created.",
    "Đăng xuất mọi thiết bị": "Sign out on every device",
    "Đã đăng xuất khỏi mọi thiết bị.": "Signed out on every device.",
    "Chưa thể đăng xuất khỏi các thiết bị khác; hãy thử lại sau khi đăng nhập.": "Could not sign out the other devices; sign in and try again.",
    "Toàn quốc": "Whole country",
    "Đang hoạt động": "Active",
    "Đã khóa": "Locked",
    "Mật khẩu mới (khi đặt lại)": "New password (when setting one)",
    "Khóa tài khoản": "Lock the account",
    "Mở khóa": "Unlock",
    "Đặt mật khẩu mới": "Set a new password",
    "Đã lưu. Các phiên đăng nhập của tài khoản đã bị thu hồi.": "Saved. The account's sign-ins have been revoked.",
    "Học tập suốt đời": "Lifelong learning",
    "Phong trào xây dựng xã hội học tập": "Building a learning society",
    "Đăng nhập": "Sign in",
    "Đăng xuất": "Sign out",
    "Tên đăng nhập": "Username",
    "Mật khẩu": "Password",
    "Việc cần làm": "Tasks",
    "Thông báo": "Notifications",
    "Kỳ xét công nhận": "Recognition round",
    "Báo cáo": "Reports",
    "Khen thưởng": "Awards",
    "Ngôn ngữ": "Language",
    "Bỏ qua, tới nội dung chính": "Skip to main content",
    "Menu chính": "Main menu",
    "Của tôi": "Mine",
    "Của đơn vị": "My unit's",
    "Danh hiệu": "Title",
    "Trạng thái": "Status",
    "Tất cả": "All",
    "Lọc": "Filter",
    "Mã đối tượng": "Subject id",
    "Mã trong sổ đăng ký của xã (ví dụ H001) hoặc mã định danh của đối tượng.": (
        "The code in the commune's register (e.g. H001) or the subject's id."
    ),
    "Hạn xử lý": "Due",
    "Hồ sơ của gia đình": "My household's cases",
    "Chờ": "Waiting on",
    "Tất cả hồ sơ": "All cases",
    "Không có hồ sơ nào.": "No cases.",
    "Đã chuyển cấp tới": "Escalated to",
    "Hộ gia đình": "Household",
    "Gia đình chưa có hồ sơ nào.": "No case for this household yet.",
    "Tài khoản chưa gắn với hộ gia đình nào: hãy báo cán bộ xã.": (
        "This account is not linked to a household: please tell the commune's staff."
    ),
    "Quá hạn": "Overdue",
    "Đã chuyển cấp": "Escalated",
    "Người xử lý": "Assignee",
    "Chưa có ai nhận xử lý.": "Nobody has claimed it yet.",
    "Nhận xử lý": "Claim",
    "Giao cho (tên đăng nhập của cán bộ)": "Hand to (the officer's username)",
    "Lý do giao": "Why it changes hands",
    "Giao hồ sơ": "Hand over",
    "Bạn đã nhận xử lý hồ sơ này.": "You have claimed this case.",
    "Đã giao hồ sơ cho {username}.": "The case was handed to {username}.",
    "Hãy nhập tên đăng nhập của cán bộ nhận hồ sơ.": "Enter the username of the officer taking the case.",
    "Không có việc nào.": "No tasks.",
    "Mở hồ sơ mới": "Open a new case",
    "Năm": "Year",
    "Mở hồ sơ": "Open case",
    "Hồ sơ": "Case",
    "Phiên bản": "Version",
    "Bộ tiêu chí": "Criteria set",
    "Phiếu tự đánh giá": "Self-assessment form",
    "Chỉ số": "Indicator",
    "Tự chấm": "Self",
    "Điểm": "Score",
    "Thôn chấm": "Village",
    "Xã chấm": "Commune",
    "Điểm tối đa": "Max points",
    "Đạt": "Met",
    "Không đạt": "Not met",
    "Lưu nháp": "Save draft",
    "Nộp hồ sơ": "Submit",
    "Thẩm định": "Review",
    "Lý do": "Reason",
    "Điều chỉnh điểm": "Adjust scores",
    "Yêu cầu bổ sung minh chứng": "Request evidence",
    "Đạt thẩm định, chuyển tiếp": "Pass review",
    "Đã bổ sung minh chứng": "Evidence provided",
    "Rút hồ sơ": "Withdraw",
    "Minh chứng": "Evidence",
    "Tải minh chứng lên": "Upload evidence",
    "Chọn tệp (PDF, ảnh; có thể chọn nhiều tệp)": "Choose files (PDF, images; several allowed)",
    "Tải lên": "Upload",
    "Tệp": "File",
    "Kích thước": "Size",
    "Người tải": "Uploaded by",
    "Kết luận": "Verdict",
    "Chưa xem xét": "Not reviewed",
    "Ghi kết luận": "Record verdict",
    "Tải về": "Download",
    "Chưa có minh chứng.": "No evidence yet.",
    "Dòng thời gian": "Timeline",
    "Nhật ký kiểm toán": "Audit trail",
    "Chuỗi nhật ký toàn vẹn": "Audit chain verified",
    "Chuỗi nhật ký bị sửa đổi": "Audit chain tampered",
    "Thời điểm": "When",
    "Thao tác": "Action",
    "Người thực hiện": "Who",
    "Thay mặt": "On behalf of",
    "Vai trò": "Role",
    "Mã băm": "Hash",
    "Nội dung thay đổi": "Change",
    "Đang tạo, vui lòng chờ…": "Being created, please wait…",
    "Tải lại": "Reload",
    "Mở hoặc xem kỳ xét của xã": "Open or view the commune's round",
    "Mở / xem kỳ xét": "Open / view the round",
    "Mã kỳ xét": "Round id",
    "Các kỳ xét trong phạm vi của tôi": "Rounds within my scope",
    "Xã, phường": "Commune / ward",
    "Kỳ xét": "Round",
    "Xem kỳ xét": "Open the round",
    "Phân trang": "Pages",
    "Tổng số kỳ xét": "Rounds in all",
    "Trang trước": "Previous page",
    "Trang sau": "Next page",
    "Chưa có kỳ xét nào trong phạm vi của bạn.": "No round within your scope yet.",
    "Xem": "View",
    "Chỉ cán bộ Hội Khuyến học xã, Chủ tịch UBND xã và quản trị viên mở được kỳ xét; người khác chọn kỳ xét trong danh sách dưới đây hoặc dùng mã kỳ xét.": "Only the commune association, the chairman and administrators open a round; others pick it from the list below or use its id.",
    "Giai đoạn": "Phase",
    "Hạn tự đánh giá": "Self-assessment closes",
    "Bắt đầu niêm yết": "Posting starts",
    "Hết hạn nhận ý kiến": "Objections close",
    "Số hồ sơ": "Cases",
    "Danh sách đề nghị công nhận": "Decision list",
    "Kết quả": "Outcome",
    "Thôn": "Village",
    "Ý kiến phản ánh": "Objections",
    "Người phản ánh": "Filed by",
    "Nội dung": "Content",
    "Hồ sơ liên quan (tuỳ chọn)": "Case concerned (optional)",
    "Ghi nhận ý kiến": "Record the objection",
    "Kết quả xử lý": "Resolution",
    "Ý kiến đúng (loại khỏi danh sách)": "Upheld (leaves the list)",
    "Ý kiến không đúng": "Not upheld",
    "Xử lý": "Resolve",
    "Biên bản hội đồng": "Council minutes",
    "Ngày họp": "Met on",
    "Chủ trì": "Chair",
    "Thư ký": "Secretary",
    "Có mặt (mỗi người một dòng)": "Present (one per line)",
    "Vắng mặt (mỗi người một dòng)": "Absent (one per line)",
    "Ghi chú": "Notes",
    "Biểu quyết": "Votes",
    "Tán thành": "In favour",
    "Không tán thành": "Against",
    "Không biểu quyết": "Abstain",
    "Ghi biên bản": "Record the minutes",
    "Họ tên người ký": "Signer's name",
    "Ngày ký": "Signed on",
    "Văn bản": "Documents",
    "Số quyết định": "Decision number",
    "Chưa có văn bản.": "No documents yet.",
    "Cấp": "Level",
    "Thay mặt (mã hộ, công dân; khi nhập phiếu giấy)": "On behalf of (household or citizen id, for paper forms)",
    "Biểu đồ tiến độ so với chỉ tiêu": "Chart of progress against the target",
    "Đơn vị": "Unit",
    "Được công nhận": "Recognised",
    "Tổng số": "Total",
    "Tỷ lệ": "Share",
    "Chỉ tiêu": "Target",
    "Đạt chỉ tiêu": "Target met",
    "Chi tiết": "Details",
    "Xem dòng thời gian": "View timeline",
    "Quay lại hồ sơ": "Back to the case",
    "Quay lại kỳ xét": "Back to the round",
    "Kiểm tra nhật ký": "Audit verification",
    "Mỗi dịch vụ tính lại toàn bộ chuỗi nhật ký và các mốc neo lưu ngoài cơ sở dữ liệu. Mốc neo phát hiện cả chuỗi bị viết lại nhất quán mà chuỗi tự nó không thấy.": "Each service recomputes every audit chain and the anchors kept outside its database. The anchors also find a chain rewritten consistently, which the chain alone cannot show.",
    "Xét công nhận": "Recognition",
    "Toàn vẹn": "Intact",
    "Phát hiện sửa đổi": "Tampering found",
    "Số chuỗi": "Chains",
    "Số mục": "Entries",
    "Chuỗi bị sửa đổi": "Chains tampered with",
    "Mốc neo": "Anchors",
    "Chưa kiểm tra được: kho lưu trữ không truy cập được": "Not checked: the object store could not be reached",
    "Chuỗi có vấn đề": "Chains with problems",
    "Mốc neo không khớp": "Anchors that no longer match",
    "Trước": "Before",
    "Quay lại khen thưởng": "Back to the award round",
    "Quay lại tài khoản": "Back to the accounts",
    "Xem nhật ký kỳ xét": "View the round's audit trail",
    "Xem nhật ký": "View the audit trail",
    "Nhật ký tài khoản": "Account's audit trail",
    "Không có quyền xem nhật ký.": "Your role may not read the audit trail.",
    "Chưa có thông báo.": "No notifications.",
    "Đánh dấu tất cả đã đọc": "Mark all read",
    "chưa đọc": "unread",
    "Chức năng này chưa có: dịch vụ chưa cung cấp API.": "Not available yet: the service has no API for it.",
    "Có lỗi trong biểu mẫu, hãy sửa các ô được đánh dấu.": "The form has errors: fix the marked fields.",
    "Hồ sơ đã được người khác thay đổi. Trang đã tải lại bản mới nhất, hãy làm lại thao tác.": "Someone else changed the case. The page shows the latest version; do it again.",
    "Phiên đăng nhập đã hết hạn, hãy đăng nhập lại.": "The sign-in has expired; sign in again.",
    "Đã lưu.": "Saved.",
    "Đã tải lên": "Uploaded",
    "Lỗi": "Error",
    "Không có dữ liệu.": "No data.",
    "Tiến độ": "Progress",
    "Bắt buộc": "Required",
    "Trang chủ": "Home",
    "Tải về Excel": "Download Excel",
    "Quyết định": "Decision",
    "Ký quyết định": "Sign the decision",
    "Danh sách công nhận bổ sung": "Supplementary recognition list",
    "Hồ sơ đến bước chờ quyết định sau khi danh sách của kỳ xét đã lập được công nhận bằng quyết định bổ sung, đến hết ngày kế hoạch quy định (mặc định 31/12 của năm xét) hoặc đến khi kỳ xét kết thúc.": "Cases that reach the decision after the round's list was built are decided by supplementary decisions, until the day the plan sets (31/12 of the round's year unless it says otherwise) or until the round is closed.",
    "Chưa có danh sách bổ sung.": "No supplementary list yet.",
    "Danh sách gồm các hồ sơ đang chờ quyết định chưa thuộc quyết định nào của kỳ xét; không niêm yết, không qua hội đồng; Chủ tịch UBND xã ký.": "The list holds the cases awaiting a decision that are in none of the round's decisions; it is not posted nor put to the council; the commune chairman signs it.",
    "Lập danh sách bổ sung": "Build a supplementary list",
    "Ký quyết định bổ sung": "Sign the supplementary decision",
    "Ký xong, quyết định bổ sung được ghi vào từng hồ sơ trong danh sách và không sửa được; ngày ký không trước ngày ký quyết định của kỳ xét.": "Once signed, the supplementary decision is recorded on every case of the list and cannot be edited; it cannot be dated before the round's decision.",
    "Kết thúc kỳ xét": "Close the round",
    "Kết thúc kỳ xét thì không lập thêm quyết định bổ sung nào của năm này; hồ sơ đến bước chờ quyết định sau đó không thuộc kỳ xét. Nếu không kết thúc, kỳ xét tự kết thúc lúc 23:59:59 ngày kế hoạch quy định (mặc định 31/12).": "Once the round is closed no more supplementary decisions are made for this year; cases reaching the decision afterwards are not in the round. Otherwise the round closes by itself at 23:59:59 on the day the plan sets (31/12 unless it says otherwise).",
    "Tôi xác nhận kết thúc kỳ xét năm": "I confirm closing the round of",
    "Quyết định công nhận bổ sung": "Supplementary recognition decision",
    "Giấy chứng nhận": "Certificate",
    "Giấy chứng nhận của": "Certificate of",
    "Người ký": "Signed by",
    "Biểu quyết về": "Votes on",
    "Ký xong, quyết định được ghi vào từng hồ sơ và không sửa được; muốn thay đổi phải ban hành quyết định đính chính hoặc thu hồi.": "Once signed, the decision is recorded on every case and cannot be edited; a change needs a correcting or revoking decision.",
    "Quyết định đang được ghi vào hồ sơ và tạo văn bản; tải lại trang sau ít phút.": "The decision is being recorded on the cases and its documents generated; reload the page in a few minutes.",
    "Đề cử": "Nominations",
    "Đủ điều kiện": "Eligible",
    "Không đủ điều kiện": "Not eligible",
    "Cảnh báo: tệp lớn hơn giới hạn.": "Warning: the file is over the limit.",
    "Chỉ số minh chứng (tuỳ chọn)": "Indicator (optional)",
    "Không rõ": "Unknown",
    "Trang không tồn tại.": "Page not found.",
    "Bạn không có quyền thực hiện thao tác này.": "Your role may not do this.",
    "Biểu mẫu đã hết hạn, hãy gửi lại.": "The form expired; send it again.",
    "Quyết định đính chính, thu hồi": "Correcting and revoking decisions",
    "Quyết định đã ghi vào hồ sơ không sửa được: đính chính hoặc thu hồi là một quyết định mới, có số, văn bản và nhật ký riêng. Thu hồi thì danh hiệu của các đối tượng được chọn không còn giá trị, giấy chứng nhận đã cấp không còn hiệu lực.": "A recorded decision cannot be edited: a correction or a revocation is a new decision with its own number, documents and audit entries. A revocation voids the title of the chosen subjects and the certificates issued to them.",
    "Quyết định được đính chính, thu hồi": "Decision to correct or revoke",
    "— Chọn quyết định —": "— Choose a decision —",
    "Loại quyết định": "Kind of decision",
    "Đính chính (sửa đổi nội dung)": "Correction (amends its content)",
    "Thu hồi danh hiệu": "Revocation of the title",
    "Nội dung đính chính (mỗi nội dung một dòng; chỉ khi đính chính)": "Changes (one per line; corrections only)",
    "Hoặc nhập mã đối tượng (mỗi mã một dòng), khi danh sách quá dài để chọn": "Or type the subjects' codes (one per line) when the list is too long to pick from",
    "Đối tượng được công nhận (thu hồi: chọn ít nhất một; đính chính: các dòng được sửa, nếu có)": "Recognised subjects (revocation: choose at least one; correction: the rows corrected, if any)",
    "đã thu hồi": "revoked",
    "Đã thu hồi": "Revoked",
    "Không còn hiệu lực": "No longer valid",
    "Danh hiệu đã bị thu hồi": "The title has been revoked",
    "Công nhận tại Quyết định": "Recognised by Decision",
    "Ban hành quyết định": "Issue the decision",
    "Quyết định đính chính": "Correcting decision",
    "Quyết định thu hồi": "Revoking decision",
    "đính chính": "corrects",
    "thu hồi danh hiệu đã công nhận tại": "revokes titles recognised by",
    "Đã ban hành quyết định đính chính": "Issued the correcting decision",
    "Đã ban hành quyết định thu hồi": "Issued the revoking decision",
    "Danh hiệu không còn đủ điều kiện": "Titles that no longer qualify",
    "Sau một quyết định thu hồi, các danh hiệu dưới đây không còn đạt tỷ lệ thành viên được công nhận. Danh hiệu không tự bị thu hồi: Chủ tịch UBND xã xem xét và, nếu cần, ban hành quyết định thu hồi.": "After a revoking decision, the titles below no longer meet their members' share. They are not revoked by themselves: the commune chairman considers them and, if need be, issues a revoking decision.",
    "Ghi nhận lúc": "Flagged on",
    "sau Quyết định thu hồi": "after revoking decision",
}

# The reasons the web's own form checks give (Vietnamese; English beside).
REASONS: dict[str, tuple[str, str]] = {
    "required": ("Bắt buộc nhập.", "Required."),
    "whole_number": ("Phải là số nguyên từ 0 đến {top}.", "A whole number from 0 to {top}."),
    "out_of_range": ("Phải từ 0 đến {top}.", "Must be from 0 to {top}."),
    "pass_fail": ("Chọn Đạt hoặc Không đạt.", "Choose met or not met."),
    "reason_required": ("Cần ghi lý do.", "A reason is required."),
    "year": ("Năm phải từ 2023 đến 2030.", "The year must be from 2023 to 2030."),
    "choice": ("Giá trị không hợp lệ.", "Not one of the choices."),
    "too_long": ("Quá dài (tối đa {n} ký tự).", "Too long (at most {n} characters)."),
    "file": ("Chưa chọn tệp.", "No file chosen."),
    "date": ("Ngày không hợp lệ (định dạng YYYY-MM-DD).", "Not a valid date (YYYY-MM-DD)."),
    "sign_year": (
        "Ngày ký phải thuộc năm {year} hoặc {next}.",
        "The signing date must be in {year} or {next}.",
    ),
    "no_change": ("Chưa thay đổi điểm chỉ số nào.", "No indicator's score was changed."),
    "window_not_open": (
        "Thời gian tự đánh giá năm {year} bắt đầu từ ngày {day}: hồ sơ được nộp từ ngày đó; trước đó có thể lưu nháp.",
        "Self-assessment for {year} opens on {day}: the case can be submitted from that day; a draft can be saved before.",
    ),
    "sign_after": (
        "Quyết định bổ sung không được ký trước ngày ký quyết định của kỳ xét ({day}).",
        "A supplementary decision cannot be signed before the round's decision ({day}).",
    ),
    "amend_decision": (
        "Chọn quyết định được đính chính hoặc thu hồi.",
        "Choose the decision to correct or revoke.",
    ),
    "amend_kind": ("Chọn đính chính hoặc thu hồi.", "Choose correction or revocation."),
    "amend_changes": (
        "Quyết định đính chính phải nêu nội dung đính chính, mỗi nội dung một dòng.",
        "A correction lists its changes, one per line.",
    ),
    "amend_cases": (
        "Chọn ít nhất một đối tượng bị thu hồi danh hiệu.",
        "Choose at least one subject whose title is revoked.",
    ),
    "amend_subjects": (
        "Không có trong quyết định đã chọn (hoặc đã bị thu hồi): {codes}.",
        "Not in the chosen decision (or already revoked): {codes}.",
    ),
    "amend_after": (
        "Quyết định đính chính, thu hồi không được ký trước ngày ký quyết định được sửa đổi ({day}).",
        "An amending decision cannot be signed before the decision it amends ({day}).",
    ),
    "confirm_close": (
        "Hãy đánh dấu ô xác nhận kết thúc kỳ xét.",
        "Tick the box confirming that the round is closed.",
    ),
}


def lang() -> str:
    """The signed-in session's language (Vietnamese by default)."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in LANGS:
            return str(chosen)
    return "vi"


def gettext(text: str) -> str:
    """The text in the session's language."""
    text = unicodedata.normalize("NFC", text)
    return EN.get(text, text) if lang() == "en" else text


def name_of(table: dict[str, tuple[str, str]], key: str | None) -> str:
    """A display name from one of the name tables, or the key itself."""
    if key is None:
        return ""
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang() == "en" else pair[0]


def local_time(value: object, *, time: bool = False) -> str:
    """A recorded instant or day as people in Vietnam read it, in the session's language
    (`common.local_time`); a dash when empty."""
    return as_read_in_vietnam(value, lang(), with_time=time) if value else "—"


def readable_value(value: object) -> str:
    """A recorded value as people read it: text as it is, anything else as JSON with its Vietnamese
    letters kept (Jinja's `tojson` escapes them to \\uXXXX); the template escapes the result for HTML."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def recorded_value(value: object, key: str) -> str:
    """A value an audit entry recorded under `key`, on a timeline: empty as a dash, a yes/no, a round's
    counts by status, a code of the field's name tables by its name; anything else as `readable_value`."""
    if value is None:
        return "—"  # recorded as empty (no indicator, not returned, no role yet)
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(value, str) and key.endswith(("_at", "_on")) and value[:4].isdigit():  # an instant, a day
        return local_time(value, time=key.endswith("_at"))
    if key == "counts" and isinstance(value, dict):  # cases by status: "Chờ quyết định: 12"
        return ", ".join(f"{name_of(STATUS_NAMES, status)}: {n}" for status, n in sorted(value.items()))
    if isinstance(value, str):
        for table in FIELD_VALUE_NAMES.get(key, ()):
            if value in table:
                return name_of(table, value)
    return readable_value(value)


def subject_label(item: object) -> str:
    """Who a case is about as people know them: "Nguyễn Văn An (H001)" — the register's name and code —,
    the name or the code alone when only one is known, the subject's id when the register holds neither
    (a service answering without them)."""
    get = item.get if isinstance(item, dict) else lambda key: getattr(item, key, None)
    return names.subject_label(get("subject_name"), get("subject_code")) or str(get("subject_id") or "")


def document_name(kind: str | None) -> str:
    """A stored document's name; the merged certificates come in volumes (`certificates_pdf_2`, ...)."""
    head, _, volume = (kind or "").rpartition("_")
    if head == "certificates_pdf" and volume.isdigit():
        return f"{name_of(DOCUMENT_NAMES, head)}, {'volume' if lang() == 'en' else 'tập'} {volume}"
    return name_of(DOCUMENT_NAMES, kind)


def reason(code: str, **values: object) -> str:
    """A form-check reason in the session's language."""
    vi, en = REASONS[code]
    return (en if lang() == "en" else vi).format(**values)
