"""The canonical fields each kind of import knows, and the headers that name them.

Headers are compared after NFKC, case folding and folding of spaces, dashes, dots and
underscores, so "E-Mail", "e_mail" and "ＥＭＡＩＬ" all meet "email".
"""

from __future__ import annotations

import re
import unicodedata

KINDS = ("customers", "products", "orders", "events")

# Fields that may be fed by several columns (e.g. 手机 and 座机 both become phones).
MULTI_VALUED = frozenset({"phone", "email"})

CONSENT_CHANNELS = ("email", "sms", "phone", "mail", "wechat", "push")

_CUSTOMER_FIELDS: dict[str, tuple[str, ...]] = {
    "source_key": (
        "id",
        "record_id",
        "member_id",
        "member_no",
        "customer_id",
        "customer_no",
        "client_id",
        "contact_id",
        "account_id",
        "ticket_contact_id",
        "会员编号",
        "会员号",
        "会员卡号",
        "会员id",
        "客户编号",
        "客户号",
        "客户id",
        "客户代码",
        "编号",
        "卡号",
        "联系人编号",
    ),
    "full_name": (
        "name",
        "full_name",
        "fullname",
        "customer_name",
        "contact_name",
        "姓名",
        "客户姓名",
        "客户名称",
        "名字",
        "联系人",
        "会员姓名",
    ),
    "given_name": ("first_name", "firstname", "given_name", "forename", "名"),
    "family_name": ("last_name", "lastname", "surname", "family_name", "姓"),
    "gender": ("gender", "sex", "性别"),
    "birth_date": (
        "birth_date",
        "birthdate",
        "birthday",
        "dob",
        "date_of_birth",
        "生日",
        "出生日期",
    ),
    "phone": (
        "phone",
        "mobile",
        "mobile_phone",
        "cell",
        "cellphone",
        "telephone",
        "tel",
        "phone_number",
        "mobile_number",
        "landline",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "联系电话",
        "移动电话",
        "座机",
        "电话号码",
        "固定电话",
    ),
    "email": ("email", "e_mail", "mail", "email_address", "邮箱", "电子邮箱", "电子邮件", "邮件"),
    "address": (
        "address",
        "addr",
        "street",
        "address_line",
        "street_address",
        "地址",
        "联系地址",
        "家庭住址",
        "家庭地址",
        "通讯地址",
        "住址",
        "收货地址",
    ),
    "province": ("province", "state", "region", "省", "省份"),
    "city": ("city", "town", "城市", "市"),
    "district": ("district", "county", "区", "区县", "县区"),
    "postcode": (
        "postcode",
        "post_code",
        "zip",
        "zipcode",
        "zip_code",
        "postal_code",
        "邮编",
        "邮政编码",
    ),
    "member_tier": (
        "member_tier",
        "tier",
        "level",
        "membership_level",
        "会员等级",
        "等级",
        "会员级别",
    ),
    "company": ("company", "organisation", "organization", "employer", "公司", "单位", "公司名称"),
    "registered_at": (
        "registered_at",
        "created_at",
        "signup_date",
        "join_date",
        "registration_date",
        "注册日期",
        "注册时间",
        "入会日期",
        "开卡日期",
    ),
}

_CONSENT_HEADERS: dict[str, tuple[str, ...]] = {
    "email": (
        "accepts_email",
        "email_opt_in",
        "email_optin",
        "email_consent",
        "接受邮件",
        "同意邮件",
    ),
    "sms": ("accepts_sms", "sms_opt_in", "sms_optin", "sms_consent", "接受短信", "同意短信"),
    "phone": ("accepts_phone", "accepts_calls", "phone_opt_in", "接受电话", "同意电话"),
    "mail": ("accepts_mail", "accepts_post", "mail_opt_in", "接受邮寄", "同意邮寄"),
}

