"""Lucene/Solr query syntax (parsed by luqum) → a SQL condition on the index table.

Field kinds follow CKAN's Solr schema: ``text`` (the catch-all) and ``title``
search the weighted tsvector; other text fields (notes, res_name, extras_* ...)
match their own values token by token; every other field is a Solr ``string``
field, matched exactly (or by wildcard / range) on its list of values.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pysolr
from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser

from ckanext.guangdong.search import segment
from ckanext.guangdong.search.backend import document

TRUE, FALSE = "TRUE", "FALSE"
TSV_FIELDS = {None, "text", "title", "title_ngram", "name_ngram"}
OWN_TEXT_FIELDS = {"notes", "author", "maintainer", "author_email", "maintainer_email",
                   "res_name", "res_description", "urls", "depends_on", "dependency_of",
                   "derives_from", "has_derivation", "links_to", "linked_from",
                   "child_of", "parent_of"}
# Fields nearly every document shares (CKAN adds them to every query) have their
# own columns (document.SINGLE_VALUED, site_id, labels): tested on the row with a
# plain comparison, never through a GIN index, so the planner starts from the
# selective condition (the words, a facet value) instead of a bitmap of everything.
SCALAR_COLUMNS = frozenset(document.SINGLE_VALUED) | {"site_id"}
HOUSEKEEPING = SCALAR_COLUMNS | {"permission_labels"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_UNESCAPE = re.compile(r"\\(.)")
_DATE_MATH = re.compile(r"([+-])(\d+)(YEARS?|MONTHS?|DAYS?|HOURS?|MINUTES?|SECONDS?)")


def syntax_error(message: str) -> pysolr.SolrError:
    # The text Solr uses: CKAN shows "error while searching" for it.
    return pysolr.SolrError(f"org.apache.solr.search.SyntaxError: {message}")


@functools.lru_cache(maxsize=1024)
def parse(q: str) -> tree.Item:
    """Parsed trees are only read, never changed, so they are cached: CKAN sends the
    same fixed fq (site, type, state, permission labels) with every query."""
    if re.search(r"(^|[\s(])[+\-!]{2,}", q):
        raise syntax_error(f"Cannot parse '{q}': doubled prefix operator")
    try:
        return parser.parse(q)
    except (ParseError, Exception) as exc:  # luqum raises several error types
        raise syntax_error(f"Cannot parse '{q}': {exc}") from exc


_LENIENT_STRIP = re.compile(r'[\\"()\[\]{}:^~!/]|\b(AND|OR|NOT)\b|&&|\|\|')


@functools.lru_cache(maxsize=1024)
def parse_lenient(q: str) -> tree.Item:
    """dismax: Solr's dismax parser forgives what users type (an unclosed quote, a
    trailing AND); only a doubled prefix operator stays a syntax error."""
    try:
        return parse(q)
    except pysolr.SolrError:
        if re.search(r"(^|[\s(])[+\-!]{2,}", q):
            raise
        cleaned = " ".join(_LENIENT_STRIP.sub(" ", q).split())
        return parse(cleaned or "*:*")


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any, cast: str | None = None) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"CAST(:{name} AS {cast})" if cast else f":{name}"


def unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


def _lexeme(token: str, weight: str = "", prefix: bool = False) -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    suffix = ("*" if prefix else "") + weight
    return f"{quoted}:{suffix}" if suffix else quoted


def token_tsquery(token: str, weight: str = "") -> str:
    """One query token: a Han word also matches as a run of adjacent bigrams."""
    if not segment.has_han(token):
        return _lexeme(token, weight)
    if len(token) == 1:
        return _lexeme(token, weight, prefix=True)
    if len(token) == 2:
        return _lexeme(token, weight)
    chain = " <-> ".join(_lexeme(token[i:i + 2], weight) for i in range(len(token) - 1))
    return f"({_lexeme(token, weight)} | ({chain}))"


def text_tsquery(text: str, weight: str = "", any_token: bool = False) -> str | None:
    tokens = segment.query_tokens(text)
    if not tokens:
        return None
    joiner = " | " if any_token else " & "
    return "(" + joiner.join(token_tsquery(t, weight) for t in tokens) + ")"


def phrase_tsquery(text: str, weight: str = "") -> str | None:
    """A quoted phrase: adjacent Latin words, Han runs as contiguous substrings."""
    groups: list[str] = []
    latin: list[str] = []
    for run in segment.query_runs(text):
        if run.han:
            if latin:
                groups.append(" <-> ".join(_lexeme(t, weight) for t in latin))
                latin = []
            groups.append(token_tsquery(run.text, weight))
        else:
            latin.append(run.text)
    if latin:
        groups.append(" <-> ".join(_lexeme(t, weight) for t in latin))
    return "(" + " & ".join(f"({g})" for g in groups) + ")" if groups else None


def _and(parts: list[str]) -> str:
    parts = [p for p in parts if p != TRUE]
    if FALSE in parts:
        return FALSE
    return "(" + " AND ".join(parts) + ")" if parts else TRUE


def _or(parts: list[str]) -> str:
    if TRUE in parts:
        return TRUE
    parts = [p for p in parts if p != FALSE]
    return "(" + " OR ".join(parts) + ")" if parts else FALSE


def _not(part: str) -> str:
    return FALSE if part == TRUE else TRUE if part == FALSE else f"NOT {part}"


def solr_now(expr: str) -> str | None:
    """NOW, NOW-1DAY, NOW/DAY+1MONTH ... → canonical date text, else None."""
    if not expr.startswith("NOW"):
        return None
    from dateutil.relativedelta import relativedelta
    moment = dt.datetime.utcnow()
    rest = expr[3:]
    rounding = re.search(r"/(YEAR|MONTH|DAY|HOUR|MINUTE)", rest)
    if rounding:
        unit = rounding.group(1).lower()
        keep = ["year", "month", "day", "hour", "minute"].index(unit)
        zero = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
        moment = moment.replace(**{k: v for i, (k, v) in enumerate(zero.items()) if i >= keep})
    for sign, amount, unit in _DATE_MATH.findall(rest):
        key = unit.lower().rstrip("s") + "s"
        delta = relativedelta(**{key: int(amount)})
        moment = moment + delta if sign == "+" else moment - delta
    return document.canonical_date(moment.isoformat())


class Translator:
    """Translates one parsed query. ``any_token`` is the OR fallback for free text."""

    def __init__(self, params: Params, default_and: bool = True, any_token: bool = False,
                 text_classes: str = ""):
        self.params = params
        # Weight classes unfielded words may match (dismax qf, see qf.py); "" = all.
        self.text_classes = text_classes
        self.default_and = default_and
        self.any_token = any_token
        self.rank_queries: list[str] = []
        # True once a condition names anything beyond CKAN's fixed filters (words,
        # facet values, ranges...): the query then matches a fraction of the index.
        self.selective = False
        self.free_text = False

    # -- structure -------------------------------------------------------
    def translate(self, node: tree.Item, fieldname: str | None = None,
                  negated: bool = False) -> str:
        if isinstance(node, tree.SearchField):
            name = node.name
            if name.startswith("{!") or name in ("_query_", "_val_"):
                raise syntax_error(f"unsupported field {name}")
            return self.translate(node.expr, unescape(name), negated)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self.translate(node.expr, fieldname, negated)
        if isinstance(node, (tree.Plus,)):
            return self.translate(node.a, fieldname, negated)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            inner = node.a
            if isinstance(inner, (tree.Not, tree.Prohibit, tree.Plus)):
                raise syntax_error("doubled prefix operator")
            return _not(self.translate(inner, fieldname, not negated))
        if isinstance(node, tree.Boost):
            return self.translate(node.expr, fieldname, negated)
        if isinstance(node, (tree.Fuzzy, tree.Proximity)):
            return self.translate(node.term, fieldname, negated)
        if isinstance(node, tree.AndOperation):
            return self._boolean(node.children, fieldname, negated, all_must=True)
        if isinstance(node, tree.OrOperation):
            return _or([self.translate(c, fieldname, negated) for c in node.children])
        if isinstance(node, tree.UnknownOperation):
            return self._boolean(node.children, fieldname, negated,
                                 all_must=self.default_and and not self.any_token)
        if isinstance(node, tree.Range):
            return self._range(node, fieldname)
        if isinstance(node, tree.Phrase):
            return self._term(node.value[1:-1], fieldname, negated, phrase=True)
        if isinstance(node, tree.Regex):
            raise syntax_error("regular expressions are not supported")
        if isinstance(node, tree.Word):
            return self._term(node.value, fieldname, negated, phrase=False)
        raise syntax_error(f"unsupported query element {node!r}")

    def _boolean(self, children: list[tree.Item], fieldname: str | None,
                 negated: bool, all_must: bool) -> str:
        musts, shoulds, nots = [], [], []
        for child in children:
            if isinstance(child, tree.Plus):
                musts.append(self.translate(child.a, fieldname, negated))
            elif isinstance(child, (tree.Not, tree.Prohibit)):
                if isinstance(child.a, (tree.Not, tree.Prohibit, tree.Plus)):
                    raise syntax_error("doubled prefix operator")
                nots.append(self.translate(child.a, fieldname, not negated))
            elif all_must:
                musts.append(self.translate(child, fieldname, negated))
            else:
                shoulds.append(self.translate(child, fieldname, negated))
        parts = list(musts)
        if shoulds and not musts:
            parts.append(_or(shoulds))
        if nots:
            parts.append(_not(_or(nots)))
        return _and(parts)

    # -- leaves ------------------------------------------------------------
    def _term(self, raw: str, fieldname: str | None, negated: bool, phrase: bool) -> str:
        if fieldname not in HOUSEKEEPING:
            self.selective = True
        value = raw if phrase else unescape(raw)
        wildcard = not phrase and ("*" in raw.replace("\\*", "") or "?" in raw.replace("\\?", ""))
        if fieldname in ("*", None) and value == "*" and not phrase:
            return TRUE
        if fieldname in TSV_FIELDS:
            weight = ("A" if fieldname in ("title", "title_ngram")
                      else self.text_classes if fieldname is None else "")
            return self._tsv(value, weight, negated, wildcard, phrase)
        if value == "*" and not phrase:
            return f"(f ? {self.params.add(fieldname)})"
        if fieldname in OWN_TEXT_FIELDS or fieldname.startswith(("extras_", "res_extras_")):
            return self._own_text(fieldname, value)
        if wildcard:
            pattern = re.escape(value).replace(r"\*", ".*").replace(r"\?", ".")
            return self._any_value(fieldname, f"v ~ {self.params.add('^' + pattern + '$')}")
        if document.is_date_field(fieldname):
            value = document.canonical_date(value)
        column = "f" if fieldname in document.LONG_TEXT else "k"
        if fieldname in SCALAR_COLUMNS:
            # A plain column compare; NULL (several values or none) falls back to k.
            values = json.dumps([value], ensure_ascii=False)
            return (f"(CASE WHEN {fieldname} IS NOT NULL THEN {fieldname} = {self.params.add(value)} "
                    f"ELSE COALESCE(k -> {self.params.add(fieldname)} @> "
                    f"{self.params.add(values, 'jsonb')}, FALSE) END)")
        if fieldname == "permission_labels":
            return f"({self.params.add(value)} = ANY(labels))"
        if fieldname in document.FACET_FIELDS:
            fv = [f"{fieldname}{document.FACET_SEPARATOR}{value}"]
            return f"(fv @> {self.params.add(fv, 'text[]')})"
        doc = json.dumps({fieldname: [value]}, ensure_ascii=False)
        return f"({column} @> {self.params.add(doc, 'jsonb')})"

    def _tsv(self, value: str, weight: str, negated: bool, wildcard: bool,
             phrase: bool = False) -> str:
        if phrase:
            # A quoted phrase is never relaxed to "any word".
            query = phrase_tsquery(value, weight) or ""
            if not query:
                return TRUE
        elif wildcard:
            stem = value.replace("*", "").replace("?", "")
            tokens = segment.query_tokens(stem)
            if not tokens:
                return TRUE
            query = " & ".join(_lexeme(t, weight, prefix=True) for t in tokens)
        else:
            query = text_tsquery(value, weight, self.any_token) or ""
            if not query:
                return TRUE  # only punctuation: matches like an empty clause
        if not negated:
            self.rank_queries.append(query)
            self.free_text = self.free_text or not phrase
        return f"(tsv @@ {self.params.add(query, 'tsquery')})"

    def _any_value(self, fieldname: str, condition: str) -> str:
        name = self.params.add(fieldname)
        # k (kept in the row) holds the same values as f for short fields; f (large,
        # compressed) only for the long ones: reading k first avoids decompressing f.
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(COALESCE(k -> {name}, f -> {name})) v "
                f"WHERE {condition})")

    def _own_text(self, fieldname: str, value: str) -> str:
        tokens = [t for t in re.split(r"\s+", segment.normalise(value)) if t]
        if not tokens:
            return TRUE
        likes = [f"lower(v) LIKE {self.params.add('%' + _like_escape(t) + '%')}"
                 for t in tokens]
        return self._any_value(fieldname, " AND ".join(likes))

    def _range(self, node: tree.Range, fieldname: str | None) -> str:
        self.selective = True
        if fieldname in (None, "text"):
            raise syntax_error("range queries need a field")
        low, high = unescape(str(node.low)), unescape(str(node.high))
        bounds = [b for b in (low, high) if b != "*"]
        numeric = bool(bounds) and all(_NUMBER.match(b) for b in bounds)
        conds = []
        for bound, op_incl, op_excl, include in (
                (low, ">=", ">", node.include_low), (high, "<=", "<", node.include_high)):
            if bound == "*":
                continue
            op = op_incl if include else op_excl
            if numeric:
                value = self.params.add(float(bound))
                conds.append(f"(CASE WHEN v ~ '^-?[0-9]+([.][0-9]+)?$' "
                             f"THEN CAST(v AS numeric) END) {op} {value}")
            else:
                if document.is_date_field(fieldname):
                    bound = solr_now(bound) or document.canonical_date(bound)
                conds.append(f'v COLLATE "C" {op} {self.params.add(bound)}')
        if not conds:
            return f"(f ? {self.params.add(fieldname)})"
        return self._any_value(fieldname, " AND ".join(conds))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
