"""The negative list (负面清单) as data: parsing and checking its YAML, the version in force
(the newest saved by a sysadmin, else the file), and which categories a dataset matches."""
from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import detectors

ROOT = Path(__file__).resolve().parents[4]
DEFAULT_FILE = ROOT / "config" / "negative_list.yaml"
LANGS = ("zh_Hans_CN", "en")
LIST_KEYS = ("keywords", "themes", "data_items", "identifier_prefixes", "detectors")
# ``detectors``: the scanner's detectors (detectors.py) whose findings make a file column a
# data item of the category, whatever its header: the list names the data, not the word.
DETECTOR_NAMES: dict[str, dict[str, str]] = {
    "resident_id": {"zh_Hans_CN": "居民身份证号", "en": "resident ID number"},
    "mobile": {"zh_Hans_CN": "手机号码", "en": "mobile number"},
    "bank_card": {"zh_Hans_CN": "银行卡号", "en": "bank card number"},
    "passport": {"zh_Hans_CN": "护照号码", "en": "passport number"},
    "travel_permit": {"zh_Hans_CN": "港澳台通行证号码", "en": "travel permit number"},
    "email": {"zh_Hans_CN": "电子邮件地址", "en": "e-mail address"},
    "vehicle_plate": {"zh_Hans_CN": "机动车号牌", "en": "vehicle plate"},
    "person_name": {"zh_Hans_CN": "姓名", "en": "person name"},
    "address": {"zh_Hans_CN": "住址", "en": "home address"},
    "landline": {"zh_Hans_CN": "固定电话", "en": "landline number"},
}
MAX_BYTES = 200_000


class Invalid(ValueError):
    """The text is not a valid negative list; ``problems`` say where (zh/en pairs)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(en for _, en in problems))
        self.problems = problems


@dataclass(frozen=True)
class Category:
    id: str
    name: dict[str, str]
    reason: dict[str, str]
    rule: dict[str, str]
    keywords: tuple[str, ...]
    themes: tuple[str, ...]
    data_items: tuple[str, ...]
    identifier_prefixes: tuple[str, ...]
    detectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    category: Category
    field: str     # title, notes, tags, theme, data_items, identifier; file_column
    value: str     # the keyword, theme, item name or prefix that matched
    column: str = ""  # file_column: the column as the scan names it ("身份证号", "表2: 身份证号")
    detector: str = ""  # file_column found by its values: the detector (value: its name)

    def as_dict(self, lang: str = "zh_Hans_CN") -> dict[str, Any]:
        c = self.category
        value = DETECTOR_NAMES[self.detector].get(lang, self.value) if self.detector else self.value
        out = {"category": c.id, "name": c.name.get(lang) or c.name["zh_Hans_CN"],
               "reason": c.reason.get(lang) or c.reason["zh_Hans_CN"],
               "rule": c.rule.get(lang) or c.rule["zh_Hans_CN"], "field": self.field,
               "value": value}
        if self.column:
            out["column"] = self.column
        if self.detector:
            out["detector"] = self.detector
        return out


_TAG = re.compile(r"<[^>]*>")


@functools.lru_cache(maxsize=1)
def _converters() -> tuple[Any, Any]:
    import opencc
    return opencc.OpenCC("jp2t"), opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Japanese shinjitai (渉 for 涉, 広 for 广) and traditional characters (國, 祕) as
    simplified: OpenCC jp2t (shinjitai to traditional), then t2s. Both sides of a match go the
    same way, so a simplified character jp2t reads as another's shinjitai (芸 → 藝 → 艺) folds
    alike in the list's words and in the text."""
    jp2t, t2s = _converters()
    return t2s.convert(jp2t.convert(text))


def _fold(text: Any) -> str:
    """A name or code as compared: NFKC, without the characters a page draws as nothing (the
    personal-data detectors' own rule, ``detectors.invisible``: format characters such as
    zero-width spaces, joiners, soft hyphens, BOM and direction marks; variation selectors,
    CGJ, Hangul fillers, every Default_Ignorable_Code_Point — attack trial a10, M1: 涉\ufe00密),
    variant characters as simplified (``_simplified``), without white space, lower case."""
    folded = detectors.drop_invisible(unicodedata.normalize("NFKC", str(text or "")))
    folded = "".join(ch for ch in folded if not ch.isspace())
    if not folded.isascii():
        folded = _simplified(folded)
    return folded.lower()


def _fold_text(text: Any) -> str:
    """Free text (title, description, tags) as searched for keywords: entities decoded, markup
    (HTML tags) removed, then ``_fold``, then punctuation and symbols dropped (Markdown
    emphasis, 国·家·秘·密), so the words a reader sees are the words matched."""
    plain = _TAG.sub("", html.unescape(str(text or "")))
    return "".join(ch for ch in _fold(plain) if unicodedata.category(ch)[0] not in "PSZ")


