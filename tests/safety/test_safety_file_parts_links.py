"""Parts of a file a reader sees that the scan left unread until the second attack trial of
issue 14 (docs/safety.md): a workbook's sheet names and cell hyperlinks (external targets in
xl/worksheets/_rels/*.rels), a Word image's alt text (wp:docPr descr/title) and external
hyperlink (word/_rels/document.xml.rels), a ZIP's member names and comments. Each file is built
here with the personal data only in that part and scanned by the file scanner (filescan.py,
what the worker runs on an upload); link targets are percent-decoded first, as the metadata scan
does; two uploads go through the worker too. Ordinary names and links (a sheet named
2024年数据, https://www.gd.gov.cn/) stay clean."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

ID = "440106198503120015"  # a valid 18-digit 居民身份证号码 (check character 5)
MOBILE = "13800138000"
LINK = f"https://www.gd.gov.cn/q?sfz={ID}&tel={MOBILE}"
ENCODED_LINK = "https://www.gd.gov.cn/q?sfz=" + "".join(f"%{ord(c):02X}" for c in ID)
PLAIN_LINK = "https://www.gd.gov.cn/"


def scan(content: bytes, suffix: str, tmp_path: Path) -> set[tuple[str, str]]:
    from ckanext.guangdong.safety import filescan
    path = tmp_path / f"a{suffix}"
    path.write_bytes(content)
    result = filescan.scan_file(str(path), filescan.Limits(max_bytes=10_000_000))
    return {(f["column"], f["detector"]) for f in result.findings}


# --- spreadsheets ------------------------------------------------------------------------------
def xlsx_file(sheet: str = "各市人数", link: str = "") -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(["地区", "人数", "备注"])
    ws.append(["广州市", 20, "办事指南"])
    ws.append(["深圳市", 31, "正常"])
    if link:
        ws["C2"].hyperlink = link
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Word ----------------------------------------------------------------------------------------
def _png() -> bytes:
    """A 1x1 white PNG (no image library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def docx_file(alt: str = "", alt_attr: str = "descr", link: str = "") -> bytes:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.parser import parse_xml
    document = docx.Document()
    paragraph = document.add_paragraph("2024年办理情况：共办理1882件。")
    if alt:
        document.add_picture(io.BytesIO(_png()))
        document.inline_shapes[0]._inline.docPr.set(alt_attr, alt)
    if link:
        rid = document.part.relate_to(link, RT.HYPERLINK, is_external=True)
        paragraph._p.append(parse_xml(
            '<w:hyperlink xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            f'r:id="{rid}"><w:r><w:t>办事指南</w:t></w:r></w:hyperlink>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- archives ----------------------------------------------------------------------------------
def zip_file(member: str = "2024年数据.csv", comment: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, "地区,人数\n广州市,20\n深圳市,31\n".encode())
        archive.comment = comment.encode()
    return out.getvalue()


CASES: list[tuple[str, Callable[[], bytes], str, str]] = [
    (".xlsx", lambda: xlsx_file(sheet=f"张伟{ID}"), "工作表名称", "resident_id"),
    (".xlsx", lambda: xlsx_file(link=LINK), "链接", "resident_id"),
    (".xlsx", lambda: xlsx_file(link=LINK), "链接", "mobile"),
    (".xlsx", lambda: xlsx_file(link=ENCODED_LINK), "链接", "resident_id"),
    (".docx", lambda: docx_file(alt=f"张伟 身份证 {ID}"), "替代文字", "resident_id"),
    (".docx", lambda: docx_file(alt=f"联系电话 {MOBILE}", alt_attr="title"), "替代文字", "mobile"),
    (".docx", lambda: docx_file(link=LINK), "链接", "resident_id"),
    (".docx", lambda: docx_file(link=ENCODED_LINK), "链接", "resident_id"),
    (".zip", lambda: zip_file(member=f"名单/张伟{ID}.csv"), "文件名", "resident_id"),
    (".zip", lambda: zip_file(comment=f"经办人 张伟 {MOBILE}"), "压缩包注释", "mobile"),
]
IDS = ["xlsx-sheet-name", "xlsx-link-id", "xlsx-link-mobile", "xlsx-link-encoded", "docx-alt-descr",
       "docx-alt-title", "docx-link", "docx-link-encoded", "zip-member-name", "zip-comment"]


@pytest.mark.parametrize(("suffix", "build", "part", "detector"), CASES, ids=IDS)
def test_personal_data_in_names_links_and_alt_text_is_found(
        suffix: str, build: Callable[[], bytes], part: str, detector: str, tmp_path: Path) -> None:
    found = scan(build(), suffix, tmp_path)
    assert (part, detector) in found, found


@pytest.mark.parametrize(("suffix", "build"), [
    (".xlsx", lambda: xlsx_file(sheet="2024年数据", link=PLAIN_LINK)),
    (".docx", lambda: docx_file(alt="2024年办理情况图", link=PLAIN_LINK)),
    (".zip", lambda: zip_file(comment=PLAIN_LINK)),
], ids=["xlsx", "docx", "zip"])
def test_ordinary_names_and_links_stay_clean(suffix: str, build: Callable[[], bytes], tmp_path: Path) -> None:
    assert scan(build(), suffix, tmp_path) == set()


@pytest.mark.usefixtures("worker")
@pytest.mark.ckan_config("ckanext.guangdong.safety.scan_before_public", "true")
@pytest.mark.parametrize(("filename", "fmt", "build", "loaded", "part", "detector"), [
    ("a.xlsx", "XLSX", lambda: xlsx_file(sheet=f"张伟{ID}", link=LINK), True, "链接", "mobile"),
    ("a.zip", "ZIP", lambda: zip_file(member=f"张伟{ID}.csv"), False, "文件名", "resident_id"),
], ids=["xlsx-loaded", "zip"])
def test_an_upload_with_them_holds_the_dataset(filename: str, fmt: str, build: Callable[[], bytes], loaded: bool,
                                               part: str, detector: str) -> None:
    """Through the worker: a loaded workbook (the load job's scan of its other parts) and an
    archive (the safety job); the dataset stays private and anonymous users do not see it."""
    from test_safety_file_parts import held_for
    found = held_for(filename, fmt, build(), loaded)
    assert (part, detector) in found, found
    if loaded:  # the loaded sheet's own name too
        assert ("工作表名称", "resident_id") in found, found
