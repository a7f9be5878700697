"""Lucene syntax → SQL (no database): structure, errors, ranges, tsquery building."""
from __future__ import annotations

import pysolr
import pytest

from ckanext.guangdong.search.backend import executor, lucene


def translate(q: str, default_and: bool = True) -> tuple[str, dict]:
    params = lucene.Params()
    sql = lucene.Translator(params).top(lucene.parse(q, "lucene", default_and))
    return sql, params.values


def test_string_fields_match_exact_values() -> None:
    sql, values = translate('+capacity:public +state:(active OR draft) theme:民生服务 name:x')
    # Fields on every document are plain column compares (k only when the column is
    # NULL); facet fields go through the fv array; other fields through k's GIN index.
    assert "capacity = " in sql and sql.count("state = ") == 2 and " OR " in sql
    assert "public" in values.values() and '["public"]' in values.values()
    assert "(fv @> " in sql and ["theme\x1f民生服务"] in values.values()
    assert "(k @> " in sql and '{"name": ["x"]}' in values.values()


def test_permission_labels_filter() -> None:
    sql, values = translate('+permission_labels:("public" OR "member-abc")')
    assert {"public", "member-abc"} <= set(values.values())
    assert sql.count("= ANY(labels)") == 2 and " OR " in sql


def test_prohibit_and_default_operator() -> None:
    sql, _ = translate("tags:a -tags:b")
    assert "NOT" in sql and " AND " in sql
    sql_or, _ = translate("tags:a tags:b", default_and=False)
    assert " OR " in sql_or


def test_free_text_becomes_tsquery_and_title_is_weight_a() -> None:
    _, values = translate("廣州 title:公交")
    assert "('广州')" in values.values()
    assert "('公交':A)" in values.values()


def test_long_han_word_also_matches_as_adjacent_bigrams() -> None:
    assert lucene.token_tsquery("生态环境") == "('生态环境' | ('生态' <-> '态环' <-> '环境'))"
    assert lucene.token_tsquery("水") == "'水':*"


def test_phrase_keeps_latin_words_adjacent() -> None:
    assert lucene.phrase_tsquery("Government Expenditure") == "(('government' <-> 'expenditure'))"


def test_ranges_numbers_and_dates() -> None:
    sql, values = translate("record_count:[10 TO *]")
    assert "CAST(v AS numeric)" in sql and 10.0 in values.values()
    sql, values = translate("metadata_modified:[2020-01-01T00:00:00Z TO NOW]")
    assert "2020-01-01T00:00:00.000Z" in values.values()
    # issued/modified are dates in Solr's schema (schema.xml): bounds as Solr dates
    sql, values = translate("issued:{2018-01-01T00:00:00Z TO 2019-01-01T00:00:00Z}")
    assert ' > ' in sql and ' < ' in sql and "2018-01-01T00:00:00.000Z" in values.values()


@pytest.mark.parametrize("q", ["issued:[2018-01-01 TO *]", "metadata_modified:[2020-01-01 TO NOW]",
                               "modified:2019-05-01", "issued:[2018-01-01T00:00:00 TO *]"])
def test_dates_must_be_solr_instants(q: str) -> None:
    # Solr's DateMathParser takes 2018-01-01T00:00:00Z (or NOW and date math) only; a bare
    # day is a 400 there (found by the differential tests), so it is one here too
    with pytest.raises(lucene.QueryError) as exc:
        translate(q)
    assert exc.value.code == "date"


def test_wildcard_on_string_field() -> None:
    sql, values = translate("name:gd-29000*")
    assert "v LIKE" in sql and "gd-29000%" in values.values()
    sql, values = translate("name:gd-*-0?")
    assert "v ~" in sql and "^gd\\-.*\\-0.$" in values.values()


def test_doubled_prefix_is_a_syntax_error() -> None:
    with pytest.raises(pysolr.SolrError, match="SyntaxError"):
        lucene.parse("--included")


