"""Solr's standard query syntax, read the way Solr 9 reads it.

A reading of Solr's ``QueryParser.jj`` (its tokens and its ``Query``/``Clause``/``Term``
rules) and of ``SolrQueryParserBase.addClause``, which decides from AND/OR/NOT, ``&&``/``||``/
``!``, ``+``/``-`` and the default operator (``q.op``) whether each clause is MUST, SHOULD or
MUST_NOT. Lucene's boolean syntax has no precedence: ``a AND b OR c`` is one clause list in
which ``OR`` makes its neighbours optional (``+a b c``), not ``(a AND b) OR c`` as a
precedence grammar (luqum, used before) reads it.

Also DisMax's clean-up of what users type (``SolrPluginUtils.partialEscape``,
``stripUnbalancedQuotes``, ``stripIllegalOperators``): Solr's dismax parser, which CKAN
uses for a ``q`` without a colon, only understands ``+``, ``-``, quotes and the
AND/OR/NOT/``&&``/``||`` operators; every other special character is taken literally.

Limits Solr has as well (a Java stack or ``maxBooleanClauses``), made explicit so that bad
input gets a clear error instead of exhausting the stack: ``MAX_DEPTH`` nested brackets,
``MAX_CLAUSES`` clauses per boolean query, ``MAX_QUERY_CHARS`` characters.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MUST, SHOULD, MUST_NOT = "MUST", "SHOULD", "MUST_NOT"
MAX_DEPTH = 50
MAX_CLAUSES = 1024          # Solr's default maxBooleanClauses
MAX_QUERY_CHARS = 100_000

_WHITESPACE = " \t\n\r\u3000"
# Characters that cannot start a term (Solr's _TERM_START_CHAR excludes them) ...
_NOT_TERM_START = set(_WHITESPACE) | set('+-!():^[]"{}~*?\\/')
# ... and the ones of them that may follow inside a term (Solr's _TERM_CHAR).
_TERM_INNER_EXTRA = set("-+/!")


class QuerySyntaxError(ValueError):
    """Bad query text. ``code`` says which kind (for a translated message), ``detail``
    carries the values the message shows."""

    def __init__(self, code: str, message: str, **detail: object):
        super().__init__(message)
        self.code = code
        self.detail = detail


# -- the parsed query -----------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One term of a field; ``field`` None is the default field (df / qf).
    kind: term, phrase, prefix (text without the trailing *), wildcard (raw text, escapes
    kept), fuzzy, regex, all (``*:*``)."""
    field: str | None
    text: str
    kind: str = "term"


@dataclass(frozen=True)
class Range:
    field: str | None
    low: str | None      # None: open ("*")
    high: str | None
    include_low: bool
    include_high: bool


@dataclass(frozen=True)
class Clause:
    occur: str
    query: Node


@dataclass(frozen=True)
class Boolean:
    clauses: tuple[Clause, ...]


Node = Term | Range | Boolean
MATCH_ALL = Term("*", "*", "all")


# -- tokens -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str
    image: str
    pos: int


def _is_term_start(text: str, i: int) -> int:
    """Length of a term-start character at i (2 for an escaped one), 0 if none."""
    c = text[i]
    if c == "\\":
        if i + 1 >= len(text):
            raise QuerySyntaxError("end", "Term can not end with escape character")
        return 2
    return 0 if c in _NOT_TERM_START else 1


def _term_char(text: str, i: int) -> int:
    c = text[i]
    if c in _TERM_INNER_EXTRA:
        return 1
    return _is_term_start(text, i)


