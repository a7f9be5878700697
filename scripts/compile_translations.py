"""Compile ckanext-guangdong's .po files into .mo (Babel), only when a .po is newer."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent.parent / "ckanext-guangdong" / "ckanext" / "guangdong"


def compile_all() -> list[Path]:
    done = []
    for po_path in PACKAGE.glob("**/i18n/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po:
            catalog = read_po(po, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as mo:
            write_mo(mo, catalog)
        done.append(mo_path)
    return done


if __name__ == "__main__":
    for path in compile_all():
        print(path)
