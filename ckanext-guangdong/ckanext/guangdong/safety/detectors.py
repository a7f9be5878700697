"""Detectors of Chinese personal data in one value (a table cell or a piece of metadata text).

Each detector states its rule and where the rule comes from. A value is normalised first
(``fold``: text in the order a browser shows it, Unicode NFKC, format characters such as
zero-width spaces and soft hyphens dropped, every Unicode digit made ASCII, then
``reveal_numbers``: a number spelled in Chinese numerals, with O/l for 0/1, a separator between
every digit or groups, markup inside, or split by a line break written as plain digits when it
is a valid ID number, mobile, bank card or first-generation ID number (``_valid``); spaces,
hyphens and dots inside numbers are dropped), then classified. An 18-character ID number glued
to one or two more digits is found inside the run (``glued_id``); a mobile is not (order
numbers and timestamps hold mobile-shaped windows). The column
verdict (scanner.py) weighs the share of matching cells and the column's header; person names
and home addresses are looked for only where a header says so.

Decoys that must not match, and why they do not:
- 统一社会信用代码 (GB 32100-2015): 18 characters with letters and its own MOD 31 check; an
  all-digit code is not a valid 身份证号 (its "birth date" digits are an organisation code).
- order and invoice numbers, 18-digit numbers with a wrong check character: the ISO 7064 check.
- dates (20240315, 2024-03-15): too short for any number detector.
- office landlines with an area code (020-12345678) published as contact points, and service
  numbers (12345, 95588, 400-…): not personal unless ``landlines_are_contact_points`` is off.

This module imports nothing of CKAN: the bench and the corpus tests use it as it is.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import cast

from bidi import get_display

HERE = os.path.dirname(__file__)

# --- detector names (stable: stored in findings, used in column rules and the docs) ---
RESIDENT_ID = "resident_id"        # 居民身份证号
MOBILE = "mobile"                  # 手机号码
BANK_CARD = "bank_card"            # 银行卡号
PASSPORT = "passport"              # 护照号码
TRAVEL_PERMIT = "travel_permit"    # 港澳/台湾通行证号码
EMAIL = "email"                    # 电子邮件地址
PLATE = "vehicle_plate"            # 机动车号牌
PERSON_NAME = "person_name"        # 姓名 (header only)
ADDRESS = "address"                # 住址 (header only)
LANDLINE = "landline"              # 固定电话 (only when landlines are not contact points)
# Not a detector of cells: masked ID numbers a birth-date column of the same rows fills back in
# (scanner.TableScan, named by both columns; never in DETECTORS).
MASKED_ID_BIRTH = "masked_id_birth_date"  # 屏蔽后的身份证号与出生日期列可复原完整号码

DETECTORS: tuple[str, ...] = (RESIDENT_ID, MOBILE, BANK_CARD, PASSPORT, TRAVEL_PERMIT, EMAIL,
                              PLATE, PERSON_NAME, ADDRESS, LANDLINE)
HEADER_ONLY = frozenset({PERSON_NAME, ADDRESS})


# ---------------------------------------------------------------------------------------------
# 居民身份证号: GB 11643-1999《公民身份号码》. 18 characters: 6-digit 行政区划代码 (GB/T 2260),
# 8-digit birth date, 3-digit sequence, 1 check character (ISO 7064:1983 MOD 11-2; 10 is "X").
# The 15-digit first-generation number (1984-2004): region, YYMMDD (19YY), 3-digit sequence.
# Region: the first two digits name a province-level division of GB/T 2260, or 81/82/83 (港澳台
# 居民居住证, 2018); the rest of the code is not checked (old numbers keep abolished codes).
# ---------------------------------------------------------------------------------------------
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83"})
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_TODAY_YEAR = dt.date.today().year


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=False)) % 11]


def _valid_birth(year: int, month: int, day: int) -> bool:
    if not (1900 <= year <= _TODAY_YEAR and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def valid_birth(year: int, month: int, day: int) -> bool:
    """A birth date an ID number may carry (a real date, 1900 to this year)."""
    return _valid_birth(year, month, day)


def is_resident_id(v: str) -> bool:
    """``v`` already normalised (NFKC, no spaces, upper case)."""
    n = len(v)
    if n == 18:
        if not v[:17].isdigit() or v[:2] not in PROVINCES:
            return False
        if not _valid_birth(int(v[6:10]), int(v[10:12]), int(v[12:14])):
            return False
        return id_check_character(v) == v[17]
    if n == 15:
        return (v.isdigit() and v[:2] in PROVINCES
                and _valid_birth(1900 + int(v[6:8]), int(v[8:10]), int(v[10:12])))
    return False


def id_shaped(v: str) -> bool:
    """18 digits laid out as an ID number (province, valid birth date) whatever the check
    character: a mistyped ID, not a bank card."""
    return (len(v) == 18 and v[:2] in PROVINCES and v[6:14].isdigit()
            and _valid_birth(int(v[6:10]), int(v[10:12]), int(v[12:14])))


# ---------------------------------------------------------------------------------------------
# 手机号码: the mobile number blocks of 《电信网编码计划》(MIIT, 2017 edition and its later
# allocations): 13x, 145-149, 15x (not 154), 162/165/166/167, 170-178, 18x, 19x (not 194/197).
# Optionally +86 / 0086 / 86 before it.
# ---------------------------------------------------------------------------------------------
_MOBILE_PREFIXES = frozenset(
    [f"13{d}" for d in range(10)] + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in range(10) if d != 4] + ["162", "165", "166", "167"]
    + [f"17{d}" for d in range(9)] + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in range(10) if d not in (4, 7)])


def is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[:3] in _MOBILE_PREFIXES and digits.isdigit()


# ---------------------------------------------------------------------------------------------
# 银行卡号: GB/T 19584-2010《银行卡卡片规范》 and ISO/IEC 7812-1: 16 to 19 digits, the last one
# a Luhn check digit; the issuer number starts as cards in China do: 62 (UnionPay) and other 6,
# 4 (Visa), 51-55 and 2221-2720 (Mastercard), 35 (JCB), 9 (domestic cards of the 1990s).
# ---------------------------------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_issuer_ok(d: str) -> bool:
    first = d[0]
    if first in "469":
        return True
    if first == "5":
        return "1" <= d[1] <= "5"
    if first == "3":
        return d[1] == "5"
    if first == "2":
        return 2221 <= int(d[:4]) <= 2720
    return False


def lookalike(value: str) -> str | None:
    """The checksummed kind a cell is shaped like, whether or not its check holds: RESIDENT_ID
    for 17 digits and a digit or X laid out as an ID, BANK_CARD for other 16-19 digit numbers.
    A column of card-shaped numbers that mostly fail Luhn is a column of other numbers (orders,
    invoices), whose few chance passes are no evidence; an ID number with its check character
    is evidence whatever look-alikes surround it (scanner.py, strong evidence)."""
    n = len(value)
    if n < 16 or n > 30:
        return None
    v = normalise(value)
    if not v.isascii():
        return None
    if len(v) == 18 and v[:17].isdigit() and (v[17].isdigit() or v[17] in "Xx"):
        if not v.isdigit() or id_shaped(v.upper()):
            return RESIDENT_ID
        return BANK_CARD
    d = _digits(v)
    if d is not None and not d.isdigit():
        return RESIDENT_ID  # 17 digits and an X, with separators
    return BANK_CARD if d is not None and 16 <= len(d) <= 19 else None


def is_bank_card(digits: str) -> bool:
    return 16 <= len(digits) <= 19 and digits.isdigit() and _card_issuer_ok(digits) and luhn_ok(digits)


# ---------------------------------------------------------------------------------------------
# 护照号码 (《中华人民共和国护照法》; 出入境管理局 number formats): ordinary passports E + 8 digits
# (2012 electronic), E + letter + 7 digits (2019-), G + 8 digits (before 2012); diplomatic,
# service and public-affairs passports D, S, P + 7 or 8 digits.
# 通行证: 往来港澳通行证 C + 8 digits or C + letter + 7 digits (2014 electronic), W + 8 digits
# (old card); 港澳居民来往内地通行证 H (Hong Kong) / M (Macao) + 8 or 10 digits; 大陆居民往来台湾
# 通行证 L + 8 digits; 台湾居民来往大陆通行证 8 digits (2015 card, only under a header that says
# so) or 10 digits with a letter in brackets (old booklet).
# I and O are never used as the letter after E or C.
# ---------------------------------------------------------------------------------------------
_PASSPORT = re.compile(r"(?:E[0-9A-HJ-NP-Z]\d{7}|G\d{8}|[DSP]\d{7,8})")
_PERMIT = re.compile(r"(?:C[0-9A-HJ-NP-Z]\d{7}|W\d{8}|[HM]\d{8}(?:\d{2})?|L\d{8}|\d{10}\([A-Z]\))")
_PERMIT_TW8 = re.compile(r"\d{8}")


# ---------------------------------------------------------------------------------------------
# 电子邮件地址: RFC 5322 addr-spec in its common dot-atom form. Addresses on the domains of
# ``contact_domains`` (default: gov.cn) are contact points published on purpose.
# ---------------------------------------------------------------------------------------------
# (the lookbehinds: a match starts only where a local part can start — not inside a run of its
# characters, nor after one and a dot — as the leftmost match would anyway; without them a long
# run with no @, "说明*****…" or "a.a.a.…", took time quadratic in its length in free text)
_EMAIL = re.compile(r"(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~-])(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~-]\.)"
                    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}")


# ---------------------------------------------------------------------------------------------
# 机动车号牌: GA 36-2018《中华人民共和国机动车号牌》: province abbreviation + issuing-office letter
# + 5 letters/digits (no I or O), or 6 for new-energy vehicles (D/F first or last); trailing
# 学/警/挂/港/澳/领/试/超; a separator dot or hyphen after the letter is tolerated.
# ---------------------------------------------------------------------------------------------
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"[{PLATE_PROVINCES}][A-HJ-NP-Z][·•.\- ]?(?:[DF][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DF]|"
    r"[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领试超])")

# ---------------------------------------------------------------------------------------------
# 固定电话 (GB/T 2260-style area codes 010, 02x, 0xxx): with an area code, optional extension.
# Service numbers (12345, 95xxx, 400/800) are never personal.
# ---------------------------------------------------------------------------------------------
_LANDLINE = re.compile(r"(?:\+?86)?\(?0(?:10|2\d|[3-9]\d{2})\)?[2-9]\d{6,7}(?:(?:转|ext|#)\d{1,6})?")

# ---------------------------------------------------------------------------------------------
# 姓名: 2-4 Chinese characters whose first one or two are a surname of the 《百家姓》 and the
# Ministry of Public Security's surname counts (data/surnames.txt), or a name with the middle
# dot of minority names (买买提·艾力). Looked for only under a name header.
# 住址: Chinese text with at least two address parts (省 市 区 县 镇 乡 村 街道 路 街 巷 号 弄
# 栋 幢 单元 室 组); only under an address header.
# ---------------------------------------------------------------------------------------------
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_MINORITY = re.compile(r"^[\u4e00-\u9fff]{1,8}[·•][\u4e00-\u9fff]{1,8}$")
_ADDRESS_PARTS = re.compile(r"省|市|区|县|镇|乡|村|街道|路|街|巷|号|弄|栋|幢|单元|室|组|座|楼")
_ABOVE_STREET = frozenset({"省", "市", "区", "县"})


@lru_cache(maxsize=1)
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    single, double = set(), set()
    with open(os.path.join(HERE, "data", "surnames.txt"), encoding="utf-8") as f:
        for line in f:
            for word in line.split("#")[0].split():
                (single if len(word) == 1 else double).add(word)
    return frozenset(single), frozenset(double)


def is_person_name(v: str) -> bool:
    if _MINORITY.match(v):
        return True
    if not _CJK.match(v):
        return False
    single, double = surnames()
    return v[0] in single or v[:2] in double


def is_address(v: str) -> bool:
    """Two address parts, one of them below the county (a street, a village, a number): an
    address generalised to its district (广东省广州市, 天河区), as de-identification leaves
    it (GB/T 37964), no longer points at a home."""
    if len(v) < 6 or not any("\u4e00" <= c <= "\u9fff" for c in v):
        return False
    parts = set(_ADDRESS_PARTS.findall(v))
    return len(parts) >= 2 and bool(parts - _ABOVE_STREET)


# --- options --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    landlines_are_contact_points: bool = True
    contact_domains: tuple[str, ...] = ("gov.cn",)

    def contact_email(self, address: str) -> bool:
        domain = address.rsplit("@", 1)[-1].lower()
        return any(domain == d or domain.endswith("." + d) for d in self.contact_domains)


DEFAULT_OPTIONS = Options()

# --- one cell ---------------------------------------------------------------------------------
# Separators people (and exports) put inside numbers: spaces, hyphens, dots (440102.1990...).
# One dot alone is a decimal point (150000000.00 yuan is an amount, not a mobile 150...).
_SEPARATORS = str.maketrans("", "", " -.\u00a0")
_SEPARATORS_KEEP_DOT = str.maketrans("", "", " -\u00a0")


# Dropped before detection, since a page shows a number as if they were not there: format
# characters (Cf) and combining or enclosing marks (Mn, Me: U+034F, U+0301, variation selectors),
# and letters or symbols drawn blank (Hangul fillers, the braille blank), found by the re-attack.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_BLANK_GLYPHS = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800})
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt; Python's unicodedata has
# no such property): drawn as nothing by every renderer. Most are Cf or Mn already; this adds
# the Hangul fillers (Lo), the Mongolian free variation selectors and the reserved ones.
_DEFAULT_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
                      (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
                      (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
                      (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
                      (0xE0000, 0xE0FFF))


def invisible(cp: int) -> bool:
    """Whether a page shows the code point as nothing: format characters (Cf), combining or
    enclosing marks (Mn, Me: variation selectors, U+034F), the blank glyphs and every
    Default_Ignorable_Code_Point. The one rule of the detectors' ``fold`` and of the negative
    list's matching (negative_list._fold): 涉\ufe00密 is 涉密 to both."""
    return (unicodedata.category(chr(cp)) in _INVISIBLE_CATEGORIES or cp in _BLANK_GLYPHS
            or any(lo <= cp <= hi for lo, hi in _DEFAULT_IGNORABLE))


