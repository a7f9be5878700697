"""A labelled corpus of Chinese tables: columns of personal data (Faker's zh_CN provider makes
valid 居民身份证号, mobile numbers, names and addresses; cards, passports, permits and plates
are made here by their published rules) and decoys that must not be flagged (统一社会信用代码,
order and invoice numbers, 18-digit numbers with a wrong check character, dates, office
landlines, government contact e-mail addresses, office addresses, company names, codes).

Each column knows the kinds it truly holds (column truth) and each cell its own kind (cell
truth), so precision and recall can be counted per column and per cell. Used by the tests (a
small corpus) and by bench/safety.py (the large one): ``make_corpus(columns=..., cells=...)``.
"""
from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

from ckanext.guangdong.demo import credit_code
from ckanext.guangdong.metadata.codes import USCC_ALPHABET
from ckanext.guangdong.safety import detectors as d

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O


@dataclass
class Column:
    header: str
    cells: list[str]
    cell_truth: list[str | None]
    kinds: set[str]                 # what the column truly holds
    generator: str                  # which generator made it (for the report)


@dataclass
class Table:
    name: str
    columns: list[Column] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def rows(self) -> list[list[str]]:
        return [list(r) for r in zip(*(c.cells for c in self.columns), strict=False)]


class Makers:
    """One value of each kind, from a seeded Faker."""

    def __init__(self, seed: int) -> None:
        self.f = Faker("zh_CN")
        self.f.seed_instance(seed)
        self.r = random.Random(seed)

    # --- personal data ---
    def id18(self) -> str:
        return self.f.ssn(min_age=1, max_age=95)

    def id15(self) -> str:
        body = self.f.ssn()
        return body[:6] + body[8:14] + body[14:17]  # 一代证: YYMMDD, no check character

    def mobile(self) -> str:
        n = self.f.phone_number()
        style = self.r.random()
        if style < 0.15:
            return f"+86 {n}"
        if style < 0.3:
            return f"{n[:3]}-{n[3:7]}-{n[7:]}"
        if style < 0.4:
            return f"{n[:3]} {n[3:7]} {n[7:]}"
        return n

    def _luhn_complete(self, body: str) -> str:
        for check in "0123456789":
            if d.luhn_ok(body + check):
                return body + check
        raise AssertionError

    def bank_card(self) -> str:
        style = self.r.random()
        if style < 0.5:   # UnionPay debit cards, 16 or 19 digits
            length = self.r.choice((16, 19))
            prefix = self.r.choice(("622202", "621226", "622848", "621700", "623668", "625800"))
            body = prefix + "".join(self.r.choice(string.digits) for _ in range(length - 7))
            card = self._luhn_complete(body)
        else:
            card = self.f.credit_card_number(card_type=self.r.choice(("visa16", "mastercard", "discover")))
        if self.r.random() < 0.15:
            card = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
        return card

    def passport(self) -> str:
        style = self.r.random()
        digits = lambda n: "".join(self.r.choice(string.digits) for _ in range(n))  # noqa: E731
        if style < 0.5:
            return "E" + digits(8)
        if style < 0.8:
            return "E" + self.r.choice(LETTERS) + digits(7)
        return "G" + digits(8)

    def travel_permit(self) -> str:
        digits = lambda n: "".join(self.r.choice(string.digits) for _ in range(n))  # noqa: E731
        return self.r.choice((
            lambda: "C" + digits(8), lambda: "C" + self.r.choice(LETTERS) + digits(7),
            lambda: "H" + digits(8), lambda: "M" + digits(10), lambda: "L" + digits(8),
            lambda: "H" + digits(10)))()

    def email(self) -> str:
        local = self.f.user_name() + str(self.r.randint(1, 9999))
        return f"{local}@{self.r.choice(('qq.com', '163.com', '126.com', 'gmail.com', 'sina.com', 'foxmail.com'))}"

    def plate(self) -> str:
        # Faker draws the office letter from A-Z; GA 36-2018 never issues I or O
        p = self.f.license_plate()
        p = p[0] + p[1].replace("I", "J").replace("O", "P") + p[2:]
        style = self.r.random()
        if style < 0.3:
            return p.replace("-", "")
        if style < 0.5:
            return p.replace("-", "·")
        if style < 0.65:  # new-energy plates
            return p[:2] + self.r.choice("DF") + self.r.choice(LETTERS + string.digits) + \
                "".join(self.r.choice(string.digits) for _ in range(4))
        return p

    def name(self) -> str:
        return self.f.name()

    def address(self) -> str:
        return self.f.address().rsplit(" ", 1)[0]

    def notes_with_id(self) -> tuple[str, str | None]:
        """备注 text: most cells plain, some with an ID number pasted in."""
        if self.r.random() < 0.1:
            return f"申请人{self.f.name()}，身份证号{self.id18()}，已受理。", d.RESIDENT_ID
        return self.r.choice(("已受理", "材料齐全", "待补正材料", "按期办结", "转交区级部门办理")), None

    # --- decoys ---
    def credit_code(self) -> str:
        region = self.r.choice(("440100", "440300", "440600", "441900", "110000", "310100"))
        local = "".join(self.r.choice(USCC_ALPHABET) for _ in range(9))
        return credit_code.make(self.r.choice(("91", "92", "12", "11", "52")), region, local)

    def order_number(self) -> str:
        if self.r.random() < 0.5:
            return self.f.date_between("-3y").strftime("%Y%m%d") + "".join(
                self.r.choice(string.digits) for _ in range(self.r.choice((8, 10, 11))))
        return "".join(self.r.choice(string.digits) for _ in range(self.r.choice((16, 17, 18, 19, 20))))

    def invoice(self) -> str:
        return self.r.choice((
            lambda: "".join(self.r.choice(string.digits) for _ in range(12)),   # 发票代码
            lambda: "".join(self.r.choice(string.digits) for _ in range(8)),    # 发票号码
            lambda: "24" + "".join(self.r.choice(string.digits) for _ in range(18))))()  # 全电发票

    def wrong_check(self) -> str:
        good = self.id18()
        wrong = self.r.choice([c for c in "0123456789X" if c != good[-1]])
        return good[:-1] + wrong

    def date(self) -> str:
        day = self.f.date_between("-30y")
        return self.r.choice((day.isoformat(), day.strftime("%Y%m%d"), f"{day.year}年{day.month}月{day.day}日",
                              day.strftime("%Y/%m/%d")))

    def landline(self) -> str:
        area = self.r.choice(("020", "0755", "0757", "0769", "0760", "0756", "010", "021"))
        number = str(self.r.randint(2, 8)) + "".join(self.r.choice(string.digits) for _ in range(7 if len(area) == 3 else self.r.choice((6, 7))))
        return self.r.choice((f"{area}-{number}", f"({area}){number}", f"{area}{number}", f"{area}-{number}转{self.r.randint(100, 999)}"))

    def gov_email(self) -> str:
        return f"{self.r.choice(('bgs', 'zwfw', 'xxgk', 'opendata', 'tjj'))}@{self.r.choice(('gz', 'sz', 'fs', 'gd', 'dg'))}.gov.cn"

    def office_address(self) -> str:
        return self.f.address().rsplit(" ", 1)[0]

    def company(self) -> str:
        return self.f.company()

    def amount(self) -> str:
        return self.r.choice((str(self.r.randint(0, 10**7)), f"{self.r.uniform(0, 10**6):.2f}",
                              f"{self.r.randint(1, 10**6):,}"))

    def region_code(self) -> str:
        return self.id18()[:6]

    def work_order(self) -> str:
        return "GD" + self.f.date_between("-2y").strftime("%Y%m%d") + "".join(self.r.choice(string.digits) for _ in range(5))

    def fifteen_digits(self) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(15))

    def reader_decoy(self) -> str:
        """Numbers written as the attack trial's third round wrote IDs and mobiles (dashes,
        middle dots, Markdown, Chinese numerals in groups) that are no personal data."""
        day = self.f.date_between("-30y")
        cn = str.maketrans("0123456789", "〇一二三四五六七八九")
        n = self.r.randint(10, 999)
        return self.r.choice((
            lambda: f"{day.year}\u2013{day.month:02d}\u2013{day.day:02d}",          # en-dash date
            lambda: f"020\u2013{self.r.randint(2, 8)}{self.r.randint(100, 999)}\u2013{self.r.randint(1000, 9999)} 转 {n}",
            lambda: f"{self.r.randint(0, 23):02d}:{self.r.randint(0, 59):02d}:{self.r.randint(0, 59):02d}",
            lambda: f"{self.r.randint(1, 20)}.{self.r.randint(0, 20)}.{self.r.randint(0, 99)}",  # version
            lambda: f"第 {n}\u2013{n + self.r.randint(1, 99)} 页",                              # page range
            lambda: "·".join(f"{self.r.randint(1, 10**9):,}".split(",")),                      # amount
            lambda: f"| {n} | **{self.r.randint(1000, 9999)}** | `{self.r.randint(1000, 9999)}` |",
            lambda: f"{day.year} {day.month:02d} {day.day:02d}".translate(cn),               # CN date
        ))()

    def city(self) -> str:
        return self.r.choice(("广州", "深圳", "珠海", "佛山", "东莞", "中山", "汕头", "湛江", "广州市", "深圳市"))

    def serial11(self) -> str:
        """11-digit file and serial numbers: about 6 % fall in a mobile block by chance."""
        return str(self.r.randint(10**10, 10**11 - 1))

    def hotline(self) -> str:
        return self.r.choice(("12345", "95588", "400-820-8820", "96138", "12315", "800-830-1234"))


