"""What reading a description as its page shows it and folding variant characters cost
(issue 14, t14r: the negative list with OpenCC jp2t + t2s and the rendered description;
the metadata scan of Markdown fields as stored and as shown; safety/reading.py).

    .venv/bin/python bench/safety_reading.py [--kb 10] [--repeat 200]

A dataset with a 10 KB Markdown description (paragraphs, links, emphasis, lists, Chinese text
with numbers that are not personal data) and the negative list of config/negative_list.yaml.
"before" is the code as it was (t2s only; the stored text only), "after" the working tree's,
both in one process, alternated, median per call. The rendered text is cached per text
(reading.seen_text), so "after" is measured twice: first reading of a text (cache cleared
before each call) and the same text again (the form's check, then the write).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ckanext-guangdong"))

PARAGRAPH = ("广东省{n}年第{q}季度公共数据开放情况：本期新增数据集 {a} 个，覆盖[交通出行](https://www.gd.gov.cn/jt/{n})、"
             "**医疗卫生**、`教育文化`等领域，累计调用 {b} 次。咨询电话 020-8345{q:04d}。\n\n"
             "- 数据来源：省政务服务数据管理局\n- 更新频率：每月\n\n")


def description(kb: int) -> str:
    out, n = [], 0
    while len("".join(out).encode("utf-8")) < kb * 1024:
        out.append(PARAGRAPH.format(n=2000 + n % 25, q=n % 4 + 1, a=n * 7 % 300, b=n * 131 % 90000))
        n += 1
    return "".join(out)


def median_time(fn: Callable[[], object], repeat: int, before_each: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before_each:
            before_each()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    import opencc

    from ckanext.guangdong.safety import negative_list as nl
    from ckanext.guangdong.safety import reading, scanner

    categories = nl.parse(nl.DEFAULT_FILE.read_text(encoding="utf-8"))
    notes = description(args.kb)
    pkg = {"title": "广东省公共数据开放统计", "notes": notes, "tags": [{"name": "统计"}, {"name": "开放数据"}]}
    assert not nl.matches(categories, pkg)
    fields = [("title", pkg["title"]), ("notes", notes)]
    seen = reading.markdown_reader(["notes"])

    t2s = opencc.OpenCC("t2s")
    new_parts = nl._simplified, nl._shown_notes, nl._folded_word

    def old_matches() -> object:
        # as before: t2s only, the stored description only, every keyword folded on each call
        nl._simplified, nl._shown_notes, nl._folded_word = t2s.convert, lambda _notes: "", nl._fold_text
        try:
            return nl.matches(categories, pkg)
        finally:
            nl._simplified, nl._shown_notes, nl._folded_word = new_parts

    def jp2t_matches() -> object:
        # the variant folding alone (jp2t + t2s), the stored description only
        nl._shown_notes = lambda _notes: ""
        try:
            return nl.matches(categories, pkg)
        finally:
            nl._simplified, nl._shown_notes, nl._folded_word = new_parts

    def new_matches() -> object:
        return nl.matches(categories, pkg)

    def clear() -> None:
        reading.seen_text.cache_clear()
        nl._folded_shown.cache_clear()
    rows = []
    for _round in range(2):  # alternated: the machine's load shifts between runs
        rows.append((
            median_time(old_matches, args.repeat),
            median_time(jp2t_matches, args.repeat),
            median_time(new_matches, args.repeat, clear),
            median_time(new_matches, args.repeat),
            median_time(lambda: scanner.scan_text_fields(fields), args.repeat),
            median_time(lambda: scanner.scan_text_fields(fields, seen=seen), args.repeat, clear),
            median_time(lambda: scanner.scan_text_fields(fields, seen=seen), args.repeat),
        ))
    size = len(notes.encode("utf-8"))
    print(f"description: {size} bytes, {len(notes)} characters; median of {args.repeat} calls, two alternated rounds\n")
    print("| check | before ms | jp2t + t2s only ms (ratio) | after, first reading ms (ratio) | after, cached ms (ratio) |")
    print("|---|---|---|---|---|")
    for i, (ob, oj, nf, nc, sb, sf, sc) in enumerate(rows, 1):
        print(f"| negative list, round {i} | {ob * 1e3:.2f} | {oj * 1e3:.2f} ({oj / ob:.2f}) | "
              f"{nf * 1e3:.2f} ({nf / ob:.2f}) | {nc * 1e3:.2f} ({nc / ob:.2f}) |")
        print(f"| metadata scan, round {i} | {sb * 1e3:.2f} | | {sf * 1e3:.2f} ({sf / sb:.2f}) | {sc * 1e3:.2f} ({sc / sb:.2f}) |")

    # the folding alone: t2s against jp2t + t2s on the same text
    folded = notes * 1
    t_old = median_time(lambda: t2s.convert(folded), args.repeat)
    t_new = median_time(lambda: nl._simplified(folded), args.repeat)
    print(f"\nOpenCC on the {size}-byte text: t2s {t_old * 1e3:.2f} ms, jp2t + t2s {t_new * 1e3:.2f} ms, ratio {t_new / t_old:.2f}")


if __name__ == "__main__":
    main()
