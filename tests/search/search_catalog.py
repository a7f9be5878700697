"""A realistic Chinese fixture catalog (≥200 datasets) for the relevance tests.

Datasets combine Guangdong cities, the departments that publish on 开放广东 and
the kinds of data they publish (titles and notes written the way portal
records are). Deterministic: the same catalog every run.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

CITIES = [("广州市", "440100"), ("深圳市", "440300"), ("珠海市", "440400"),
          ("汕头市", "440500"), ("佛山市", "440600"), ("韶关市", "440200"),
          ("惠州市", "441300"), ("东莞市", "441900"), ("中山市", "442000"),
          ("江门市", "440700"), ("湛江市", "440800"), ("肇庆市", "441200")]

# (department suffix, theme, [(title stem, notes, tags, formats)])
TOPICS: list[tuple[str, str, list[tuple[str, str, list[str], list[str]]]]] = [
    ("交通运输局", "道路交通", [
        ("公交线路信息", "{city}公交线路的编号、起止站点、首末班时间及票价。", ["交通", "公交"], ["CSV", "JSON"]),
        ("出租汽车企业名录", "{city}出租汽车经营企业名称、车辆数和服务电话。", ["交通", "出租车"], ["XLSX"]),
        ("公共停车场信息", "{city}公共停车场位置、泊位数量及收费标准。", ["停车", "交通"], ["CSV", "API"]),
        ("道路运输经营许可", "{city}道路旅客运输和货物运输经营许可证信息。", ["许可", "运输"], ["CSV"]),
    ]),
    ("生态环境局", "生态环保", [
        ("空气质量监测数据", "{city}各监测站点PM2.5、PM10、二氧化硫等污染物浓度的小时数据。", ["空气质量", "PM2.5"], ["CSV", "API"]),
        ("重点排污单位名录", "{city}重点排污单位名称、排放口及主要污染物。", ["排污", "环境监管"], ["XLSX"]),
        ("饮用水源地水质", "{city}集中式饮用水水源地水质监测结果。", ["水质", "饮用水"], ["CSV"]),
        ("建设项目环评审批", "{city}建设项目环境影响评价文件审批结果公示。", ["环评", "审批"], ["CSV", "JSON"]),
    ]),
    ("卫生健康委员会", "卫生健康", [
        ("医疗机构名录", "{city}医院、社区卫生服务中心等医疗机构的名称、地址、等级。", ["医疗", "医院"], ["CSV"]),
        ("疫苗接种点信息", "{city}新冠疫苗和常规疫苗接种点地址及服务时间。", ["疫苗", "接种"], ["CSV", "API"]),
        ("执业医师注册信息", "{city}执业医师注册的执业范围和执业地点。", ["医师", "注册"], ["XLSX"]),
    ]),
    ("教育局", "教育科技", [
        ("中小学校名录", "{city}公办和民办中小学校名称、学段、地址。", ["教育", "学校"], ["CSV"]),
        ("幼儿园办学信息", "{city}幼儿园的办园性质、学位数和收费标准。", ["幼儿园", "学位"], ["XLSX", "CSV"]),
        ("义务教育招生计划", "{city}义务教育阶段学校年度招生计划与划片范围。", ["招生", "义务教育"], ["PDF", "CSV"]),
    ]),
    ("市场监督管理局", "市场监管", [
        ("企业登记注册信息", "{city}新登记企业的名称、统一社会信用代码、注册资本。", ["企业", "登记"], ["CSV", "API"]),
        ("食品经营许可证", "{city}食品经营许可证的发证日期、有效期及经营项目。", ["食品安全", "许可"], ["CSV"]),
        ("特种设备使用登记", "{city}电梯、锅炉等特种设备使用登记信息。", ["特种设备", "电梯"], ["XLSX"]),
    ]),
    ("人力资源和社会保障局", "社保就业", [
        ("社会保险参保人数统计", "{city}养老、医疗、失业保险参保人数的月度统计。", ["社保", "统计"], ["XLSX"]),
        ("职业技能培训机构", "{city}职业技能培训机构名称、培训工种和地址。", ["培训", "就业"], ["CSV"]),
        ("招聘岗位信息", "{city}公共就业服务平台发布的招聘岗位和薪资范围。", ["就业", "招聘"], ["JSON", "API"]),
    ]),
    ("统计局", "经济建设", [
        ("国民经济主要指标", "{city}地区生产总值、固定资产投资等国民经济统计指标。", ["统计", "经济"], ["XLSX", "CSV"]),
        ("常住人口统计数据", "{city}常住人口数量、城镇化率及人口结构统计。", ["人口", "统计"], ["XLSX"]),
    ]),
    ("住房和城乡建设局", "城建住房", [
        ("商品房预售许可", "{city}商品房预售许可证编号、项目名称和套数。", ["房地产", "预售"], ["CSV"]),
        ("保障性住房项目", "{city}公共租赁住房和保障性租赁住房项目分布。", ["住房保障", "公租房"], ["CSV", "SHP"]),
    ]),
]

# Provincial datasets (440000): a few with traditional-character-free English/mixed titles.
PROVINCIAL = [
    ("广东省交通运输厅", "道路交通", "高速公路收费站信息", "全省高速公路收费站名称、所属路段及车道数。", ["高速公路", "收费站"], ["CSV"]),
    ("广东省交通运输厅", "道路交通", "港口码头基本信息", "全省沿海港口码头泊位、吞吐能力信息。", ["港口", "码头"], ["XLSX"]),
    ("广东省通信管理局", "经济建设", "5G基站建设情况", "全省5G基站建设数量及覆盖区域统计。", ["5G", "通信"], ["CSV"]),
    ("广东省通信管理局", "经济建设", "互联网数据中心IDC名录", "全省IDC数据中心名称及机架规模。", ["IDC", "数据中心"], ["CSV"]),
    ("广东省生态环境厅", "生态环保", "全省PM2.5年均浓度", "全省21个地级以上市PM2.5年均浓度及达标情况。", ["PM2.5", "空气质量"], ["XLSX"]),
    ("广东省气象局", "公共服务", "台风路径实时数据", "影响广东的台风实时路径、中心气压和风速（API接口）。", ["台风", "气象"], ["API", "JSON"]),
    ("广东省气象局", "公共服务", "逐日降水量观测", "全省国家级气象站逐日降水量观测数据。", ["降水", "气象"], ["CSV"]),
    ("广东省水利厅", "生态环保", "水库水位监测", "全省大中型水库实时水位及蓄水量。", ["水库", "水位"], ["API"]),
    ("广东省文化和旅游厅", "文化休闲", "A级旅游景区名录", "全省A级旅游景区名称、等级及所在地。", ["旅游", "景区"], ["CSV"]),
    ("广东省财政厅", "财税金融", "省级部门预算公开", "省级部门年度预算收支总表。", ["预算", "财政"], ["PDF", "XLSX"]),
    ("广东省政务服务数据管理局", "公共服务", "政务服务事项目录", "全省政务服务事项名称、办理部门及办理时限。", ["政务服务", "事项"], ["JSON"]),
    ("广东省农业农村厅", "农业农村", "农产品批发市场价格", "全省主要农产品批发市场蔬菜、猪肉价格日报。", ["农产品", "价格"], ["CSV", "API"]),
    # For the graded judgements (GRADED): what people mean but do not type.
    ("广东省人力资源和社会保障厅", "社保就业", "社会保险基金收支情况", "全省企业职工基本养老保险基金年度收支。", ["基金", "养老"], ["XLSX"]),
    ("广东省医疗保障局", "卫生健康", "医疗保障定点零售药店名录", "全省基本医疗保险定点零售药店名称、地址及编码。", ["定点机构", "药店"], ["CSV"]),
    ("广东省医疗保障局", "卫生健康", "医疗保障定点医疗机构名录", "全省基本医疗保险定点医院名称及等级。", ["定点机构"], ["CSV"]),
    ("广东省住房和城乡建设厅", "城建住房", "生活垃圾处理设施", "全省生活垃圾焚烧厂、填埋场位置及处理能力。", ["环卫", "固体废物"], ["CSV"]),
    ("广东省交通运输厅", "道路交通", "城市轨道交通运营线路客运量", "全省各城市轨道交通线路日均客运量统计。", ["轨道交通", "客运量"], ["XLSX"]),
    ("广东省政务服务数据管理局", "公共服务", "政务服务部门E-mail联系方式", "省直部门咨询电话及e-mail地址。", ["联系方式"], ["CSV"]),
    ("广东省卫生健康委员会", "卫生健康", "COVID-19疫情每日通报", "全省新冠肺炎（COVID-19）确诊病例每日通报。", ["疫情", "新冠"], ["CSV", "API"]),
    ("广东省气象局", "公共服务", "城市天气预报", "全省各地级以上市未来七天天气预报。", ["预报"], ["API"]),
    ("广东省市场监督管理局", "市场监管", "全省企业名录", "全省在册企业名称、类型及登记机关。", ["企业", "名录"], ["CSV", "API"]),
]

# City datasets for the graded judgements (title stem, org suffix, theme, notes, tags).
CITY_EXTRA = [
    ("广州市", "440100", "地铁线网客流统计", "交通运输局", "道路交通", "广州地铁各线路日均客流及换乘站客流。", ["地铁", "客流"]),
    ("深圳市", "440300", "城市轨道交通客流量", "交通运输局", "道路交通", "深圳城市轨道交通各线路进出站客流量。", ["轨道交通"]),
    ("广州市", "440100", "生活垃圾分类投放点", "城市管理和综合执法局", "城建住房", "广州市生活垃圾分类投放点位置及开放时间。", ["垃圾分类"]),
    ("深圳市", "440300", "生活垃圾转运站", "城市管理和综合执法局", "城建住房", "深圳市生活垃圾转运站位置及日处理量。", ["环卫"]),
    ("佛山市", "440600", "医保定点药店", "医疗保障局", "卫生健康", "佛山市医保定点零售药店名称及地址。", ["医保", "药店"]),
    ("东莞市", "441900", "医疗保险定点零售药店", "医疗保障局", "卫生健康", "东莞市基本医疗保险定点零售药店名单。", ["药店"]),
    ("江门市", "440700", "天气实况", "气象局", "公共服务", "江门市各区县气温、降水等天气实况。", ["天气"]),
    ("惠州市", "441300", "企业名录", "市场监督管理局", "市场监管", "惠州市在册企业名称及统一社会信用代码。", ["企业"]),
]

YEARS = ["2021年", "2022年", "2023年"]


@dataclass
class Entry:
    name: str
    title: str
    notes: str
    tags: list[str]
    org_title: str
    theme: list[str]
    formats: list[str]
    region: str
    access_rights: str
    frequency: str
    modified: str
    extra: dict[str, str] = field(default_factory=dict)

    def searchable(self) -> str:
        """The text a user sees as the dataset's words (for the ground truth)."""
        return " ".join([self.title, self.notes, " ".join(self.tags), self.org_title])