class _Invisible(dict):
    """``str.translate`` table dropping what ``invisible`` names, filled as characters come."""

    def __missing__(self, cp: int) -> str | None:
        out = None if invisible(cp) else chr(cp)
        self[cp] = out
        return out


_INVISIBLE = _Invisible()


def drop_invisible(text: str) -> str:
    """``text`` without the characters a page draws as nothing (``invisible``)."""
    return text if text.isascii() else text.translate(_INVISIBLE)
# Drawn as a dash between digit groups besides the dashes proper (category Pd: U+2010-2015,
# U+FE63, U+FF0D ...): the minus sign and the fraction slash.
_DASH_LIKE = frozenset({0x2212, 0x2044})


class _Fold(dict):
    """``str.translate`` table of the one folding every detector path uses (file cells,
    metadata text, the DataStore write guard), filled as characters come: Unicode format
    characters (category Cf: zero-width space U+200B, word joiner U+2060, soft hyphen U+00AD,
    BOM, direction marks ...) are dropped, since a browser shows the number as if they were not
    there; every Unicode decimal digit (Arabic-Indic ٠-٩, Devanagari, ... category Nd) becomes
    its ASCII digit, which NFKC alone does not do; every dash (category Pd, the minus sign,
    the fraction slash) becomes "-", the separator the number rules drop."""

    def __missing__(self, cp: int) -> str | None:
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if invisible(cp):
            out: str | None = None
        elif cat == "Pd" or cp in _DASH_LIKE:  # 139–1234–5678 reads as 139-1234-5678
            out = "-"
        else:
            # digit, not decimal: also the dingbat and enclosed digits NFKC leaves (❶ ➀ ➊)
            dec = unicodedata.digit(ch, None)
            out = ch if dec is None else str(dec)
        self[cp] = out
        return out