# (generator name, headers it may carry, kind of every made cell, maker; share of empty cells)
PERSONAL: list[tuple[str, tuple[str, ...], str, Callable[[Makers], str]]] = [
    ("id18", ("身份证号码", "证件号码", "公民身份号码", "编号", "col_a"), d.RESIDENT_ID, Makers.id18),
    ("id15", ("身份证号", "证件号码", "号码"), d.RESIDENT_ID, Makers.id15),
    ("mobile", ("手机号码", "联系电话", "电话", "联系方式", "col_b"), d.MOBILE, Makers.mobile),
    ("bank_card", ("银行卡号", "账号", "收款账户", "卡号", "col_c"), d.BANK_CARD, Makers.bank_card),
    ("passport", ("护照号码", "证件号码", "护照号"), d.PASSPORT, Makers.passport),
    ("travel_permit", ("通行证号码", "港澳通行证", "证件号"), d.TRAVEL_PERMIT, Makers.travel_permit),
    ("email", ("电子邮箱", "邮箱", "Email", "联系方式"), d.EMAIL, Makers.email),
    ("plate", ("车牌号码", "号牌号码", "车牌"), d.PLATE, Makers.plate),
    ("name", ("姓名", "联系人", "申请人", "户主姓名", "患者姓名", "被执行人", "业主", "权利人", "当事人"),
     d.PERSON_NAME, Makers.name),
    ("address", ("家庭住址", "住址", "户籍地址", "居住地址", "现住址", "户籍地", "居所"), d.ADDRESS, Makers.address),
]
# Personal values among other cells (attack trial a8): mobiles among city names under a header
# that says nothing (mob40.csv: 4 of 10), valid ID numbers among 18-digit numbers with a wrong
# check character (lookalike2.csv: 2 of 9). (generator, headers, kind, maker, filler, shares)
SPARSE: list[tuple[str, tuple[str, ...], str, Callable[[Makers], str], Callable[[Makers], str],
                   tuple[float, ...]]] = [
    ("mobile_among_words", ("字段3", "其他", "备用"), d.MOBILE, Makers.mobile, Makers.city, (0.4, 0.1, 0.02)),
    ("id_among_lookalikes", ("编码A", "号码", "编码"), d.RESIDENT_ID, Makers.id18, Makers.wrong_check,
     (0.22, 0.01, 0.004)),
]
DECOYS: list[tuple[str, tuple[str, ...], Callable[[Makers], str]]] = [
    ("credit_code", ("统一社会信用代码", "信用代码", "机构代码"), Makers.credit_code),
    ("order_number", ("订单编号", "订单号", "流水号", "业务编号"), Makers.order_number),
    ("invoice", ("发票号码", "发票代码", "票据号"), Makers.invoice),
    ("wrong_check", ("证件号码", "编码", "号码"), Makers.wrong_check),
    ("date", ("日期", "办结日期", "出生日期", "登记时间"), Makers.date),
    ("landline", ("联系电话", "办公电话", "咨询电话", "电话"), Makers.landline),
    ("gov_email", ("联系邮箱", "电子邮箱", "邮箱"), Makers.gov_email),
    ("office_address", ("办公地址", "地址", "单位地址"), Makers.office_address),
    ("company", ("单位名称", "企业名称", "机构名称"), Makers.company),
    ("amount", ("金额", "数量", "人数"), Makers.amount),
    ("region_code", ("行政区划代码", "区划代码"), Makers.region_code),
    ("work_order", ("工单编号", "受理编号"), Makers.work_order),
    ("hotline", ("服务热线", "咨询电话"), Makers.hotline),
    ("reader_decoy", ("备注", "说明", "页码", "时间"), Makers.reader_decoy),
    ("fifteen_digits", ("登记编号", "证书编号", "档案号"), Makers.fifteen_digits),
    ("serial11", ("档案编号", "流水号", "字段9"), Makers.serial11),
]
# Tables of two or three columns as court, property and contact lists are published (attack
# trial a8: exec2.csv, owner.csv): names and homes under 被执行人 + 地址, 业主 + 房屋坐落; and
# their decoys, a contact person beside an office's address (单位地址, 办公地址 are never a
# home) and an organisation's seat (机构名称 + 住所 / 坐落, no person beside it).
# (table name, [(header, maker, kind or None)])
PAIRED: list[tuple[str, list[tuple[str, Callable[[Makers], str], str | None]]]] = [
    ("court", [("被执行人", Makers.name, d.PERSON_NAME), ("地址", Makers.address, d.ADDRESS)]),
    ("property", [("业主", Makers.name, d.PERSON_NAME), ("房屋坐落", Makers.address, d.ADDRESS)]),
    ("parties", [("当事人", Makers.name, d.PERSON_NAME), ("住所", Makers.address, d.ADDRESS)]),
    ("contacts", [("联系人", Makers.name, d.PERSON_NAME), ("单位地址", Makers.office_address, None),
                  ("机构名称", Makers.company, None)]),
    ("desk-contacts", [("经办人", Makers.name, d.PERSON_NAME), ("办公地址", Makers.office_address, None)]),
    ("seats", [("机构名称", Makers.company, None), ("住所", Makers.office_address, None),
               ("坐落", Makers.office_address, None)]),
]
JUNK = ("无", "不详", "-", "待补充", "/", "暂无")


