"""The parts of a file beside its body are scanned too (attack trial, issue 14): a Word
document's headers, footers and properties; a workbook's cell comments, print headers,
properties and formulas that build a number from parts; a PDF's document information and
annotations; HTML attributes and comments; JSON object keys. Each file is built here with the
personal data only in that part; the worker scans the upload and the dataset stays held.
Ordinary parts (a page-number header, a SUM formula) stay clean. Real worker, real uploads."""
from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from safety_support import anonymous_sees, create, make_org, show, upload, wait_scan

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]


def an_id() -> str:
    from safety_corpus import Makers
    return Makers(14).id18()


def a_mobile() -> str:
    from safety_corpus import Makers
    return Makers(14).f.phone_number()


# --- builders: an ordinary file, with personal data only where ``part`` says -------------------
def docx_file(part: str = "", header: str = "") -> bytes:
    import docx
    document = docx.Document()
    document.add_paragraph("2024年办理情况：共办理1882件。")
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if part == "header":
        section.header.paragraphs[0].text = f"经办人身份证 {an_id()}"
    elif part == "footer":
        section.footer.paragraphs[0].text = f"联系人手机 {a_mobile()}"
    elif part == "author":
        document.core_properties.author = an_id()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_file(part: str = "") -> bytes:
    import openpyxl
    from openpyxl.comments import Comment
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["地区", "人数", "备注"])
    ws.append(["广州市", 20, "正常"])
    ws.append(["深圳市", 31, "正常"])
    ws.append(["合计", "=SUM(B2:B3)", "正常"])
    number = an_id()
    if part == "comment":
        ws["C2"].comment = Comment(f"户主身份证 {number}", "经办人")
    elif part == "header":
        ws.oddHeader.center.text = f"经办人 {number}"
    elif part == "footer":
        ws.oddFooter.right.text = f"联系电话 {a_mobile()}"
    elif part == "creator":
        book.properties.creator = number
    elif part == "formula":
        ws["C3"] = f'=CONCATENATE("{number[:11]}","{number[11:]}")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_file(part: str) -> bytes:
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText
    from test_safety_content import text_pdf
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(["2024 total 1882"])))
    if part == "author":
        writer.add_metadata({"/Author": an_id(), "/Title": "2024 report"})
    elif part == "annotation":
        writer.add_annotation(0, FreeText(text=f"phone {a_mobile()}", rect=(50, 550, 200, 650)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def html_file(part: str) -> bytes:
    inner = {"title": f'<p title="{an_id()}">名单</p>',
             "alt": f'<img src="a.png" alt="{an_id()}">',
             "tel": f'<a href="tel:{a_mobile()}">联系我们</a>',
             "comment": f"<!-- 经办人 {an_id()} -->"}[part]
    return f"<html><body><h1>办理情况</h1><p>共办理1882件。</p>{inner}</body></html>".encode()


def json_file() -> bytes:
    return json.dumps({"records": [{an_id(): "张三"}]}, ensure_ascii=False).encode()


def held_for(filename: str, fmt: str, content: bytes, loaded: bool) -> list[tuple[str, str]]:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload(filename, content), "url": filename,
                                        "name": "名单", "format": fmt}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=loaded)
    assert row["state"] == "findings", row
    assert all("*" in s for f in row["findings"] for s in f["samples"])  # no clear value kept
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    return [(f["column"], f["detector"]) for f in row["findings"]]


CASES: list[tuple[str, str, Callable[[], bytes], bool, str, str]] = [
    ("a.docx", "DOCX", lambda: docx_file("header"), False, "页眉页脚", "resident_id"),
    ("a.docx", "DOCX", lambda: docx_file("footer"), False, "页眉页脚", "mobile"),
    ("a.docx", "DOCX", lambda: docx_file("author"), False, "文档属性", "resident_id"),
    ("a.xlsx", "XLSX", lambda: xlsx_file("comment"), True, "批注", "resident_id"),
    ("a.xlsx", "XLSX", lambda: xlsx_file("header"), True, "页眉页脚", "resident_id"),
    ("a.xlsx", "XLSX", lambda: xlsx_file("footer"), True, "页眉页脚", "mobile"),
    ("a.xlsx", "XLSX", lambda: xlsx_file("creator"), True, "文档属性", "resident_id"),
    ("a.xlsx", "XLSX", lambda: xlsx_file("formula"), True, "公式", "resident_id"),
    ("a.pdf", "PDF", lambda: pdf_file("author"), False, "文档属性", "resident_id"),
    ("a.pdf", "PDF", lambda: pdf_file("annotation"), False, "第1页 批注", "mobile"),
    ("a.html", "HTML", lambda: html_file("title"), False, "属性", "resident_id"),
    ("a.html", "HTML", lambda: html_file("alt"), False, "属性", "resident_id"),
    ("a.html", "HTML", lambda: html_file("tel"), False, "属性", "mobile"),
    ("a.html", "HTML", lambda: html_file("comment"), False, "注释", "resident_id"),
    ("a.json", "JSON", json_file, False, "records / 键名", "resident_id"),
]


@pytest.mark.parametrize(("filename", "fmt", "build", "loaded", "part", "detector"), CASES,
                         ids=["docx-header", "docx-footer", "docx-author", "xlsx-comment", "xlsx-header",
                              "xlsx-footer", "xlsx-creator", "xlsx-formula", "pdf-author", "pdf-annotation",
                              "html-title", "html-alt", "html-tel", "html-comment", "json-key"])
def test_personal_data_in_a_part_beside_the_body_holds_the_dataset(
        filename: str, fmt: str, build: Callable[[], bytes], loaded: bool, part: str, detector: str) -> None:
    found = held_for(filename, fmt, build(), loaded)
    assert (part, detector) in found, found


@pytest.mark.parametrize(("filename", "fmt", "build", "loaded"), [
    ("a.docx", "DOCX", lambda: docx_file(header="第 1 页"), False),
    ("a.xlsx", "XLSX", xlsx_file, True),
], ids=["docx-page-header", "xlsx-sum-formula"])
def test_ordinary_headers_and_formulas_stay_clean(filename: str, fmt: str, build: Callable[[], bytes],
                                                  loaded: bool) -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload(filename, build()), "url": filename,
                                        "name": "说明", "format": fmt}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=loaded)
    assert row["state"] == "clean", row
    from test_safety_content import released
    released(pkg["id"])


def test_a_font_size_code_glued_to_a_number_does_not_hide_it() -> None:
    from ckanext.guangdong.safety import documents
    number = an_id()
    assert any(number in t for t in documents.header_footer_text(f'&amp;C&amp;"宋体,常规"&amp;12{number}&amp;P'))
