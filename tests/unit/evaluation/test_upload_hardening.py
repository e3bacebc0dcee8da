"""Uploaded workbooks are parsed through defusedxml (openpyxl uses it when installed): a worksheet with a
DTD and entities (billion laughs, external entities) is refused as unreadable, never expanded."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import openpyxl.xml
import pytest

from services.evaluation.imports import ImportOptions, validate_import
from services.evaluation.imports.readers import iter_xlsx_cells
from services.evaluation.imports.report import ImportFileError

OPTIONS = ImportOptions(commune_code="15664", reference_year=2025)
LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'


def _workbook_with(prolog: str, entity: str) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Mã xã", "Mã thôn", "Tên thôn", "Loại"])
    wb.active.append(["15664", "TH01", "PLACEHOLDER", "Thôn"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (prolog + data.decode().replace("PLACEHOLDER", entity)).encode()
            dst.writestr(item, data)
    return out.getvalue()


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.parametrize(("prolog", "entity"), [(LAUGHS, "&lol2;"), (EXTERNAL, "&ext;")])
def test_a_workbook_with_entities_is_refused_as_unreadable(prolog: str, entity: str) -> None:
    data = _workbook_with(prolog, entity)
    with pytest.raises(ImportFileError):
        list(iter_xlsx_cells(io.BytesIO(data)))
    report = validate_import("villages", io.BytesIO(data), "xlsx", OPTIONS)
    assert [e.code for e in report.entries] == ["file_unreadable"]


def test_the_same_workbook_without_entities_reads() -> None:
    rows = list(iter_xlsx_cells(io.BytesIO(_workbook_with("", "Thôn Một"))))
    assert rows[1][1][2] == "Thôn Một"
