"""Solr's query syntax as the backend reads it (no database): Lucene's clause rules, the
operator spellings, dismax's clean-up of what users type, mm, and the limits.

The expected clause lists are what Solr's own parser builds (QueryParser.jj and
SolrQueryParserBase.addClause); comments give Solr's rendering of the query."""
from __future__ import annotations

import pytest

from ckanext.guangdong.search.backend import syntax
from ckanext.guangdong.search.backend.syntax import MUST, MUST_NOT, SHOULD


def clauses(q: str, default_and: bool = True) -> list[tuple[str, str]]:
    """(occur, field:text) of the top clause list."""
    node = syntax.parse(q, default_and)
    assert isinstance(node, syntax.Boolean), node
    return [(c.occur, f"{c.query.field}:{c.query.text}") for c in node.clauses]


@pytest.mark.parametrize("symbol,word", [("&&", "AND"), ("||", "OR")])
def test_symbolic_operators_are_the_word_operators(symbol: str, word: str) -> None:
    for default_and in (True, False):
        assert syntax.parse(f"交通 {symbol} 医疗", default_and) == \
            syntax.parse(f"交通 {word} 医疗", default_and)


def test_exclamation_mark_is_not() -> None:
    assert syntax.parse("交通 !医疗") == syntax.parse("交通 NOT 医疗") == \
        syntax.parse("交通 -医疗")
    assert clauses("交通 !医疗") == [(MUST, "None:交通"), (MUST_NOT, "None:医疗")]
    # "! " followed by a space is a bare term (Solr's BAREOPER), not an operator.
    assert clauses("a ! b") == [(MUST, "None:a"), (MUST, "None:!"), (MUST, "None:b")]
    # Inside a term, ! and && are term characters (Solr's _TERM_CHAR).
    assert syntax.parse("a!b", True) == syntax.Boolean((syntax.Clause(
        MUST, syntax.Term(None, "a!b")),))


def test_or_makes_its_neighbours_optional_there_is_no_precedence() -> None:
    # q.op=AND: a AND b OR c  ->  +a b c   (not (a AND b) OR c)
    assert clauses("a AND b OR c") == [(MUST, "None:a"), (SHOULD, "None:b"), (SHOULD, "None:c")]
    # q.op=OR: a AND b OR c  ->  +a +b c
    assert clauses("a AND b OR c", False) == [(MUST, "None:a"), (MUST, "None:b"),
                                             (SHOULD, "None:c")]
    # With q.op=AND an OR even overrides a +: x OR +y -> x y
    assert clauses("x OR +y") == [(SHOULD, "None:x"), (SHOULD, "None:y")]
    # ... but not a -: -a OR b -> -a b
    assert clauses("-a OR b") == [(MUST_NOT, "None:a"), (SHOULD, "None:b")]


def test_default_operator_decides_bare_clauses() -> None:
    assert clauses("a b", True) == [(MUST, "None:a"), (MUST, "None:b")]
    assert clauses("a b", False) == [(SHOULD, "None:a"), (SHOULD, "None:b")]
    assert clauses("+a b", False) == [(MUST, "None:a"), (SHOULD, "None:b")]


def test_ckan_fixed_filters_with_a_spliced_or() -> None:
    """CKAN's composition of a user's fq: with Lucene's rules the fixed clauses stay MUST
    (the OR only touches its neighbours)."""
    fq = ('+capacity:public state:active OR theme:"道路交通" +dataset_type:dataset '
          '-dataset_type:harvest +state:(active)')
    got = syntax.parse(fq, True)
    assert [c.occur for c in got.clauses] == [MUST, SHOULD, SHOULD, MUST, MUST_NOT, MUST]


def test_fields_groups_phrases_ranges_wildcards() -> None:
    node = syntax.parse('title:(公交 "线路 信息") name:gd-* tags:a?c num:[1 TO 5} *:*', True)
    queries = [c.query for c in node.clauses]
    assert queries[0] == syntax.Boolean((
        syntax.Clause(MUST, syntax.Term("title", "公交")),
        syntax.Clause(MUST, syntax.Term("title", "线路 信息", "phrase"))))
    assert queries[1] == syntax.Term("name", "gd-", "prefix")
    assert queries[2] == syntax.Term("tags", "a?c", "wildcard")
    assert queries[3] == syntax.Range("num", "1", "5", True, False)
    assert queries[4] == syntax.MATCH_ALL


def test_escapes_and_unicode_escapes() -> None:
    assert syntax.parse(r"name:a\:b\ c", True).clauses[0].query == syntax.Term("name", "a:b c")
    assert syntax.parse(r"a\u4ea4", True).clauses[0].query == syntax.Term(None, "a交")


def test_full_width_space_separates_words() -> None:
    assert clauses("交通\u3000医疗") == [(MUST, "None:交通"), (MUST, "None:医疗")]


