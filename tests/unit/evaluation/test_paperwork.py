"""Unit tests: decisions and certificates rendered as DOCX and PDF, read back (evaluation paperwork)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table, _Cell

from services.evaluation.paperwork import (
    AnnexRow,
    certificate_docx,
    certificate_files,
    certificate_pdf,
    decision_docx,
    decision_files,
    decision_pdf,
    sha256_hex,
)
from services.evaluation.paperwork.samples import (
    NAMES,
    annex_rows,
    sample_certificate,
    sample_correction,
    sample_decision,
    sample_revocation,
)

A4_PT = (595.28, 841.89)
A5_PT = (419.53, 595.28)


@pytest.fixture(scope="module")
def decision() -> tuple[bytes, bytes]:
    """The sample decision (12 households in three villages) as DOCX and PDF."""
    doc = sample_decision()
    return decision_docx(doc), decision_pdf(doc)


def _docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _lines(cell: _Cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text]


def _body_texts(document: docx.document.Document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def _rows(table: Table) -> list[list[str]]:
    """Each row's cells as written, a merged cell once (read from the XML, not the grid)."""
    return [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in table._tbl.tr_lst]


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- DOCX ----------------------------------------------------------------------------------------


def test_decision_docx_header_has_issuer_motto_number_and_place_date(decision: tuple[bytes, bytes]) -> None:
    header = _docx(decision[0]).tables[0]
    issuer, national = header.rows[0].cells
    number, place_date = header.rows[1].cells
    assert _lines(issuer) == ["ỦY BAN NHÂN DÂN", "XÃ TRIỆU SƠN"]
    assert _lines(national) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    motto_run = national.paragraphs[1].runs[0]
    assert motto_run.bold and motto_run.underline
    assert _lines(number) == ["Số: 123/QĐ-UBND"]
    assert _lines(place_date) == ["Triệu Sơn, ngày 15 tháng 12 năm 2026"]
    assert place_date.paragraphs[0].runs[0].italic


def test_decision_docx_body_reads_title_subject_bases_and_articles(decision: tuple[bytes, bytes]) -> None:
    texts = _body_texts(_docx(decision[0]))
    assert texts[:3] == [
        "QUYẾT ĐỊNH",
        "Về việc công nhận danh hiệu “Gia đình học tập” năm 2026",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ TRIỆU SƠN",
    ]
    bases = [t for t in texts if t.startswith(("Căn cứ", "Theo đề nghị"))]
    assert len(bases) == 4
    assert (
        all(b.endswith(";") for b in bases[:-1])
        and bases[-1] == "Theo đề nghị của Chủ tịch Hội Khuyến học xã."
    )
    assert "QUYẾT ĐỊNH:" in texts
    articles = [t for t in texts if t.startswith("Điều ")]
    assert (
        articles[0]
        == "Điều 1. Công nhận 12 hộ gia đình đạt danh hiệu “Gia đình học tập” năm 2026 (có danh sách kèm theo)."
    )
    assert articles[1] == "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."
    assert articles[2].startswith("Điều 3. ") and articles[2].endswith(
        "chịu trách nhiệm thi hành Quyết định này."
    )


def test_decision_docx_articles_label_is_bold_and_body_uses_times_new_roman_13_to_14(
    decision: tuple[bytes, bytes],
) -> None:
    document = _docx(decision[0])
    article = next(p for p in document.paragraphs if p.text.startswith("Điều 1."))
    assert article.runs[0].text == "Điều 1. " and article.runs[0].bold
    assert article.paragraph_format.first_line_indent == Mm(12.7)
    assert document.styles["Normal"].font.name == "Times New Roman"
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    body_sizes = {r.font.size.pt for p in document.paragraphs for r in p.runs if r.text.strip()}
    assert body_sizes <= {13.0, 14.0}