def _mixed(m: Makers, header: str, real: list[str], filler: list[str], kind: str, gen: str) -> Column:
    pairs = [(v, kind) for v in real] + [(v, None) for v in filler]
    m.r.shuffle(pairs)
    return Column(header, [v for v, _ in pairs], [k for _, k in pairs], {kind}, gen)


def attack_tables(m: Makers) -> list[Table]:
    """The attack trial's small files as they were made (a8): lookalike2.csv, 4 columns each of
    2 valid ID numbers among 7 with a wrong check character; mob40.csv, 4 mobiles among 6 city
    names under 字段3, beside a row number and an amount."""
    look = Table("a8-lookalike2", [_mixed(m, f"编码{c}", [m.id18() for _ in range(2)],
                                          [m.wrong_check() for _ in range(7)], d.RESIDENT_ID, "a8-lookalike2")
                                   for c in "ABCD"])
    mob = Table("a8-mob40", [Column("序号", [str(i) for i in range(1, 11)], [None] * 10, set(), "row-number"),
                             _mixed(m, "字段3", [m.mobile() for _ in range(4)], [m.city() for _ in range(6)],
                                    d.MOBILE, "a8-mob40"),
                             Column("金额", [m.amount() for _ in range(10)], [None] * 10, set(), "amount")])
    return [look, mob]


