"""What a reader's program builds from a file, closed after attack trial a9 (issue 14,
docs/safety.md "Scanned by content"): a CSV cell holding a formula of literals
(``="440106"&"198503120015"``: a spreadsheet shows the ID number), an ID number split across
three columns (地区码 | 出生日期码 | 顺序码), an XLSX number format that draws literal digits
before or after the value, RTF escapes, a gzip's stored file name and comment, a PDF link's
target and a Word internal link's anchor. Each file is built here with the personal data only
there and scanned by the file scanner (filescan.py, what the worker runs on an upload); the
ordinary counterparts stay clean."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_safety_file_parts_links import ENCODED_LINK, ID, MOBILE, PLAIN_LINK, scan

ROWS = [("440106", "19850312", "0015"), ("440304", "19900715", "1237"), ("440103", "19780203", "0016")]


def csv_of(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def formulas_csv() -> bytes:
    return csv_of(["序号,编号,备注", '1,="440106"&"198503120015",正常',
                   '2,"=CONCATENATE(""4401061985"",""03120015"")",正常', '3,="138"&"0013"&"8000",正常'])


def three_columns_csv(rows: list[tuple[str, str, str]] = ROWS) -> bytes:
    return csv_of(["序号,地区码,出生日期码,顺序码"] + [f"{i},{a},{b},{c}" for i, (a, b, c) in enumerate(rows, 1)])


def xlsx_formatted(fmt: str, value: int) -> bytes:
    """A small sheet whose one numeric cell is shown through the number format ``fmt``."""
    import io

    import openpyxl
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["地区", "数量"])
    ws.append(["广州市", 12])
    ws.append(["编号", value])
    ws["B3"].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rtf_file(body: str) -> bytes:
    """An RTF document in the GBK code page (as Chinese WordPad writes it) with ``body``."""
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 \\'cb\\'ce\\'cc\\'e5;}}\n"
            "\\f0\\fs24 " + body + "\\par\n}\n").encode("ascii")


def hex_escaped(text: str) -> str:
    return "".join(f"\\'{b:02x}" for b in text.encode("gbk"))


def unicode_escaped(text: str) -> str:
    return "".join(f"\\u{ord(c)}?" for c in text)


def gzip_file(name: str = "2024年数据.csv", comment: str = "") -> bytes:
    """A gzip whose header stores ``name`` (FNAME) and ``comment`` (FCOMMENT) in UTF-8."""
    import struct
    import zlib
    body = "地区,人数\n广州市,20\n深圳市,31\n".encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    flags = 8 | (16 if comment else 0)
    head = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\0\xff" + name.encode() + b"\0"
    head += comment.encode() + b"\0" if comment else b""
    return head + deflate.compress(body) + deflate.flush() + struct.pack("<II", zlib.crc32(body), len(body))


def pdf_link(url: str) -> bytes:
    import io

    from pypdf import PdfWriter
    from pypdf.annotations import Link
    from test_safety_content import text_pdf
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(["2024 total 1882"])))
    writer.add_annotation(0, Link(rect=(50, 550, 200, 650), url=url))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_anchor(anchor: str) -> bytes:
    import io

    import docx
    from docx.oxml.parser import parse_xml
    document = docx.Document()
    paragraph = document.add_paragraph("2024年办理情况：共办理1882件。")
    paragraph._p.append(parse_xml(
        '<w:hyperlink xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        f'w:anchor="{anchor}"><w:r><w:t>见附表</w:t></w:r></w:hyperlink>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_hidden_between(shown: str, hidden: str) -> bytes:
    """A paragraph whose middle run is formatted hidden (w:vanish): Word shows the outer two
    joined (attack trial a10: 1380 [999] 0138000)."""
    import io

    import docx
    document = docx.Document()
    paragraph = document.add_paragraph("联系电话：")
    half = len(shown) // 2
    paragraph.add_run(shown[:half])
    paragraph.add_run(hidden).font.hidden = True
    paragraph.add_run(shown[half:])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_drawn(pieces: list[tuple[float, str]]) -> bytes:
    """A one-page PDF drawing each (x, text) on one line, in the order given (Helvetica, 11 pt:
    a digit is 6.116 pt wide)."""
    from test_safety_content import helvetica_pdf
    return helvetica_pdf(" ".join(f"BT /F1 11 Tf {x} 800 Td ({t}) Tj ET" for x, t in pieces))


def html_of(body: str, style: str = "") -> bytes:
    return f"<html><head><style>{style}</style></head><body>{body}</body></html>".encode()


# the last 4 digits of each row changed: no check character holds (区划代码 | 日期 | 数量)
NO_CHECK = [(a, b, str((int(c) + 1) % 10_000).zfill(4)) for a, b, c in ROWS]

CASES: list[tuple[str, Callable[[], bytes], str, str]] = [
    (".csv", formulas_csv, "编号", "resident_id"),
    (".csv", formulas_csv, "编号", "mobile"),
    (".csv", three_columns_csv, "地区码 + 出生日期码 + 顺序码", "resident_id"),
    (".xlsx", lambda: xlsx_formatted('"440106198503"000000', 120015), "数字格式", "resident_id"),
    (".xlsx", lambda: xlsx_formatted("".join("\\" + c for c in "440106198503") + "000000", 120015),
     "数字格式", "resident_id"),
    (".xlsx", lambda: xlsx_formatted('0"15"', 4401061985031200), "数字格式", "resident_id"),
    (".xlsx", lambda: xlsx_formatted("0%", 138001380), "数字格式", "mobile"),  # a10 H2: 13800138000%
    (".csv", lambda: csv_of(["序号,电话"] + [f"{i},{v}" for i, v in enumerate(
        ["13800138000e0", "0.13800138e11", "013800138000", "013900139000"], 1)]), "电话", "mobile"),  # a10 H2
    (".rtf", lambda: rtf_file(hex_escaped(f"张伟 身份证 {ID}")), "text", "resident_id"),
    (".txt", lambda: rtf_file(unicode_escaped(f"手机 {MOBILE}")), "text", "mobile"),
    (".gz", lambda: gzip_file(name=f"张伟{ID}.csv"), "文件名", "resident_id"),
    (".gz", lambda: gzip_file(comment=f"经办人 张伟 {MOBILE}"), "压缩包注释", "mobile"),
    (".pdf", lambda: pdf_link(ENCODED_LINK), "第1页 链接", "resident_id"),
    (".docx", lambda: docx_anchor(f"张伟_{ID}"), "链接", "resident_id"),
    (".docx", lambda: docx_hidden_between(MOBILE, "999"), "隐藏文字", "mobile"),
    (".pdf", lambda: pdf_drawn([(50, "Tel"), (100 + 7 * 6.116, MOBILE[7:]), (100, MOBILE[:7])]),
     "第1页", "mobile"),
    (".html", lambda: html_of(f'<p>联系电话：<bdo dir="rtl">{MOBILE[::-1]}</bdo></p>'), "text", "mobile"),
    (".html", lambda: html_of(f'<p>身份证：<span style="unicode-bidi: bidi-override; direction: rtl">'
                              f'{ID[::-1]}</span></p>'), "text", "resident_id"),
    (".html", lambda: html_of(f'<p>身份证：<span class="r">{ID[::-1]}</span></p>',
                              ".r{direction:rtl;unicode-bidi:bidi-override}"), "text", "resident_id"),
    (".html", lambda: html_of(f'<p>联系电话：<span class="m">{MOBILE[7:]}</span></p>',
                              f'.m::before{{content:"{MOBILE[:7]}"}}'), "text", "mobile"),
]
IDS = ["csv-formula-id", "csv-formula-mobile", "csv-three-columns", "xlsx-format-quoted",
       "xlsx-format-escaped", "xlsx-format-after", "xlsx-format-percent", "csv-exponent-and-zeros", "rtf-hex",
       "rtf-unicode", "gzip-name", "gzip-comment", "pdf-link", "docx-anchor", "docx-hidden-run",
       "pdf-drawn-out-of-order", "html-bdo", "html-bidi-style", "html-bidi-class", "html-css-before"]


@pytest.mark.parametrize(("suffix", "build", "part", "detector"), CASES, ids=IDS)
def test_personal_data_a_reader_sees_built_is_found(
        suffix: str, build: Callable[[], bytes], part: str, detector: str, tmp_path: Path) -> None:
    found = scan(build(), suffix, tmp_path)
    assert (part, detector) in found, found


@pytest.mark.parametrize(("suffix", "build"), [
    (".csv", lambda: csv_of(["序号,公式,备注", '1,=SUM(B2:B3),正常', '2,="合计"&"20",正常'])),
    (".csv", lambda: three_columns_csv(NO_CHECK)),
    (".xlsx", lambda: xlsx_formatted('"¥"#,##0.00"元"', 120015)),
    (".xlsx", lambda: xlsx_formatted('"第"0"号"', 2024)),
    (".xlsx", lambda: xlsx_formatted("0.00%", 138001)),
    (".rtf", lambda: rtf_file(hex_escaped("2024年办理情况：共办理1882件。"))),
    (".gz", lambda: gzip_file(comment="2024年数据")),
    (".pdf", lambda: pdf_link(PLAIN_LINK)),
    (".docx", lambda: docx_anchor("_Toc2024")),
    (".docx", lambda: docx_hidden_between("2024年办理1882件", "（草稿）")),
    (".pdf", lambda: pdf_drawn([(50, "Total"), (150, "1882"), (100, "2024")])),
    (".html", lambda: html_of('<p>共办理<span style="direction:rtl">1882</span>件，<bdo dir="rtl">اب</bdo></p>')),
    (".html", lambda: html_of('<p><span class="n">2024</span>年</p>', '.n::before{content:"第"}')),
], ids=["csv-formulas", "csv-three-columns-failing-check", "xlsx-format-amount", "xlsx-format-number",
        "xlsx-format-percent", "rtf", "gzip", "pdf-link", "docx-anchor", "docx-hidden-run", "pdf-drawn",
        "html-rtl-without-override", "html-css-before"])
def test_ordinary_counterparts_stay_clean(suffix: str, build: Callable[[], bytes], tmp_path: Path) -> None:
    assert scan(build(), suffix, tmp_path) == set()


def test_the_ids_used_are_valid() -> None:
    from ckanext.guangdong.safety import detectors as d
    assert d.classify(ID) == d.RESIDENT_ID and d.classify(MOBILE) == d.MOBILE
    assert all(d.classify("".join(r)) == d.RESIDENT_ID for r in ROWS)