_FOLD = _Fold()


# Characters that can make a browser show digits in another order than they are stored: the
# right-to-left override, embedding and isolate (U+202E, U+202B, U+2067, U+2068), the RTL and
# Arabic letter marks (U+200F, U+061C), and Hebrew or Arabic letters (a number after one is
# drawn with its groups swapped). Only text holding one of them is reordered.
_RTL = re.compile("[\u0590-\u08ff\u200f\u202b\u202e\u2067\u2068\ufb1d-\ufdff\ufe70-\ufefe"
                  "\U00010800-\U00010fff\U0001e800-\U0001efff]")


def fold(value: str) -> str:
    """HTML character references decoded (``&#52;`` shows as 4 in rendered notes), the text in
    the order a left-to-right page shows it (4321 under U+202E ... U+202C reads 1234: the Unicode
    bidirectional algorithm, python-bidi), NFKC (full-width digits and letters become ASCII),
    invisible characters dropped, every digit ASCII, then ``reveal_numbers``. ASCII text
    without ``&`` and shorter than a mobile number is left as it is (most cells)."""
    if "&" in value:
        value = html.unescape(value)
    if value.isascii():
        if len(value) < 11 or value.isdigit():
            return value
        return reveal_numbers(value)
    if len(value) < 11:  # too short to spell a mobile: no reordering, nothing to reveal
        return unicodedata.normalize("NFKC", value).translate(_FOLD)
    if _RTL.search(value):
        try:
            value = cast(str, get_display(value, base_dir="L"))  # str in, str out
        except UnicodeEncodeError:  # a lone surrogate (refused at the door; a file may hold one)
            value = cast(str, get_display(value.encode("utf-8", "replace").decode("utf-8"), base_dir="L"))
    return reveal_numbers(unicodedata.normalize("NFKC", value).translate(_FOLD))


