"""Compile ckanext-guangdong's .po files into .mo (Babel), only when a source is newer.

A feature's catalog is ``<feature>/i18n/<locale>/LC_MESSAGES/ckanext-guangdong-<feature>.po``.
The theme also carries override catalogs, ``theme/i18n/<locale>/overrides/*.po``: our
corrections and additions to other projects' messages (CKAN's own catalog, ckanext-harvest's),
one file per project, with those projects' msgids. They are compiled into the theme's .mo; the
theme is the first plugin, so its catalog has priority over every other (CKAN merges the
ITranslation catalogs in reverse plugin order, CKAN's own first).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent.parent / "ckanext-guangdong" / "ckanext" / "guangdong"


def override_files(po_path: Path) -> list[Path]:
    """The override catalogs compiled together with a feature catalog (theme only)."""
    return sorted((po_path.parent.parent / "overrides").glob("*.po"))


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def merged(po_path: Path) -> Catalog:
    locale = po_path.parent.parent.name
    catalog = read(po_path, locale)
    origin = {m.id: po_path.name for m in catalog if m.id}
    for path in override_files(po_path):
        for message in read(path, locale):
            if not message.id or not message.string:
                continue
            key = message.id
            if key in origin and catalog[key].string != message.string:
                raise SystemExit(f"{path}: {key!r} is also in {origin[key]} with another translation")
            catalog[key] = message
            origin[key] = path.name
    return catalog


def compile_all(force: bool = False) -> list[Path]:
    done = []
    for po_path in PACKAGE.glob("**/i18n/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        sources = [po_path, *override_files(po_path)]
        if (not force and mo_path.exists()
                and mo_path.stat().st_mtime >= max(s.stat().st_mtime for s in sources)):
            continue
        with mo_path.open("wb") as mo:
            write_mo(mo, merged(po_path))
        done.append(mo_path)
    return done


if __name__ == "__main__":
    for path in compile_all(force="--force" in sys.argv):
        print(path)