def make_corpus(columns: int = 220, cells: int = 500, seed: int = 14,
                columns_per_table: int = 6) -> list[Table]:
    """About half personal columns and half decoys, in tables of a few columns each. Some
    columns have empty cells; a few personal columns carry a neutral header (col_a, 编号) and
    must be found by their cells alone; 备注 columns hide a few ID numbers in text."""
    m = Makers(seed)
    r = m.r
    made: list[Column] = []
    kinds = len(PERSONAL) + len(DECOYS) + 1 + len(SPARSE)
    for i in range(columns):
        slot = i % kinds
        header_pick = r.random()
        empty = r.choice((0.0, 0.0, 0.1, 0.3))
        if slot < len(PERSONAL):
            gen, headers, kind, maker = PERSONAL[slot]
            header = headers[int(header_pick * len(headers))]
            if kind not in d.HEADER_ONLY and r.random() < 0.2:
                header = f"字段{i}"  # a header that says nothing: the cells decide
            junk = r.choice((0.0, 0.0, 0.2, 0.4))  # 无, 不详, - in place of some values
            values, truth = [], []
            for _ in range(cells):
                if r.random() < empty:
                    values.append(""), truth.append(None)
                elif r.random() < junk:
                    values.append(r.choice(JUNK)), truth.append(None)
                else:
                    values.append(maker(m)), truth.append(kind)
            made.append(Column(header, values, truth, {kind}, gen))
        elif slot < len(PERSONAL) + len(DECOYS):
            gen, headers, maker = DECOYS[slot - len(PERSONAL)]
            header = headers[int(header_pick * len(headers))]
            values = ["" if r.random() < empty else maker(m) for _ in range(cells)]
            made.append(Column(header, values, [None] * cells, set(), gen))
        elif slot == len(PERSONAL) + len(DECOYS):
            values, truth = [], []
            for _ in range(cells):
                v, k = m.notes_with_id()
                values.append(v), truth.append(k)
            made.append(Column("备注", values, truth, {d.RESIDENT_ID} if any(truth) else set(), "notes_with_id"))
        else:
            gen, headers, kind, maker, filler, shares = SPARSE[slot - len(PERSONAL) - len(DECOYS) - 1]
            header = headers[int(header_pick * len(headers))]
            share = shares[i // kinds % len(shares)]
            values, truth = [], []
            for _ in range(cells):
                if r.random() < share:
                    values.append(maker(m)), truth.append(kind)
                else:
                    values.append(filler(m)), truth.append(None)
            if not any(truth):  # at least one real value: the column is personal data
                values[0], truth[0] = maker(m), kind
            made.append(Column(header, values, truth, {kind}, gen))
    # Office addresses sit in tables without personal columns (a plain 地址 column counts only
    # beside personal data); the rest are mixed at random.
    offices = [c for c in made if c.generator in ("office_address", "company", "landline", "gov_email")]
    rest = [c for c in made if c not in offices]
    r.shuffle(rest)
    tables: list[Table] = []
    for group, prefix in ((offices, "office"), (rest, "mixed")):
        for start in range(0, len(group), columns_per_table):
            tables.append(Table(f"{prefix}-{start // columns_per_table}", group[start:start + columns_per_table]))
    for name, spec in PAIRED:
        cols = []
        for header, maker, kind in spec:
            values = [maker(m) for _ in range(cells)]
            cols.append(Column(header, values, [kind] * cells, {kind} if kind else set(), f"{name}:{header}"))
        tables.append(Table(name, cols))
    tables.extend(attack_tables(m))
    # headers unique within a table (a real file's header names are)
    for t in tables:
        seen: dict[str, int] = {}
        for c in t.columns:
            seen[c.header] = seen.get(c.header, 0) + 1
            if seen[c.header] > 1:
                c.header = f"{c.header}{seen[c.header]}"
    return tables