# --- numbers spelled so that a reader still reads them (attack trial, second round) -----------
# A digit as people also write it: Chinese numerals (〇/零 and 一…九, 幺 as phone numbers are
# read aloud, the capital forms 壹…玖 of amounts), O/o for 0 and I/l for 1, a parenthesised
# digit ((4), also ⑷ after NFKC). One separator between every digit (spaces around it are
# read through: 4 / 4 / 0), digit groups (139 · 1234 · 5678, 138/0013/8000), or a line break
# splitting the number. Rewritten only when the digits form a valid number (``_valid``): an
# 18-character ID number (its check character), a mobile (the number plan), a bank card (Luhn)
# or a 15-digit ID number written in groups that are no list, or an ID number glued to one or
# two more digits. The checks keep 二〇二〇年, 2020/01/02, amounts and lists as they are (and
# the text around them unchanged for the masked samples).
_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9", "壹": "1", "贰": "2", "貳": "2", "叁": "3",
              "參": "3", "肆": "4", "伍": "5", "陆": "6", "陸": "6", "柒": "7", "捌": "8", "玖": "9"}
_LOOKALIKES = {"O": "0", "o": "0", "I": "1", "l": "1"}
_UNIT_DIGIT = {**_CN_DIGITS, **_LOOKALIKES, **{str(i): str(i) for i in range(10)}}
_UNIT = "(?:[0-9OoIl" + "".join(_CN_DIGITS) + r"]|\(\d\))"
_DOTS = "·・•∙⋅‧"  # middle dots, bullets and the hyphenation point
# One separator, spaces or tabs around it read through (NFKC made ，／＿ ASCII), or spaces alone.
_GAP = rf"(?:[ \t]*(?:\r?\n|[/_,{_DOTS}。、\-.|:~+*])[ \t]*|[ \t]+)"
_NEW_GAPS = frozenset("/_,。、|:~+*" + _DOTS)  # separators the plain-number rule (_digits) does not drop
_LINE_BREAKS = frozenset({"\n", "\r\n"})
# Between digit groups a reader reads through a line break, a tab or a middle dot as through a
# space (139·1234·5678), and / _ , between groups of three digits or more (138/0013/8000;
# 2020/1/2 and lists have shorter ones); | : ~ + * 。、 only between every digit.
_GROUP_MARKS = frozenset({"\n", "\r\n", "\t", *_DOTS})
_JOINERS = frozenset("/_,")
_GROUP_GAPS = frozenset({"", " ", "-", ".", *_GROUP_MARKS, *_JOINERS})
_SPELLED = re.compile(rf"(?<![0-9A-Za-z]){_UNIT}(?:{_GAP}?{_UNIT}){{10,}}(?:{_GAP}?[Xx])?(?![0-9A-Za-z])")
# A character only a spelled number has (one regex search, cheaper than _SPELLED on +86 138 …).
# | ~ + * and : count only after a digit (a time 12:30:45 has no digit-colon-digit-colon).
_DISGUISE = re.compile("[/_,(\\n\\t<`OoIl。、" + _DOTS + "".join(_CN_DIGITS) + r"]|\d[|~+*]|\d:\d:")
_DIGIT_CLASS = "[0-9" + "".join(_CN_DIGITS) + "]"
# Markup inside a number that CKAN's Markdown rendering of notes (page and meta description)
# does not show: HTML tags, emphasis (* ** *** __), code spans (`), strikethrough (~~), also
# where a line break sits between them (**138**⏎**0013**: the break is kept, the markup goes).
# Removed only between two digits, so the text around stays as it is. Atomic groups: a long
# run of asterisks before a letter fails at once.
_MARK = r"(?><[^<>\n]{0,200}>|\*{1,3}|_{2,3}|`{1,3}|~~)"
_MARKUP_IN_NUMBER = re.compile(
    rf"(?<={_DIGIT_CLASS})(?>[ \t]*\r?\n[ \t]*)?{_MARK}(?>{_MARK}|[ \t]*\r?\n[ \t]*)*"
    rf"(?={_DIGIT_CLASS}|[Xx](?![0-9A-Za-z]))")
