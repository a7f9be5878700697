"""Cost of "search that understands what people mean" (issue 15, search/meaning/).

    .venv/bin/python bench/search_meaning.py [--docs 2000] [--runs 3]

The meaning words are added when a dataset is indexed, so a query does no extra work
(no expansion at query time, on either engine); what costs is indexing and the size of
each document. Measured in one run over the same synthetic documents (cities x
departments x topics, provincial ones with region 440000):
  * baseline: the embedded backend's row of CKAN's index document (document.build_row:
    segmentation, tsvector), µs per document;
  * with meaning: enrich() (thesaurus, places, variants, pinyin) then build_row;
  * lexemes per document (tsvector size), with and without.
Caches (segmenter, pinyin) are warmed by one pass before timing, like a running indexer.
"""
from __future__ import annotations

import argparse
import copy
import statistics
import time

from ckanext.guangdong.search.backend import document
from ckanext.guangdong.search.meaning import enrich

CITIES = [("广州市", "440100"), ("深圳市", "440300"), ("江门市", "440700"), ("惠州市", "441300"),
          ("佛山市", "440600"), ("东莞市", "441900"), ("广东省", "440000")]
TOPICS = [("交通运输局", "公共停车场信息", "{c}公共停车场位置、泊位数量及收费标准。", ["停车", "交通"]),
          ("人力资源和社会保障局", "社会保险参保人数统计", "{c}养老、医疗、失业保险参保人数。", ["社保"]),
          ("教育局", "幼儿园办学信息", "{c}幼儿园的办园性质、学位数和收费标准。", ["幼儿园"]),
          ("气象局", "天气预报", "{c}未来七天天气预报及COVID-19期间服务e-mail。", ["天气"]),
          ("市场监督管理局", "企业登记注册信息", "{c}新登记企业名称、统一社会信用代码。", ["企业"])]


def documents(n: int) -> list[dict[str, object]]:
    out = []
    for i in range(n):
        city, code = CITIES[i % len(CITIES)]
        dept, stem, notes, tags = TOPICS[(i // len(CITIES)) % len(TOPICS)]
        out.append({"id": f"d{i}", "index_id": f"d{i}", "site_id": "default", "name": f"ds-{i}",
                    "title": f"{city}{stem}{i}", "notes": notes.format(c=city), "tags": tags,
                    "organization_title": f"{city}{dept}", "region_code": code,
                    "state": "active", "dataset_type": "dataset",
                    "metadata_modified": "2024-01-01T00:00:00"})
    return out


def timed(docs: list[dict[str, object]], with_meaning: bool) -> tuple[float, float]:
    """µs per document and mean lexemes per document."""
    work = [copy.deepcopy(d) for d in docs]
    t0 = time.perf_counter()
    sizes = []
    for d in work:
        if with_meaning:
            enrich.enrich(d)
        sizes.append(document.build_row(d).tsv.count("':"))
    return (time.perf_counter() - t0) / len(docs) * 1e6, statistics.mean(sizes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    docs = documents(args.docs)
    timed(docs, True)  # warm the caches
    base, meaning = [], []
    for _ in range(args.runs):  # alternated, so load drifts hit both alike
        base.append(timed(docs, False))
        meaning.append(timed(docs, True))
    b = statistics.median(x[0] for x in base)
    m = statistics.median(x[0] for x in meaning)
    print(f"documents: {args.docs}, runs: {args.runs} (median)")
    print(f"baseline build_row:        {b:8.1f} µs/doc, {base[0][1]:6.1f} lexemes/doc")
    print(f"enrich + build_row:        {m:8.1f} µs/doc, {meaning[0][1]:6.1f} lexemes/doc")
    print(f"ratio (with / baseline):   {m / b:8.2f} x time, {meaning[0][1] / base[0][1]:.2f} x lexemes")
    print("query time: no meaning work at query time (the words are in the index)")


if __name__ == "__main__":
    main()