def test_unbalanced_query_is_a_syntax_error() -> None:
    with pytest.raises(pysolr.SolrError):
        lucene.parse('title:(foo')


def test_bad_sort_raises_the_solr_sort_message() -> None:
    search = executor.Search(None, "*:*", {"sort": "name sideways"})
    with pytest.raises(pysolr.SolrError, match="Can't determine a Sort Order"):
        search._sort(lucene.Params(), ranked=False)


def test_sort_adds_recency_tie_break() -> None:
    keys = executor.Search(None, "*:*", {"sort": "score desc"})._sort(lucene.Params(), True)
    assert keys[0] == "score DESC" and keys[1].startswith("metadata_modified DESC")


@pytest.mark.parametrize("q", ['"交通', "公交 (线路", "PM2.5:", "交通 !医疗", "a^2 b~ c*"])
def test_dismax_takes_special_characters_literally(q: str) -> None:
    """Solr's dismax escapes everything but + - and quotes, and drops unbalanced quotes."""
    sql = lucene.Translator(lucene.Params()).top(lucene.parse(q, "dismax"))
    assert "tsv @@" in sql and "NOT" not in sql


@pytest.mark.parametrize("q", ["--included", "交通 AND", "OR 交通"])
def test_dismax_still_rejects_what_solr_rejects(q: str) -> None:
    with pytest.raises(pysolr.SolrError):
        lucene.parse(q, "dismax")


def test_qf_maps_fields_to_weight_classes_and_boosts() -> None:
    from ckanext.guangdong.search.backend import qf
    assert qf.parse(None) == qf.parse(qf.CKAN_DEFAULT_QF) == qf.DEFAULT
    fields = qf.parse("title^4 notes vocab_theme^2")
    assert fields.classes == "ABD"
    assert fields.rank_weights == "{0.25, 0.0001, 0.5, 1}"
    assert qf.parse("text title^2").classes == ""          # text covers every class
    assert qf.parse("bad^^ syntax^x") == qf.DEFAULT
    params = lucene.Params()
    lucene.Translator(params, text_classes="AD").top(lucene.parse("公交"))
    assert "('公交':AD)" in params.values.values()


def test_dismax_punctuation_word_counts_for_mm_and_matches_nothing() -> None:
    """Solr with CKAN's qf (name, tags, groups are strings): `budget ! delta river` is four
    clauses (the ! one is name:! | tags:! | groups:!, matching nothing), mm 2<-1 asks for
    three of them, i.e. all three words; a qf of text fields only analyses the ! away:
    three clauses, two of them needed (found by the differential tests)."""
    def where(q: str, qf: str) -> str:
        search = executor.Search(None, q, {"defType": "dismax", "q.op": "AND", "qf": qf,
                                           "mm": "2<-1 5<80%"})
        sql, _ = search._where(lucene.Params(), any_token=False)
        return sql
    kept = where("budget ! delta river", "name^4 title^4 tags^2 groups^2 text")
    assert kept.count("tsv @@") == 3 and ">=" not in kept
    dropped = where("budget ! delta river", "title text")
    assert ">= 2" in dropped


@pytest.mark.parametrize("q", ["tags:tb tags:tc NOT (tags:td -医疗)", "tags:a -(tags:b -医疗)",
                               "tags:a !(tags:b !(tags:c -\"医疗 数据\"))",
                               "tags:a NOT (tags:b AND NOT title:医疗)"])
def test_words_under_a_prohibited_clause_are_neither_ranked_nor_free_text(q: str) -> None:
    """However deep, a word under a MUST_NOT is excluded: it neither ranks the results nor
    counts as free text (which would start the OR fallback when nothing is found)."""
    translator = lucene.Translator(lucene.Params())
    sql = translator.top(lucene.parse(q, "lucene", True))
    assert "tsv @@" in sql
    assert translator.rank_queries == [] and not translator.free_text
    wanted = lucene.Translator(lucene.Params())
    wanted.top(lucene.parse("tags:a 医疗", "lucene", True))
    assert wanted.rank_queries and wanted.free_text