# An element that holds text of its own between the digits of a number (139<i>x</i>12345678):
# a reader sees one stray character or word inside the digits. Dropped with its text only
# when the digits left form a valid number (``_valid``), so 第12<sup>注</sup>页 stays.
_ELEMENT = r"<([A-Za-z][\w-]{0,20})(?:\s[^<>]{0,200})?>[^<>\d]{1,20}</\1\s*>"
_ELEMENT_IN_NUMBER = re.compile(rf"(?<![0-9A-Za-z])\d+(?:{_ELEMENT}\d+)+[Xx]?(?![0-9A-Za-z])")
_ELEMENT_ONLY = re.compile(_ELEMENT)
# (139) 1234 5678: the first group in brackets, as area codes are written.
_BRACKETED_GROUP = re.compile(r"(?<![0-9A-Za-z(])\((\d{3,6})\)[ \-]?(\d[\d \-]{6,16}[\dXx])(?![0-9A-Za-z])")
_SPELLED_PART = re.compile(r"\(\d\)|\r?\n|.", re.S)


def _group_sizes(gaps: list[str]) -> list[int]:
    """How many digits each group has, from the gaps between consecutive digits."""
    sizes = [1]
    for g in gaps:
        if g:
            sizes.append(1)
        else:
            sizes[-1] += 1
    return sizes


def glued_id(v: str) -> bool:
    """An 18-character ID number glued to one or two more digits (1440106…8672, 一四四〇一…
    once revealed): 19 or 20 characters, one 18-character window a valid ID number. Measured on
    the corpus's order and invoice numbers and random 19/20-digit numbers (docs/safety.md): 1 to
    4 chance passes in 100,000, so such a hit is never strong evidence for a column (scanner.py)."""
    n = len(v)
    if not 19 <= n <= 20 or not v[:-1].isdigit() or not (v[-1].isdigit() or v[-1] == "X"):
        return False
    return any(is_resident_id(v[i:i + 18]) for i in range(n - 17))


def _valid(number: str, sizes: list[int], across_lines: bool) -> bool:
    """Whether revealed digits are a number a spelling may stand for. IDs and mobiles in every
    spelling (check character, number plan); a bank card (Luhn, the issuer) and a 15-digit ID
    number (no check character: region and birth date only) only written in one piece or in
    groups of four or three digits or more on one line, never from lists of single digits or
    numbers on consecutive lines (4500⏎3200⏎1800⏎2750 passes Luhn one time in ten)."""
    n = len(number)
    if n == 11:
        return is_mobile(number)
    if n == 18 and is_resident_id(number):
        return True
    if glued_id(number):
        return True
    if across_lines:
        return False
    if 16 <= n <= 19:
        return min(sizes) >= 4 and not id_shaped(number) and is_bank_card(number)
    return n == 15 and min(sizes) >= 3 and is_resident_id(number)


def _unbracketed(m: re.Match[str]) -> str:
    number = (m.group(1) + m.group(2).replace(" ", "").replace("-", "")).upper()
    if is_mobile(number) or (len(number) == 18 and is_resident_id(number)):
        return number
    return m.group(0)


def _unmarked(m: re.Match[str]) -> str:
    return "\n" if "\n" in m.group(0) else ""


def _without_elements(m: re.Match[str]) -> str:
    run = m.group(0)
    number = _ELEMENT_ONLY.sub("", run).upper()
    return number if _valid(number, [len(number)], False) else run


def _gap(spelled: str) -> str:
    """A gap as the rules read it: the separator without the spaces around it."""
    mark = spelled.strip(" \t")
    return mark or ("\t" if "\t" in spelled else " ")


def _revealed(run: str) -> str | None:
    """The plain number a spelled run stands for, or None when it is not one."""
    digits: list[str] = []
    gaps: list[str] = []
    gap, disguised, real = "", False, 0
    for part in _SPELLED_PART.findall(run):
        unit = part[1] if len(part) == 3 else _UNIT_DIGIT.get(part) or ("X" if part in ("X", "x") else None)
        if unit is None:  # a separator (or a space beside one)
            gap += part
            continue
        if digits:
            gaps.append(_gap(gap) if gap else "")
        gap = ""
        disguised = disguised or unit != part
        real += part not in _LOOKALIKES
        digits.append(unit)
    sizes = _group_sizes(gaps)
    if all(g == "" for g in gaps):
        pass  # contiguous
    elif all(g != "" and g not in _LINE_BREAKS for g in gaps):
        # one separator between every digit (13,800,138,000 and 2020/01/02 have groups)
        disguised = disguised or any(g in _NEW_GAPS for g in gaps)
        sizes = [1] * len(digits)
    elif all(g in _GROUP_GAPS for g in gaps):
        # digit groups: spelled (Chinese numerals in groups) or split by a line break, a tab,
        # a middle dot or / _ , ; never thousands (13·800·138·000 is an amount: 1-3 digits,
        # then threes), and / _ , only between groups of three digits or more
        disguised = disguised or any(g in _GROUP_MARKS or g in _JOINERS for g in gaps)
        if len(sizes) > 1 and sizes[0] <= 3 and all(n == 3 for n in sizes[1:]):
            return None
        if min(sizes) < 3 and any(g in _JOINERS for g in gaps):
            return None
    else:
        return None
    number = "".join(digits)
    if not disguised or real < 3:  # O/l inside a run of digits, not a run of letters
        return None
    return number if _valid(number, sizes, any(g in _LINE_BREAKS for g in gaps)) else None


