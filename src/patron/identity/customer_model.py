"""How patron compares customer records: the field description and rules for customer data."""

from __future__ import annotations

from patron.identity.engine import LinkageSpec
from patron.identity.fields import FieldKind, LinkageField

CUSTOMER_FIELDS = (
    # One name comparison on the sorted pinyin name parts: hanzi and pinyin spellings meet in
    # either order, and common names
    # (王伟, 李娜) count for less than rare ones.
    LinkageField("name_tokens", FieldKind.PERSON_NAME, parts=("name_parts",)),
    LinkageField("birth_date", FieldKind.BIRTH_DATE, date_format="%Y-%m-%d"),
    # Shared phones and family mailboxes are common: their weight follows their frequency.
    LinkageField("phone", FieldKind.PHONE, frequency_adjusted=True, parts=("phone_kind",)),
    LinkageField("email", FieldKind.EMAIL, frequency_adjusted=True),
    LinkageField("address", FieldKind.LOCATION, parts=("postcode", "city")),
)
CUSTOMER_BLOCKING = (
    ("phone",),
    ("email",),
    ("name_tokens", "birth_date"),
    ("name_tokens", "city"),
    # Not the name alone: pairs sharing only a name scored below 0.5 (neither merged nor
    # reviewed), while common names make blocks that grow with the square of their size (at
    # 1M records the rule cost 27 s and 0.8 GiB).
)
# EM passes: each learns every field but the ones it blocks on. Not the name: a million records
# hold tens of millions of same-name pairs (records with only 李 or 王), which took training
# from seconds to minutes.
CUSTOMER_TRAINING = (("phone",), ("email",), ("birth_date",))
CUSTOMER_PRIOR = ("name_tokens", "birth_date", "phone")


def customer_spec() -> LinkageSpec:
    return LinkageSpec(
        fields=CUSTOMER_FIELDS,
        blocking=CUSTOMER_BLOCKING,
        training_blocks=CUSTOMER_TRAINING,
        prior_rule=CUSTOMER_PRIOR,
        calibrate_prior=True,
        # Same surname, another given name: household members and twins, who share an
        # address, a landline, a family mailbox or a birth date, and would otherwise merge.
        review_levels=(("name_tokens", "Array intersection size >= 1"),),
    )
