"""Render a person into the record each source system holds, with that system's habits.

POS members are keyed in by store clerks in Chinese (old address, few e-mails); web accounts
are typed by the customers themselves (pinyin, nicknames, phone formats, current address);
service contacts are agents' notes (王女士, landlines, company names, free text).
A second registration in the same source (`second=True`) is noisier: often an old phone,
another mailbox, a typo — which is why it was not recognised as a duplicate in the first place.
Home landlines turn up in every source (a household's members share them), company
switchboards in service contacts (colleagues share them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from patron.demo.generator import variants as V
from patron.demo.generator.config import HardCases
from patron.demo.generator.persons import Address, Person

POS_MEMBER_HEADER = [
    "会员编号",
    "姓名",
    "性别",
    "手机",
    "生日",
    "地址",
    "会员等级",
    "注册日期",
    "接受短信",
    "邮箱",
]
WEB_CUSTOMER_HEADER = [
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_date",
    "city",
    "postcode",
    "accepts_email",
    "created_at",
]
SERVICE_CONTACT_FIELDS = [
    "ticket_contact_id",
    "name",
    "phone",
    "email",
    "address",
    "company",
    "note",
]

_NOTES = (
    "咨询退货流程",
    "投诉配送延迟",
    "要求开具增值税发票",
    "会员积分未到账",
    "询问门店营业时间",
    "商品质量问题，已登记换货",
    "修改收货地址",
    "VIP客户，请优先处理",
    "Asked about invoice (发票)",
    "Wants English-speaking staff",
    "批量采购询价",
    "",
    "",
    "",
)


def _address(person: Person, old_share: float) -> Address:
    if person.old_address is not None and person.rng.random() < old_share:
        return person.old_address
    return person.address


def _phone(person: Person, plain_share: float, old_share: float, landline_share: float) -> str:
    rng = person.rng
    if person.landline and rng.random() < landline_share:  # the home phone instead
        return V.landline_variant(rng, person.landline)
    mobile = person.old_mobile if person.old_mobile and rng.random() < old_share else person.mobile
    return V.mobile_variant(rng, mobile, plain_share)


def pos_member_row(
    person: Person, member_id: str, tier: str, registered: date, second: bool, hard: HardCases
) -> list[str]:
    """One row of pos_members.csv (see POS_MEMBER_HEADER)."""
    rng = person.rng
    if person.western:
        name = (
            f"{person.family.upper()} {person.given.upper()}"
            if rng.random() < 0.3
            else f"{V.western_given(rng, person.given, hard.nickname)} {person.family}"
        )
        name = V.gbk_safe(name)
    else:
        name = person.name
        if rng.random() < (0.15 if second else 0.03):
            name = V.chinese_typo(rng, name)
    gender = "" if rng.random() < 0.03 else ("男" if person.gender == "M" else "女")
    phone = "" if rng.random() < 0.02 else _phone(person, 0.85, 0.6 if second else 0.4, 0.1)
    birthday = "" if rng.random() < 0.15 else V.pos_birthday(rng, person.birth)
    address = ""
    if rng.random() >= 0.1:
        address = _address(person, 0.6).full(with_province=rng.random() < 0.7)
    email = ""
    if rng.random() < 0.3:
        email = person.family_email if person.family_email and rng.random() < 0.5 else person.email
        email = V.email_variant(rng, email)
    accepts_sms = "是" if rng.random() < 0.65 else "否"
    return [
        member_id,
        name,
        gender,
        phone,
        birthday,
        address,
        tier,
        registered.isoformat(),
        accepts_sms,
        email,
    ]


def _web_names(person: Person, hard: HardCases) -> tuple[str, str]:
    rng = person.rng
    if person.western:
        given = V.western_given(rng, person.given, hard.nickname)
        family = V.latin_typo(rng, person.family) if rng.random() < 0.03 else person.family
        return given, family
    draw = rng.random()
    if rng.random() < hard.pinyin:  # typed in pinyin: 杨嘉天 becomes Jiatian / Yang
        if draw < 0.85:
            given, family = person.given_latin, person.family_latin
        elif draw < 0.92:  # the classic swap: surname typed into first_name
            family, given = person.given_latin, person.family_latin
        else:
            given, family = person.given_latin.upper(), person.family_latin.upper()
    elif draw < 0.86:
        given, family = person.given, person.family
    else:  # whole name in one box
        given, family = person.name, ""
    if rng.random() < 0.03:
        given = V.latin_typo(rng, given) if given.isascii() else V.chinese_typo(rng, given)
    return given, family


def web_customer_row(
    person: Person, customer_id: str, created: datetime, second: bool, hard: HardCases
) -> list[str]:
    """One row of web_customers.csv (see WEB_CUSTOMER_HEADER)."""
    rng = person.rng
    given, family = _web_names(person, hard)
    email = person.email
    if person.alt_email and rng.random() < (0.8 if second else 0.3):
        email = person.alt_email
    elif person.family_email and rng.random() < 0.4:
        email = person.family_email
    email = "" if rng.random() < 0.01 else V.email_variant(rng, email)
    phone = "" if rng.random() < 0.1 else _phone(person, 0.35, 0.5 if second else 0.2, 0.03)
    birth = "" if rng.random() < 0.35 else person.birth.isoformat()
    address = _address(person, 0.2)
    city = address.city
    city_text = rng.choice((city.name, city.name.removesuffix("市"), city.pinyin))
    postcode = "" if rng.random() < 0.2 else address.district.postcode
    accepts = "yes" if rng.random() < 0.45 else "no"
    return [
        customer_id,
        given,
        family,
        email,
        phone,
        birth,
        city_text,
        postcode,
        accepts,
        created.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
    ]


def _service_name(person: Person, hard: HardCases) -> str:
    rng = person.rng
    draw = rng.random()
    if person.western:
        if draw < 0.1:
            return f"{'Mr.' if person.gender == 'M' else 'Ms.'} {person.family}"
        return f"{V.western_given(rng, person.given, hard.nickname)} {person.family}"
    if draw < 0.55:
        return person.name
    if draw < 0.62:
        return V.chinese_typo(rng, person.name)
    if draw < 0.77:
        return V.spoken_title(person.family, person.gender)
    if draw < 0.87:
        return f"{person.family_latin} {person.given_latin}"
    if draw < 0.95:
        return f"{person.given_latin} {person.family_latin}"
    return ""


def service_contact(
    person: Person, contact_id: str, second: bool, hard: HardCases
) -> dict[str, Any]:
    """One line of service_contacts.jsonl (keys: SERVICE_CONTACT_FIELDS)."""
    rng = person.rng
    draw = rng.random()
    if person.office_phone and draw < 0.8:  # calling from work
        phone = V.landline_variant(rng, person.office_phone, extension=True)
    elif person.landline and draw < 0.2:
        phone = V.landline_variant(rng, person.landline)
    elif draw < 0.25:
        phone = ""
    else:
        phone = _phone(person, 0.5, 0.5 if second else 0.15, 0.0)
    email = ""
    if rng.random() < 0.5:
        if person.alt_email and rng.random() < 0.3:
            email = person.alt_email
        elif person.family_email and rng.random() < 0.4:
            email = person.family_email
        else:
            email = person.email
        email = V.email_variant(rng, email)
    address = ""
    if rng.random() < 0.5:
        address = _address(person, 0.3).full(with_province=rng.random() < 0.5)
    return {
        "ticket_contact_id": contact_id,
        "name": _service_name(person, hard),
        "phone": phone,
        "email": email,
        "address": address,
        "company": person.company,
        "note": rng.choice(_NOTES),
    }