def build() -> list[Entry]:
    rng = random.Random(20261122)
    entries: list[Entry] = []
    n = 0
    for city, code in CITIES:
        for dept, theme, items in TOPICS:
            for stem, notes, tags, formats in items:
                # Not every city publishes everything: keeps counts uneven like a real catalog.
                # (广州 and 深圳 publish everything.)
                if rng.random() < 0.28 and city not in ("广州市", "深圳市"):
                    continue
                n += 1
                year = rng.choice(YEARS) if rng.random() < 0.3 else ""
                entries.append(Entry(
                    name=f"rel-{n:04d}", title=f"{city}{year}{stem}",
                    notes=notes.format(city=city), tags=list(tags),
                    org_title=f"{city}{dept}", theme=[theme], formats=list(formats),
                    region=code, access_rights=rng.choice(["unconditional"] * 4 + ["conditional"]),
                    frequency=rng.choice(["monthly", "annual", "daily", "irregular"]),
                    modified=f"20{rng.randint(19, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    for org, theme, title, notes, tags, formats in PROVINCIAL:
        n += 1
        entries.append(Entry(
            name=f"rel-{n:04d}", title=title, notes=notes, tags=list(tags), org_title=org,
            theme=[theme], formats=list(formats), region="440000",
            access_rights="unconditional", frequency="irregular",
            modified=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    for city, code, stem, dept, theme, notes, tags in CITY_EXTRA:
        n += 1
        entries.append(Entry(
            name=f"rel-{n:04d}", title=f"{city}{stem}", notes=notes, tags=list(tags),
            org_title=f"{city}{dept}", theme=[theme], formats=["CSV"], region=code,
            access_rights="unconditional", frequency="monthly",
            modified=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    return entries


# Queries by kind. Expected results are NOT listed: they are every dataset whose
# words (title, notes, tags, organization; traditional→simplified) contain every
# query word, computed from the catalog above.
QUERIES: dict[str, list[str]] = {
    "whole word": ["公交", "空气质量", "医疗机构", "幼儿园", "招聘", "商品房", "台风",
                   "疫苗", "水库", "景区", "预算", "统计"],
    "partial word": ["环境", "停车", "排污", "接种", "参保", "水质", "收费", "学校"],
    "traditional": ["廣州 公交", "醫療機構", "環境監管", "深圳 學校", "臺風"],
    "mixed zh/en": ["PM2.5", "5G 基站", "IDC", "API 接口", "pm2.5 监测"],
    "department": ["生态环境局", "交通运输厅", "市场监督管理局", "卫生健康委员会", "统计局"],
    "place": ["广州", "深圳 公交", "佛山 医院", "东莞", "珠海 企业", "湛江 空气质量"],
}


# Graded judgements (issue 15): grade 2 is what the user wants, grade 1 is related by
# meaning (a broader or related word, province-wide data for a city query). A dataset is
# judged by the words of its title, tags, notes and organization and by its region:
#   (kind, query, grade-2 rule, grade-1 rule); a rule is a list of alternatives, each a
#   tuple of words that must all appear ("@440000" = the dataset's region code).
Rule = list[tuple[str, ...]]
GRADED: list[tuple[str, str, Rule, Rule]] = [
    # synonyms, abbreviations, related words
    ("thesaurus", "社保", [("社保",), ("社会保险",)], []),
    ("thesaurus", "医保 药店", [("医保", "药店"), ("医疗保险", "药店"), ("医疗保障", "药店")], []),
    ("thesaurus", "垃圾分类", [("垃圾分类",)], [("生活垃圾",)]),
    ("thesaurus", "地铁 客流", [("地铁", "客流"), ("轨道交通", "客流"), ("轨道交通", "客运量")], []),
    ("thesaurus", "医保", [("医保",), ("医疗保险",), ("医疗保障",)], []),
    ("thesaurus", "天气", [("天气",)], [("气象",)]),
    # places: the city's own data, then province-wide data that covers the city
    ("place", "江门 天气", [("江门", "天气")], [("@440000", "天气"), ("@440000", "气象")]),
    ("place", "惠州 企业名录", [("惠州", "企业名录")], [("@440000", "企业名录"), ("惠州", "企业", "登记")]),
    ("place", "天河 公交", [("广州", "公交")], []),
    ("place", "南山区 停车场", [("深圳", "停车场")], []),
    # Latin variants
    ("variant", "email", [("e-mail",)], []),
    ("variant", "e-mail", [("e-mail",)], []),
    ("variant", "COVID19", [("covid-19",)], []),
    ("variant", "covid 19", [("covid-19",)], []),
    # pinyin and initials
    ("pinyin", "youeryuan", [("幼儿园",)], []),
    ("pinyin", "tingchechang", [("停车场",)], []),
    ("pinyin", "ting che chang", [("停车场",)], []),
    ("pinyin", "shebao", [("社保",)], [("社会保险",)]),
    ("initials", "yey", [("幼儿园",)], []),
    ("initials", "tcc", [("停车场",)], []),
    # English words on /en: the catalog is Chinese; the thesaurus's English terms find it
    ("english", "traffic", [("交通",)], []),
    ("english", "hospital", [("医院",), ("医疗机构",)], []),
    ("english", "population", [("人口",)], []),
    ("english", "air quality", [("空气质量",), ("空气污染",)], []),
    ("english", "social security", [("社保",), ("社会保险",)], []),
    ("english", "weather", [("天气",), ("气象",)], []),
    ("english", "kindergarten", [("幼儿园",), ("学前教育",)], []),
    ("english", "enterprise", [("企业",)], []),
    ("english", "pharmacy", [("药店",), ("药房",)], []),
    ("english", "education", [("教育",)], []),
    # exact words: must stay as good as before
    ("exact", "公交", [("公交",)], []),
    ("exact", "空气质量", [("空气质量",)], []),
    ("exact", "幼儿园", [("幼儿园",)], []),
    ("exact", "深圳 公交", [("深圳", "公交")], []),
]