def parse(content: str) -> list[Category]:
    """The categories of a negative list text; ``Invalid`` with every problem found."""
    problems: list[tuple[str, str]] = []
    if len(content.encode("utf-8")) > MAX_BYTES:
        raise Invalid([(f"负面清单最多 {MAX_BYTES} 字节", f"The negative list is at most {MAX_BYTES} bytes")])
    if "\x00" in content:
        raise Invalid([("负面清单不能含有 NUL 字符", "The negative list may not contain NUL characters")])
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "?"
        raise Invalid([(f"YAML 格式错误（第 {where} 处）", f"Not valid YAML (at {where})")]) from e
    except RecursionError:  # brackets nested thousands deep: the parser gives up
        raise Invalid([("YAML 嵌套层次过深", "The YAML is nested too deeply")]) from None
    except ValueError as e:  # a value YAML reads as an impossible date (2018-02-30)
        raise Invalid([(f"YAML 中有无效的值：{str(e)[:100]}", f"A value in the YAML is not valid: {str(e)[:100]}")]) from e
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise Invalid([("应为含有 categories 列表的 YAML 映射", "Expected a YAML mapping with a list of categories")])
    categories: list[Category] = []
    seen: set[str] = set()
    for n, item in enumerate(data["categories"], 1):
        if not isinstance(item, dict):
            problems.append((f"第 {n} 个类别应为映射", f"Category {n} must be a mapping"))
            continue
        cid = item.get("id")
        if not isinstance(cid, str) or not cid.strip() or not cid.isascii() or len(cid) > 100:
            problems.append((f"第 {n} 个类别缺少 id（ASCII，最多 100 个字符）",
                             f"Category {n} needs an id (ASCII, at most 100 characters)"))
            continue
        if cid in seen:
            problems.append((f"类别 id 重复：{cid}", f"Duplicate category id: {cid}"))
        seen.add(cid)
        texts: dict[str, dict[str, str]] = {}
        for key in ("name", "reason", "rule"):
            value = item.get(key)
            if not isinstance(value, dict) or not all(isinstance(value.get(lang), str) and value[lang].strip()
                                                      for lang in LANGS):
                problems.append((f"类别 {cid} 的 {key} 须有 zh_Hans_CN 和 en 两种文字",
                                 f"Category {cid}: {key} needs zh_Hans_CN and en texts"))
                continue
            texts[key] = {lang: value[lang].strip()[:2000] for lang in LANGS}
        lists: dict[str, tuple[str, ...]] = {}
        for key in LIST_KEYS:
            value = item.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
                problems.append((f"类别 {cid} 的 {key} 应为文字列表", f"Category {cid}: {key} must be a list of texts"))
                continue
            lists[key] = tuple(s for s in (str(v).strip() for v in value) if s)
        unknown = [v for v in lists.get("detectors", ()) if v not in DETECTOR_NAMES]
        if unknown:
            known = ", ".join(DETECTOR_NAMES)
            problems.append((f"类别 {cid} 的 detectors 中有未知的检测项：{'、'.join(unknown)[:200]}（可用：{known}）",
                             f"Category {cid}: unknown detector in detectors: {', '.join(unknown)[:200]} "
                             f"(known: {known})"))
            lists.pop("detectors")
        if not any(lists.get(k) for k in LIST_KEYS) and not unknown:
            problems.append((f"类别 {cid} 至少需要一个关键词、数据领域、信息项、代码前缀或检测项",
                             f"Category {cid} needs at least one keyword, theme, data item, identifier "
                             f"prefix or detector"))
        if len(texts) == 3 and len(lists) == len(LIST_KEYS):
            categories.append(Category(cid.strip(), texts["name"], texts["reason"], texts["rule"], **lists))
    if problems:
        raise Invalid(problems)
    return categories


def default_text() -> str:
    from . import config
    path = Path(config.negative_list_file() or DEFAULT_FILE)
    return path.read_text(encoding="utf-8")


_cache: dict[Any, list[Category]] = {}


def current() -> tuple[list[Category], dict[str, Any] | None]:
    """The categories in force and the saved version they come from (None: the file)."""
    from . import tables
    latest = tables.negative_list_latest()
    key = ("db", latest["id"]) if latest else ("file", default_text())
    if key not in _cache:
        _cache.clear()
        _cache[key] = parse(latest["content"] if latest else key[1])
    return _cache[key], latest


