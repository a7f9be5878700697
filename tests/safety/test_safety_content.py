"""Uploads are scanned by what they hold, not by their declared format: a CSV declared TXT,
JSON or HTML, or packed in a ZIP, is read and its personal data holds the dataset; an upload
that cannot be read (an image, a PDF without text) is held until a reviewer clears it; a PDF
with text and a Word document are read. Real worker, real
uploads (the safety job, job.scan_upload)."""
from __future__ import annotations

import io
import json
import zipfile

import ckan.plugins.toolkit as tk
import pytest
from safety_support import anonymous_sees, as_user, create, csv_bytes, make_org, make_sysadmin, show, upload, wait_scan

from ckanext.guangdong.safety import filescan, gate

pytestmark = [pytest.mark.usefixtures("worker"),
              pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")]


def released(pkg_id: str, timeout: float = 60) -> None:
    """The worker settles the dataset right after it stored the scan."""
    import time
    deadline = time.monotonic() + timeout
    while show(pkg_id)["private"] is not False:
        assert time.monotonic() < deadline, "never released"
        time.sleep(0.2)
    assert anonymous_sees(pkg_id)


def people() -> tuple[list[str], list[list[str]]]:
    from safety_corpus import Makers
    m = Makers(21)
    return ["姓名", "身份证号码", "办理事项"], [[m.name(), m.id18(), "社保卡补办"] for _ in range(20)]


def people_csv() -> bytes:
    return csv_bytes(*people())


def zipped(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("说明.txt", "本压缩包为办理情况。".encode())
        z.writestr(name, content)
    return out.getvalue()


def as_json() -> bytes:
    header, rows = people()
    return json.dumps({"data": [dict(zip(header, r, strict=True)) for r in rows]}, ensure_ascii=False).encode()


def as_html() -> bytes:
    header, rows = people()
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    head = "".join(f"<th>{c}</th>" for c in header)
    return f"<html><body><h1>名单</h1><table><tr>{head}</tr>{body}</table></body></html>".encode()


@pytest.mark.parametrize(("filename", "fmt", "content", "column"), [
    ("people.txt", "TXT", people_csv(), "身份证号码"),
    ("people.txt", "TXT", people_csv().decode().encode("gb18030"), "身份证号码"),
    ("people.json", "JSON", as_json(), "data: 身份证号码"),
    ("people.html", "HTML", as_html(), "表格1: 身份证号码"),
    ("people.zip", "ZIP", zipped("名单/people.csv", people_csv()), "名单/people.csv: 身份证号码"),
], ids=["csv-declared-txt", "gbk-csv-declared-txt", "json", "html", "csv-in-zip"])
def test_personal_data_is_found_whatever_the_declared_format(filename: str, fmt: str, content: bytes,
                                                              column: str) -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload(filename, content), "url": filename,
                                        "name": "名单", "format": fmt}])
    assert pkg["private"] is True  # waiting for the scan, like a table
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "findings", row
    assert (column, "resident_id") in {(f["column"], f["detector"]) for f in row["findings"]}
    assert all("*" in s for f in row["findings"] for s in f["samples"])
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])


def test_a_clean_text_upload_is_released_after_its_scan() -> None:
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("notes.txt", "2024年办理情况：共办理1882件。\n".encode()),
                                        "url": "notes.txt", "name": "说明", "format": "TXT"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "clean"
    released(pkg["id"])