def test_decision_docx_page_is_a4_with_nd30_margins(decision: tuple[bytes, bytes]) -> None:
    section = _docx(decision[0]).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # Word keeps margins in twentieths of a point: 15 mm comes back as 14.99 mm.
    top, bottom, left, right = (
        round(m.mm, 1)
        for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    )
    assert 20 <= top <= 25 and 20 <= bottom <= 25
    assert 30 <= left <= 35 and 15 <= right <= 20


def test_decision_docx_recipients_and_signature_block(decision: tuple[bytes, bytes]) -> None:
    recipients, signature = _docx(decision[0]).tables[1].rows[0].cells
    assert _lines(recipients) == [
        "Nơi nhận:",
        "- Như Điều 3;",
        "- Thường trực Đảng ủy, HĐND xã (để b/c);",
        "- Hội Khuyến học tỉnh (để b/c);",
        "- Lưu: VT, VHXH.",
    ]
    assert _lines(signature) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Lê Văn Nam"]
    assert signature.paragraphs[-1].paragraph_format.space_before >= Mm(20)


def test_decision_docx_annex_lists_households_grouped_by_village(decision: tuple[bytes, bytes]) -> None:
    document = _docx(decision[0])
    texts = _body_texts(document)
    assert "DANH SÁCH" in texts
    assert "DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2026" in texts
    assert (
        "(Kèm theo Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 của Chủ tịch Ủy ban nhân dân xã Triệu Sơn)"
        in texts
    )
    table = document.tables[3]
    rows = _rows(table)
    assert rows[0] == ["STT", "Họ và tên chủ hộ", "Địa chỉ", "Ghi chú"]
    assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
    groups = [r for r in rows[1:] if len(r) == 2]
    assert groups == [["I", "Thôn Đông Hưng"], ["II", "Thôn Tây Sơn"], ["III", "Tổ dân phố Ngọc Lặc"]]
    assert rows[1:6] == [
        ["I", "Thôn Đông Hưng"],
        ["1", "Nguyễn Văn Hưng", "Thôn Đông Hưng, xã Triệu Sơn", "Tiêu biểu"],
        ["2", "Trần Thị Hương", "Thôn Đông Hưng, xã Triệu Sơn", ""],
        ["3", "Lê Đức Thắng", "Thôn Đông Hưng, xã Triệu Sơn", ""],
        ["4", "Phạm Thị Mỹ", "Thôn Đông Hưng, xã Triệu Sơn", ""],
    ]
    assert [r[0] for r in rows[1:] if len(r) == 4] == [str(i) for i in range(1, 13)]
    assert texts[-1] == "Tổng số: 12 hộ gia đình."


def test_decision_docx_numbers_pages_from_the_second(decision: tuple[bytes, bytes]) -> None:
    section = _docx(decision[0]).sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert not section.first_page_header.paragraphs[0].text


def test_annex_rows_of_a_village_are_grouped_even_when_interleaved() -> None:
    rows = (
        AnnexRow("Nguyễn Văn A", "Thôn Bắc"),
        AnnexRow("Trần Thị B", "Thôn Nam"),
        AnnexRow("Lê Văn C", "Thôn Bắc"),
    )
    doc = dataclasses.replace(sample_decision(), annex=rows)
    table_rows = _rows(_docx(decision_docx(doc)).tables[3])
    assert table_rows[1:] == [
        ["I", "Thôn Bắc"],
        ["1", "Nguyễn Văn A", "Thôn Bắc", ""],
        ["2", "Lê Văn C", "Thôn Bắc", ""],
        ["II", "Thôn Nam"],
        ["3", "Trần Thị B", "Thôn Nam", ""],
    ]