@pytest.mark.parametrize("q,code", [
    ('title:"交通', "end"), ("title:(交通", "end"), ("交通 AND", "end"), ("--included", "syntax"),
    ("a )", "syntax"), ("x:[1 TO 5", "end"), ("a \\", "end"), (r"a\u00", "syntax"),
    ("{!lucene}a", "unsupported"), ("a^x", "lexical"), ("OR a", "syntax"),
])
def test_syntax_errors_have_a_kind(q: str, code: str) -> None:
    with pytest.raises(syntax.QuerySyntaxError) as exc:
        syntax.parse(q, True)
    assert exc.value.code == code


def test_limits_end_in_a_clear_error_not_a_crash() -> None:
    deep = "(" * 3000 + "a" + ")" * 3000
    with pytest.raises(syntax.QuerySyntaxError) as exc:
        syntax.parse("title:" + deep)
    assert exc.value.code == "depth"
    assert syntax.parse("(" * syntax.MAX_DEPTH + "a" + ")" * syntax.MAX_DEPTH) is not None
    with pytest.raises(syntax.QuerySyntaxError) as exc:
        syntax.parse(" ".join(f"w{i}" for i in range(syntax.MAX_CLAUSES + 1)))
    assert exc.value.code == "clauses"
    with pytest.raises(syntax.QuerySyntaxError) as exc:
        syntax.parse("a" * (syntax.MAX_QUERY_CHARS + 1))
    assert exc.value.code == "length"


@pytest.mark.parametrize("typed,clean", [
    ('交通 !医疗', r'交通 \!医疗'),           # ! is literal in dismax
    ('"交通 医疗', '交通 医疗'),              # an odd number of quotes: quotes dropped
    ('公交 (线路)', r'公交 \(线路\)'),
    ('title:交通', r'title\:交通'),
    ('a - - b -', 'a  b'),                    # doubled and dangling +/- removed
    ('交通 && 医疗', '交通 && 医疗'),          # operators stay
])
def test_dismax_clean_up(typed: str, clean: str) -> None:
    assert syntax.dismax_clean(typed) == clean


@pytest.mark.parametrize("optional,expected", [(1, 1), (2, 2), (3, 2), (5, 4), (6, 4), (10, 8)])
def test_ckan_mm_spec(optional: int, expected: int) -> None:
    # CKAN sends mm="2<-1 5<80%": up to 2 optional clauses all, up to 5 all but one, then 80%.
    assert syntax.min_should_match("2<-1 5<80%", optional) == expected


def test_mm_forms_and_errors() -> None:
    assert syntax.min_should_match("100%", 3) == 3
    assert syntax.min_should_match("-1", 3) == 2
    assert syntax.min_should_match("75%", 3) == 2
    with pytest.raises(syntax.QuerySyntaxError):
        syntax.min_should_match("lots", 3)


def test_bare_terms_in_a_row_on_a_string_field_are_one_clause_of_any() -> None:
    """Solr's multi-term rule (split-on-whitespace off; found by the differential tests):
    bare terms in a row on a field that is not analysed text become ONE clause any of the
    terms satisfies, whatever q.op says. Solr 9.10.1's parsed queries, with q.op=AND:
    tags:(a b c)          ->  +(+(tags:a tags:b tags:c))
    tags:(a b c OR d)     ->  +(+(tags:a tags:b) tags:c tags:d)
    tags:(a b NOT c)      ->  +(+(tags:a tags:b) -tags:c)
    tags:(a b^2 c)        ->  +(+tags:a +tags:b^2.0 +tags:c)     (a boost ends the run)"""
    from ckanext.guangdong.search.backend.lucene import is_text_field

    def group(q: str) -> list[tuple[str, object]]:
        node = syntax.parse(q, True, None, is_text_field)
        inner = node.clauses[0].query if isinstance(node, syntax.Boolean) else node
        out: list[tuple[str, object]] = []
        for c in inner.clauses:
            if isinstance(c.query, syntax.Boolean):
                out.append((c.occur, [x.query.text for x in c.query.clauses
                                      if x.occur == SHOULD]))
            else:
                out.append((c.occur, c.query.text))
        return out

    assert group("tags:(a b c)") == [(MUST, ["a", "b", "c"])]
    assert group("tags:(a b c OR d)") == [(MUST, ["a", "b"]), (SHOULD, "c"), (SHOULD, "d")]
    assert group("tags:(a b NOT c)") == [(MUST, ["a", "b"]), (MUST_NOT, "c")]
    assert group("tags:(a b^2 c)") == [(MUST, "a"), (MUST, "b"), (MUST, "c")]
    # text fields (df=text, title, notes) keep one clause per word: q.op applies to each
    assert clauses("budget bravo") == [(MUST, "None:budget"), (MUST, "None:bravo")]
    node = syntax.parse("title:(budget bravo)", True, None, is_text_field)
    assert [c.occur for c in node.clauses[0].query.clauses] == [MUST, MUST]