def test_an_upload_that_cannot_be_read_is_held_until_a_reviewer_clears_it(gd_app: object) -> None:
    from safety_support import in_language
    org = make_org("city")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # an image: nothing here reads it
    pkg = create(org["id"], resources=[{"upload": upload("people.png", png), "url": "people.png",
                                        "name": "名单", "format": "PNG"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "failed"
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])
    # the publisher reads why, in the page's language
    for lang, words in (("zh_Hans_CN", "无法检查"), ("en", "cannot be checked")):
        with in_language(gd_app, lang):
            state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
        assert "scan_failed" in state["holds"]
        assert words in state["files"][0]["error"], state["files"][0]["error"]
    admin = make_sysadmin()
    state = tk.get_action("guangdong_safety_clear")(as_user(admin), {
        "id": pkg["id"], "reason": "扫描件，已人工核对无个人信息（测试）"})
    assert state["private"] is False and anonymous_sees(pkg["id"])


@pytest.mark.ckan_config("ckanext.guangdong.safety.hold_unscannable", "false")
def test_hold_unscannable_off_lets_an_unreadable_file_pass() -> None:
    row = {"state": "failed", "file_key": "a.pdf", "cleared_at": None}
    assert gate.resource_hold({"url": "a.pdf", "url_type": "upload"}, row, False) is None


def test_the_content_decides_not_the_name(tmp_path: object) -> None:
    from pathlib import Path
    base = Path(str(tmp_path))
    (base / "a.csv").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    with pytest.raises(filescan.Unscannable):
        filescan.scan_file(str(base / "a.csv"), filescan.Limits(10**7))
    nested = zipped("inner.zip", zipped("people.csv", people_csv()))
    (base / "b.zip").write_bytes(zipped("inner.zip", nested))
    with pytest.raises(filescan.Unscannable):   # archives nested deeper than MAX_DEPTH
        filescan.scan_file(str(base / "b.zip"), filescan.Limits(10**7))
    (base / "c.zip").write_bytes(zipped("people.csv", people_csv() * 50))
    with pytest.raises(filescan.Unscannable):   # unpacks to more than the limit
        filescan.scan_file(str(base / "c.zip"), filescan.Limits(10_000))


def xlsx_two_sheets() -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "汇总"
    first.append(["地区", "人数"])
    first.append(["广州市", 20])
    second = book.create_sheet("名单")
    header, rows = people()
    for row in [header, *rows]:
        second.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_personal_data_on_a_second_sheet_holds_the_dataset() -> None:
    """The DataStore loads the first sheet; the scan reads every sheet."""
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("people.xlsx", xlsx_two_sheets()), "url": "people.xlsx",
                                        "name": "名单", "format": "XLSX"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "findings", row
    assert ("名单: 身份证号码", "resident_id") in {(f["column"], f["detector"]) for f in row["findings"]}
    assert show(pkg["id"])["private"] is True and not anonymous_sees(pkg["id"])


def helvetica_pdf(operators: str) -> bytes:
    """A one-page PDF drawing ``operators`` (a content stream) with Helvetica as /F1."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(operators.encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a text layer (Helvetica: ASCII text, as ID numbers and mobiles are)."""
    return helvetica_pdf("BT /F1 11 Tf 50 800 Td 14 TL " + " ".join(f"({ln}) '" for ln in lines) + " ET")


def people_docx() -> bytes:
    import docx
    header, rows = people()
    document = docx.Document()
    document.add_paragraph("办理情况名单")
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    for i, row in enumerate([header, *rows]):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("filename", "fmt", "column"), [
    ("people.pdf", "PDF", "第1页"), ("people.docx", "DOCX", "表格1: 身份证号码"),
], ids=["pdf-text", "docx-table"])
def test_documents_with_text_are_read_not_held_as_unscannable(filename: str, fmt: str, column: str) -> None:
    _header, rows = people()
    content = text_pdf([f"{n} {r[1]}" for n, r in enumerate(rows, 1)]) if fmt == "PDF" else people_docx()
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload(filename, content), "url": filename,
                                        "name": "名单", "format": fmt}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"], loaded=False)
    assert row["state"] == "findings", row
    assert (column, "resident_id") in {(f["column"], f["detector"]) for f in row["findings"]}
    assert not anonymous_sees(pkg["id"])
    clean = create(org["id"], resources=[{"upload": upload("notes.pdf", text_pdf(["2024 total 1882"])),
                                          "url": "notes.pdf", "name": "说明", "format": "PDF"}])
    assert wait_scan(clean["id"], clean["resources"][0]["id"], loaded=False)["state"] == "clean"
    released(clean["id"])


def test_a_pdf_without_text_stays_unscannable(tmp_path: object) -> None:
    from pathlib import Path

    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # a page with no text layer, like a scan of paper
    path = Path(str(tmp_path)) / "scan.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    with pytest.raises(filescan.Unscannable, match="no text"):
        filescan.scan_file(str(path), filescan.Limits(10**7))
    (Path(str(tmp_path)) / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)))
    with pytest.raises(filescan.Unscannable):
        filescan.scan_file(str(Path(str(tmp_path)) / "broken.pdf"), filescan.Limits(10**7))
