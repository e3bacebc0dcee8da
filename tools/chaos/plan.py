"""The ward's own plan (Kế hoạch) for the chaos run, in two versions, uploaded through the plans API.

A yearly round follows its plan's calendar in real time: with the seed plans' dates a round on a dev server
would wait weeks for the self-assessment to close, the decision quarter to start and the objection window
to pass. So the run does what a locality does to move its dates: it issues its own plan for the ward (a
commune-level Kế hoạch, nearer to the ward than the City's, so it is the one that applies there) and later
amends it with a new version (docs/plan-format.md, *Versions*):

- **version 1**, active while the cases are driven: the self-assessment window runs the whole year, so no
  case is overdue while it is opened, submitted and reviewed (no reminder or escalation fires: the
  lifecycle's figures stay those of a run without a round);
- **version 2**, uploaded and activated once every case is awaiting the decision: the window closed
  yesterday, the decision is taken in the current quarter (yesterday's, to be exact, so its first day is
  behind us), and `public_posting: {days: 0}`: the list is posted with no objection period. The round
  opened under it passes self-assessment, review and posting at once and waits for the council.

Nothing in the product knows about this run: both versions are validated by `load_plan` like any other
upload. The run's year is the current year in Vietnam (the previous one on 1–2 January, when no day of the
year lies before yesterday); on those two days the cases are overdue from the start.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from common.workdays import VIETNAM_TZ

CODE = "phuong-vung-tau-chaos"


def today() -> date:
    """Today in Vietnam (the plans' dates are Vietnam's)."""
    return datetime.now(VIETNAM_TZ).date()


def run_year(on: date | None = None) -> int:
    """The year the run's cases and round are for."""
    on = on or today()
    return on.year if (on.month, on.day) >= (1, 3) else on.year - 1


def _dm(day: date) -> str:
    return f"{day:%d/%m}"


def plan_document(version: int, year: int, on: date | None = None) -> str:
    """The ward's plan, version 1 (window open all year) or 2 (window closed, decision due, no posting)."""
    on = on or today()
    if version == 1:
        closes, quarter, posting = date(year, 12, 31), 4, ""
    else:
        closes = min(on - timedelta(days=1), date(year, 12, 31))
        quarter = (closes.month - 1) // 3 + 1
        posting = (
            "  public_posting:\n"
            "    days: 0\n"
            "    working_days: false\n"
            "    note: Chạy thử (chaos run) — danh sách niêm yết không có thời gian nhận kiến nghị.\n"
        )
    last = max(year + 4, 2030)
    return f"""\
code: {CODE}
version: {version}
name_vi: Kế hoạch xây dựng xã hội học tập phường Vũng Tàu năm {year} (chạy thử)
document:
  issued_year: {year}
  programme_vi: Phong trào “Cả nước thi đua xây dựng xã hội học tập, đẩy mạnh học tập suốt đời giai đoạn 2023-2030”
issuer: {{name_vi: Ủy ban nhân dân phường Vũng Tàu, level: commune}}
locality:
  name_vi: phường Vũng Tàu
  level: commune
  code: '26506'
  parents: [{{name_vi: Thành phố Hồ Chí Minh, level: province, code: '79'}}]
levels:
  - {{level: province}}
  - {{level: commune, unit_kinds_vi: [phường]}}
  - {{level: village, unit_kinds_vi: [khu phố]}}
period:
  start_year: {year}
  end_year: {last}
  phases: [{{number: 1, start_year: {year}, end_year: {last}, closing_review: tong_ket}}]
titles:
  - title: learning_family
    name_vi: Gia đình học tập
    criteria: {{code: gia-dinh-hoc-tap, version: '2023.1'}}
    decided_by_level: commune
targets:
  - {{title: learning_family, year: {last}, share: 0.90, population: households}}
calendar:
  self_assessment: {{start: '01/01', end: '{_dm(closes)}'}}
  evidence_deadline: {{day: '{_dm(closes)}'}}
  review_limits:
    - {{level: village, days: 7, working_days: true}}
    - {{level: commune, days: 10, working_days: true}}
  decision: {{quarter: {quarter}, level: commune}}
  report_deadlines:
    - {{from_vi: Các khu phố, from_level: village, to_vi: Hội Khuyến học phường, to_level: commune, due: '05/12'}}
  reminder_lead: {{days: 1, working_days: false}}
{posting}escalation:
  - {{role: village_officer, level: village, after_days: 0, working_days: true, action: remind}}
  - {{role: commune_chairman, level: commune, after_days: 5, working_days: true, action: escalate}}
award_rounds:
  - kind: tong_ket
    level: commune
    year: {last}
    quarter: 4
    forms: [{{form: giay_khen, authority: commune_chairman, name_vi: Giấy khen của Chủ tịch UBND phường}}]
"""