_ORDER_FIELDS: dict[str, tuple[str, ...]] = {
    "order_key": ("order_id", "order_no", "order_number", "订单号", "订单编号", "单号", "交易号"),
    "line_no": ("line_no", "line", "line_number", "item_no", "行号", "明细号"),
    "customer_key": (
        "customer_id",
        "member_id",
        "member_no",
        "customer",
        "customer_no",
        "client_id",
        "会员编号",
        "会员号",
        "会员卡号",
        "客户编号",
        "客户号",
        "客户id",
    ),
    "customer_email": ("email", "customer_email", "邮箱"),
    "customer_phone": ("phone", "mobile", "customer_phone", "手机", "手机号", "电话"),
    "ordered_at": (
        "ordered_at",
        "order_date",
        "order_time",
        "date",
        "datetime",
        "purchase_date",
        "下单时间",
        "订单日期",
        "订单时间",
        "日期",
        "交易时间",
        "购买日期",
    ),
    "sku": (
        "sku",
        "product_id",
        "product_code",
        "item_id",
        "item_code",
        "商品编号",
        "商品代码",
        "货号",
    ),
    "quantity": ("quantity", "qty", "数量"),
    "unit_price": ("unit_price", "price", "单价"),
    "amount": ("amount", "line_total", "line_amount", "total", "sales", "金额", "小计", "实付金额"),
    "discount": ("discount", "折扣", "优惠"),
    "currency": ("currency", "币种"),
    "channel": ("channel", "渠道", "销售渠道"),
    "store": ("store", "shop", "store_name", "门店", "店铺"),
    "status": ("status", "order_status", "状态", "订单状态"),
}

_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "event_key": ("event_id", "id", "interaction_id", "事件编号", "记录编号"),
    "customer_key": (
        "customer_id",
        "member_id",
        "customer",
        "customer_no",
        "会员编号",
        "会员号",
        "客户编号",
    ),
    "customer_email": ("email", "customer_email", "邮箱"),
    "customer_phone": ("phone", "mobile", "customer_phone", "手机", "电话"),
    "occurred_at": (
        "occurred_at",
        "timestamp",
        "time",
        "datetime",
        "date",
        "时间",
        "发生时间",
        "日期",
    ),
    "type": ("type", "event", "event_type", "类型", "事件类型"),
    "channel": ("channel", "渠道"),
    "touchpoint": ("touchpoint", "touch_point", "page", "接触点"),
    "payload": ("payload", "data", "properties", "details", "内容"),
}

_PRODUCT_FIELDS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "product_id", "product_code", "item_id", "id", "商品编号", "商品代码", "货号"),
    "name": ("name", "product_name", "title", "商品名称", "名称", "品名"),
    "category": ("category", "product_category", "类别", "品类", "分类"),
    "brand": ("brand", "品牌"),
    "price": ("price", "list_price", "unit_price", "价格", "单价", "售价"),
    "currency": ("currency", "币种"),
}

FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": _CUSTOMER_FIELDS,
    "orders": _ORDER_FIELDS,
    "events": _EVENT_FIELDS,
    "products": _PRODUCT_FIELDS,
}

# The field that identifies a record in its source system, per kind.
KEY_FIELD = {
    "customers": "source_key",
    "products": "sku",
    "orders": "order_key",
    "events": "event_key",
}

# Fields a row of each kind cannot do without (besides the key, which falls back to a row hash
# for customers and events).
REQUIRED = {
    "customers": (),
    "products": ("sku",),
    "orders": ("order_key", "ordered_at", "amount"),
    "events": ("occurred_at", "type"),
}

_FOLD = re.compile(r"[\s\-_.·/()（）]+")


def fold_header(header: str) -> str:
    """The comparison form of a header.

    >>> fold_header(" E-Mail ") == fold_header("ｅ＿ｍａｉｌ") == "e_mail"
    True
    """
    text = unicodedata.normalize("NFKC", header).casefold().strip()
    return _FOLD.sub("_", text).strip("_")


def _index() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for kind, fields in FIELDS.items():
        lookup: dict[str, str] = {}
        for field, names in fields.items():
            for name in (field, *names):
                lookup.setdefault(fold_header(name), field)
        table[kind] = lookup
    return table


HEADER_INDEX = _index()
CONSENT_INDEX = {
    fold_header(name): channel for channel, names in _CONSENT_HEADERS.items() for name in names
}


def field_for_header(kind: str, header: str) -> str | None:
    """The canonical field a header names for this kind, if any.

    >>> field_for_header("customers", "手机号码"), field_for_header("orders", "会员编号")
    ('phone', 'customer_key')
    """
    return HEADER_INDEX[kind].get(fold_header(header))


def consent_channel_for_header(header: str) -> str | None:
    """The channel a consent column grants or denies (接受短信 → sms), if the header is one."""
    return CONSENT_INDEX.get(fold_header(header))
