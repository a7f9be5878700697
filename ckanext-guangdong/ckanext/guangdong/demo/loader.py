"""The demo catalog (placeholder until the demo issue work lands)."""
from __future__ import annotations


def load() -> dict[str, int]:
    return {}