# Numbers as a spreadsheet or a JSON float writes them (attack trial a9): a fraction of zeros
# (13800138000.0, 440106198503120015.00), the exponent form and an ID number in thousands groups
# (440,106,198,503,120,015). Any exponent form a spreadsheet or PostgreSQL reads as a number
# (attack trial a10, H1/H2: 4.40106198503120015E17, 13800138000e0, 1380013800e1, .13800138e11,
# 44010619850312001.5e1, 138001380000000e-4: a mantissa with or without digits before its dot,
# e or E, a signed exponent) is expanded exactly (decimal.Decimal) when it is a whole number of
# 11 to 19 digits. Another fraction stays an amount (13800138000.5: "one dot is a decimal
# point"); thousands groups reveal only a valid ID number (13,800,138,000 reads as an amount:
# the corpus's amount decoys).
_NUMBER_FORMS = re.compile(r"(?<![\d.,])(?:(\d{11,19})\.0+|(\d+\.?\d*|\.\d+)[Ee]([+-]?\d{1,3})"
                           r"|(\d{1,3}(?:,\d{3}){5}))(?![\d,]|\.\d)")
_EXPONENT_HINT = re.compile(r"\d[Ee][+-]?\d")


def _plain_number(m: re.Match[str]) -> str:
    whole, mantissa, exponent, grouped = m.groups()
    if whole:
        return whole
    if grouped:
        digits = grouped.replace(",", "")
        return digits if is_resident_id(digits) else m.group(0)
    number = Decimal(f"{mantissa}e{exponent}")
    if not 10 <= number.adjusted() <= 18 or number != number.to_integral_value():
        return m.group(0)  # not a whole number of 11 to 19 digits
    return str(int(number))


def plain_decimal(value: str) -> str | None:
    """The number PostgreSQL stores for ``value`` in a numeric, integer or float column, as the
    canonical decimal a reader is shown (leading zeros and signs' zeros gone, the exponent
    expanded exactly, a whole number without its fraction: 013800138000, 13800138000e0 and
    0.13800138e11 are 13800138000); None when ``value`` is no finite number."""
    text = value.strip()
    if not text or len(text) > 60:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number.adjusted() > 40:
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def reveal_numbers(value: str) -> str:
    """``value`` with every spelled ID number, mobile or card (``_SPELLED``) and every number
    in a float's or thousands' form (``_NUMBER_FORMS``) written as plain digits."""
    if len(value) >= 11 and ("." in value or "," in value or _EXPONENT_HINT.search(value)):
        value = _NUMBER_FORMS.sub(_plain_number, value)
    if len(value) < 11 or value.isdigit() or not _DISGUISE.search(value):
        return value  # the fast path: plain numbers, and numbers with - . or spaces (_digits)
    if "<" in value:
        value = _ELEMENT_IN_NUMBER.sub(_without_elements, value)
    if "<" in value or "*" in value or "`" in value or "__" in value or "~~" in value:
        value = _MARKUP_IN_NUMBER.sub(_unmarked, value)
    if "(" in value:
        value = _BRACKETED_GROUP.sub(_unbracketed, value)
    return _SPELLED.sub(lambda m: _revealed(m.group(0)) or m.group(0), value)


_COUNTRY = re.compile(r"^(?:\(\+?86\)|\+86|0086)")  # +86, 0086, (+86), (86) before a number


_QUOTES = "\"'`“”‘’「」『』"


def normalise(value: str) -> str:
    """Folded (``fold``: NFKC, no format characters, ASCII digits), trimmed, without the quotes or the
    leading = that spreadsheets and exports wrap around numbers kept as text
    ('+8613800138000, ="+86 138 0013 8000", “13800138000”)."""
    v = fold(value).strip()
    if v[:1] in _QUOTES or v[:2] == '="':
        v = v.lstrip("=").strip(_QUOTES).strip()
    return v


def _digits(v: str) -> str | None:
    """The number in ``v`` without separators and country code, or None when not a number."""
    d = _COUNTRY.sub("", v.translate(_SEPARATORS if v.count(".") != 1 else _SEPARATORS_KEEP_DOT), count=1)
    if len(d) == 13 and d.startswith("86"):
        d = d[2:]
    if len(d) == 18 and d[17] in "Xx" and d[:17].isdigit():
        return d.upper()  # an ID number with its check character X, written with separators
    return d if d.isdigit() else None


def number_length(value: str) -> int:
    """How many characters the number in a cell has without its separators (its own length
    when it is no number): an 18-character ID number whichever way it is written."""
    v = normalise(value)
    d = _digits(v)
    return len(d) if d is not None else len(v)


