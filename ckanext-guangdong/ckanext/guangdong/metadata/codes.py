"""Pure checks for the codes and formats of the national catalog elements (no CKAN imports,
so harvesters and tests can use them directly)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

# The portal's calendar: a date is the day in Guangdong, whatever offset a client or a city
# portal writes (2018-08-10T01:02:03+08:00 is 2018-08-10, not the UTC day 2018-08-09).
PORTAL_TIMEZONE: tzinfo = ZoneInfo("Asia/Shanghai")

# Dates a dataset, resource or application may carry unless its schema field declares its own
# range (guangdong_date_min / guangdong_date_max in schemas/*.yaml).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)


def normalise_code(value: str) -> str:
    """Identifiers and codes as typed or harvested: NFKC (full-width ＤＵＰ４４０１／０００００６
    becomes DUP4401/000006, the ideographic space a space), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", value).strip()

# 统一社会信用代码 (GB 32100-2015): 18 characters from this 31-letter alphabet (no I, O, S, V, Z);
# the last one is a check character over the first 17 with these weights (3^i mod 31).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=False))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


# 信息资源代码: a classification / department code, "/", a sequence, as 开放广东 writes it
# (29000/01300008). The classification part may be a 类-项-目-细目 code with dashes (A01-02-001).
IDENTIFIER_RE = re.compile(r"^[0-9A-Za-z]{1,32}(?:-[0-9A-Za-z]{1,32}){0,5}/[0-9A-Za-z]{1,32}$")


def identifier_valid(value: str) -> bool:
    return bool(IDENTIFIER_RE.match(value))


# Chinese phone numbers: a landline with area code (020-12345678, 0755-1234567, optional
# extension) or a mobile number (1 + 10 digits, second digit 3-9); +86 / 86 prefix allowed.
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_HOTLINE_RE = re.compile(r"^(?:12345|12315|12320|12333|12348|12369|95\d{3,4}|400-?\d{3}-?\d{4})$")


def phone_valid(value: str) -> bool:
    phone = re.sub(r"[\s()（）]", "", value)
    phone = re.sub(r"^(?:\+86-?|0086-?|86-)", "", phone)
    return bool(_LANDLINE_RE.match(phone) or _MOBILE_RE.match(phone) or _HOTLINE_RE.match(phone))


_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def email_valid(value: str) -> bool:
    return bool(_EMAIL_RE.match(value.strip()))


def local_datetime(value: datetime) -> datetime:
    """A naive datetime on the portal's clock: aware values are converted to it, naive ones
    are taken as already local (city portals write local times without an offset)."""
    if value.tzinfo is not None:
        value = value.astimezone(PORTAL_TIMEZONE).replace(tzinfo=None)
    return value


def local_date(value: Any) -> date | None:
    """The portal's calendar day of a date, a datetime or ISO 8601 text (with or without a
    time and an offset); None when the value is not one."""
    if isinstance(value, datetime):
        return local_datetime(value).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    return local_datetime(parsed).date()


def epoch_local(seconds: float) -> datetime:
    """A Unix time (as city APIs send them) on the portal's clock, naive."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).astimezone(PORTAL_TIMEZONE).replace(tzinfo=None)


def as_date(value: Any) -> date | None:
    """A date from what scheming may hold mid-validation: date, datetime or ISO text."""
    if value is None or value.__class__.__name__ == "Missing":
        return None
    return local_date(value)
