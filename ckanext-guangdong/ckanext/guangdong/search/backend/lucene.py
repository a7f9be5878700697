"""A parsed Solr query (syntax.py) → a SQL condition on the index table.

Field kinds follow CKAN's Solr schema: ``text`` (the catch-all) and ``title``
search the weighted tsvector; other text fields (notes, res_name, extras_* ...)
match their own values token by token; every other field is a Solr ``string``
field, matched exactly (or by wildcard / range) on its list of values.

Boolean queries follow Lucene: MUST clauses must all match, MUST_NOT ones must not,
SHOULD ones are optional when there is a MUST clause (they only rank) and otherwise at
least one — or, for the dismax parsers, the number ``mm`` asks for — must match. A
clause list of MUST_NOT clauses alone matches nothing, except at the top of ``q`` (lucene
parser) and of each ``fq``, where Solr subtracts it from all documents.
"""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pysolr

from ckanext.guangdong.search import segment
from ckanext.guangdong.search.backend import document, syntax
from ckanext.guangdong.search.backend.syntax import MUST, MUST_NOT, SHOULD

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
PARSERS = ("lucene", "dismax", "edismax")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
MAX_NUMBER_DIGITS = 30
_DATE_OP = re.compile(r"(/|[+-]\d{1,9})(YEARS?|MONTHS?|DAYS?|DATE|HOURS?|MINUTES?|SECONDS?|"
                      r"MILLISECONDS?|MILLIS?)")
_SOLR_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_UNITS = {"YEAR": "years", "MONTH": "months", "DAY": "days", "DATE": "days", "HOUR": "hours",
          "MINUTE": "minutes", "SECOND": "seconds", "MILLI": "microseconds",
          "MILLISECOND": "microseconds"}


class QueryError(pysolr.SolrError):
    """A request Solr would answer with 400 (bad syntax, parameter or value). ``code``
    and ``detail`` let the action layer (logic/action.py) show a translated message;
    the text never contains SQL."""

    def __init__(self, code: str, message: str, **detail: Any):
        super().__init__(message)
        self.code = code
        self.detail = detail


def syntax_error(message: str, code: str = "syntax", **detail: Any) -> QueryError:
    # The text Solr uses for query syntax errors.
    return QueryError(code, f"org.apache.solr.search.SyntaxError: {message}", **detail)


def _from_syntax(exc: syntax.QuerySyntaxError) -> QueryError:
    return syntax_error(str(exc), exc.code, **exc.detail)


# -- parsing -------------------------------------------------------------------------------
def _analyses_to_nothing(term: syntax.Term) -> bool:
    """Lucene leaves out a text-field clause whose words analyse to nothing (punctuation)."""
    if term.field not in TSV_FIELDS and term.field not in OWN_TEXT_FIELDS:
        return False
    if term.kind in ("term", "fuzzy"):
        return not segment.query_tokens(term.text)
    if term.kind == "phrase":
        return phrase_tsquery(term.text) is None
    return False


def is_text_field(name: str | None) -> bool:
    """An analysed (tokenized) field in CKAN's Solr schema; None is df (``text``)."""
    return (name in TSV_FIELDS or name in OWN_TEXT_FIELDS
            or (name or "").startswith(("extras_", "res_extras_")))


@functools.lru_cache(maxsize=1024)
def parse(q: str, parser: str = "lucene", default_and: bool = True,
          keep_empty_words: bool = False) -> syntax.Node | None:
    """``q`` (or an ``fq``) as ``parser`` reads it. Parsed trees are only read, never
    changed, so they are cached: CKAN sends the same fixed fq with every query.
    ``keep_empty_words`` (dismax parsers whose qf has a string field): a word of
    punctuation only stays a clause (qf.Fields.has_string_field)."""
    empty = None if keep_empty_words else _analyses_to_nothing
    try:
        if parser == "dismax":
            # Solr's DisjunctionMaxQueryParser: default operator OR, mm decides.
            return syntax.parse(syntax.dismax_clean(q), False, empty)
        if parser == "edismax":
            try:
                return syntax.parse(q, False, empty)
            except syntax.QuerySyntaxError as exc:
                if exc.code in ("depth", "clauses", "length"):
                    raise
                # edismax retries a query it cannot parse with its operators escaped.
                return syntax.parse(syntax.escape_all(q), False, empty)
        return syntax.parse(q, default_and, _analyses_to_nothing, is_text_field)
    except syntax.QuerySyntaxError as exc:
        raise _from_syntax(exc) from None


