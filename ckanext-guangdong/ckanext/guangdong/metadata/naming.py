"""Dataset URL names: derived, never typed (docs/domain.md §5: a Chinese title munges to nothing).

``gd-29000-01300008`` from the identifier ``29000/01300008``; without an identifier the pinyin
of the title (``guang-zhou-shi-gong-jiao-xian-lu``); a numeric suffix makes it unique.
A title that holds personal data (an ID number, a mobile ...: the safety feature's detectors)
gives no name, nor does an identifier that holds some: the URL would show it for good (names
never change, and a reviewer may clear the title), so such a name is random
(``app-3f9a2c41d0b7``), docs/safety.md.
"""
from __future__ import annotations

import re
import uuid

import ckan.model as model
from pypinyin import lazy_pinyin

from ckanext.guangdong.metadata import openness

NAME_MAX = 100          # CKAN's PACKAGE_NAME_MAX_LENGTH
_STEM_MAX = 80          # room for a "-NN" suffix and the prefix
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")


def slugify(text: str) -> str:
    """ASCII slug: pinyin for Chinese characters, other letters and digits kept, rest -> '-'."""
    parts = lazy_pinyin(text)  # non-Chinese runs come back unchanged
    slug = "-".join(p.strip().lower() for p in parts if p.strip())
    slug = _NOT_ALLOWED.sub("-", slug)
    slug = re.sub(r"-{2,}", "-", slug).strip("-_")
    if len(slug) > _STEM_MAX:
        slug = slug[:_STEM_MAX].rsplit("-", 1)[0] or slug[:_STEM_MAX]
    return slug


def name_stem(dataset_type: str, identifier: str = "", title: str = "") -> str:
    # an identifier with personal data (29000/440106199003071231) gives no name either, as a
    # title does not: the safety gate holds the dataset for it, a reviewer may clear it, the
    # name stays (attack trial a10, M2)
    if identifier and dataset_type == openness.DATASET_TYPE and not identifier_holds_personal_data(identifier):
        stem = _NOT_ALLOWED.sub("-", identifier.strip().lower().replace("/", "-"))
        stem = re.sub(r"-{2,}", "-", stem).strip("-_")
        if stem:
            return "gd-" + stem[:_STEM_MAX]
    stem = slugify(title) if title else ""
    prefix = "app-" if dataset_type == openness.APPLICATION_TYPE else ""
    if stem and (holds_personal_data(title) or holds_personal_data(stem)):
        stem = ""
    while len(stem) < 2 or holds_personal_data(stem):  # nothing usable in the title (CKAN names
        stem = uuid.uuid4().hex[:12]  # need two characters); a random one that reads as no number
    return prefix + stem


def identifier_holds_personal_data(identifier: str) -> bool:
    """Whether an identifier (信息资源代码) holds personal data. Not a bank card: a catalogue
    code's digits run together (44160021/00000003) pass the card's Luhn check one time in ten,
    and a card number has no business in a code a publisher's system makes."""
    from ckanext.guangdong.safety import detectors
    return any(hit.detector != detectors.BANK_CARD
               for text in (identifier, identifier.upper()) for hit in detectors.find_in_text(text))


def holds_personal_data(text: str) -> bool:
    """Whether a text (a title, a name) holds personal data as the safety gate finds it in
    metadata; a slug's letters are lower case, so passport-like codes are tried upper case."""
    from ckanext.guangdong.safety import detectors
    return any(True for _hit in detectors.find_in_text(text)) or \
        any(True for _hit in detectors.find_in_text(text.upper()))


def name_taken(name: str) -> bool:
    # Any state: a deleted dataset still holds its name in the package table.
    return model.Session.query(
        model.Session.query(model.Package.id).filter(model.Package.name == name).exists()
    ).scalar()


def derive_name(dataset_type: str, identifier: str = "", title: str = "") -> str:
    stem = name_stem(dataset_type, identifier, title)
    if not name_taken(stem):
        return stem
    for n in range(2, 1000):
        candidate = f"{stem}-{n}"
        if not name_taken(candidate):
            return candidate
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def lock_identifier(identifier: str) -> None:
    """Serialise writers of one identifier until their transaction ends (a PostgreSQL
    transaction-level advisory lock): two clients, or two harvest consumers, saving the same
    identifier at once cannot both find it free."""
    import sqlalchemy as sa
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                          {"k": "guangdong-identifier:" + identifier})


def identifier_taken(identifier: str, own_id: str | None = None) -> bool:
    """True if another dataset that is not deleted already has this identifier."""
    query = (
        model.Session.query(model.Package.id)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(model.PackageExtra.key == "identifier",
                model.PackageExtra.value == identifier,
                model.Package.state != "deleted",
                model.Package.type == openness.DATASET_TYPE)
    )
    if own_id:
        query = query.filter(model.Package.id != own_id)
    return model.Session.query(query.exists()).scalar()
