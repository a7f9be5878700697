"""The SQL of a search on the index table: built here, run by executor.py.

The matching rows are materialised once (CTE) and the count, the page of
documents and every requested facet are read from that, so a broad query
scans the indexes a single time. Every statement yields rows of the same shape,
``(k, v, c, doc, score, o)``: k is 'n' (the count), 'd' (a document of the page,
o its place), 'g' (the generation read in the same snapshot), 'v' (a facet value
as 'field<US>value') or 'f<i>' (a value of the i-th requested facet).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ckanext.guangdong.search.backend import ddl, document, generation, lucene


@dataclass
class Plan:
    """The parts every statement of one search shares."""

    where: str
    score: str
    order: str  # ORDER BY keys over the CTE's columns
    rows: int
    start: int
    doc: str  # the document column (all of it or the fl fields)
    sort_cols: list[str] = field(default_factory=list)
    with_generation: bool = False  # also read the generation (the cache stores under it)


def sort_keys(sql: lucene.Params, clauses: list[tuple[str, str]],
              ranked: bool) -> tuple[list[str], list[str]]:
    """(ORDER BY keys, the sort expressions they name) for parsed sort clauses."""
    keys: list[str] = []
    sort_cols: list[str] = []
    for name, direction in clauses:
        if name == "score":
            keys.append(f"score {direction}")
        elif name == "metadata_modified":
            keys.append(f"metadata_modified {direction} NULLS LAST")
        else:
            p = sql.add(name)
            value = f"COALESCE(k -> {p}, f -> {p}) ->> 0"
            i = len(sort_cols)
            # Numbers sort as numbers, everything else byte-wise like Solr's
            # string fields; documents without the field go last.
            sort_cols.append(f"(CASE WHEN {value} ~ '^-?[0-9]+([.][0-9]+)?$' "
                             f"THEN CAST({value} AS numeric) END) AS s{i}")
            sort_cols.append(f'({value}) COLLATE "C" AS s{i + 1}')
            keys.append(f"s{i} {direction} NULLS LAST")
            keys.append(f"s{i + 1} {direction} NULLS LAST")
    if not keys and ranked:
        keys.append("score DESC")
    # Recency breaks ties (equal scores), then a stable order.
    keys += ["metadata_modified DESC NULLS LAST", "index_id"]
    return keys, sort_cols


def doc_column(sql: lucene.Params, wanted: list[str]) -> str:
    """The stored document, or only the fields ``fl`` asks for: CKAN asks for
    ``id validated_data_dict``, and the document also holds ``data_dict`` and every
    index field, so picking in SQL halves what is sent and decoded."""
    if "*" in wanted:
        return "t.doc"
    keys = sql.add([f for f in wanted if f != "score"], "text[]")
    return (f"(SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(t.doc) e "
            f"WHERE e.key = ANY({keys}))")


def _generation_part(plan: Plan) -> list[str]:
    """The generation, read in the same statement (snapshot) as the counts: the
    generation the cache stores them under."""
    return [f"SELECT 'g', NULL, {generation.TOKEN_SQL}, NULL, NULL, 0"] if plan.with_generation else []


def full(sql: lucene.Params, plan: Plan, facets: list[str], mincount: int) -> str:
    """Count, page and facets in one statement, plus the generation it saw."""
    in_fv = [name in document.FACET_FIELDS for name in facets]
    from_k = [i for i, name in enumerate(facets) if not in_fv[i]]
    facet_cols = "".join(f", k -> {sql.add(facets[i])} AS fv{i}" for i in from_k)
    if any(in_fv):
        facet_cols += ", fv"
    sort_cols = "".join(f", {c}" for c in plan.sort_cols)
    parts = [
        "SELECT 'n' AS k, NULL AS v, (SELECT count(*) FROM m) AS c, "
        "NULL::jsonb AS doc, NULL::float8 AS score, 0::bigint AS o",
        f"SELECT 'd', NULL, NULL, {plan.doc}, page.score, page.o FROM page "
        f"JOIN {ddl.TABLE} t USING (index_id)",
    ]
    parts += _generation_part(plan)
    if any(in_fv):
        # Every facet field's values sit in one text[]: one pass of a C unnest
        # (projected, not a lateral function scan) counts them all.
        parts.append(
            "SELECT 'v', v, count(*), NULL::jsonb, NULL::float8, 0::bigint "
            "FROM (SELECT unnest(m.fv) AS v FROM m) s "
            f"GROUP BY v HAVING count(*) >= {int(mincount)}")
    if from_k:
        # Other facets in one pass over the matching rows; limits and order per
        # facet are applied by the executor (value counts are small next to the rows).
        pairs = ", ".join(f"({i}, m.fv{i})" for i in from_k)
        parts.append(
            "SELECT 'f' || x.i, v, count(*), NULL::jsonb, NULL::float8, 0::bigint "
            f"FROM m CROSS JOIN LATERAL (VALUES {pairs}) x(i, arr) "
            "CROSS JOIN LATERAL jsonb_array_elements_text(x.arr) v "
            f"GROUP BY x.i, v HAVING count(*) >= {int(mincount)}")
    return (
        f"WITH m AS MATERIALIZED (SELECT index_id, metadata_modified, "
        f"{plan.score} AS score{sort_cols}{facet_cols} FROM {ddl.TABLE} WHERE {plan.where}), "
        f"page AS (SELECT index_id, score, row_number() OVER (ORDER BY {plan.order}) AS o "
        f"FROM m ORDER BY {plan.order} LIMIT {plan.rows} OFFSET {plan.start}) "
        + " UNION ALL ".join(parts))


def counts_direct(plan: Plan) -> str:
    """Count and facet counts of the matching rows in one pass: every row also
    yields '' (a value no facet has), whose count is the number of hits."""
    parts = [f"SELECT 'v' AS k, v, count(*) AS c, NULL::jsonb AS doc, NULL::float8 AS score, "
             f"0::bigint AS o FROM (SELECT unnest(array_prepend('', fv)) AS v "
             f"FROM {ddl.TABLE} WHERE {plan.where}) s GROUP BY v"]
    return " UNION ALL ".join(parts + _generation_part(plan))


def page(plan: Plan, walk: str | None) -> str:
    """The page alone, not materialised so the planner can stop early. ``walk``
    ("ASC"/"DESC"): read the first rows+start of each half (dated, undated) in
    metadata_modified order, which walks its btree."""
    where, score = plan.where, plan.score
    if walk is not None:
        n = plan.rows + plan.start
        inner = (
            f"(SELECT index_id, metadata_modified, {score} AS score FROM {ddl.TABLE} "
            f"WHERE ({where}) AND metadata_modified IS NOT NULL "
            f"ORDER BY metadata_modified {walk}, index_id LIMIT {n}) UNION ALL "
            f"(SELECT index_id, metadata_modified, {score} AS score FROM {ddl.TABLE} "
            f"WHERE ({where}) AND metadata_modified IS NULL ORDER BY index_id LIMIT {n})")
    else:
        sort_cols = "".join(f", {c}" for c in plan.sort_cols)
        inner = (f"SELECT index_id, metadata_modified, {score} AS score{sort_cols} "
                 f"FROM {ddl.TABLE} WHERE {where}")
    return (
        f"WITH page AS (SELECT index_id, score, row_number() OVER (ORDER BY {plan.order}) AS o "
        f"FROM (SELECT * FROM ({inner}) i ORDER BY {plan.order} LIMIT {plan.rows} "
        f"OFFSET {plan.start}) s) "
        f"SELECT 'd', NULL, NULL, {plan.doc}, page.score, page.o FROM page "
        f"JOIN {ddl.TABLE} t USING (index_id)")


def row_filter(q: str) -> tuple[str, dict[str, Any]]:
    """WHERE clause for a delete-by-query."""
    sql = lucene.Params()
    where = lucene.Translator(sql).top(lucene.parse(q, "lucene", False)) \
        if q.strip() != "*:*" else lucene.TRUE
    return where, sql.values
