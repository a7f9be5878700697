"""Multi-valued field input as a list: a list, a JSON list (how scheming stores it), or
comma- or line-separated text (how forms send it; full-width commas too)."""
from __future__ import annotations

import json
from typing import Any

from ckan.lib.navl.dictization_functions import missing


def as_list(value: Any) -> list[str]:
    if value is missing or value is None or (isinstance(value, str) and not value.strip()):
        return []
    if isinstance(value, (list, tuple)):
        items = list(value)
    else:
        text = str(value).strip()
        try:
            loaded = json.loads(text)
            items = loaded if isinstance(loaded, list) else [loaded]
        except ValueError:
            items = text.replace("，", ",").replace("\n", ",").split(",")
    return [str(v).strip() for v in items if str(v).strip()]