def test_certificate_docx_is_one_landscape_page_with_border() -> None:
    document = _docx(certificate_docx(sample_certificate()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert section._sectPr.find(qn("w:pgBorders")) is not None
    texts = _body_texts(document)
    assert texts[:2] == ["GIẤY CHỨNG NHẬN", "DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2026"]
    assert "Hộ gia đình ông (bà) Nguyễn Văn Hưng" in texts
    assert "Địa chỉ: Thôn Đông Hưng, xã Triệu Sơn" in texts
    assert "(Theo Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026)" in texts
    register, signature = document.tables[1].rows[0].cells
    assert _lines(register) == ["Số vào sổ: GCN-2026-1"]
    assert _lines(signature) == [
        "Triệu Sơn, ngày 15 tháng 12 năm 2026",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Lê Văn Nam",
    ]


def test_certificate_docx_on_a5_is_landscape_a5() -> None:
    section = _docx(certificate_docx(sample_certificate("A5"))).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 148)


# --- PDF -----------------------------------------------------------------------------------------


def test_decision_pdf_text_keeps_every_vietnamese_letter(decision: tuple[bytes, bytes]) -> None:
    pages = _pdf_text(decision[1])
    first = _flat(pages[0])
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN XÃ TRIỆU SƠN",
        "Số: 123/QĐ-UBND",
        "Triệu Sơn, ngày 15 tháng 12 năm 2026",
        "Về việc công nhận danh hiệu “Gia đình học tập” năm 2026",
        "QUYẾT ĐỊNH:",
        "Điều 1. Công nhận 12 hộ gia đình",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Lê Văn Nam",
    ):
        assert expected in first
    annex = _flat(" ".join(pages[1:]))
    for name in NAMES:
        assert name in annex
    assert all(unicodedata.is_normalized("NFC", page) for page in pages)


def test_decision_pdf_embeds_its_font_and_no_other(decision: tuple[bytes, bytes]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(decision[1]))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert {name.split("+")[-1] for name in fonts} == {
        "LiberationSerif",
        "LiberationSerif-Bold",
        "LiberationSerif-Italic",
        "LiberationSerif-BoldItalic",
    }
    for font in fonts.values():
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
        assert "/ToUnicode" in font  # what makes the text searchable and extractable


def test_decision_pdf_pages_are_a4_portrait_with_metadata_from_the_document(
    decision: tuple[bytes, bytes],
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(decision[1]))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=0.1)
    assert reader.metadata["/Title"] == "Quyết định số 123/QĐ-UBND"
    assert reader.metadata["/CreationDate"].startswith("D:20261215")
    assert reader.trailer["/Root"]["/Lang"] == "vi-VN"
    assert _flat(reader.pages[1].extract_text()).startswith("2 ")  # page number from page 2


def test_no_pdf_page_is_blank_however_long_the_decision_runs() -> None:
    # Growing the bases moves the signature block down the page, over the page end and past it.
    for extra in range(0, 16):
        bases = sample_decision().legal_bases + tuple(f"Căn cứ văn bản số {i}/KH-UBND" for i in range(extra))
        pdf = decision_pdf(dataclasses.replace(sample_decision(), legal_bases=bases))
        for number, text in enumerate(_pdf_text(pdf), start=1):
            body = _flat(text).removeprefix(str(number)).strip() if number > 1 else _flat(text)
            assert body, f"page {number} is blank with {extra} extra bases"


def test_certificate_pdf_is_one_landscape_page() -> None:
    for paper, size in (("A4", A4_PT), ("A5", A5_PT)):
        reader = pypdf.PdfReader(io.BytesIO(certificate_pdf(sample_certificate(paper))))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx((size[1], size[0]), abs=0.1)
        text = _flat(reader.pages[0].extract_text())
        for expected in (
            "GIẤY CHỨNG NHẬN",
            "DANH HIỆU “GIA ĐÌNH HỌC TẬP” NĂM 2026",
            "Hộ gia đình ông (bà) Nguyễn Văn Hưng",
            "Độc lập - Tự do - Hạnh phúc",
            "Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026",
            "Số vào sổ: GCN-2026-1",
        ):
            assert expected in text


