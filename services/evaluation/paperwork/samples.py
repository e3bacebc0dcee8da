"""Sample decisions and certificates for tests, docs and a look at the layout (paperwork layer).

`python -m services.evaluation.paperwork.samples OUTDIR` writes the sample decision, an amending
decision and a certificate as DOCX and PDF into OUTDIR.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from services.evaluation.paperwork.model import (
    Amendment,
    AnnexRow,
    Certificate,
    DecisionDocument,
    Signature,
    certificates_for,
)

SIGNATURE = Signature(capacity="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name="Lê Văn Nam")
VILLAGES = ("Thôn Đông Hưng", "Thôn Tây Sơn", "Tổ dân phố Ngọc Lặc")
# Names that exercise every Vietnamese letter shape and tone: ư ơ ă â ê ô đ with each of the five tones.
NAMES = (
    "Nguyễn Văn Hưng",
    "Trần Thị Hương",
    "Lê Đức Thắng",
    "Phạm Thị Mỹ",
    "Hoàng Văn Lợi",
    "Vũ Thị Thuỷ",
    "Đỗ Quang Huy",
    "Bùi Thị Ngọc Ánh",
    "Đặng Hữu Phước",
    "Ngô Thị Huyền Trâm",
    "Dương Văn Ước",
    "Lý Thị Hoà",
)
LEGAL_BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
    "Căn cứ Quyết định số 387/QĐ-TTg ngày 25 tháng 3 năm 2022 của Thủ tướng Chính phủ phê duyệt Chương "
    "trình “Đẩy mạnh phong trào học tập suốt đời trong gia đình, dòng họ, cộng đồng, đơn vị giai đoạn "
    "2021 - 2030”",
    "Căn cứ Kế hoạch số 45/KH-UBND ngày 10 tháng 3 năm 2026 của Ủy ban nhân dân xã Triệu Sơn về xây dựng "
    "xã hội học tập năm 2026",
)


def annex_rows(count: int) -> tuple[AnnexRow, ...]:
    """`count` households spread over the sample villages, in runs of four per village."""
    return tuple(
        AnnexRow(
            name=NAMES[i % len(NAMES)],
            village=VILLAGES[(i // 4) % len(VILLAGES)],
            address=f"{VILLAGES[(i // 4) % len(VILLAGES)]}, xã Triệu Sơn",
            note="Tiêu biểu" if i % 5 == 0 else "",
        )
        for i in range(count)
    )


def sample_decision(rows: int = 12) -> DecisionDocument:
    """Decision 123/QĐ-UBND of 15 December 2026 recognising `rows` Learning Families."""
    return DecisionDocument(
        issuing_body="ỦY BAN NHÂN DÂN XÃ TRIỆU SƠN",
        number=123,
        symbol="QĐ-UBND",
        place="Triệu Sơn",
        date=dt.date(2026, 12, 15),
        title="Gia đình học tập",
        year=2026,
        authority="CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ TRIỆU SƠN",
        legal_bases=LEGAL_BASES,
        proposal="Chủ tịch Hội Khuyến học xã",
        signature=SIGNATURE,
        annex=annex_rows(rows),
        issuer_reference="Chủ tịch Ủy ban nhân dân xã Triệu Sơn",
        recipients=(
            "Như Điều 3",
            "Thường trực Đảng ủy, HĐND xã (để b/c)",
            "Hội Khuyến học tỉnh (để b/c)",
            "Lưu: VT, VHXH",
        ),
    )


def sample_correction() -> DecisionDocument:
    """Decision 05/QĐ-UBND of 20 January 2027 correcting one name in decision 123."""
    return dataclasses.replace(
        sample_decision(),
        number=5,
        date=dt.date(2027, 1, 20),
        annex=(AnnexRow(name="Phạm Thị Mỹ Lệ", village="Thôn Đông Hưng", note="Sửa họ tên tại STT 4"),),
        amends=Amendment(
            kind="correction",
            earlier_number=123,
            earlier_symbol="QĐ-UBND",
            earlier_date=dt.date(2026, 12, 15),
            reason="sai sót họ tên chủ hộ khi lập danh sách",
            changes=("Sửa họ tên chủ hộ tại số thứ tự 4 từ “Phạm Thị Mỹ” thành “Phạm Thị Mỹ Lệ”",),
        ),
    )


def sample_revocation() -> DecisionDocument:
    """Decision 06/QĐ-UBND of 05 February 2027 withdrawing the title from two households."""
    return dataclasses.replace(
        sample_decision(),
        number=6,
        date=dt.date(2027, 2, 5),
        annex=annex_rows(12)[4:6],
        amends=Amendment(
            kind="revocation",
            earlier_number=123,
            earlier_symbol="QĐ-UBND",
            earlier_date=dt.date(2026, 12, 15),
            reason="hồ sơ minh chứng không đúng thực tế",
        ),
    )


def sample_certificate(paper: str = "A4") -> Certificate:
    """The certificate of the first household of the sample decision."""
    cert = certificates_for(sample_decision(), register_prefix="GCN-2026-")[0]
    return dataclasses.replace(cert, paper=paper)  # type: ignore[arg-type]


def main(argv: list[str]) -> None:
    """Write the samples as DOCX and PDF into the directory named in argv."""
    from services.evaluation.paperwork.render import certificate_files, decision_files

    out = Path(argv[0] if argv else ".")
    out.mkdir(parents=True, exist_ok=True)
    files = [*decision_files(sample_decision()), *decision_files(sample_correction())]
    files += [*decision_files(sample_revocation()), *certificate_files(sample_certificate())]
    for f in files:
        (out / f.filename).write_bytes(f.data)
        print(f"{f.sha256}  {out / f.filename}")


if __name__ == "__main__":
    main(sys.argv[1:])
