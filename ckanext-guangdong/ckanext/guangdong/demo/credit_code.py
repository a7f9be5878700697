"""统一社会信用代码 (GB 32100-2015) for demo publishers, with a correct check character
(computed by the schema's own rule, metadata/codes.py, which the validator checks against)."""
from __future__ import annotations

from ckanext.guangdong.metadata.codes import uscc_check_char


def make(registration: str, region_code: str, local_code: str) -> str:
    """registration (2: "11" = 机关) + region (6) + organization code (9) + check (1)."""
    body = (registration + region_code + (local_code + "0000000000")[:9]).upper()
    return body + uscc_check_char(body)