def test_nfd_input_comes_out_nfc_in_both_formats() -> None:
    nfd = unicodedata.normalize("NFD", "Phạm Thị Mỹ Lệ")
    assert nfd != "Phạm Thị Mỹ Lệ"
    doc = dataclasses.replace(
        sample_decision(),
        place=unicodedata.normalize("NFD", "Triệu Sơn"),
        annex=(AnnexRow(nfd, unicodedata.normalize("NFD", "Thôn Đông Hưng")),),
    )
    pdf_text = _flat(" ".join(_pdf_text(decision_pdf(doc))))
    assert "Phạm Thị Mỹ Lệ" in pdf_text and nfd not in pdf_text
    assert "Triệu Sơn, ngày 15 tháng 12 năm 2026" in pdf_text
    document = _docx(decision_docx(doc))
    assert _rows(document.tables[3])[2][1] == "Phạm Thị Mỹ Lệ"
    xml = document.element.xml
    assert unicodedata.is_normalized("NFC", xml)


# --- amending decisions ---------------------------------------------------------------------------


def test_correction_is_a_new_decision_naming_the_earlier_one() -> None:
    doc = sample_correction()
    text = _flat(" ".join(_pdf_text(decision_pdf(doc))))
    assert "Số: 05/QĐ-UBND" in text
    assert "Triệu Sơn, ngày 20 tháng 01 năm 2027" in text
    assert (
        "Về việc sửa đổi Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 về việc công nhận danh hiệu "
        "“Gia đình học tập” năm 2026" in text
    )
    assert "1. Sửa họ tên chủ hộ tại số thứ tự 4 từ “Phạm Thị Mỹ” thành “Phạm Thị Mỹ Lệ”." in text
    assert (
        "Các nội dung khác của Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026 giữ nguyên hiệu lực."
        in text
    )
    texts = _body_texts(_docx(decision_docx(doc)))
    assert "HỘ GIA ĐÌNH ĐƯỢC SỬA ĐỔI THÔNG TIN" in texts


def test_revocation_withdraws_the_title_of_the_listed_households() -> None:
    doc = sample_revocation()
    text = _flat(" ".join(_pdf_text(decision_pdf(doc))))
    assert "Số: 06/QĐ-UBND" in text and "ngày 05 tháng 02 năm 2027" in text
    assert (
        "Về việc thu hồi danh hiệu “Gia đình học tập” năm 2026 đã công nhận tại Quyết định số 123/QĐ-UBND"
        in text
    )
    assert "Thu hồi danh hiệu “Gia đình học tập” năm 2026 của 2 hộ gia đình" in text
    assert "Lý do thu hồi: hồ sơ minh chứng không đúng thực tế." in text
    rows = _rows(_docx(decision_docx(doc)).tables[3])
    assert [r[1] for r in rows[1:] if len(r) == 4] == ["Hoàng Văn Lợi", "Vũ Thị Thuỷ"]


def test_revocation_of_a_whole_decision_has_no_annex() -> None:
    doc = dataclasses.replace(sample_revocation(), annex=())
    document = _docx(decision_docx(doc))
    assert len(document.tables) == 2  # header and signature, no annex
    first_article = next(t for t in _body_texts(document) if t.startswith("Điều 1."))
    assert first_article.startswith("Điều 1. Thu hồi Quyết định số 123/QĐ-UBND ngày 15 tháng 12 năm 2026")
    assert len(pypdf.PdfReader(io.BytesIO(decision_pdf(doc))).pages) == 1


# --- determinism and digests ------------------------------------------------------------------------


def test_same_input_gives_the_same_bytes_and_digest() -> None:
    first, second = decision_files(sample_decision()), decision_files(sample_decision())
    assert [f.sha256 for f in first] == [f.sha256 for f in second]
    assert [f.data for f in first] == [f.data for f in second]
    assert first[0].sha256 == sha256_hex(first[0].data)
    assert [f.filename for f in first] == ["quyet-dinh-123-2026.docx", "quyet-dinh-123-2026.pdf"]
    assert first[1].media_type == "application/pdf"
    certs = certificate_files(sample_certificate()), certificate_files(sample_certificate())
    assert [f.sha256 for f in certs[0]] == [f.sha256 for f in certs[1]]


