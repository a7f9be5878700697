"""统一社会信用代码 (GB 32100-2015) for demo publishers, with a correct check character."""
from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=False))
    return CHARSET[(31 - total % 31) % 31]


def make(registration: str, region_code: str, local_code: str) -> str:
    """registration (2: "11" = 机关) + region (6) + organization code (9) + check (1)."""
    body = (registration + region_code + (local_code + "0000000000")[:9]).upper()
    return body + check_character(body)