def flatten(node: syntax.Boolean) -> syntax.Boolean:
    """SolrPluginUtils.flattenBooleanQuery: optional nested boolean queries' clauses are
    lifted into the top (edismax, before mm is applied)."""
    out: list[syntax.Clause] = []
    for clause in node.clauses:
        if clause.occur == SHOULD and isinstance(clause.query, syntax.Boolean):
            out.extend(flatten(clause.query).clauses)
        else:
            out.append(clause)
    return syntax.Boolean(tuple(out))


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, value: Any, cast: str | None = None) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"CAST(:{name} AS {cast})" if cast else f":{name}"


# -- text queries ----------------------------------------------------------------------------
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


# -- SQL building blocks -----------------------------------------------------------------------
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
    # COALESCE: a condition that is NULL for a row (no such field) does not match it,
    # so its negation does.
    return FALSE if part == TRUE else TRUE if part == FALSE else f"NOT COALESCE({part}, FALSE)"


def _at_least(k: int, parts: list[str]) -> str:
    """At least k of the conditions (Lucene's minimum should match)."""
    need = k - parts.count(TRUE)
    rest = [p for p in parts if p not in (TRUE, FALSE)]
    if need <= 0:
        return TRUE
    if need > len(rest):
        return FALSE
    if need == 1:
        return _or(rest)
    if need == len(rest):
        return _and(rest)
    # The OR in front lets the planner find candidates through the indexes; the sum
    # then keeps the rows that match enough of them.
    count = " + ".join(f"(CASE WHEN {p} THEN 1 ELSE 0 END)" for p in rest)
    return f"({_or(rest)} AND ({count}) >= {need})"


# -- dates and numbers --------------------------------------------------------------------------
def date_value(text: str) -> str:
    """A date term or range bound as canonical text: ISO dates, ``NOW``, and Solr's date
    math (``NOW-1DAY``, ``NOW/DAY+6MONTHS``, ``2020-01-01T00:00:00Z+1YEAR``). Anything
    else, or a result outside the years 1–9999, is an error (Solr: 400)."""
    from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
    anchor: dt.datetime | None
    if text.startswith("NOW"):
        anchor, rest = dt.datetime.utcnow(), text[3:]
    else:
        match = re.match(r"^(.*?Z)([+/-].*)$", text)
        date_text, rest = (match.group(1), match.group(2)) if match else (text, "")
        # Solr takes an instant only (DateMathParser: 2020-01-01T00:00:00Z, optional
        # fraction), not a day or other forms: the same refusal here.
        anchor = document.parse_date(date_text) if _SOLR_INSTANT.match(date_text) else None
    if anchor is None:
        raise syntax_error(f"Invalid Date String: '{text}'", "date", value=text)
    moment: dt.datetime = anchor
    pos = 0
    try:
        while pos < len(rest):
            op = _DATE_OP.match(rest, pos)
            if not op:
                raise syntax_error(f"Invalid Date Math String: '{text}'", "date", value=text)
            key = _UNITS[op.group(2).rstrip("S")]
            if op.group(1) == "/":
                moment = _round_down(moment, key)
            else:
                amount = int(op.group(1))
                amount = amount * 1000 if key == "microseconds" else amount
                delta: dict[str, Any] = {key: amount}  # one of relativedelta's plural keywords
                moment = moment + relativedelta(**delta)
            pos = op.end()
    except (OverflowError, ValueError):
        raise syntax_error(f"Date out of range: '{text}'", "date", value=text) from None
    return document.canonical_date(moment.isoformat())


