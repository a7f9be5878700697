"""Realistic, deterministic city open-data records (the same record i every time), so the
stand-in portals need no stored files and a 100,000-record source costs no memory.

Three vocabularies on purpose: the 开放广东 API names (resTitle, updateCycle codes, openMode
words), a CKAN city's extras (Chinese labels, Inspur-style renewCycle/openAttr constants),
and DCAT (EU vocabulary URIs, the city's own theme URIs).
"""
from __future__ import annotations

from dataclasses import dataclass

# department: (title suffix, code, theme of the city's own vocabulary, topics)
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("交通运输局", "03", "交通", ["公交线路信息", "公交站点信息", "出租汽车企业名录", "道路运输经营许可信息",
                           "公共停车场信息"]),
    ("教育局", "05", "教育", ["中小学校名录", "幼儿园名录", "民办学校办学许可信息", "义务教育学区划分"]),
    ("卫生健康局", "07", "医疗卫生", ["医疗机构名录", "药店分布信息", "疫苗接种点信息", "执业医师注册信息"]),
    ("市场监督管理局", "09", "市场", ["企业登记信息", "食品经营许可信息", "特种设备使用登记", "商标注册统计"]),
    ("生态环境局", "11", "环境", ["空气质量日报", "重点排污单位名录", "饮用水源地水质", "建设项目环评审批"]),
    ("人力资源和社会保障局", "13", "社会保障", ["职业技能培训机构", "社会保险参保统计", "人力资源服务机构名录"]),
    ("民政局", "15", "民生", ["养老机构名录", "婚姻登记机关信息", "社会组织登记信息", "最低生活保障标准"]),
    ("住房和城乡建设局", "17", "城市建设", ["商品房预售许可", "建筑企业资质信息", "保障性住房项目"]),
    ("文化广电旅游体育局", "19", "旅游", ["A级旅游景区名录", "公共图书馆信息", "体育场馆信息"]),
    ("统计局", "21", "经济", ["国民经济主要指标", "规模以上工业增加值", "社会消费品零售总额"]),
]
CYCLES = [1, 2, 3, 4, 5, 6, 7, 99]
CYCLE_WORDS = ["实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "不定期"]
RENEW = ["REAL_TIME", "EVERY_DAY", "EVERY_WEEK", "EVERY_MONTH", "EVERY_QUARTER", "HALF_YEAR",
         "EVERY_YEAR", "IRREGULAR", "OTHER"]
FORMATS = ["xlsx", "csv", "json", "xml"]


@dataclass(frozen=True)
class City:
    code: str
    name: str
    area: str   # landline area code
    host: str   # the city's portal host name (for remote URLs)


HEYUAN = City("441600", "河源市", "0762", "data.heyuan.gov.cn")
SHAOGUAN = City("440200", "韶关市", "0751", "data.sg.gov.cn")
ZHUHAI = City("440400", "珠海市", "0756", "data.zhuhai.gov.cn")


def _dept(i: int) -> tuple[str, str, str, list[str]]:
    return DEPARTMENTS[i % len(DEPARTMENTS)]


def title(city: City, i: int) -> str:
    dept = _dept(i)
    topic = dept[3][(i // len(DEPARTMENTS)) % len(dept[3])]
    year = 2016 + (i % 9)
    return f"{city.name}{topic}（{year}年）" if i >= len(DEPARTMENTS) * 2 else f"{city.name}{topic}"


def identifier(city: City, i: int) -> str:
    return f"{city.code}{_dept(i)[1]}/{i + 1:08d}"


def kaifang_detail(city: City, i: int) -> dict:
    """A detail record of the 开放广东-style API (selectDataCatalogByResId)."""
    dept = _dept(i)
    topic_title = title(city, i)
    day = 1 + i % 28
    month = 1 + i % 12
    return {
        "resId": f"R{city.code}{i:07d}",
        "resCode": identifier(city, i),
        "resTitle": topic_title,
        "resAbstract": (f"{city.name}{dept[0]}发布的{topic_title}，包括名称、地址、联系电话等信息，"
                        f"按{CYCLE_WORDS[i % 8]}更新。"),
        "keyword": ",".join([dept[3][0][:4], dept[2], city.name]),
        "subjectName": dept[2],
        "openMode": "有条件开放" if i % 10 == 3 else "无条件开放",
        "openCondition": "经申请审核后开放，请联系数据提供部门。" if i % 10 == 3 else "",
        "updateCycle": CYCLES[i % len(CYCLES)],
        "publishDate": f"2019-{month:02d}-{day:02d} 09:30:00",
        "dataUpdateTime": f"2024-{month:02d}-{day:02d} 18:00:00",
        "sourceSuffix": FORMATS[i % 4],
        "officeName": f"{city.name}{dept[0]}",
        "email": f"opendata{dept[1]}@{city.host}",
        "landLine": f"{city.area}-33{i % 100:02d}{dept[1]}12",
        "fileSize": 20480 + 37 * i,
        "recordTotal": 100 + 13 * i,
        "fileCount": 1 + i % 2,
    }


def kaifang_summary(city: City, i: int) -> dict:
    d = kaifang_detail(city, i)
    return {k: d[k] for k in ("resId", "resTitle", "officeName", "subjectName", "openMode",
                              "dataUpdateTime", "sourceSuffix", "fileCount")}


def kaifang_files(city: City, i: int, base: str) -> list[dict]:
    d = kaifang_detail(city, i)
    out = []
    for n in range(d["fileCount"]):
        fmt = FORMATS[(i + n) % 4]
        out.append({"fileId": f"F{i:07d}{n}", "fileName": f"{d['resTitle']}（{n + 1}）",
                    "sourceSuffix": fmt, "fileSize": d["fileSize"] + n,
                    "downloadUrl": f"{base}/data/file/download/F{i:07d}{n}.{fmt}"})
    return out


def ckan_city_dataset(city: City, i: int, org_names: list[str]) -> dict:
    """A dataset of a CKAN city portal in its own schema: ASCII name, Chinese extras with the
    city's labels, Inspur-style enum constants, the department as the organization."""
    d = kaifang_detail(city, i)
    dept = _dept(i)
    return {
        "name": f"sg-{i:05d}",
        "title": d["resTitle"],
        "notes": d["resAbstract"],
        "owner_org": org_names[i % len(DEPARTMENTS)],
        "tags": [{"name": t} for t in d["keyword"].split(",")],
        "maintainer": f"{dept[0]}数据管理员",
        "maintainer_email": d["email"],
        "extras": [e for e in [
            {"key": "信息资源代码", "value": identifier(city, i)},
            {"key": "数据领域", "value": dept[2]},
            {"key": "更新周期", "value": RENEW[i % len(RENEW)]},
            {"key": "开放属性", "value": "CONDITIONAL" if i % 10 == 3 else "UNCONDITIONAL"},
            {"key": "开放条件说明", "value": "经申请审核后开放" if i % 10 == 3 else ""},
            {"key": "联系电话", "value": d["landLine"]},
            {"key": "数据量", "value": str(d["recordTotal"])},
            {"key": "发布日期", "value": d["publishDate"][:10]},
            {"key": "数据更新时间", "value": d["dataUpdateTime"]},
        ] if e["value"]],
        "resources": [{"url": f"http://{city.host}/files/{i:05d}.{FORMATS[i % 4]}",
                       "name": f"{d['resTitle']}数据文件", "format": FORMATS[i % 4].upper()}],
    }
