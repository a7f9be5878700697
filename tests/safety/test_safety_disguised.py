"""ID numbers and mobiles written so that a browser shows them as usual while the characters
differ (found by the attack trial): zero-width space, soft hyphen and word joiner between the
digits, Arabic-Indic and other Unicode decimal digits, dots as separators. One folding
(detectors.fold) serves every path: a file's cells, the metadata text, the DataStore write
guard. Decoys written the same way stay unflagged."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from safety_corpus import Makers
from safety_support import as_user, create, csv_bytes, editor_table, make_org, show, site_context, upload, wait_scan

from ckanext.guangdong.safety import detectors as d
from ckanext.guangdong.safety.scanner import scan_table

ID = "44010619850312" + "001"
ID += d.id_check_character(ID)
ID_X = "11010519491231002X"  # a valid one ending in X
MOBILE = "13800138000"
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")

SPELLINGS = {
    "zero_width_space": lambda v: "\u200b".join(v),
    "soft_hyphen": lambda v: "\u00ad".join(v),
    "word_joiner": lambda v: "\u2060".join(v),
    "arabic_indic_digits": lambda v: v.translate(_ARABIC),
    "devanagari_digits": lambda v: v.translate(_DEVANAGARI),
    "dotted_groups": lambda v: f"{v[:6]}.{v[6:14]}.{v[14:]}" if len(v) == 18 else f"{v[:3]}.{v[3:7]}.{v[7:]}",
    "dotted_digits": lambda v: ".".join(v),
    # found by the re-attack: invisible marks and blank glyphs after each digit, HTML entities
    "combining_grapheme_joiner": lambda v: "".join(c + "\u034f" for c in v),
    "variation_selector": lambda v: "".join(c + "\ufe0f" for c in v),
    "combining_acute": lambda v: "".join(c + "\u0301" for c in v),
    "hangul_filler": lambda v: "\u3164".join(v),
    "braille_blank": lambda v: "\u2800".join(v),
    "html_entities": lambda v: "".join(f"&#{ord(c)};" for c in v),
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize(("value", "kind"), [(ID, d.RESIDENT_ID), (ID_X, d.RESIDENT_ID), (MOBILE, d.MOBILE)])
def test_a_disguised_value_is_classified(spelling: str, value: str, kind: str) -> None:
    disguised = SPELLINGS[spelling](value)
    assert disguised != value
    assert d.classify(disguised) == kind
    assert d.detectors_in_text(f"经办人证件：{disguised}，请核对") == {kind}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_a_column_of_disguised_ids_and_mobiles_is_found(spelling: str) -> None:
    makers = Makers(7)
    spell = SPELLINGS[spelling]
    rows = [[spell(makers.id18()), spell(makers.mobile()), "广州市"] for _ in range(30)]
    findings, _n = scan_table(["身份证号码", "手机", "地区"], rows)
    assert {(f.column, f.detector) for f in findings} == {("身份证号码", d.RESIDENT_ID), ("手机", d.MOBILE)}


@pytest.mark.parametrize("value", [
    "\u200b".join("91440101MA5CXXXX1X"),       # 统一社会信用代码
    "\u200b".join("202403150000012345"),       # an order number (wrong check character)
    "2024.03.15", "\u200b".join("20240315"),  # dates
    "020.8345.6789", "\u2060".join("02083456789"),  # an office landline, a contact point
    "١٢٣٤٥",                                       # a service number in Arabic-Indic digits
    "113.2643851",                                  # a coordinate
    "150000000.00", "13800138.000",                 # amounts: one dot is a decimal point
])
def test_disguised_decoys_stay_unflagged(value: str) -> None:
    assert d.classify(value) is None
    assert d.detectors_in_text(f"说明 {value} 结束") == set()


# --- through CKAN -----------------------------------------------------------------------------
@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize("spelling", ["zero_width_space", "soft_hyphen", "word_joiner",
                                      "arabic_indic_digits", "dotted_digits"])
def test_a_public_csv_of_disguised_ids_is_held(spelling: str) -> None:
    makers = Makers(11)
    spell = SPELLINGS[spelling]
    body = csv_bytes(["身份证号码", "手机号码"], [[spell(makers.id18()), spell(makers.mobile())] for _ in range(30)])
    org = make_org("city")
    pkg = create(org["id"], resources=[{"upload": upload("people.csv", body), "url": "people.csv",
                                        "name": "名单", "format": "CSV"}])
    row = wait_scan(pkg["id"], pkg["resources"][0]["id"])
    assert row["state"] == "findings", row
    assert {f["detector"] for f in row["findings"]} >= {d.RESIDENT_ID, d.MOBILE}
    assert show(pkg["id"])["private"] is True


@pytest.mark.usefixtures("gd")
@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_disguised_values_in_the_description_hold_the_dataset(spelling: str) -> None:
    org = make_org("city")
    pkg = create(org["id"], notes=f"联系人身份证 {SPELLINGS[spelling](ID)}")
    assert show(pkg["id"])["private"] is True
    state = tk.get_action("guangdong_safety_status")(as_user(None), {"id": pkg["id"]})
    assert "metadata" in state["holds"]
    assert ("notes", d.RESIDENT_ID) in {(f["column"], f["detector"]) for f in state["metadata"]["findings"]}


@pytest.fixture(scope="module")
def table(gd_plugins: None) -> dict[str, Any]:
    return editor_table()


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("value", [ID, MOBILE])
def test_an_editors_upsert_of_disguised_values_is_refused(table: dict[str, Any], spelling: str, value: str) -> None:
    with pytest.raises(tk.ValidationError) as refused:
        tk.get_action("datastore_upsert")(as_user(table["editor"]), {
            "resource_id": table["rid"], "force": True, "method": "insert",
            "records": [{"城市": "广州市", "代码": SPELLINGS[spelling](value)}]})
    assert "代码" in str(refused.value.error_dict["records"])
    assert tk.get_action("datastore_search")(site_context(), {"resource_id": table["rid"]})["total"] == 0