class _Lexer:
    """Solr's token manager: longest match, earlier-declared token on a tie; the
    Boost state after ``^`` and the Range state after ``[``/``{``."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.state = "default"

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            tok = self._next()
            out.append(tok)
            if tok.kind == "EOF":
                return out

    def _skip_default(self) -> None:
        text, n = self.text, len(self.text)
        while self.i < n:
            if text[self.i] in _WHITESPACE:
                self.i += 1
            elif text.startswith("/*", self.i):      # Solr's nested /* comments */
                depth, self.i = 1, self.i + 2
                while self.i < n and depth:
                    if text.startswith("*/", self.i):
                        depth, self.i = depth - 1, self.i + 2
                    elif text.startswith("/*", self.i):
                        depth, self.i = depth + 1, self.i + 2
                    else:
                        self.i += 1
            else:
                return

    def _next(self) -> Token:
        if self.state == "boost":
            return self._boost()
        if self.state == "range":
            return self._range()
        self._skip_default()
        text, i = self.text, self.i
        if i >= len(text):
            return Token("EOF", "", i)
        candidates: list[tuple[int, str]] = []    # (length, kind) in declaration order
        for word, kind in (("AND", "AND"), ("&&", "AND"), ("OR", "OR"), ("||", "OR"),
                           ("NOT", "NOT"), ("!", "NOT")):
            if text.startswith(word, i):
                candidates.append((len(word), kind))
        c = text[i]
        if c in "+-!" and i + 1 < len(text) and text[i + 1] in _WHITESPACE:
            candidates.append((2, "BAREOPER"))
        single = {"+": "PLUS", "-": "MINUS", "(": "LPAREN", ")": "RPAREN", ":": "COLON",
                  "*": "STAR", "^": "CARAT", "[": "RANGEIN_START", "{": "RANGEEX_START"}
        if c in single:
            candidates.append((1, single[c]))
        if c == '"':
            candidates.append((self._quoted_length(i), "QUOTED"))
        candidates += self._term_candidates(i)
        if c == "~":
            m = re.compile(r"~(\d+(\.\d+)?)?").match(text, i)
            candidates.append((m.end() - i, "FUZZY_SLOP"))  # type: ignore[union-attr]
        if c == "/" and i + 1 < len(text) and text[i + 1] not in "*/":
            length = self._regex_length(i)
            if length:
                candidates.append((length, "REGEXPTERM"))
        if text.startswith("{!", i):
            raise QuerySyntaxError("unsupported", "local parameters {!...} are not supported",
                                   what="{!...}")
        if text.startswith("filter(", i):
            candidates.append((7, "FILTER"))
        if not candidates:
            raise QuerySyntaxError("lexical", f"Lexical error at character {i + 1}",
                                   pos=i + 1, token=c)
        best = max(length for length, _ in candidates)
        kind = next(k for length, k in candidates if length == best)
        self.i = i + best
        if kind == "CARAT":
            self.state = "boost"
        elif kind in ("RANGEIN_START", "RANGEEX_START"):
            self.state = "range"
        return Token(kind, text[i:i + best], i)

    def _quoted_length(self, i: int) -> int:
        text, j = self.text, i + 1
        while j < len(text):
            if text[j] == "\\":
                if j + 1 >= len(text):
                    break
                j += 2
            elif text[j] == '"':
                return j + 1 - i
            else:
                j += 1
        raise QuerySyntaxError("end", "Unbalanced quote", pos=i + 1, token='"')

    def _regex_length(self, i: int) -> int:
        text, j = self.text, i + 1
        while j < len(text):
            if text.startswith("\\/", j):
                j += 2
            elif text[j] == "/":
                return j + 1 - i
            else:
                j += 1
        return 0

    def _term_candidates(self, i: int) -> list[tuple[int, str]]:
        """TERM, PREFIXTERM and WILDTERM at i (lengths of their longest matches)."""
        text, n = self.text, len(self.text)
        out: list[tuple[int, str]] = []
        start = _is_term_start(text, i)
        if start:  # TERM: a start character, then term characters
            j = i + start
            while j < n and _term_char(text, j):
                j += _term_char(text, j)
            out.append((j - i, "TERM"))
            if j < n and text[j] == "*":
                out.append((j + 1 - i, "PREFIXTERM"))
        if start or text[i] in "*?":  # WILDTERM: also * and ? anywhere
            j = i + (start or 1)
            while j < n:
                step = 1 if text[j] in "*?" else _term_char(text, j)
                if not step:
                    break
                j += step
            out.append((j - i, "WILDTERM"))
        return out

    def _boost(self) -> Token:
        m = re.compile(r"=?-?\d+(\.\d+)?").match(self.text, self.i)
        if not m:
            raise QuerySyntaxError("lexical", f"Lexical error at character {self.i + 1}",
                                   pos=self.i + 1, token=self.text[self.i:self.i + 1])
        self.i, self.state = m.end(), "default"
        return Token("NUMBER", m.group(0), m.start())

    def _range(self) -> Token:
        text, n = self.text, len(self.text)
        while self.i < n and text[self.i] in _WHITESPACE:
            # Solr's RANGE_GOOP excludes only " ": other white space followed by more
            # goop is the longer match, hence a goop token.
            if text[self.i] != " " and self.i + 1 < n and text[self.i + 1] not in " ]}":
                break
            self.i += 1
        i = self.i
        if i >= n:
            return Token("EOF", "", i)
        c = text[i]
        candidates: list[tuple[int, str]] = []
        if text.startswith("TO", i):
            candidates.append((2, "RANGE_TO"))
        if c == "]":
            candidates.append((1, "RANGEIN_END"))
        if c == "}":
            candidates.append((1, "RANGEEX_END"))
        if c == '"':
            j = i + 1
            while j < n:
                if text.startswith('\\"', j):
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    j += 1
            if j < n and j > i + 1:
                candidates.append((j + 1 - i, "RANGE_QUOTED"))
        j = i
        while j < n and text[j] not in " ]}":
            j += 1
        if j > i:
            candidates.append((j - i, "RANGE_GOOP"))
        best = max(length for length, _ in candidates)
        kind = next(k for length, k in candidates if length == best)
        self.i = i + best
        if kind in ("RANGEIN_END", "RANGEEX_END"):
            self.state = "default"
        return Token(kind, text[i:i + best], i)


# -- escapes ------------------------------------------------------------------------------
_UNICODE_ESCAPE = re.compile(r"u([0-9a-fA-F]{4})")


def unescape(text: str) -> str:
    """Solr's discardEscapeChar: ``\\x`` → x, ``\\uXXXX`` → that character."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(text):
            raise QuerySyntaxError("end", "Term can not end with escape character")
        if text[i + 1] == "u":
            m = _UNICODE_ESCAPE.match(text, i + 1)
            if not m:
                raise QuerySyntaxError("syntax", "Truncated unicode escape sequence",
                                       pos=i + 1, token=text[i:i + 6])
            out.append(chr(int(m.group(1), 16)))
            i = m.end()
        else:
            out.append(text[i + 1])
            i += 2
    return "".join(out)