def zero_padded(value: str) -> bool:
    """Whether a cell is digits with leading zeros before an 11-digit or longer number
    (013800138000): read as its number (``_zero_padded``), but a 12-digit code starting with 0
    (an invoice code) is such a mobile by chance, so the column verdict weighs it by its share
    only (scanner.py)."""
    v = normalise(value)
    return len(v) > 11 and v[0] == "0" and v.isdigit()


def classify(value: str, options: Options = DEFAULT_OPTIONS) -> str | None:
    """The detector a whole cell matches (not the header-only ones), or None.

    Fast paths first: most cells of a table are short numbers, words or dates."""
    v = normalise(value)
    n = len(v)
    if n < 7 or n > 40:
        return None
    if v.isdigit():
        if v[0] == "0" and n > 11 and (padded := _zero_padded(v.lstrip("0"))):
            return padded
        if n == 18:
            if is_resident_id(v):
                return RESIDENT_ID
            if id_shaped(v):
                return None  # an ID number with a wrong check character is not a card
            return BANK_CARD if is_bank_card(v) else None
        if n == 11:
            return MOBILE if is_mobile(v) else None
        if n == 15:
            return RESIDENT_ID if is_resident_id(v) else None
        if 16 <= n <= 19 and is_bank_card(v):
            return BANK_CARD
        if glued_id(v):
            return RESIDENT_ID
        if not options.landlines_are_contact_points and _LANDLINE.fullmatch(v):
            return LANDLINE
        return None
    if v.isascii():
        if "@" in v:
            if _EMAIL.fullmatch(v) and not options.contact_email(v):
                return EMAIL
            return None
        up = v.upper()
        if n == 18 and up[17] == "X":
            return RESIDENT_ID if is_resident_id(up) else None
        if up[-1] == "X" and glued_id(up):
            return RESIDENT_ID
        if n <= 11 and up[0].isalpha():
            if _PASSPORT.fullmatch(up):
                return PASSPORT
            if _PERMIT.fullmatch(up):
                return TRAVEL_PERMIT
            return None
        if n == 13 and up.endswith(")") and _PERMIT.fullmatch(up):
            return TRAVEL_PERMIT
        d = _digits(v)
        if d is not None:
            if len(d) == 11 and is_mobile(d):
                return MOBILE
            if (len(d) == 18 or len(d) == 15) and is_resident_id(d):
                return RESIDENT_ID
            if 16 <= len(d) <= 19 and not id_shaped(d) and is_bank_card(d):
                return BANK_CARD
            if glued_id(d):
                return RESIDENT_ID
        if not options.landlines_are_contact_points and _LANDLINE.fullmatch(v.translate(_SEPARATORS)):
            return LANDLINE
        return None
    if n <= 10 and v[0] in PLATE_PROVINCES and _PLATE.fullmatch(v):
        return PLATE
    return None


def _zero_padded(v: str) -> str | None:
    """The kind of a number written with leading zeros (013800138000, 000440106198503120015),
    which a spreadsheet opens and a numeric column stores as the number (attack trial a10, H1,
    H2): a mobile, an 18-digit ID number or a bank card. A landline keeps its zero (0755…)."""
    n = len(v)
    if n == 11:
        return MOBILE if is_mobile(v) else None
    if n == 18 and is_resident_id(v):
        return RESIDENT_ID
    if 16 <= n <= 19 and not id_shaped(v) and is_bank_card(v):
        return BANK_CARD
    return None


def matches_header_only(detector: str, value: str) -> bool:
    v = normalise(value)
    if detector == PERSON_NAME:
        return is_person_name(v)
    if detector == ADDRESS:
        return is_address(v)
    if detector == TRAVEL_PERMIT:  # 台胞证 8 digits, under a 台胞证 header
        return bool(_PERMIT_TW8.fullmatch(v))
    return False


# --- free text (metadata, notes cells) --------------------------------------------------------
_TEXT = re.compile(
    r"(?P<email>" + _EMAIL.pattern + r")"
    r"|(?<![0-9A-Za-z])(?P<num>(?:\+86|0086)?\d(?:[\d .\-]{5,38})[\dXx](?:\([A-Z]\))?)(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])(?P<doc>[A-Z][0-9A-Z]\d{6,9})(?![0-9A-Za-z])"
    r"|(?P<plate>" + _PLATE.pattern + r")")


_SIDE_BY_SIDE = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Hit:
    detector: str
    value: str
    start: int
    end: int


def find_in_text(text: str, options: Options = DEFAULT_OPTIONS) -> Iterator[Hit]:
    """Every piece of personal data inside a longer text (not names or addresses)."""
    text = normalise(text)
    for m in _TEXT.finditer(text):
        value = m.group(0)
        kind = classify(value, options)
        if kind is None and m.group("num"):
            # two numbers side by side, or joined by a hyphen (a URL name's
            # "…-440106198503120015-927458"); not by a dot: 13800138000.5 is an amount
            for part in _SIDE_BY_SIDE.split(value):
                kind = classify(part, options)
                if kind is not None:
                    yield Hit(kind, part, m.start(), m.end())
            continue
        if kind is not None:
            yield Hit(kind, value, m.start(), m.end())


def detectors_in_text(text: str, options: Options = DEFAULT_OPTIONS) -> set[str]:
    return {h.detector for h in find_in_text(text, options)}