def test_pdf_digest_ignores_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    # reportlab would seed the file ID from SOURCE_DATE_EPOCH; the renderer seeds it from the input.
    unset = sha256_hex(decision_pdf(sample_decision()))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert sha256_hex(decision_pdf(sample_decision())) == unset


def test_a_different_date_or_name_changes_the_digest() -> None:
    base = sample_decision()
    later = dataclasses.replace(base, date=dt.date(2026, 12, 16))
    renamed = dataclasses.replace(
        base, annex=(AnnexRow("Nguyễn Văn Hững", "Thôn Đông Hưng"), *base.annex[1:])
    )
    digests = {
        sha256_hex(render(doc)) for doc in (base, later, renamed) for render in (decision_docx, decision_pdf)
    }
    assert len(digests) == 6


def test_docx_zip_entries_and_core_properties_are_dated_from_the_document() -> None:
    import zipfile

    data = decision_docx(sample_decision())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(2026, 12, 15, 0, 0, 0)}
    props = _docx(data).core_properties
    assert props.created == props.modified == dt.datetime(2026, 12, 15, tzinfo=dt.UTC)
    assert props.title == "Quyết định số 123/QĐ-UBND" and props.language == "vi-VN"


# --- scale and a look at the page ----------------------------------------------------------------


def test_an_annex_of_two_thousand_households_renders_in_seconds() -> None:
    doc = dataclasses.replace(sample_decision(), annex=annex_rows(2000))
    start = time.perf_counter()
    docx_bytes, pdf_bytes = decision_docx(doc), decision_pdf(doc)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"{elapsed:.1f} s"  # ~1.5 s on the 2-core development machine
    rows = _rows(_docx(docx_bytes).tables[3])
    assert sum(1 for r in rows if len(r) == 4) == 2001  # the heading row and 2,000 households
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) > 50
    assert "Tổng số: 2.000 hộ gia đình." in _flat(reader.pages[-1].extract_text())
    assert "Điều 1. Công nhận 2.000 hộ gia đình" in _flat(reader.pages[0].extract_text())


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_first_page_rasterises_to_an_a4_image_with_ink(tmp_path: Path) -> None:
    from PIL import Image

    pdf = tmp_path / "qd.pdf"
    pdf.write_bytes(decision_pdf(sample_decision()))
    subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        assert image.height / image.width == pytest.approx(297 / 210, rel=0.02)
        gray = image.convert("L")
        assert gray.getextrema()[0] < 64  # some black ink
        # The top band holds the header (ink), and the page is mostly white paper.
        top = gray.crop((0, 0, gray.width, gray.height // 6))
        assert top.getextrema()[0] < 64
        histogram = gray.histogram()
        assert sum(histogram[200:]) / sum(histogram) > 0.85


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_docx_laid_out_by_libreoffice_keeps_the_signature_whole_and_no_page_blank(tmp_path: Path) -> None:
    # The DOCX is laid out by the reader's word processor, not here: LibreOffice stands in for Word.
    for extra in range(20):
        bases = sample_decision().legal_bases + tuple(f"Căn cứ văn bản số {i}/KH-UBND" for i in range(extra))
        doc = dataclasses.replace(sample_decision(), legal_bases=bases)
        (tmp_path / f"v{extra:02d}.docx").write_bytes(decision_docx(doc))
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "out")]
        + sorted(str(p) for p in tmp_path.glob("v*.docx")),
        check=True,
        capture_output=True,
        timeout=100,
    )
    pdfs = sorted((tmp_path / "out").glob("v*.pdf"))
    assert len(pdfs) == 20
    for pdf in pdfs:
        pages = [_flat(text) for text in _pdf_text(pdf.read_bytes())]
        assert all(len(page.split()) > 10 for page in pages), pdf.name
        signed = [page for page in pages if "TM. ỦY BAN NHÂN DÂN" in page]
        assert len(signed) == 1 and "Lê Văn Nam" in signed[0], pdf.name