# -- the grammar ----------------------------------------------------------------------------
# Does a term analyse to nothing (punctuation in a text field)? Then, as in Lucene, the
# clause is left out, but its AND/OR still changes the clause before it.
Analyses = Callable[[Term], bool]
_CLAUSE_START = {"AND", "OR", "NOT", "PLUS", "MINUS", "BAREOPER", "LPAREN", "STAR", "QUOTED",
                 "TERM", "PREFIXTERM", "WILDTERM", "REGEXPTERM", "RANGEIN_START",
                 "RANGEEX_START", "FILTER"}


# Tokens that may not follow the terms of a multi-term run (Lucene's
# disallowedPostMultiTerm): the term would be a field name, fuzzy, boosted or joined.
_NOT_AFTER_MULTI_TERM = {"COLON", "STAR", "FUZZY_SLOP", "CARAT", "AND", "OR"}
IsText = Callable[[str | None], bool]


class _Parser:
    def __init__(self, text: str, default_and: bool, is_empty: Analyses | None,
                 is_text: IsText | None = None):
        self.text = text
        self.tokens = _Lexer(text).tokens()
        self.k = 0
        self.default_and = default_and
        self.is_empty = is_empty or (lambda term: False)
        # None: no multi-term runs (the dismax parsers split on white space)
        self.is_text = is_text
        self.leaves = 0

    # token helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.k + ahead, len(self.tokens) - 1)]

    def take(self, *kinds: str) -> Token:
        tok = self.peek()
        if tok.kind not in kinds:
            self.fail(tok)
        self.k += 1
        return tok

    def fail(self, tok: Token) -> None:
        if tok.kind == "EOF":
            raise QuerySyntaxError("end", f"Cannot parse '{self.text}': unexpected end of query")
        raise QuerySyntaxError("syntax", f"Cannot parse '{self.text}': "
                               f"unexpected '{tok.image}' at character {tok.pos + 1}",
                               pos=tok.pos + 1, token=tok.image)

    # rules
    def top(self) -> Node | None:
        node = self.query(None, 0)
        if self.peek().kind != "EOF":
            self.fail(self.peek())
        return node

    def query(self, field: str | None, depth: int) -> Node | None:
        if depth > MAX_DEPTH:
            raise QuerySyntaxError("depth", f"Query nested deeper than {MAX_DEPTH} levels",
                                   max=MAX_DEPTH)
        clauses: list[Clause] = []
        if not self.multi_term(clauses, field):
            mods = self.modifiers()
            self.add_clause(clauses, None, mods, self.clause(field, depth))
        while self.peek().kind in _CLAUSE_START:
            if self.multi_term(clauses, field):
                continue
            conj = self.peek().kind if self.peek().kind in ("AND", "OR") else None
            if conj:
                self.k += 1
            mods = self.modifiers()
            self.add_clause(clauses, conj, mods, self.clause(field, depth))
            if len(clauses) > MAX_CLAUSES:
                break
        if len(clauses) > MAX_CLAUSES:
            raise QuerySyntaxError("clauses", f"Too many clauses in boolean query "
                                   f"(more than {MAX_CLAUSES})", max=MAX_CLAUSES)
        if not clauses:
            return None
        if len(clauses) == 1 and clauses[0].occur == SHOULD:
            return clauses[0].query
        return Boolean(tuple(clauses))

    def multi_term(self, clauses: list[Clause], field: str | None) -> bool:
        """Lucene's MultiTerm (split-on-whitespace off, Solr's default): bare terms in a
        row, without operators or prefixes, are analysed together. On a text field that
        is the same as one clause per word; on any other field (a string, a number) Solr
        makes them ONE clause that any of the terms satisfies (SolrQueryParserBase.
        rawToNormal), whatever q.op says: ``tags:(water school)`` finds either tag."""
        if self.is_text is None or self.is_text(field):
            return False
        if not (self.peek().kind == "TERM" and self.peek(1).kind == "TERM"
                and self.peek(2).kind not in _NOT_AFTER_MULTI_TERM):
            return False
        terms = [self.take("TERM")]
        while self.peek().kind == "TERM" and self.peek(1).kind not in _NOT_AFTER_MULTI_TERM:
            terms.append(self.take("TERM"))
        self.leaves += len(terms)
        nodes = [n for n in (Term(field, unescape(t.image)) for t in terms) if not self.is_empty(n)]
        if nodes:
            either = nodes[0] if len(nodes) == 1 else Boolean(tuple(Clause(SHOULD, n) for n in nodes))
            self.add_clause(clauses, None, None, either)
        return True

    def modifiers(self) -> str | None:
        kind = self.peek().kind
        if kind in ("PLUS", "MINUS", "NOT"):
            self.k += 1
            return MUST if kind == "PLUS" else MUST_NOT
        return None

    def add_clause(self, clauses: list[Clause], conj: str | None, mods: str | None,
                   q: Node | None) -> None:
        """SolrQueryParserBase.addClause."""
        if clauses and conj == "AND" and clauses[-1].occur != MUST_NOT:
            clauses[-1] = Clause(MUST, clauses[-1].query)
        if clauses and self.default_and and conj == "OR" and clauses[-1].occur != MUST_NOT:
            clauses[-1] = Clause(SHOULD, clauses[-1].query)
        if q is None:
            return
        prohibited = mods == MUST_NOT
        if not self.default_and:
            required = mods == MUST or (conj == "AND" and not prohibited)
        else:
            required = not prohibited and conj != "OR"
        clauses.append(Clause(MUST if required else MUST_NOT if prohibited else SHOULD, q))

    def clause(self, field: str | None, depth: int) -> Node | None:
        tok, nxt = self.peek(), self.peek(1)
        if tok.kind in ("TERM", "STAR") and nxt.kind == "COLON":
            self.k += 2
            field = "*" if tok.kind == "STAR" else unescape(tok.image)
        tok = self.peek()
        if tok.kind in ("LPAREN", "FILTER"):
            self.k += 1
            q = self.query(field, depth + 1)
            self.take("RPAREN")
            self.boost()
            return q
        return self.term(field)

    def boost(self) -> None:
        if self.peek().kind == "CARAT":
            self.k += 1
            self.take("NUMBER")

    def term(self, field: str | None) -> Node | None:
        tok = self.peek()
        if tok.kind in ("RANGEIN_START", "RANGEEX_START"):
            return self.range(field)
        tok = self.take("TERM", "STAR", "PREFIXTERM", "WILDTERM", "REGEXPTERM", "BAREOPER",
                        "QUOTED")
        fuzzy = False
        if self.peek().kind == "CARAT":
            self.boost()
            if self.peek().kind == "FUZZY_SLOP":
                self.k += 1
                fuzzy = True
        elif self.peek().kind == "FUZZY_SLOP":
            self.k += 1
            fuzzy = True
            self.boost()
        self.leaves += 1
        if self.leaves > MAX_CLAUSES * 4:
            raise QuerySyntaxError("clauses", "Too many terms in query", max=MAX_CLAUSES * 4)
        image = tok.image
        if tok.kind == "QUOTED":
            node = Term(field, unescape(image[1:-1]), "phrase")
        elif tok.kind == "STAR":
            node = MATCH_ALL if field == "*" else Term(field, "", "prefix")  # field:* = has a value
        elif tok.kind == "PREFIXTERM":
            node = Term(field, unescape(image[:-1]), "prefix")
        elif tok.kind == "WILDTERM":
            node = Term(field, image, "wildcard")
        elif tok.kind == "REGEXPTERM":
            node = Term(field, image[1:-1], "regex")
        elif tok.kind == "BAREOPER":
            node = Term(field, image[0], "term")
        else:
            node = Term(field, unescape(image), "fuzzy" if fuzzy else "term")
        return None if self.is_empty(node) else node

    def range(self, field: str | None) -> Range:
        include_low = self.take("RANGEIN_START", "RANGEEX_START").kind == "RANGEIN_START"
        low = self.take("RANGE_GOOP", "RANGE_QUOTED", "RANGE_TO")
        self.take("RANGE_TO")
        high = self.take("RANGE_GOOP", "RANGE_QUOTED", "RANGE_TO")
        include_high = self.take("RANGEIN_END", "RANGEEX_END").kind == "RANGEIN_END"
        self.boost()
        self.leaves += 1

        def bound(tok: Token) -> str | None:
            if tok.kind == "RANGE_QUOTED":
                return unescape(tok.image[1:-1])
            return None if tok.image == "*" else unescape(tok.image)
        return Range(field, bound(low), bound(high), include_low, include_high)


