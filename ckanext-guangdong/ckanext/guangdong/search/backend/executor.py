"""Runs a Solr-style search request on the index table in one SQL statement.

The matching rows are materialised once (CTE) and the count, the page of
documents and every requested facet are read from that, so a broad query
scans the indexes a single time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ckanext.guangdong.search.backend import cache, ddl, document, lucene, qf, syntax

NOT_STORED = {"permission_labels", "title_string", "text", "urls"}


@dataclass
class Outcome:
    hits: int
    docs: list[dict[str, Any]]
    facets: dict[str, Any]  # {"facet_fields": {field: [value, count, ...]}}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)] if str(value).strip() else []


MAX_INT = 2**31 - 1  # Solr reads rows, start and facet numbers as Java ints


def _int(params: dict[str, Any], key: str, default: int, low: int = -MAX_INT) -> int:
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise lucene.QueryError("param", f"Invalid value '{str(value)[:40]}' for {key}",
                                param=key) from None
    if not low <= number <= MAX_INT:
        raise lucene.QueryError("range", f"'{key}' must be between {low} and {MAX_INT}",
                                param=key, low=low, high=MAX_INT)
    return number


def _check_nul(q: str, params: dict[str, Any]) -> None:
    """PostgreSQL text cannot hold NUL; Solr would not find it either: a clear error."""
    for key, value in [("q", q), *params.items()]:
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise lucene.QueryError("nul", f"NUL character in '{key}'", param=key)


_SORT_FIELD = re.compile(r"^\w[\w.\-]*$")


def parse_sort(spec: str) -> list[tuple[str, str]]:
    """Solr's sort syntax: ``field asc|desc`` clauses separated by commas (one trailing
    comma is accepted, as Solr does). Functions are not supported."""
    clauses = spec.split(",")
    if len(clauses) > 1 and not clauses[-1].strip():
        clauses.pop()
    out = []
    for clause in clauses:
        pieces = clause.split()
        if len(pieces) != 2 or pieces[1].lower() not in ("asc", "desc"):
            raise lucene.QueryError(
                "sort", f"Can't determine a Sort Order (asc or desc) in sort spec "
                f"'{clause.strip()[:60]}'", value=clause.strip())
        if not _SORT_FIELD.match(pieces[0]):
            raise lucene.QueryError("sort", f"can not sort on field '{pieces[0][:60]}'",
                                    value=clause.strip())
        out.append((pieces[0], pieces[1].upper()))
    return out


class Search:
    def __init__(self, session: Any, q: str, params: dict[str, Any]):
        self.session = session
        self.q = (q or "*:*").strip() or "*:*"
        self.params = params

    def validate(self) -> None:
        """Everything Solr would refuse with 400, before any SQL runs."""
        _check_nul(self.q, self.params)
        _int(self.params, "rows", 10, low=0)
        _int(self.params, "start", 0, low=0)
        _int(self.params, "facet.mincount", 0, low=0)
        for key in self.params:
            if key == "facet.limit" or (key.startswith("f.") and key.endswith(".facet.limit")):
                _int(self.params, key, 100)
        if str(self.params.get("q.op", "OR")).upper() not in ("AND", "OR"):
            raise lucene.QueryError("param", "q.op must be AND or OR", param="q.op")
        if str(self.params.get("defType", "lucene")) not in lucene.PARSERS:
            raise lucene.QueryError("unsupported", "unsupported query parser "
                                    f"'{str(self.params.get('defType'))[:40]}'",
                                    what="defType")
        parse_sort(str(self.params.get("sort") or "").strip() or "score desc")

    # -- where -------------------------------------------------------------
    def _where(self, sql: lucene.Params, any_token: bool) -> tuple[str, lucene.Translator]:
        default_and = str(self.params.get("q.op", "OR")).upper() == "AND"
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
        for fq in _as_list(self.params.get("fq")):
            if fq.strip() in ("*:*", ""):
                continue
            filters = lucene.Translator(sql)
            # Each fq is a filter of its own (Solr: a separate DocSet, intersected).
            parts.append(filters.top(lucene.parse(fq, "lucene", default_and)))
            selective = selective or filters.selective
        self.housekeeping_only = not (selective or main.selective)
        return lucene._and(parts), main

    def _scope(self) -> str | None:
        """"organization:<name>" or "owner_org:<id>" when an fq requires one exact value of
        that field: every matching row then belongs to it, so only writes to that
        organization's rows change the counts (ddl.SCOPES)."""
        default_and = str(self.params.get("q.op", "OR")).upper() == "AND"
        for fq in _as_list(self.params.get("fq")):
            if fq.strip() in ("*:*", ""):
                continue
            found = _required_scope(lucene.parse(fq, "lucene", default_and))
            if found:
                return found
        return None

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
        keys: list[str] = []
        self.sort_cols: list[str] = []
        clauses = parse_sort(spec) if spec else []
        if not ranked:
            # A constant score (q empty or *:*) ties every row: its sort clauses are
            # no-ops, so CKAN's default "score desc, metadata_modified desc" is the date
            # order, which _page_only walks on the date index.
            clauses = [c for c in clauses if c[0] != "score"]
        self.date_order = self._date_order(clauses, ranked)
        for name, direction in clauses:
            if name == "score":
                keys.append(f"score {direction}")
            elif name == "metadata_modified":
                keys.append(f"metadata_modified {direction} NULLS LAST")
            else:
                p = sql.add(name)
                value = f"COALESCE(k -> {p}, f -> {p}) ->> 0"
                i = len(self.sort_cols)
                # Numbers sort as numbers, everything else byte-wise like Solr's
                # string fields; documents without the field go last.
                self.sort_cols.append(f"(CASE WHEN {value} ~ '^-?[0-9]+([.][0-9]+)?$' "
                                      f"THEN CAST({value} AS numeric) END) AS s{i}")
                self.sort_cols.append(f'({value}) COLLATE "C" AS s{i + 1}')
                keys.append(f"s{i} {direction} NULLS LAST")
                keys.append(f"s{i + 1} {direction} NULLS LAST")
        if not keys and ranked:
            keys.append("score DESC")
        # Recency breaks ties (equal scores), then a stable order.
        keys += ["metadata_modified DESC NULLS LAST", "index_id"]
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

    # -- facets --------------------------------------------------------------
    def _facet_fields(self) -> list[str]:
        if str(self.params.get("facet", "false")).lower() not in ("true", "on", "1"):
            return []
        return list(dict.fromkeys(_as_list(self.params.get("facet.field"))))  # once each

    def _facet_limit(self, name: str) -> int:
        return _int(self.params, f"f.{name}.facet.limit", _int(self.params, "facet.limit", 100))

    # -- run -----------------------------------------------------------------
    def run(self) -> Outcome:
        """Runs a validated search (connection.search calls validate() first)."""
        self.scope = self._scope()
        self.table_oid, self.generation = ddl.state(self.session, self.scope)
        if self.table_oid is None:
            return Outcome(0, [], {"facet_fields": {f: [] for f in self._facet_fields()}})
        # Own uncommitted index writes are visible only to this transaction.
        self.use_cache = self.generation is not None and \
            not ddl.written_in_transaction(self.session)
        outcome, free_text = self._run(any_token=False)
        if outcome.hits == 0 and free_text:
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
        rows = _int(self.params, "rows", 10, low=0)
        start = _int(self.params, "start", 0, low=0)
        facets = self._facet_fields()
        mincount = max(_int(self.params, "facet.mincount", 0, low=0), 1)
        by_index = str(self.params.get("facet.sort", "count")).lower() in ("index", "false")

        assert self.table_oid is not None  # run() answers without an index table before this
        key = cache.make_key(self._database(), self.table_oid, where, where_values,
                             facets, mincount)
        generation = self.generation if self.use_cache else None  # use_cache implies a generation
        cached = cache.get(key, generation) if generation is not None else None
        # JIT compilation costs more than it saves on these short, always-new
        # statements (large row estimates at 100k datasets would trigger it).
        self.session.execute(sa.text("SET LOCAL jit = off"))
        if cached is not None:
            result = self._page_only(sql, where, score, order, rows, start, cached[0])
            result.append(("n", None, cached[0], None, None, 0))
            for i, flat in cached[1].items():
                result.extend((f"f{i}", v, c, None, None, 0)
                              for v, c in zip(flat[0::2], flat[1::2], strict=False))
        else:
            if self.housekeeping_only and all(name in document.FACET_FIELDS for name in facets):
                # `*:*` under CKAN's fixed filters (the /dataset page): nearly every row
                # matches, so no materialised CTE: one aggregate (parallel when the
                # planner likes) for count and facets, then the page (a btree walk).
                result = self._counts_direct(where, sql.values, facets, mincount)
                hits_found = next(int(c) for k, _, c, *_ in result if k == "n")
                result += self._page_only(sql, where, score, order, rows, start, hits_found)
            else:
                result = self._full(sql, where, score, order, rows, start, facets, mincount)
            if self.use_cache:
                seen = next((int(c) for k, _, c, *_ in result if k == "g"), None)
                if seen is not None:
                    counts: dict[int, list[Any]] = {i: [] for i in range(len(facets))}
                    hits_seen = 0
                    for k, v, c, *_ in result:
                        if k == "n":
                            hits_seen = int(c)
                        elif k.startswith("f"):
                            counts[int(k[1:])].extend([v, int(c)])
                    cache.put(key, seen, hits_seen, counts)

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
        for name in facets:
            facet_values[name] = self._order_facet(name, facet_values[name], by_index)
        return Outcome(hits, [d for _, d in page], {"facet_fields": facet_values}), main.free_text

    def _database(self) -> str:
        bind = self.session.get_bind()
        return str(getattr(bind, "url", bind))

    def _full(self, sql: lucene.Params, where: str, score: str, order: str, rows: int,
              start: int, facets: list[str], mincount: int) -> list[Any]:
        """Count, page and facets in one statement, plus the generation it saw."""
        in_fv = [name in document.FACET_FIELDS for name in facets]
        from_k = [i for i, name in enumerate(facets) if not in_fv[i]]
        facet_cols = "".join(f", k -> {sql.add(facets[i])} AS fv{i}" for i in from_k)
        if any(in_fv):
            facet_cols += ", fv"
        sort_cols = "".join(f", {c}" for c in self.sort_cols)
        parts = [
            "SELECT 'n' AS k, NULL AS v, (SELECT count(*) FROM m) AS c, "
            "NULL::jsonb AS doc, NULL::float8 AS score, 0::bigint AS o",
            f"SELECT 'd', NULL, NULL, {self._doc_column(sql)}, page.score, page.o FROM page "
            f"JOIN {ddl.TABLE} t USING (index_id)",
        ]
        parts += self._generation_part()
        if any(in_fv):
            # Every facet field's values sit in one text[]: one pass of a C unnest
            # (projected, not a lateral function scan) counts them all.
            parts.append(
                "SELECT 'v', v, count(*), NULL::jsonb, NULL::float8, 0::bigint "
                "FROM (SELECT unnest(m.fv) AS v FROM m) s "
                f"GROUP BY v HAVING count(*) >= {int(mincount)}")
        if from_k:
            # Other facets in one pass over the matching rows; limits and order per
            # facet are applied below (value counts are small next to the rows).
            pairs = ", ".join(f"({i}, m.fv{i})" for i in from_k)
            parts.append(
                "SELECT 'f' || x.i, v, count(*), NULL::jsonb, NULL::float8, 0::bigint "
                f"FROM m CROSS JOIN LATERAL (VALUES {pairs}) x(i, arr) "
                "CROSS JOIN LATERAL jsonb_array_elements_text(x.arr) v "
                f"GROUP BY x.i, v HAVING count(*) >= {int(mincount)}")
        statement = (
            f"WITH m AS MATERIALIZED (SELECT index_id, metadata_modified, "
            f"{score} AS score{sort_cols}{facet_cols} FROM {ddl.TABLE} WHERE {where}), "
            f"page AS (SELECT index_id, score, row_number() OVER (ORDER BY {order}) AS o "
            f"FROM m ORDER BY {order} LIMIT {rows} OFFSET {start}) "
            + " UNION ALL ".join(parts))
        result = list(self.session.execute(sa.text(statement),
                                           {**sql.values, "gd_scope": self.scope}).fetchall())
        return _spread_fv_counts(result, facets) if any(in_fv) else result

    def _generation_part(self) -> list[str]:
        """The generation, read in the same statement (snapshot) as the counts: the
        generation the cache stores them under."""
        if self.generation is None:
            return []
        return [f"SELECT 'g', NULL, {ddl.TOKEN_SQL}, NULL, NULL, 0"]

    def _counts_direct(self, where: str, values: dict[str, Any], facets: list[str],
                       mincount: int) -> list[Any]:
        """Count and facet counts of the matching rows in one pass: every row also
        yields '' (a value no facet has), whose count is the number of hits."""
        parts = [f"SELECT 'v' AS k, v, count(*) AS c, NULL::jsonb AS doc, NULL::float8 AS score, "
                 f"0::bigint AS o FROM (SELECT unnest(array_prepend('', fv)) AS v "
                 f"FROM {ddl.TABLE} WHERE {where}) s GROUP BY v"]
        parts += self._generation_part()
        rows = self.session.execute(sa.text(" UNION ALL ".join(parts)),
                                    {**values, "gd_scope": self.scope}).fetchall()
        hits = next((int(r[2]) for r in rows if r[0] == "v" and r[1] == ""), 0)
        kept = [r for r in rows if r[0] != "v" or (r[1] != "" and int(r[2]) >= mincount)]
        return _spread_fv_counts(kept, facets) + [("n", None, hits, None, None, 0)]

    def _page_only(self, sql: lucene.Params, where: str, score: str, order: str, rows: int,
                   start: int, hits: int) -> list[Any]:
        """The page alone (count and facets come from the cache), not materialised so
        the planner can stop early; sorted by metadata_modified alone it walks its btree."""
        if rows <= 0:
            return []
        direction = self.date_order
        # The planner multiplies the selectivities of CKAN's fixed filters (site, state,
        # labels, type) into "one row" and picks a full scan plus sort; with the count
        # known, walk the date btree when a page's worth is found within ~10% of the index.
        # Few hits (package_show's lookup of one dataset by id or name): read them through
        # the other indexes and sort them, never walk the dates looking for them.
        walk = direction is not None and hits >= 10 * (rows + start)
        if walk:
            n = rows + start
            inner = (
                f"(SELECT index_id, metadata_modified, {score} AS score FROM {ddl.TABLE} "
                f"WHERE ({where}) AND metadata_modified IS NOT NULL "
                f"ORDER BY metadata_modified {direction}, index_id LIMIT {n}) UNION ALL "
                f"(SELECT index_id, metadata_modified, {score} AS score FROM {ddl.TABLE} "
                f"WHERE ({where}) AND metadata_modified IS NULL ORDER BY index_id LIMIT {n})")
        else:
            sort_cols = "".join(f", {c}" for c in self.sort_cols)
            inner = (f"SELECT index_id, metadata_modified, {score} AS score{sort_cols} "
                     f"FROM {ddl.TABLE} WHERE {where}")
        statement = (
            f"WITH page AS (SELECT index_id, score, row_number() OVER (ORDER BY {order}) AS o "
            f"FROM (SELECT * FROM ({inner}) i ORDER BY {order} LIMIT {rows} OFFSET {start}) s) "
            f"SELECT 'd', NULL, NULL, {self._doc_column(sql)}, page.score, page.o FROM page "
            f"JOIN {ddl.TABLE} t USING (index_id)")
        if not walk:
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
        limit = self._facet_limit(name)
        if limit >= 0:
            pairs = pairs[:limit]
        return [x for pair in pairs for x in pair]

    def _wanted(self) -> list[str]:
        return [f for f in re.split(r"[\s,]+", str(self.params.get("fl") or "*")) if f]

    def _doc_column(self, sql: lucene.Params) -> str:
        """The stored document, or only the fields ``fl`` asks for: CKAN asks for
        ``id validated_data_dict``, and the document also holds ``data_dict`` and every
        index field, so picking in SQL halves what is sent and decoded."""
        wanted = self._wanted()
        if "*" in wanted:
            return "t.doc"
        keys = sql.add([f for f in wanted if f != "score"], "text[]")
        return (f"(SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(t.doc) e "
                f"WHERE e.key = ANY({keys}))")

    def _project(self, doc: dict[str, Any] | None, score: float | None) -> dict[str, Any]:
        doc = doc or {}
        wanted = self._wanted()
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


def _required_scope(node: Any) -> str | None:
    """The organization scope a parsed fq requires (a term, or a MUST clause), if any."""
    if isinstance(node, syntax.Term):
        if node.field in ddl.SCOPE_FIELDS and node.kind in ("term", "phrase") and node.text:
            return f"{node.field}:{node.text}"
        return None
    if isinstance(node, syntax.Boolean):
        for clause in node.clauses:
            if clause.occur == syntax.MUST:
                found = _required_scope(clause.query)
                if found:
                    return found
        shoulds = [c for c in node.clauses if c.occur == syntax.SHOULD]
        if len(shoulds) == 1 and len(node.clauses) == 1:
            return _required_scope(shoulds[0].query)
    return None


def make_row_filter(session: Any, q: str) -> tuple[str, dict[str, Any]]:
    """WHERE clause for a delete-by-query."""
    sql = lucene.Params()
    where = lucene.Translator(sql).top(lucene.parse(q, "lucene", False)) \
        if q.strip() != "*:*" else lucene.TRUE
    return where, sql.values


__all__ = ["Search", "Outcome", "make_row_filter", "document"]
