"""dismax/edismax ``qf`` → which parts of the weighted tsvector free text searches,
and how much each part counts.

The tsvector keeps four weight classes (document.weighted_texts): A title,
B tags/themes/keywords, C organization/group/publisher titles, D everything else.
A ``qf`` naming fields restricts unfielded words to those fields' classes, and the
fields' boosts become the classes' ranking weights. CKAN sends its own default
``qf`` with every plain query; that one keeps our ranking (title > tags >
organization > notes), which is what the portal is tuned for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CKAN_DEFAULT_QF = "name^4 title^4 tags^2 groups^2 text"
# Ranking weights for {D, C, B, A} without a qf of the caller's own.
DEFAULT_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
ALL = "ABCD"

_CLASS_OF = {"title": "A", "title_ngram": "A", "tags": "B", "theme": "B", "keywords": "B",
             "organization": "C", "groups": "C", "publisher_name": "C", "text": ALL}
_ITEM = re.compile(r"^([\w.\-]+)(?:\^(\d+(?:\.\d+)?))?$")


# Analysed fields of the Solr schema a qf may name; every other field is a string (or
# number, date) field that a word must equal.
TEXT_FIELDS = {"text", "title", "notes", "title_ngram", "name_ngram", "title_zh", "text_zh",
               "res_name", "res_description", "author", "maintainer", "urls"}


@dataclass(frozen=True)
class Fields:
    classes: str        # weight letters free text may match ("" = all)
    rank_weights: str   # ts_rank weights array literal {D, C, B, A}
    # A string field among them (CKAN's name, tags, groups): there a word of punctuation
    # only ("!") is still a clause (Solr: name:! | tags:!), which mm counts and which
    # matches nothing (CKAN's names and tags hold no such value).
    has_string_field: bool = True


DEFAULT = Fields("", DEFAULT_RANK_WEIGHTS)


def _class_of(field: str) -> str:
    if field.startswith("vocab_"):
        return "B"
    return _CLASS_OF.get(field, "D")


def parse(qf: str | None) -> Fields:
    """Unknown syntax is ignored like Solr ignores unknown fields: the default applies."""
    text = " ".join(str(qf or "").split())
    if not text or text == CKAN_DEFAULT_QF:
        return DEFAULT
    boosts: dict[str, float] = {}
    strings = False
    for item in text.split(" "):
        match = _ITEM.match(item)
        if not match:
            continue
        name = match.group(1)
        strings = strings or not (name in TEXT_FIELDS or name.startswith(("extras_", "res_extras_")))
        boost = float(match.group(2) or 1.0)
        for letter in _class_of(match.group(1)):
            boosts[letter] = max(boosts.get(letter, 0.0), boost)
    if not boosts:
        return DEFAULT
    top = max(boosts.values()) or 1.0
    weights = [round(boosts.get(letter, 0.0) / top, 4) or 0.0001 for letter in "DCBA"]
    classes = "".join(sorted(boosts))
    return Fields("" if classes == ALL else classes,
                  "{" + ", ".join(f"{w:g}" for w in weights) + "}", strings)
