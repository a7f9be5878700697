"""Runs a Solr-style search request on the index table.

parameters.py reads and checks the request, statements.py builds the SQL,
generation.py says which cached counts may be used; this module chooses the
path (cached counts, one aggregate, or the full statement), runs it and turns
the rows into Solr's answer.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ckanext.guangdong.search.backend import (
    cache,
    document,
    generation,
    lucene,
    parameters,
    qf,
    statements,
    syntax,
)

# Soft matching (search/logic/soft.py) counts "all words" and "most words" itself: inside
# strict_words() an empty answer stays empty (no OR fallback), as on Solr.
_STRICT_WORDS: contextvars.ContextVar[bool] = contextvars.ContextVar("guangdong_strict_words", default=False)


@contextlib.contextmanager
def strict_words() -> Iterator[None]:
    token = _STRICT_WORDS.set(True)
    try:
        yield
    finally:
        _STRICT_WORDS.reset(token)


NOT_STORED = {"permission_labels", "title_string", "text", "urls"}


@dataclass
class Outcome:
    hits: int
    docs: list[dict[str, Any]]
    facets: dict[str, Any]  # {"facet_fields": {field: [value, count, ...]}}


class Search:
    def __init__(self, session: Any, q: str, params: dict[str, Any]):
        self.session = session
        self.q = (q or "*:*").strip() or "*:*"
        self.params = params

    def validate(self) -> None:
        """Everything Solr would refuse with 400, before any SQL runs."""
        parameters.validate(self.q, self.params)

    # -- where -------------------------------------------------------------
    def _where(self, sql: lucene.Params, any_token: bool) -> tuple[str, lucene.Translator]:
        default_and = parameters.default_and(self.params)
        parser = str(self.params.get("defType", "lucene"))
        dismax = parser in ("dismax", "edismax")
        self.fields = qf.parse(self.params.get("qf")) if dismax else qf.DEFAULT
        keep_empty = dismax and self.fields.has_string_field
        main = lucene.Translator(sql, any_token=any_token, text_classes=self.fields.classes,
                                 fix_nested_negatives=parser == "edismax",
                                 empty_words_match_nothing=keep_empty)
        parts = []
        if self.q != "*:*":
            if dismax:
                node = lucene.parse(self.q, parser, keep_empty_words=keep_empty)
                if parser == "edismax" and isinstance(node, syntax.Boolean):
                    node = lucene.flatten(node)
                # mm (CKAN sends "2<-1 5<80%") counts the optional clauses; the OR
                # fallback (any_token) lets one of them do.
                need = 1 if any_token else self._min_should(node, default_and)
                # dismax nests the user's query in a MUST clause: a query of MUST_NOT
                # clauses alone matches nothing (edismax adds "all documents").
                parts.append(main.top(node, need, fix_negative=parser == "edismax"))
            else:
                # The OR fallback reads the implicit operator as OR (q.op=OR).
                node = lucene.parse(self.q, "lucene", default_and and not any_token)
                parts.append(main.top(node))
        selective = False
        for fq in parameters.as_list(self.params.get("fq")):
            if fq.strip() in ("*:*", ""):
                continue
            filters = lucene.Translator(sql)
            # Each fq is a filter of its own (Solr: a separate DocSet, intersected).
            parts.append(filters.top(lucene.parse(fq, "lucene", default_and)))
            selective = selective or filters.selective
        self.housekeeping_only = not (selective or main.selective)
        return lucene._and(parts), main

    def _min_should(self, node: Any, default_and: bool) -> int:
        if not isinstance(node, syntax.Boolean):
            return 0
        optional = sum(1 for c in node.clauses if c.occur == syntax.SHOULD)
        spec = self.params.get("mm") or ("100%" if default_and else "0%")
        try:
            return syntax.min_should_match(str(spec), optional)
        except syntax.QuerySyntaxError as exc:
            raise lucene.QueryError("mm", str(exc), value=str(spec)[:40]) from None

    # -- order -------------------------------------------------------------
    def _sort(self, sql: lucene.Params, ranked: bool) -> list[str]:
        """ORDER BY keys over the CTE's columns; sort expressions go to self.sort_cols."""
        spec = str(self.params.get("sort") or "").strip()
        clauses = parameters.parse_sort(spec) if spec else []
        if not ranked:
            # A constant score (q empty or *:*) ties every row: its sort clauses are
            # no-ops, so CKAN's default "score desc, metadata_modified desc" is the date
            # order, which _page_only walks on the date index.
            clauses = [c for c in clauses if c[0] != "score"]
        self.date_order = self._date_order(clauses, ranked)
        keys, self.sort_cols = statements.sort_keys(sql, clauses, ranked)
        return keys

    @staticmethod
    def _date_order(clauses: list[tuple[str, str]], ranked: bool) -> str | None:
        """"ASC"/"DESC" when the rows are ordered by metadata_modified alone (then the
        index id), else None."""
        if len(clauses) == 1 and clauses[0][0] == "metadata_modified":
            return clauses[0][1]
        if not clauses and not ranked:
            return "DESC"  # the default order of a constant score: recency
        return None

    # -- run -----------------------------------------------------------------
    def run(self) -> Outcome:
        """Runs a validated search (connection.search calls validate() first)."""
        self.scope = generation.query_scope(self.params)
        self.table_oid, self.generation = generation.state(self.session, self.scope)
        if self.table_oid is None:
            return Outcome(0, [], {"facet_fields": {f: [] for f in parameters.facet_fields(self.params)}})
        # Own uncommitted index writes are visible only to this transaction.
        self.use_cache = self.generation is not None and \
            not generation.written_in_transaction(self.session)
        outcome, free_text = self._run(any_token=False)
        if outcome.hits == 0 and free_text and not _STRICT_WORDS.get():
            # All query words must match; when that finds nothing, any word may.
            outcome, _ = self._run(any_token=True)
        return outcome

    def _run(self, any_token: bool) -> tuple[Outcome, bool]:
        sql = lucene.Params()
        where, main = self._where(sql, any_token)
        where_values = dict(sql.values)  # the filter set alone: the cache key
        if main.rank_queries:
            rank_q = sql.add(" | ".join(main.rank_queries), "tsquery")
            score = f"ts_rank('{self.fields.rank_weights}', tsv, {rank_q})"
        else:
            score = "1.0"
        order = ", ".join(self._sort(sql, bool(main.rank_queries)))
        plan = statements.Plan(
            where, score, order, rows=parameters.number(self.params, "rows", 10, low=0),
            start=parameters.number(self.params, "start", 0, low=0),
            doc=statements.doc_column(sql, parameters.wanted_fields(self.params)),
            sort_cols=self.sort_cols, with_generation=self.generation is not None)
        facets = parameters.facet_fields(self.params)
        mincount = max(parameters.number(self.params, "facet.mincount", 0, low=0), 1)

        assert self.table_oid is not None  # run() answers without an index table before this
        key = cache.make_key(self._database(), self.table_oid, where, where_values,
                             facets, mincount)
        cached = generation.cached_counts(key, self.generation if self.use_cache else None)
        # JIT compilation costs more than it saves on these short, always-new
        # statements (large row estimates at 100k datasets would trigger it).
        self.session.execute(sa.text("SET LOCAL jit = off"))
        if cached is not None:
            result = self._page_only(sql, plan, cached[0])
            result.append(("n", None, cached[0], None, None, 0))
            for i, flat in cached[1].items():
                result.extend((f"f{i}", v, c, None, None, 0)
                              for v, c in zip(flat[0::2], flat[1::2], strict=False))
        else:
            if self.housekeeping_only and all(name in document.FACET_FIELDS for name in facets):
                # `*:*` under CKAN's fixed filters (the /dataset page): nearly every row
                # matches, so no materialised CTE: one aggregate (parallel when the
                # planner likes) for count and facets, then the page (a btree walk).
                result = self._counts_direct(sql, plan, facets, mincount)
                hits_found = next(int(c) for k, _, c, *_ in result if k == "n")
                result += self._page_only(sql, plan, hits_found)
            else:
                result = self._full(sql, plan, facets, mincount)
            if self.use_cache:
                generation.store_counts(key, result, facets)
        return self._answer(result, facets), main.free_text

    def _answer(self, result: list[Any], facets: list[str]) -> Outcome:
        hits = 0
        page: list[tuple[int, dict[str, Any]]] = []
        facet_values: dict[str, list[Any]] = {name: [] for name in facets}
        for k, v, c, doc, score_value, o in result:
            if k == "g":
                continue
            if k == "n":
                hits = int(c)
            elif k == "d":
                page.append((o, self._project(doc, score_value)))
            else:
                facet_values[facets[int(k[1:])]].extend([v, int(c)])
        page.sort(key=lambda item: item[0])
        by_index = str(self.params.get("facet.sort", "count")).lower() in ("index", "false")
        for name in facets:
            facet_values[name] = self._order_facet(name, facet_values[name], by_index)
        return Outcome(hits, [d for _, d in page], {"facet_fields": facet_values})

    def _database(self) -> str:
        bind = self.session.get_bind()
        return str(getattr(bind, "url", bind))

    def _execute(self, statement: str, values: dict[str, Any]) -> list[Any]:
        return list(self.session.execute(sa.text(statement),
                                         {**values, "gd_scope": self.scope}).fetchall())

    def _full(self, sql: lucene.Params, plan: statements.Plan, facets: list[str],
              mincount: int) -> list[Any]:
        """Count, page and facets in one statement, plus the generation it saw."""
        statement = statements.full(sql, plan, facets, mincount)
        return _spread_fv_counts(self._execute(statement, sql.values), facets)

    def _counts_direct(self, sql: lucene.Params, plan: statements.Plan, facets: list[str],
                       mincount: int) -> list[Any]:
        """Count and facet counts of the matching rows in one pass."""
        rows = self._execute(statements.counts_direct(plan), sql.values)
        hits = next((int(r[2]) for r in rows if r[0] == "v" and r[1] == ""), 0)
        kept = [r for r in rows if r[0] != "v" or (r[1] != "" and int(r[2]) >= mincount)]
        return _spread_fv_counts(kept, facets) + [("n", None, hits, None, None, 0)]

    def _page_only(self, sql: lucene.Params, plan: statements.Plan, hits: int) -> list[Any]:
        """The page alone (count and facets known); sorted by metadata_modified alone it
        walks its btree."""
        if plan.rows <= 0:
            return []
        # The planner multiplies the selectivities of CKAN's fixed filters (site, state,
        # labels, type) into "one row" and picks a full scan plus sort; with the count
        # known, walk the date btree when a page's worth is found within ~10% of the index.
        # Few hits (package_show's lookup of one dataset by id or name): read them through
        # the other indexes and sort them, never walk the dates looking for them.
        walk = self.date_order if hits >= 10 * (plan.rows + plan.start) else None
        statement = statements.page(plan, walk)
        if walk is None:
            return list(self.session.execute(sa.text(statement), sql.values).fetchall())
        saved = self.session.execute(sa.text(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_bitmapscan'), "
            "set_config('enable_seqscan', 'off', true), "
            "set_config('enable_bitmapscan', 'off', true)")).one()
        result = list(self.session.execute(sa.text(statement), sql.values).fetchall())
        # (on an error the transaction is aborted and the rollback restores them)
        self.session.execute(sa.text(
            "SELECT set_config('enable_seqscan', :a, true), "
            "set_config('enable_bitmapscan', :b, true)"), {"a": saved[0], "b": saved[1]})
        return result

    def _order_facet(self, name: str, flat: list[Any], by_index: bool) -> list[Any]:
        """Solr's facet order (count desc then value, or value) and facet.limit."""
        pairs = list(zip(flat[0::2], flat[1::2], strict=False))
        if by_index:
            pairs.sort(key=lambda p: p[0].encode())
        else:
            pairs.sort(key=lambda p: (-p[1], p[0].encode()))
        limit = parameters.facet_limit(self.params, name)
        if limit >= 0:
            pairs = pairs[:limit]
        return [x for pair in pairs for x in pair]

    def _project(self, doc: dict[str, Any] | None, score: float | None) -> dict[str, Any]:
        doc = doc or {}
        wanted = parameters.wanted_fields(self.params)
        if "*" in wanted:
            out = {k: v for k, v in doc.items() if k not in NOT_STORED}
        else:
            out = {k: doc[k] for k in wanted if k in doc}
        if "score" in wanted:
            out["score"] = float(score or 0.0)
        return out


def _spread_fv_counts(result: list[Any], facets: list[str]) -> list[Any]:
    """'field<US>value' counts → rows of the requested facets ('f<i>', value, count)."""
    wanted = {name: i for i, name in enumerate(facets) if name in document.FACET_FIELDS}
    out = []
    for row in result:
        if row[0] != "v":
            out.append(row)
            continue
        name, _, value = row[1].partition(document.FACET_SEPARATOR)
        if name in wanted:
            out.append((f"f{wanted[name]}", value, row[2], None, None, 0))
    return out


__all__ = ["Search", "Outcome"]
