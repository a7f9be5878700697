"""Boolean operators through the real package_search on a small fixture catalog: the sets
Solr returns for the same requests (CKAN sends q.op=AND, and mm="2<-1 5<80%" with its
dismax parser for a q without a colon).

    A  交通 出行 数据        tags ta
    B  医疗 机构 数据        tags tb
    C  交通 医疗 综合 数据    tags ta tb
    D  教育 学校 数据        tags tc
    E  交通 教育 数据        tags ta tc
"""
from __future__ import annotations

from typing import Any

import pytest
from search_helpers import search

pytestmark = pytest.mark.usefixtures("gd_search")
# Engine-neutral tests: make test-solr runs them against a real Solr 9 (docs/search.md).
neutral = pytest.mark.search_engine_neutral

# Words separated by spaces: CKAN's Solr `text` field splits on white space only, and these
# tests run on Solr too (make test-solr), so that both engines answer the same sets.
TITLES = {"A": "交通 出行 数据", "B": "医疗 机构 数据", "C": "交通 医疗 综合 数据",
          "D": "教育 学校 数据", "E": "交通 教育 数据"}
TAGS = {"A": "ta", "B": "tb", "C": "ta,tb", "D": "tc", "E": "ta,tc"}


@pytest.fixture(scope="module")
def catalog(gd_search: None) -> dict[str, Any]:
    """One organization, five datasets whose words are only where the table says (theme,
    publisher and notes chosen so that 交通/医疗/教育 appear nowhere else)."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories
    from gd_testing import make_sysadmin
    from search_helpers import unique
    admin = make_sysadmin()
    org = factories.Organization(name=unique("ops"), title="运算测试部门")
    names = {}
    for key, title in TITLES.items():
        names[key] = tk.get_action("package_create")({"ignore_auth": True, "user": admin["name"]}, {
            "type": "dataset", "name": unique("op"), "title": title, "notes": "名录。",
            "tag_string": TAGS[key], "identifier": f"29000/{abs(hash(unique('i'))) % 10**10:010d}",
            "owner_org": org["id"], "private": False, "publisher_name": "广东省数据管理局",
            "publisher_identifier": "11440000006940081X", "theme": ["城乡建设"],
            "access_rights": "unconditional", "frequency": "monthly", "issued": "2018-06-01",
            "modified": "2018-07-01", "region_code": "440100", "contact_name": "数据科",
            "contact_email": "opendata@gd.gov.cn", "contact_phone": "020-12345678",
            "record_count": 10, "license_id": "cc-by",
            "resources": [{"url": "http://127.0.0.1/x.csv", "name": "文件", "format": "CSV"}],
        })["name"]
    return {"org": org["name"], "names": names}


def found(catalog: dict[str, Any], **params: Any) -> set[str]:
    """Which of A–E a search returns, within the fixture organization."""
    if "fq" in params:  # scope through q (lucene: it has a colon) to leave fq to the test
        params.setdefault("q", f"organization:{catalog['org']}")
    else:
        params["fq"] = f"organization:{catalog['org']}"
    result = search(rows=50, **params)
    by_name = {v: k for k, v in catalog["names"].items()}
    return {by_name[r["name"]] for r in result["results"]}


@neutral
def test_symbolic_and_equals_and(catalog: dict[str, Any]) -> None:
    assert found(catalog, q="交通 && 医疗") == found(catalog, q="交通 AND 医疗") == {"C"}
    # Nothing has both words: no "any word" fallback over an explicit AND (before the fix
    # "&&" was a word of its own and this returned every dataset).
    assert found(catalog, q="交通 && 火星") == found(catalog, q="交通 AND 火星") == set()


@neutral
def test_symbolic_or_equals_or(catalog: dict[str, Any]) -> None:
    # dismax + CKAN's mm: two optional clauses are both required (as in Solr).
    assert found(catalog, q="交通 || 医疗") == found(catalog, q="交通 OR 医疗") == {"C"}
    # Three optional clauses: mm "2<-1" asks for all but one.
    assert found(catalog, q="交通 || 医疗 || 教育") == found(catalog, q="交通 OR 医疗 OR 教育") \
        == {"C", "E"}
    # The lucene parser (a q with a colon) has no mm: OR is a union.
    assert found(catalog, q="text:交通 || text:医疗") == \
        found(catalog, q="text:交通 OR text:医疗") == {"A", "B", "C", "E"}


@neutral
def test_not_minus_and_exclamation_mark(catalog: dict[str, Any]) -> None:
    assert found(catalog, q="交通 -医疗") == {"A", "E"}
    assert found(catalog, q="text:交通 !text:医疗") == found(catalog, q="text:交通 NOT text:医疗") \
        == found(catalog, q="text:交通 -text:医疗") == {"A", "E"}
    # dismax takes ! literally (Solr escapes it there): 交通 !医疗 is 交通 医疗.
    assert found(catalog, q="交通 !医疗") == {"C"}


@neutral
def test_clause_lists_of_exclusions_only(catalog: dict[str, Any]) -> None:
    # At the top of a lucene q: all documents but those.
    assert found(catalog, q="!text:医疗") == found(catalog, q="-text:医疗") == {"A", "D", "E"}
    # Nested: Lucene matches nothing; with *:* inside, all but those.
    assert found(catalog, q="text:交通 AND (-text:医疗)") == set()
    assert found(catalog, q="text:交通 AND (*:* -text:医疗)") == {"A", "E"}
    # dismax nests the user's query in a MUST clause: exclusions alone match nothing.
    assert found(catalog, q="-医疗") == set()


@neutral
def test_a_word_inside_an_exclusion_is_never_searched(catalog: dict[str, Any]) -> None:
    """A word under a MUST_NOT nested in a MUST_NOT is still excluded, never wanted (seed
    51749 case 600, docs/search.md). Before the fix the inner ``-医疗`` counted as free text:
    the strict query (tb and tc: nobody) found nothing, so the OR fallback ran and listed
    B, C, D and E, where Solr answers nothing."""
    assert found(catalog, q="tags:tb tags:tc NOT (tags:td -医疗)") == set()
    assert found(catalog, q="tags:tb tags:tc -(tags:td !(tags:ta -医疗))") == set()
    # the exclusion itself still works: C has tb but also 医疗, so it stays
    assert found(catalog, q="tags:ta NOT (tags:tb -医疗)") == {"A", "C", "E"}


@neutral
def test_or_has_no_precedence(catalog: dict[str, Any]) -> None:
    # q.op=AND: a AND b OR c is +a b c: only 交通 is required (Solr's reading).
    assert found(catalog, q="text:交通 AND text:医疗 OR text:教育") == {"A", "C", "E"}


@neutral
@pytest.mark.parametrize("fq,expected", [
    ("tags:ta || tags:tb", {"A", "B", "C", "E"}),
    ("tags:ta OR tags:tb", {"A", "B", "C", "E"}),
    ("tags:ta && tags:tb", {"C"}),
    ("(tags:ta)&&(tags:tb)", {"C"}),            # no spaces: the brackets end the terms
    ("(tags:ta)||(tags:tc)", {"A", "C", "D", "E"}),
    ("tags:ta !tags:tb", {"A", "E"}),
    ("tags:ta AND NOT tags:tb", {"A", "E"}),
    ("-tags:ta", {"B", "D"}),                   # an fq of exclusions: all but those
    ("!tags:ta", {"B", "D"}),
    ("-tags:ta -tags:tb", {"D"}),
    ("tags:ta AND tags:tb OR tags:tc", {"A", "C", "E"}),
    ("+tags:ta -tags:tc tags:tb", {"C"}),       # q.op=AND: the bare clause is required too
])
def test_operators_in_fq(catalog: dict[str, Any], fq: str, expected: set[str]) -> None:
    assert found(catalog, fq=fq) == expected


@neutral
def test_operator_without_spaces_inside_a_term_is_a_syntax_error(catalog: dict[str, Any]) -> None:
    """tags:ta&&tags:tb is the term "ta&&tags" followed by a stray colon (as in Solr)."""
    from ckan.lib.search.common import SearchQueryError
    with pytest.raises(SearchQueryError, match="ta&&tags|:"):
        found(catalog, fq="tags:ta&&tags:tb")


def test_dismax_without_spaces_is_one_word(catalog: dict[str, Any]) -> None:
    # 交通&&医疗 is one term (& is a term character); its words must all match. (Not
    # engine-neutral: how one term's words combine is the analyser's business.)
    assert found(catalog, q="交通&&医疗") == {"C"}
