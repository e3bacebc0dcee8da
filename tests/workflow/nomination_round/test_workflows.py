"""A whole award phase on the time-skipping server, by HTTP: rounds from the Vạn Hòa and Hồ Chí Minh City
plans, nominations from the level below, an ineligible nominee refused with every unmet rule, a conflict
of interest caught, quotas enforced, higher forms forwarded, the decision and the dossiers checked."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
import zipfile
from datetime import timedelta
from typing import Any

from pypdf import PdfReader
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Replayer

from common.audit import verify_chain
from services.awards.adapters import tables as t
from services.awards.service.rounds import chain
from tests.conftest import assert_eventually
from tests.workflow.nomination_round.conftest import AwardsStack, today_vn
from workflows.nomination_round.contracts import RoundStatus
from workflows.nomination_round.workflows import NominationRoundWorkflow

COMMUNE, COMMUNE_PATH = "15664", "38/15664"
VILLAGE, VILLAGE_PATH = "15664.V01", "38/15664/15664.V01"
GIAY_KHEN = "giay_khen:commune_chairman"
CLEAN = {"discipline": False, "inspection": False, "complaint": False}


async def call(stack: AwardsStack, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    """An HTTP call on the awards app off the event loop (the workers share it)."""
    return await asyncio.to_thread(getattr(stack.awards, method), path, headers=headers, **kw)


def pdf_text(data: bytes) -> str:
    """Every page's text."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def nominee(subject: str, kind: str, name: str, unit: str, **extra: Any) -> dict[str, Any]:
    """A nomination body."""
    return {
        "nominee_kind": kind,
        "subject_id": subject,
        "name": name,
        "unit_code": unit,
        "form_key": GIAY_KHEN,
        "achievements": f"{name}: gương mẫu học tập suốt đời.",
        "declarations": CLEAN,
        **extra,
    }