# --- masking (GB/T 35273-2020 附录 A: 去标识化 — keep enough to recognise the kind) ----------
def mask(detector: str | None, value: str) -> str:
    """A masked sample: the kind is recognisable, the person is not (440***********123X)."""
    v = normalise(value)
    n = len(v)
    if detector == RESIDENT_ID:
        return v[:3] + "*" * (n - 7) + v[-4:] if n > 7 else "*" * n
    if detector in (MOBILE, LANDLINE):
        d = _digits(v) or v
        return d[:3] + "*" * (len(d) - 7) + d[-4:] if len(d) > 7 else "*" * len(d)
    if detector == BANK_CARD:
        d = _digits(v) or v
        return d[:4] + "*" * (len(d) - 8) + d[-4:]
    if detector == EMAIL and "@" in v:
        local, domain = v.rsplit("@", 1)
        return local[:1] + "***@" + domain
    if detector == PERSON_NAME:
        return v[:1] + "*" * (n - 1)
    if detector == ADDRESS:
        return v[:6] + "***"
    if detector == PLATE:
        return v[:2] + "*" * (n - 4) + v[-2:] if n > 4 else "*" * n
    if n <= 3:
        return "*" * n
    return v[:1] + "*" * (n - 4) + v[-3:]


def mask_text(text: str, options: Options = DEFAULT_OPTIONS) -> str:
    """The text with every personal value found in it masked (for showing metadata findings)."""
    out, last = [], 0
    t = normalise(text)
    for hit in find_in_text(t, options):
        out.append(t[last:hit.start])
        out.append(mask(hit.detector, hit.value))
        last = hit.end
    out.append(t[last:])
    return "".join(out)


# --- headers ------------------------------------------------------------------------------------
# Header words that say what a column holds (compared after NFKC, lower case, no spaces or
# punctuation). The header-only detectors look at a column only when one of these is there.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    RESIDENT_ID: ("身份证", "身份号码", "公民身份", "证件号", "证件编号", "idcard", "idno", "sfz",
                  "identitycard", "idnumber"),
    MOBILE: ("手机", "移动电话", "联系电话", "联系方式", "电话", "mobile", "phone", "cellphone"),
    BANK_CARD: ("银行卡", "卡号", "银行账号", "银行账户", "账号", "账户", "bankcard", "cardno",
                "account"),
    PASSPORT: ("护照", "passport"),
    TRAVEL_PERMIT: ("通行证", "回乡证", "台胞证", "港澳", "往来台湾", "permit"),
    EMAIL: ("邮箱", "电子邮件", "电邮", "email", "mail"),
    PLATE: ("车牌", "号牌", "车辆号码", "plate"),
    PERSON_NAME: ("姓名", "名字", "联系人", "申请人", "户主", "当事人", "患者", "病人", "持卡人",
                  "收件人", "收货人", "经办人", "办理人", "学生", "驾驶人", "被保险人", "投保人",
                  "监护人", "personname", "fullname", "realname",
                  # court, property and loan lists (attack trial a8: 被执行人, 业主)
                  "执行人", "业主", "权利人", "产权人", "房主", "屋主", "所有人", "所有权人",
                  "承租人", "借款人", "债务人", "被告", "原告", "受助人", "受益人"),
    ADDRESS: ("住址", "家庭地址", "家庭住址", "户籍地址", "户籍所在地", "居住地址", "现住址",
              "现居住地", "居住地", "通讯地址", "收货地址", "送达地址", "homeaddress",
              "户籍地", "居所", "住宅地址"),
}
# A plain 地址 column counts as a home address only beside another personal column; so do a
# property's location (坐落, 房屋坐落, 不动产坐落) and 住所 (a company's registered seat in
# business registers, a person's domicile in court lists): beside a name they are a home.
GENERIC_ADDRESS_WORDS = ("地址", "address", "坐落", "住所")
# Words that make an address column an office's, never a home (单位地址, 办公地址, 注册地址).
NOT_A_HOME = ("单位", "企业", "公司", "机构", "部门", "项目", "产品", "办公", "营业", "经营",
              "注册", "门店", "网点", "服务", "office", "company")
# Words that make a header name something else than a person (单位名称, 企业名称 ...).
NOT_A_PERSON = ("单位", "企业", "公司", "机构", "部门", "项目", "产品", "名称", "商品", "品名",
                "学校", "医院", "company", "org")
_HEADER_CLEAN = re.compile(r"[\s_\-—·.:：/\\()（）\[\]【】]+")


def clean_header(header: str) -> str:
    return _HEADER_CLEAN.sub("", fold(header or "").lower())


def header_hints(header: str) -> set[str]:
    """The detectors a column's header speaks for."""
    h = clean_header(header)
    if not h:
        return set()
    hints = {kind for kind, words in HEADER_WORDS.items() if any(w in h for w in words)}
    if h in ("name", "xm"):  # plain English "name", pinyin 姓名
        hints.add(PERSON_NAME)
    if h in ("tel", "telephone"):
        hints.add(MOBILE)
    if PERSON_NAME in hints and any(w in h for w in NOT_A_PERSON):
        hints.discard(PERSON_NAME)
    if "台胞证" in h or "台湾居民" in h:
        hints.add(TRAVEL_PERMIT)
    return hints


def generic_address_header(header: str) -> bool:
    h = clean_header(header)
    return any(w in h for w in GENERIC_ADDRESS_WORDS) and not any(w in h for w in NOT_A_HOME)


def iter_detectors(options: Options = DEFAULT_OPTIONS) -> Iterable[str]:
    for d in DETECTORS:
        if d == LANDLINE and options.landlines_are_contact_points:
            continue
        yield d
