"""Every error kind's description (shown on the error report page) has a Chinese translation:
an untranslated one put English on the Chinese report (found by the sysadmin journey)."""
from __future__ import annotations

from pathlib import Path

import polib

from ckanext.guangdong.harvesters.errors import KINDS

CATALOG = (Path(__file__).resolve().parents[2] / "ckanext-guangdong" / "ckanext" / "guangdong" / "harvest_ops"
           / "i18n" / "zh_Hans_CN" / "LC_MESSAGES" / "ckanext-guangdong-harvest_ops.po")


def test_every_error_kind_has_a_chinese_description() -> None:
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOG)) if e.msgstr and not e.obsolete}
    missing = [kind for kind, text in KINDS.items() if not translated.get(text) or translated[text] == text]
    assert not missing, f"error kinds without a Chinese description: {missing}"