def current_text() -> str:
    from . import tables
    latest = tables.negative_list_latest()
    return latest["content"] if latest else default_text()


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def _tag_names(pkg: Mapping[str, Any]) -> list[str]:
    """Tags as the API gives them (``tags``) or as the form sends them (``tag_string``)."""
    names = [str(t.get("name") or "") for t in pkg.get("tags") or [] if isinstance(t, Mapping)]
    if isinstance(pkg.get("tag_string"), str):
        names += pkg["tag_string"].split(",")
    return names


_FORM_ITEM = re.compile(r"^data_items-(\d+)-(\w+)$")


def data_items_of(pkg: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Data items as the API gives them (``data_items``: a list) and as the dataset form posts
    them (``data_items-0-name`` ...: ckanext-scheming folds them into the list only while
    validating, after the gate has looked)."""
    items: list[Mapping[str, Any]] = [i for i in pkg.get("data_items") or [] if isinstance(i, Mapping)]
    posted: dict[int, dict[str, Any]] = {}
    for key, value in pkg.items():
        m = _FORM_ITEM.match(key) if isinstance(key, str) else None
        if m:
            posted.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return items + [posted[i] for i in sorted(posted)]


def _item_names(pkg: Mapping[str, Any]) -> list[str]:
    return [i["name"] for i in data_items_of(pkg) if isinstance(i.get("name"), str)]


def _shown_notes(notes: Any) -> str:
    if not isinstance(notes, str) or not notes.strip():
        return ""
    return _folded_shown(notes)


@functools.lru_cache(maxsize=256)
def _folded_shown(notes: str) -> str:
    """The description as its page shows it, folded (kept: the form checks as one types, then
    the write checks the same text)."""
    from .reading import seen_text
    return _fold_text(seen_text(notes))


@functools.lru_cache(maxsize=4096)
def _folded_word(word: str) -> str:
    """A keyword of the list as matched (every check reads every keyword; the list seldom changes)."""
    return _fold_text(word)


def matches(categories: list[Category], pkg: Mapping[str, Any]) -> list[Match]:
    """Categories a dataset (as written or stored) matches, with what matched."""
    title, notes = _fold_text(pkg.get("title")), _fold_text(pkg.get("notes"))
    # the description as its page shows it, too: a Markdown link inside a word
    # (本数据集为[国](https://…)家秘密) is stored split and shown whole (reading.py)
    shown = _shown_notes(pkg.get("notes"))
    if shown and shown not in notes:
        notes = f"{notes}\n{shown}"
    tags = _fold_text(" ".join(_tag_names(pkg)))
    themes = {_fold(t) for t in _items(pkg.get("theme"))}
    items = {_fold(name) for name in _item_names(pkg)}
    identifier = _fold(pkg.get("identifier"))
    found: list[Match] = []
    for c in categories:
        hit: Match | None = None
        for word in c.keywords:
            w = _folded_word(word)
            if w and (w in title or w in notes or w in tags):
                hit = Match(c, "title" if w in title else "notes" if w in notes else "tags", word)
                break
        if hit is None:
            hit = next((Match(c, "theme", t) for t in c.themes if _fold(t) in themes), None)
        if hit is None:
            hit = next((Match(c, "data_items", i) for i in c.data_items if _fold(i) in items), None)
        if hit is None and identifier:
            hit = next((Match(c, "identifier", p) for p in c.identifier_prefixes
                        if identifier.startswith(_fold(p))), None)
        if hit is not None:
            found.append(hit)
    return found


def column_name(column: str) -> str:
    """A column as the scan names it without where it was found: a file inside an archive or
    another sheet is named "人员.csv: 身份证号" (filescan.Result.add)."""
    return column.rsplit(": ", 1)[-1]


def column_matches(categories: list[Category], columns: list[str]) -> list[Match]:
    """File columns whose header is a negative-list data item: each column read as a dataset's
    信息项 by ``matches`` (the same comparison: NFKC, no spaces), one match per column and
    category."""
    found: list[Match] = []
    for column in dict.fromkeys(c for c in columns if isinstance(c, str) and c.strip()):
        names = dict.fromkeys((column, column_name(column)))
        for m in matches(categories, {"data_items": [{"name": n} for n in names]}):
            if m.field == "data_items":
                found.append(Match(m.category, "file_column", m.value, column))
    return found


def detector_matches(categories: list[Category], found: Mapping[str, set[str]]) -> list[Match]:
    """File columns the scanner found holding what a category's ``detectors`` name (raw ID
    numbers, bank cards ...), whatever their header: ``found`` maps a column to its detectors."""
    out: list[Match] = []
    for column, kinds in found.items():
        for c in categories:
            kind = next((k for k in c.detectors if k in kinds), None)
            if kind:
                out.append(Match(c, "file_column", DETECTOR_NAMES[kind]["zh_Hans_CN"], column, kind))
    return out