def _round_down(moment: dt.datetime, unit: str) -> dt.datetime:
    order = ["years", "months", "days", "hours", "minutes", "seconds", "microseconds"]
    zero: dict[str, Any] = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0,
                            "microsecond": 0}
    keep = order.index(unit)
    if unit == "microseconds":  # /MILLI: drop the sub-millisecond part
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return moment.replace(**{k: v for i, (k, v) in enumerate(zero.items()) if i >= keep})


def _number(text: str) -> decimal.Decimal:
    if len(text.lstrip("-").replace(".", "")) > MAX_NUMBER_DIGITS:
        raise syntax_error(f"Number out of range: '{text[:40]}'", "number", value=text)
    return decimal.Decimal(text)


def _wildcard_regex(raw: str) -> str:
    """A Lucene wildcard term (escapes kept) as an anchored regular expression."""
    out, i = ["^"], 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            out.append(re.escape(raw[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    return "".join(out) + "$"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- the translator ---------------------------------------------------------------------------
class Translator:
    """Translates one parsed query. ``any_token`` is the OR fallback for free text
    (every query word of a clause may match alone)."""

    def __init__(self, params: Params, any_token: bool = False, text_classes: str = "",
                 fix_nested_negatives: bool = False, empty_words_match_nothing: bool = False):
        self.params = params
        # dismax with a string field in qf: a word of punctuation only is a clause that
        # matches nothing (parse(keep_empty_words=True)); elsewhere it was left out.
        self.empty_words_match_nothing = empty_words_match_nothing
        # Weight classes unfielded words may match (dismax qf, see qf.py); "" = all.
        self.text_classes = text_classes
        self.any_token = any_token
        # edismax turns a nested clause list of MUST_NOT clauses into "all but those";
        # the lucene and dismax parsers do that at the top only.
        self.fix_nested_negatives = fix_nested_negatives
        self.rank_queries: list[str] = []
        # True once a condition names anything beyond CKAN's fixed filters (words,
        # facet values, ranges...): the query then matches a fraction of the index.
        self.selective = False
        self.free_text = False

    def top(self, node: syntax.Node | None, min_should: int = 0,
            fix_negative: bool = True) -> str:
        """The whole of ``q`` or of one ``fq``. A query that analysed to nothing
        restricts nothing."""
        if node is None:
            return TRUE
        if isinstance(node, syntax.Boolean):
            return self._boolean(node, False, min_should, fix_negative)
        return self.translate(node)

    def translate(self, node: syntax.Node, negated: bool = False) -> str:
        if isinstance(node, syntax.Boolean):
            return self._boolean(node, negated, 0, self.fix_nested_negatives)
        if isinstance(node, syntax.Range):
            return self._range(node)
        return self._term(node, negated)

    def _boolean(self, node: syntax.Boolean, negated: bool, min_should: int,
                 fix_negative: bool) -> str:
        musts, shoulds, nots = [], [], []
        for clause in node.clauses:
            if clause.occur == MUST_NOT:
                # Everything under a prohibited clause stays excluded, however deep: a
                # MUST_NOT inside a MUST_NOT does not make its words wanted again (they
                # would rank and, as free text, start the OR fallback; Solr never
                # searches them: seed 51749 case 600, docs/search.md).
                nots.append(self.translate(clause.query, True))
            elif clause.occur == MUST:
                musts.append(self.translate(clause.query, negated))
            else:
                shoulds.append(self.translate(clause.query, negated))
        if not musts and not shoulds:
            base = TRUE if fix_negative else FALSE
            return _and([base, _not(_or(nots))])
        parts = list(musts)
        if shoulds:
            # Optional clauses restrict only without a MUST clause (then at least one),
            # or when mm asks for a number of them.
            need = min(min_should, len(shoulds)) if min_should else (0 if musts else 1)
            if need:
                parts.append(_at_least(need, shoulds))
        if nots:
            parts.append(_not(_or(nots)))
        return _and(parts)

    # -- leaves ------------------------------------------------------------------------------
    def _term(self, term: syntax.Term, negated: bool) -> str:
        name, value, kind = term.field, term.text, term.kind
        if name is not None and (name.startswith("{!") or name in ("_query_", "_val_")):
            raise syntax_error(f"unsupported field {name}", "unsupported", what=name)
        if kind == "regex":
            raise syntax_error("regular expressions are not supported", "unsupported",
                               what="/regex/")
        if kind == "all" or (name in ("*", None) and kind == "prefix" and not value):
            return TRUE
        if name not in HOUSEKEEPING:
            self.selective = True
        if name in TSV_FIELDS:
            weight = ("A" if name in ("title", "title_ngram")
                      else self.text_classes if name is None else "")
            return self._tsv(value, weight, negated, kind)
        if kind == "prefix" and not value:
            return f"(f ? {self.params.add(name)})"
        assert name is not None  # unfielded terms (None) are in TSV_FIELDS, handled above
        if name in OWN_TEXT_FIELDS or name.startswith(("extras_", "res_extras_")):
            if kind in ("prefix", "wildcard"):
                regex = _wildcard_regex(value + "*" if kind == "prefix" else value)
                return self._any_value(name, f"lower(v) ~ {self.params.add(regex.lower())}")
            return self._own_text(name, value)
        if kind == "wildcard":
            return self._any_value(name, f"v ~ {self.params.add(_wildcard_regex(value))}")
        if kind == "prefix":
            return self._any_value(
                name, f"v LIKE {self.params.add(_like_escape(value) + '%')}")
        if document.is_date_field(name):
            value = date_value(value)
        column = "f" if name in document.LONG_TEXT else "k"
        if name in SCALAR_COLUMNS:
            # A plain column compare; NULL (several values or none) falls back to k.
            values = json.dumps([value], ensure_ascii=False)
            return (f"(CASE WHEN {name} IS NOT NULL THEN {name} = {self.params.add(value)} "
                    f"ELSE COALESCE(k -> {self.params.add(name)} @> "
                    f"{self.params.add(values, 'jsonb')}, FALSE) END)")
        if name == "permission_labels":
            return f"({self.params.add(value)} = ANY(labels))"
        if name in document.FACET_FIELDS:
            fv = [f"{name}{document.FACET_SEPARATOR}{value}"]
            return f"(fv @> {self.params.add(fv, 'text[]')})"
        doc = json.dumps({name: [value]}, ensure_ascii=False)
        return f"({column} @> {self.params.add(doc, 'jsonb')})"

    def _tsv(self, value: str, weight: str, negated: bool, kind: str) -> str:
        if kind == "phrase":
            # A quoted phrase is never relaxed to "any word".
            query = phrase_tsquery(value, weight) or ""
        elif kind in ("prefix", "wildcard"):
            stem = value.replace("*", " ").replace("?", " ").replace("\\", "")
            tokens = segment.query_tokens(stem)
            query = " & ".join(_lexeme(t, weight, prefix=True) for t in tokens)
        else:
            query = text_tsquery(value, weight, self.any_token) or ""
        if not query:
            if self.empty_words_match_nothing and kind in ("term", "fuzzy", "phrase"):
                return FALSE
            return TRUE  # only punctuation: matches like an empty clause
        if not negated:
            self.rank_queries.append(query)
            self.free_text = self.free_text or kind != "phrase"
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

    def _range(self, node: syntax.Range) -> str:
        self.selective = True
        name = node.field
        if name in (None, "text", "*"):
            raise syntax_error("range queries need a field", "range_field")
        bounds = [b for b in (node.low, node.high) if b is not None]
        is_date = document.is_date_field(name)
        numeric = not is_date and bool(bounds) and all(_NUMBER.match(b) for b in bounds)
        conds = []
        for bound, op_incl, op_excl, include in (
                (node.low, ">=", ">", node.include_low), (node.high, "<=", "<", node.include_high)):
            if bound is None:
                continue
            op = op_incl if include else op_excl
            if numeric:
                value = self.params.add(_number(bound))
                conds.append(f"(CASE WHEN v ~ '^-?[0-9]+([.][0-9]+)?$' "
                             f"THEN CAST(v AS numeric) END) {op} {value}")
            else:
                if is_date:
                    bound = date_value(bound)
                conds.append(f'v COLLATE "C" {op} {self.params.add(bound)}')
        if not conds:
            return f"(f ? {self.params.add(name)})"
        return self._any_value(name, " AND ".join(conds))