async def test_van_hoa_so_ket_from_nominations_to_decision_and_dossiers(stack: AwardsStack) -> None:
    tag = uuid.uuid4().hex[:6]
    hh = {k: f"HH-{k}-{tag}" for k in "ABE"}
    clan, citizen = f"DH-{tag}", f"CD-{tag}"
    for subject in hh.values():
        stack.seeder.add(subject, "household", "learning_family", [2024, 2025], COMMUNE)
    stack.seeder.add(clan, "clan", "learning_clan", [2023, 2024, 2025], COMMUNE)
    stack.seeder.add(citizen, "citizen", "learning_citizen", [2022, 2023], COMMUNE)
    manager = stack.headers("commune_association_officer", COMMUNE_PATH)
    officer = stack.headers("village_officer", VILLAGE_PATH)
    today = await today_vn(stack.env)

    # The plan holds the Vạn Hòa sơ kết in quarter II/2026: its own deadline has passed, so a new one is needed.
    body = {
        "plan_code": "van-hoa-2023",
        "kind": "so_ket",
        "year": 2026,
        "level": "commune",
        "admin_unit_code": COMMUNE,
    }
    late = await call(stack, "post", "/rounds", manager, json=body)
    assert late.status_code == 422 and "nomination_deadline" in late.get_json()["errors"]
    wrong_year = await call(stack, "post", "/rounds", manager, json={**body, "year": 2025})
    assert wrong_year.status_code == 422 and "year" in wrong_year.get_json()["errors"]
    body |= {
        "nomination_deadline": (today + timedelta(days=20)).isoformat(),
        "council_deadline": (today + timedelta(days=30)).isoformat(),
        "quotas": {GIAY_KHEN: 2},
    }
    assert (await call(stack, "post", "/rounds", officer, json=body)).status_code == 403
    r = await call(stack, "post", "/rounds", manager, json=body)
    assert r.status_code == 201, r.get_json()
    rnd = r.get_json()
    assert rnd["status"] == "nominating" and rnd["forms"] == [
        {
            "key": GIAY_KHEN,
            "form": "giay_khen",
            "authority": "commune_chairman",
            "name_vi": "Giấy khen của Chủ tịch UBND xã",
            "quota": 2,
        }
    ]
    assert rnd["ceremony_on"] == "2026-06-30" and rnd["recipients"] == [
        "collective",
        "household",
        "individual",
    ]
    assert (await call(stack, "post", "/rounds", manager, json=body)).status_code == 409
    rid = rnd["id"]

    # Nominations from the village (the level below).
    ids = {}
    for key, subject in hh.items():
        res = await call(
            stack,
            "post",
            f"/rounds/{rid}/nominations",
            officer,
            json=nominee(
                subject,
                "household",
                f"Hộ ông Nguyễn Văn {key}",
                VILLAGE,
                household_id=subject,
                initiatives=[f"SK-{tag}-{key}"],
            ),
        )
        assert res.status_code == 201, res.get_json()
        ids[key] = res.get_json()["id"]
    res = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        officer,
        json=nominee(clan, "collective", "Dòng họ Lê", "15664.V02", priority_flags=["direct_worker"]),
    )
    assert res.status_code == 422 and res.get_json()["errors"] == {
        "unit_code": ["Đơn vị '15664.V02' không thuộc phạm vi của bạn."]
    }  # the clan lives in the other village: its officer proposes it
    res = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        stack.headers("village_officer", "38/15664/15664.V02"),
        json=nominee(clan, "collective", "Dòng họ Lê", "15664.V02", priority_flags=["direct_worker"]),
    )
    assert res.status_code == 201 and res.get_json()["priority"] == 2
    ids["C"] = res.get_json()["id"]

    # Ineligible: the streak is broken, a discipline is pending, the complaint is undeclared, an initiative
    # is cited twice. Every unmet rule is listed.
    refused = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        officer,
        json=nominee(
            citizen,
            "individual",
            "Bà Trần Thị D",
            VILLAGE,
            declarations={"discipline": True, "inspection": False},
            initiatives=["SK-1", "SK-1"],
        ),
    )
    assert refused.status_code == 422
    unmet = {u["rule"]: u for u in refused.get_json()["errors"]["eligibility"]}
    assert set(unmet) == {
        "recognised_2_consecutive_years",
        "no_pending_discipline_inspection_complaint",
        "initiative_counts_once",
    }
    assert unmet["recognised_2_consecutive_years"]["detail"] == {"required_years": 2, "consecutive_years": 0}
    assert unmet["no_pending_discipline_inspection_complaint"]["detail"] == {
        "pending": ["discipline", "complaint"]
    }
    dup = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        officer,
        json=nominee(hh["A"], "household", "Hộ A", VILLAGE),
    )
    assert dup.status_code == 409

    # Evidence from the village, into object storage.
    photo = "Ảnh lớp học của hộ A".encode() * 50
    ev = await call(
        stack,
        "post",
        f"/nominations/{ids['A']}/evidence",
        officer,
        data={"file": (io.BytesIO(photo), "anh-lop-hoc.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert ev.status_code == 201 and ev.get_json()["sha256"] == hashlib.sha256(photo).hexdigest()

    # The council: member m1 lives in household A.
    members = [
        {
            "username": "m1",
            "full_name": "Nguyễn Văn Một",
            "position_vi": "Chủ tịch Hội đồng",
            "household_id": hh["A"],
        },
        {"username": "m2", "full_name": "Trần Thị Hai", "position_vi": "Ủy viên", "unit_code": "15664-V03"},
        {"username": "m3", "full_name": "Lê Văn Ba", "position_vi": "Ủy viên thư ký"},
    ]
    assert (
        await call(stack, "put", f"/rounds/{rid}/council", manager, json={"members": members})
    ).status_code == 200
    early = await call(
        stack,
        "post",
        f"/nominations/{ids['B']}/scores",
        stack.headers("commune_association_officer", COMMUNE_PATH, "m2"),
        json={"score": 80, "approve": True},
    )
    assert early.status_code == 409  # still nominating
    closed = await call(
        stack, "post", f"/rounds/{rid}/close-nominations", manager, json={"reason": "Đủ hồ sơ"}
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "scoring", closed.get_json()
    again = await call(stack, "post", f"/rounds/{rid}/close-nominations", manager, json={"reason": "lần hai"})
    assert again.status_code == 409
    late_nomination = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        officer,
        json=nominee(f"HH-late-{tag}", "household", "Hộ muộn", VILLAGE),
    )
    assert late_nomination.status_code == 409

    m = {u: stack.headers("commune_association_officer", COMMUNE_PATH, u) for u in ("m1", "m2", "m3")}
    conflict = await call(
        stack, "post", f"/nominations/{ids['A']}/scores", m["m1"], json={"score": 100, "approve": True}
    )
    assert conflict.status_code == 409 and conflict.get_json()["code"] == "conflict_of_interest"
    outsider = await call(
        stack, "post", f"/nominations/{ids['A']}/scores", manager, json={"score": 90, "approve": True}
    )
    assert outsider.status_code == 403
    scores = {"A": 95, "B": 70, "C": 90, "E": 60}
    for key, score in scores.items():
        for user in ("m1", "m2", "m3"):
            if user == "m1" and key == "A":
                continue
            res = await call(
                stack,
                "post",
                f"/nominations/{ids[key]}/scores",
                m[user],
                json={"score": score, "approve": True},
            )
            assert res.status_code == 201, res.get_json()

    # The council's deadline passes: the durable timer draws the shortlist within the quota of 2.
    await stack.env.sleep(timedelta(days=31))

    async def shortlisted() -> dict[str, str]:
        got = await call(stack, "get", f"/rounds/{rid}", manager)
        assert got.get_json()["status"] == "shortlisted"
        listed = (await call(stack, "get", f"/rounds/{rid}/nominations", manager)).get_json()
        return {n["id"]: n["status"] for n in listed}

    statuses = await assert_eventually(shortlisted)
    assert statuses == {
        ids["A"]: "shortlisted",
        ids["C"]: "shortlisted",
        ids["B"]: "not_selected",
        ids["E"]: "not_selected",
    }

    chairman = stack.headers("commune_chairman", COMMUNE_PATH)
    decision = {
        "number": "15/QĐ-UBND",
        "decided_on": (today + timedelta(days=32)).isoformat(),
        "signer_name": "Lê Văn Sang",
        "reason": "Theo đề nghị của Hội đồng",
    }
    assert (await call(stack, "post", f"/rounds/{rid}/decision", manager, json=decision)).status_code == 403
    signed = await call(stack, "post", f"/rounds/{rid}/decision", chairman, json=decision)
    assert signed.status_code == 201, signed.get_json()
    handle = stack.env.client.get_workflow_handle(rnd["workflow_id"], result_type=RoundStatus)
    result = await handle.result()
    assert result.phase == "done" and result.decision_id == signed.get_json()["id"]
    assert result.closed_by == ["nominating:commune_association_officer-15664", "scoring:system:deadline"]
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    # The run replays deterministically (updates, timers, activities).
    await Replayer(workflows=[NominationRoundWorkflow]).replay_workflow(await handle.fetch_history())

    got = (await call(stack, "get", f"/rounds/{rid}/decision", manager)).get_json()
    assert got["number"] == "15/QĐ-UBND" and len(got["dossiers"]) == 2
    pdf = await call(stack, "get", f"/rounds/{rid}/decision.pdf", manager)
    assert pdf.status_code == 200 and hashlib.sha256(pdf.data).hexdigest() == got["pdf_sha256"]
    text = pdf_text(pdf.data)
    assert "QUYẾT ĐỊNH" in text and "Hộ ông Nguyễn Văn A" in text and "Dòng họ Lê" in text
    assert "Nguyễn Văn B" not in text

    dossier = await call(stack, "get", f"/nominations/{ids['A']}/dossier.zip", officer)
    assert dossier.status_code == 200
    with zipfile.ZipFile(io.BytesIO(dossier.data)) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        inner_pdf = z.read("ho-so.pdf")
        evidence = [n for n in names if n.startswith("minh-chung/")]
        assert z.read(evidence[0]) == photo
    assert manifest["dossier_pdf_sha256"] == hashlib.sha256(inner_pdf).hexdigest()
    text = pdf_text(inner_pdf)
    for heading in ("TỜ TRÌNH", "BÁO CÁO THÀNH TÍCH", "BIÊN BẢN HỌP HỘI ĐỒNG", "DANH MỤC MINH CHỨNG"):
        assert heading in text
    listed = [d for d in got["dossiers"] if d["nomination_id"] == ids["A"]][0]
    assert listed["zip_sha256"] == hashlib.sha256(dossier.data).hexdigest()
    single = await call(stack, "get", f"/nominations/{ids['A']}/dossier.pdf", officer)
    assert single.data == inner_pdf and listed["pdf_sha256"] == hashlib.sha256(inner_pdf).hexdigest()
    assert (await call(stack, "get", f"/nominations/{ids['B']}/dossier.pdf", officer)).status_code == 404

    with stack.uow() as uow:
        assert verify_chain(uow.connection, t.audit_log, chain(rid)).ok
        entries = uow.audit.entries(chain(rid))
    actions = [e.action for e in entries]
    for action in (
        "round.opened",
        "nomination.refused",
        "council.conflict_of_interest",
        "round.shortlisted",
        "round.decided",
        "decision.rendered",
        "dossier.built",
    ):
        assert action in actions
    built = [e for e in entries if e.action == "dossier.built" and e.after["nomination_id"] == ids["A"]][0]
    assert listed["zip_sha256"] in built.evidence_sha256 and ev.get_json()["sha256"] in built.evidence_sha256


CITY, CITY_PATH = "79", "79"
WARD_PATH = "79/26506"
PM, CITY_FORM = "bang_khen:prime_minister", "bang_khen:province"


async def test_ho_chi_minh_city_so_ket_forwards_the_prime_ministers_form_and_awards_its_own(
    stack: AwardsStack,
) -> None:
    tag = uuid.uuid4().hex[:6]
    star, newcomer, school, club = f"CN-{tag}", f"CN2-{tag}", f"DV-{tag}", f"CLB-{tag}"
    stack.seeder.add(star, "citizen", "learning_citizen", [2021, 2022, 2023, 2024, 2025], "26506")
    stack.seeder.add(newcomer, "citizen", "learning_citizen", [2023, 2024, 2025], "26506")
    stack.seeder.add(school, "unit", "learning_unit", [2023, 2024, 2025], "26506")
    stack.seeder.add(club, "unit", "learning_unit", [2023, 2024, 2025], "26506")
    admin = stack.headers("administrator", CITY_PATH)
    ward = stack.headers("commune_association_officer", WARD_PATH)
    today = await today_vn(stack.env)

    # The City's annual round in the Lifelong Learning Week (October) takes its dates from the plan.
    annual = await call(
        stack,
        "post",
        "/rounds",
        admin,
        json={
            "plan_code": "ho-chi-minh-city-2023",
            "kind": "annual",
            "year": 2027,
            "level": "province",
            "admin_unit_code": CITY,
        },
    )
    assert annual.status_code == 201, annual.get_json()
    a = annual.get_json()
    assert (a["ceremony_on"], a["nomination_deadline"], a["council_deadline"]) == (
        "2027-10-31",
        "2027-09-16",
        "2027-10-16",
    )
    assert a["event_vi"] == "Tuần lễ hưởng ứng học tập suốt đời" and a["recipients"] == [
        "collective",
        "individual",
    ]
    assert a["forms"][0]["quota"] == 20  # the catalogue's default for a province Bằng khen
    household = await call(
        stack,
        "post",
        f"/rounds/{a['id']}/nominations",
        ward,
        json={**nominee(school, "household", "Hộ X", "26506"), "form_key": CITY_FORM},
    )
    assert household.status_code == 422
    # Not a kind the round considers, and (in 2027) the streak that ended in 2025 is broken.
    assert [u["rule"] for u in household.get_json()["errors"]["eligibility"]] == [
        "recipient_kind",
        "recognised_3_consecutive_years",
    ]

    body = {
        "plan_code": "ho-chi-minh-city-2023",
        "kind": "so_ket",
        "year": 2025,
        "level": "province",
        "admin_unit_code": CITY,
        "nomination_deadline": (today + timedelta(days=10)).isoformat(),
        "council_deadline": (today + timedelta(days=25)).isoformat(),
        "quotas": {PM: 1, CITY_FORM: 1},
    }
    bad_quota = await call(stack, "post", "/rounds", admin, json={**body, "quotas": {"giay_khen:x": 1}})
    assert bad_quota.status_code == 422 and "quotas" in bad_quota.get_json()["errors"]
    assert (
        await call(stack, "post", "/rounds", ward, json=body)
    ).status_code == 404  # the City is out of its scope
    r = await call(stack, "post", "/rounds", admin, json=body)
    assert r.status_code == 201, r.get_json()
    rnd = r.get_json()
    rid = rnd["id"]
    assert [f["key"] for f in rnd["forms"]] == [PM, CITY_FORM] and rnd["ceremony_on"] == "2025-12-31"

    # The Prime Minister's Bằng khen needs 5 years and a province or ministry Bằng khen first.
    refused = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        ward,
        json={**nominee(newcomer, "individual", "Ông Phạm Văn Mới", "26506"), "form_key": PM},
    )
    assert refused.status_code == 422
    assert {u["rule"] for u in refused.get_json()["errors"]["eligibility"]} == {
        "recognised_5_consecutive_years",
        "province_or_ministry_award_first",
    }
    prior = [{"form": "bang_khen", "authority": "province", "year": 2023, "decision_number": "1234/QĐ-UBND"}]
    ids = {}
    for key, subject, kind, name, form, extra in (
        ("star", star, "individual", "Bà Nguyễn Thị Sao", PM, {"prior_awards": prior}),
        ("school", school, "collective", "Trường Tiểu học Vũng Tàu", CITY_FORM, {}),
        ("club", club, "collective", "Câu lạc bộ Khuyến học", CITY_FORM, {}),
    ):
        res = await call(
            stack,
            "post",
            f"/rounds/{rid}/nominations",
            ward,
            json={**nominee(subject, kind, name, "26506"), "form_key": form, **extra},
        )
        assert res.status_code == 201, res.get_json()
        ids[key] = res.get_json()["id"]
    bad = await call(
        stack,
        "post",
        f"/rounds/{rid}/nominations",
        ward,
        json={**nominee(school, "collective", "Trường", "26506"), "form_key": "giay_khen:commune_chairman"},
    )
    assert bad.status_code == 422 and "form_key" in bad.get_json()["errors"]
    # Another city's officer does not see the round.
    other = stack.headers("commune_association_officer", "01/00004")
    assert (await call(stack, "get", f"/rounds/{rid}", other)).status_code == 404

    members = [
        {"username": u, "full_name": f"Thành viên {u}", "position_vi": "Ủy viên", "unit_code": unit}
        for u, unit in (("c1", "26506"), ("c2", None), ("c3", None))
    ]
    assert (
        await call(stack, "put", f"/rounds/{rid}/council", admin, json={"members": members})
    ).status_code == 200
    # Nominations close when their deadline passes.
    await stack.env.sleep(timedelta(days=11))

    async def scoring() -> None:
        assert (await call(stack, "get", f"/rounds/{rid}", admin)).get_json()["status"] == "scoring"

    await assert_eventually(scoring)
    c = {u: stack.headers("administrator", CITY_PATH, u) for u in ("c1", "c2", "c3")}
    # c1 works in ward 26506, the unit every nominee comes from.
    own = await call(
        stack, "post", f"/nominations/{ids['school']}/scores", c["c1"], json={"score": 90, "approve": True}
    )
    assert own.status_code == 409 and own.get_json()["errors"]["conflict"] == [
        "Thành viên hội đồng cùng đơn vị với đối tượng được đề nghị (same_unit)."
    ]
    votes = {"star": (92, True), "school": (85, True), "club": (88, False)}  # the club loses the vote
    for key, (score, approve) in votes.items():
        for user in ("c2", "c3"):
            res = await call(
                stack,
                "post",
                f"/nominations/{ids[key]}/scores",
                c[user],
                json={"score": score, "approve": approve},
            )
            assert res.status_code == 201, res.get_json()
    bad_score = await call(
        stack, "post", f"/nominations/{ids['star']}/scores", c["c2"], json={"score": 101, "approve": True}
    )
    assert bad_score.status_code == 422 and "score" in bad_score.get_json()["errors"]["json"]
    closed = await call(
        stack, "post", f"/rounds/{rid}/close-scoring", admin, json={"reason": "Hội đồng đã họp"}
    )
    assert closed.status_code == 200 and closed.get_json()["status"] == "shortlisted", closed.get_json()
    listed = {n["id"]: n for n in (await call(stack, "get", f"/rounds/{rid}/nominations", admin)).get_json()}
    assert listed[ids["star"]]["status"] == "forwarded" and listed[ids["star"]]["forwarded_to"] == ""
    assert (
        listed[ids["school"]]["status"] == "shortlisted" and listed[ids["club"]]["status"] == "not_selected"
    )

    signed = await call(
        stack,
        "post",
        f"/rounds/{rid}/decision",
        admin,
        json={
            "number": "5678/QĐ-UBND",
            "decided_on": today.isoformat(),
            "signer_name": "Nguyễn Văn Được",
            "reason": "Sơ kết giai đoạn 2023-2025",
        },
    )
    assert signed.status_code == 201, signed.get_json()
    handle = stack.env.client.get_workflow_handle(rnd["workflow_id"], result_type=RoundStatus)
    assert (await handle.result()).closed_by == ["nominating:system:deadline", "scoring:administrator-79"]
    listed = {
        n["id"]: n["status"]
        for n in (await call(stack, "get", f"/rounds/{rid}/nominations", admin)).get_json()
    }
    assert listed == {ids["star"]: "forwarded", ids["school"]: "awarded", ids["club"]: "not_selected"}
    text = pdf_text((await call(stack, "get", f"/rounds/{rid}/decision.pdf", admin)).data)
    assert "Trường Tiểu học Vũng Tàu" in text and "Điều 2" in text and "Bà Nguyễn Thị Sao" in text
    assert "Câu lạc bộ" not in text
    got = (await call(stack, "get", f"/rounds/{rid}/decision", admin)).get_json()
    assert sorted(d["nomination_id"] for d in got["dossiers"]) == sorted([ids["star"], ids["school"]])
    again = await call(
        stack,
        "post",
        f"/rounds/{rid}/decision",
        admin,
        json={"number": "1/QĐ", "decided_on": today.isoformat(), "signer_name": "X", "reason": "lại"},
    )
    assert again.status_code == 409
