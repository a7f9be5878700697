"""The differential tests' catalog and query generator (test_search_differential.py).

The catalog is a few hundred datasets made from a fixed seed, with free text in ASCII
words only and keyword fields (tags, res_format, organization, groups, theme, frequency,
access_rights, region_code, license_id, names, dates, record_count): nothing whose
matching depends on Chinese segmentation, which the two engines do differently on
purpose (docs/search.md, "Chinese"). The generator writes CKAN-style package_search
requests over it from a seed of its own, so a failure is replayed with GD_DIFF_SEED.

Known engine differences are left out of the generator, each with a comment naming the
place in docs/search.md ("Differential tests") that explains it.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

CATALOG_SEED = 16
CATALOG_SIZE = 320

# Free-text words: lower case, no digits or inner punctuation (Solr's `text` type splits
# those with WordDelimiterGraphFilter), no two sharing an English stem (Solr's `text`
# stems, the embedded backend does not: docs/search.md, "Known limits").
WORDS = ["alpha", "bravo", "delta", "river", "harbor", "budget", "transit", "water",
         "forest", "market", "tunnel", "museum", "permit", "census", "rain", "bridge",
         "ferry", "garden", "zinc", "copper", "meadow", "canyon", "orchid", "pepper"]
# Tags: keyword values that are also words of the text (CKAN copies tags into `text`).
TAGS = ["transport", "health", "budget", "water", "school", "energy", "housing", "tourism",
        "climate", "farming"]
FORMATS = ["CSV", "JSON", "XLSX", "XML", "API", "PDF", "SHP", "ZIP"]
ORGS = [f"dxorg{i}" for i in range(1, 7)]
ORG_TITLES = ["广州市交通运输局", "深圳市生态环境局", "珠海市统计局", "汕头市卫生健康局",
              "佛山市教育局", "广东省自然资源厅"]
GROUPS = ["dxgrp-a", "dxgrp-b", "dxgrp-c"]
THEMES = ["公共服务", "健康保障", "社会保障", "城乡建设", "能源安全", "信用体系"]
FREQUENCIES = ["realtime", "daily", "weekly", "monthly", "quarterly", "annual", "irregular"]
ACCESS = ["unconditional", "conditional"]
REGIONS = ["440000", "440100", "440300", "440400", "440500", "440600"]
LICENSES = ["cc-by", "cc-by-sa", "odc-by", "other-open"]
BASE = dt.datetime(2020, 1, 1, 8, 0, 0)


def build(seed: int = CATALOG_SEED, size: int = CATALOG_SIZE) -> list[dict[str, Any]]:
    """Dataset dicts as package_show returns them (index_package takes them as they are)."""
    rng = random.Random(seed)
    out = []
    for i in range(size):
        words = rng.sample(WORDS, rng.randint(2, 4))
        org = rng.randrange(len(ORGS))
        issued = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3650))
        modified = issued + dt.timedelta(days=rng.randrange(400))
        # unique to the millisecond: metadata_modified is a total order for sorts
        mm = BASE + dt.timedelta(minutes=37 * i + rng.randrange(30), milliseconds=rng.randrange(1000))
        created = mm - dt.timedelta(days=rng.randrange(1, 900))
        private = rng.random() < 0.08
        state = "draft" if rng.random() < 0.05 else "active"
        pkg: dict[str, Any] = {
            "id": f"00000000-0000-4000-8000-{seed:04d}{i:08d}",
            "name": f"dx-{i:04d}",
            "title": " ".join(words),
            "notes": " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 8))),
            "type": "dataset", "state": state, "private": private,
            "owner_org": ORGS[org],
            "organization": {"name": ORGS[org], "title": ORG_TITLES[org]},
            "tags": [{"name": t} for t in rng.sample(TAGS, rng.randint(0, 3))],
            "groups": [{"name": g, "title": g} for g in rng.sample(GROUPS, rng.randint(0, 2))],
            "extras": [],
            "metadata_created": created.isoformat(timespec="microseconds"),
            "metadata_modified": mm.isoformat(timespec="microseconds"),
            "license_id": rng.choice(LICENSES),
            "theme": rng.sample(THEMES, rng.randint(1, 2)),
            "access_rights": rng.choice(ACCESS),
            "frequency": rng.choice(FREQUENCIES),
            "region_code": rng.choice(REGIONS),
            "publisher_name": ORG_TITLES[org],
            "resources": [{"name": f"资源{j}", "format": f, "description": "",
                           "url": f"http://127.0.0.1/r/{i}-{j}"}
                          for j, f in enumerate(rng.sample(FORMATS, rng.randint(0, 3)))],
        }
        if rng.random() < 0.9:
            pkg["issued"] = issued.isoformat()
        if rng.random() < 0.85:
            pkg["modified"] = modified.isoformat()
        if rng.random() < 0.9:
            # many decimal lengths, so that text order and number order differ
            pkg["record_count"] = int(10 ** rng.uniform(0, 7))
        out.append(pkg)
    return out


# -- the generator ------------------------------------------------------------------------------
FACETABLE = ["tags", "res_format", "organization", "groups", "theme", "frequency",
             "access_rights", "region_code", "license_id"]
# Sorts that are total orders (ties broken by name), so pages can be compared one by one.
# Single-valued fields only: Solr refuses to sort on a multi-valued one (docs/search.md,
# "Differential tests").
SORT_FIELDS = ["name", "metadata_modified", "metadata_created", "record_count", "issued",
               "modified", "frequency", "access_rights", "organization", "license_id",
               "region_code", "title_string"]


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    # words and values
    def word(self) -> str:
        r = self.rng
        return r.choice(TAGS) if r.random() < 0.3 else r.choice(WORDS)

    def date(self, lo: int = 2014, hi: int = 2026) -> str:
        r = self.rng
        return f"{r.randint(lo, hi)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"

    def keyword(self) -> tuple[str, str]:
        """A (field, value) pair from the catalog's keyword fields."""
        r = self.rng
        field = r.choice(["tags", "res_format", "organization", "groups", "theme",
                          "frequency", "access_rights", "region_code", "license_id", "name"])
        values = {"tags": TAGS, "res_format": FORMATS, "organization": ORGS, "groups": GROUPS,
                  "theme": THEMES, "frequency": FREQUENCIES, "access_rights": ACCESS,
                  "region_code": REGIONS, "license_id": LICENSES,
                  "name": [f"dx-{i:04d}" for i in range(0, CATALOG_SIZE, 7)]}[field]
        return field, r.choice(values)

    def quote(self, value: str) -> str:
        # values with a hyphen or Han characters: quoted, as users and CKAN's facet links do
        return f'"{value}"' if not value.isalnum() or not value.isascii() else value

    # leaves of the standard (lucene) parser
    def leaf(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.30:
            field, value = self.keyword()
            return f"{field}:{self.quote(value)}"
        if kind < 0.42:
            field = r.choice(["title", "notes", "text"])
            return f"{field}:{self.word()}"
        if kind < 0.50:
            return self.word()
        if kind < 0.55:
            return f'"{self.word()} {self.word()}"'
        if kind < 0.65:
            return self.wildcard()
        if kind < 0.85:
            return self.range()
        if kind < 0.90:
            return r.choice(["*:*", "record_count:*", "issued:*", "groups:*", "tags:*"])
        field, value = self.keyword()
        other = self.keyword()[1] if r.random() < 0.5 else value
        op = r.choice([" OR ", " ", " || "])
        return f"{field}:({self.quote(value)}{op}{self.quote(other)})"

    def wildcard(self) -> str:
        r = self.rng
        field, value = r.choice([("tags", r.choice(TAGS)), ("res_format", r.choice(FORMATS)),
                                 ("name", f"dx-0{r.randint(0, 3)}{r.randint(0, 9)}"),
                                 ("frequency", r.choice(FREQUENCIES)),
                                 ("organization", r.choice(ORGS))])
        cut = r.randint(1, max(1, len(value) - 1))
        if r.random() < 0.6:
            return f"{field}:{value[:cut]}*"
        chars = list(value)
        chars[r.randrange(len(chars))] = "?"
        return f"{field}:{''.join(chars)}"

    def range(self) -> str:
        r = self.rng
        lo_b, hi_b = r.choice(["[", "{"]), r.choice(["]", "}"])
        kind = r.random()
        if kind < 0.4:
            a, b = sorted(int(10 ** r.uniform(0, 7)) for _ in range(2))
            low, high = str(a), str(b)
            if r.random() < 0.2:
                low = "*"
            elif r.random() < 0.2:
                high = "*"
            return f"record_count:{lo_b}{low} TO {high}{hi_b}"
        if kind < 0.7:
            # calendar days, dates in Solr's schema: Solr's instants and date math; a bare
            # day ("2018-01-01") is refused by both engines (a few cases check that)
            field = r.choice(["issued", "modified"])
            a, b = sorted([self.date(), self.date()])
            form = r.random()
            if form < 0.8:
                a, b = f"{a}T00:00:00Z", f"{b}T00:00:00Z"
            elif form < 0.9:
                a, b = r.choice(["NOW-8YEARS", "NOW/YEAR-5YEARS"]), r.choice(["NOW", "NOW-2YEARS/MONTH"])
            if r.random() < 0.2:
                a = "*"
            return f"{field}:{lo_b}{a} TO {b}{hi_b}"
        field = r.choice(["metadata_modified", "metadata_created"])
        a, b = sorted([self.date(2017, 2022), self.date(2017, 2022)])
        low = r.choice([f"{a}T00:00:00Z", "*", "NOW-10YEARS", f"{a}T12:00:00Z/DAY"])
        high = r.choice([f"{b}T00:00:00Z", "NOW", "*", f"{b}T00:00:00Z+1MONTH"])
        return f"{field}:{lo_b}{low} TO {high}{hi_b}"

    def lucene(self, depth: int = 0) -> str:
        """A standard-parser query: clauses joined by operators, prefixes, groups."""
        r = self.rng
        parts = []
        for i in range(r.randint(1, 3 if depth else 4)):
            if depth < 2 and r.random() < 0.15:
                clause = f"({self.lucene(depth + 1)})"
            else:
                clause = self.leaf()
            prefix = r.choice(["", "", "", "+", "-", "!", "NOT "])
            if i:
                parts.append(r.choice([" AND ", " OR ", " && ", " || ", " ", " ", " AND NOT "]))
            parts.append(prefix + clause)
        return "".join(parts)

    def dismax(self) -> str:
        """What users type into the search box: words, phrases, operators, no colon."""
        r = self.rng
        parts = []
        for i in range(r.randint(1, 5)):
            term = self.word()
            if r.random() < 0.1:
                term = f'"{self.word()} {self.word()}"'
            elif r.random() < 0.05:
                # dismax takes * literally: the word is analysed without it. A cut word
                # ("hous*") would find "housing" on Solr only through English stemming,
                # which the embedded backend does not do (docs/search.md, "Known limits")
                term = term + "*"
            prefix = r.choice(["", "", "", "", "+", "-", "!"])
            if i and r.random() < 0.35:
                parts.append(r.choice([" AND ", " OR ", " && ", " || ", " NOT "]))
            elif i:
                parts.append(" ")
            parts.append(prefix + term)
        return "".join(parts)

    def fq(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.45:
            field, value = self.keyword()
            return f"{field}:{self.quote(value)}"
        if kind < 0.65:
            return self.range()
        if kind < 0.75:
            field, value = self.keyword()
            return f"-{field}:{self.quote(value)}"
        return self.lucene(1)

    def sort(self) -> tuple[str | None, bool]:
        """A sort spec and whether it is a total order (pages comparable one by one)."""
        r = self.rng
        kind = r.random()
        if kind < 0.35:
            return None, False  # CKAN's default: score desc, metadata_modified desc
        if kind < 0.45:
            return f"score desc, metadata_modified {r.choice(['asc', 'desc'])}", False
        field = r.choice(SORT_FIELDS)
        direction = r.choice(["asc", "desc"])
        if field in ("name", "metadata_modified", "title_string") and field != "title_string":
            return f"{field} {direction}", True
        return f"{field} {direction}, name {r.choice(['asc', 'desc'])}", True

    def case(self, i: int) -> dict[str, Any]:
        r = self.rng
        data: dict[str, Any] = {}
        kind = r.random()
        if kind < 0.40:
            data["q"] = self.dismax()
        elif kind < 0.80:
            data["q"] = self.lucene()
        elif kind < 0.85:
            data["q"] = "*:*"
        # else: no q (CKAN: *:*)
        n_fq = r.choice([0, 0, 1, 1, 1, 2, 3])
        fqs = [self.fq() for _ in range(n_fq)]
        if fqs:
            if r.random() < 0.5:
                data["fq"] = " ".join(fqs) if len(fqs) == 1 else fqs[0]
                if len(fqs) > 1:
                    data["fq_list"] = fqs[1:]
            else:
                data["fq_list"] = fqs
        sort, total = self.sort()
        if sort:
            data["sort"] = sort
        if total:
            data["rows"] = r.choice([1, 5, 10, 20, 50, 1000])
            data["start"] = r.choice([0, 0, 0, 1, 5, 20, 100, 400])
        else:
            # score orders differ between engines (ts_rank vs BM25): compare whole sets
            data["rows"] = 1000
        if r.random() < 0.7:
            data["facet.field"] = r.sample(FACETABLE, r.randint(1, 4))
            if r.random() < 0.6:
                data["facet.limit"] = r.choice([-1, 1, 2, 3, 5, 10])
            if r.random() < 0.5:
                # facet.mincount=0 is left out: docs/search.md, "Differential tests"
                data["facet.mincount"] = r.choice([1, 2, 3, 5, 10])
        if r.random() < 0.15:
            data["include_private"] = True
        if r.random() < 0.1:
            data["include_drafts"] = True
        data["_total_order"] = total
        data["_case"] = i
        return data