def parse(text: str, default_and: bool = False, is_empty: Analyses | None = None,
          is_text: IsText | None = None) -> Node | None:
    """The query (None when every term analysed to nothing). ``default_and``: q.op=AND.
    ``is_text`` (the standard parser): which fields are analysed text, for multi-term runs."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError("length", f"Query longer than {MAX_QUERY_CHARS} characters",
                               max=MAX_QUERY_CHARS)
    return _Parser(text, default_and, is_empty, is_text).top()


# -- DisMax ----------------------------------------------------------------------------------
_DISMAX_ESCAPE = set('\\!():^[]/{}~*?')
_CONSECUTIVE_OPS = re.compile(r"\s+[+-](?:\s*[+-]+)+")
_DANGLING_OPS = re.compile(r"\s+[-+\s]+$")


def dismax_clean(text: str) -> str:
    """What Solr's dismax parser does to ``q`` before parsing it (SolrPluginUtils):
    unbalanced quotes dropped, special characters other than + - " escaped, doubled and
    dangling +/- removed."""
    if text.count('"') % 2:
        text = text.replace('"', "")
    text = "".join("\\" + c if c in _DISMAX_ESCAPE else c for c in text)
    text = _CONSECUTIVE_OPS.sub(" ", text)
    return _DANGLING_OPS.sub("", text)


def escape_all(text: str) -> str:
    """Every special character escaped (what edismax retries with after a syntax error)."""
    special = set('\\+-!():^[]"{}~*?|&/')
    out = "".join("\\" + c if c in special else c for c in text)
    return re.sub(r"\b(AND|OR|NOT)\b", lambda m: m.group(0).lower(), out)


# -- mm ----------------------------------------------------------------------------------------
_MM_PART = re.compile(r"^(-?\d+)(%?)$")


def min_should_match(spec: str, optional: int) -> int:
    """Solr's SolrPluginUtils.calculateMinShouldMatch (e.g. CKAN's ``2<-1 5<80%``)."""
    spec = " ".join(str(spec).split())
    spec = re.sub(r"\s*<\s*", "<", spec)
    if not spec:
        return 0
    result = optional
    if "<" in spec:
        for part in spec.split(" "):
            pieces = part.split("<")
            if len(pieces) != 2 or not re.fullmatch(r"-?\d+", pieces[0]):
                raise QuerySyntaxError("mm", f"Invalid mm '{spec}'", value=spec)
            if optional <= int(pieces[0]):
                return result
            result = min_should_match(pieces[1], optional)
        return result
    m = _MM_PART.match(spec)
    if not m or len(m.group(1)) > 9:
        raise QuerySyntaxError("mm", f"Invalid mm '{spec}'", value=spec)
    number = int(m.group(1))
    if m.group(2):
        calc = result * number / 100
        result = result + int(calc) if calc < 0 else int(calc)
    else:
        result = result + number if number < 0 else number
    return min(optional, max(result, 0))
