"""Masking of personal data in Chinese chat text: phones, ID cards, bank cards, addresses,
order numbers.

Shop rules (seed 003 "维护用户个人隐私及个人信息", seed 002 ch.1 §十 "不得泄露消费者信息")
say customer data must not leak. Messages are stored as sent (the agent needs the order
number to act on it), but whatever leaves through logs and exports passes through
:func:`mask_pii` unless ``ASSIST_MASK_PII=false``. Masks keep a short tail or head so two
numbers can still be told apart: ``138****5678``, ``110***********123X``,
``************1234``; an address keeps its province/city/district and loses the street
and house number.

Over-masking is the safe side: any run of 10 or more digits (order, tracking and card
numbers look alike) keeps only its last four.
"""

from __future__ import annotations

import re

__all__ = ["mask_pii"]

_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[ -]?)?1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{3,4})(\d{4})(?!\d)")
# Cards are 16-19 digits, often written in groups of four.
_CARD = re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){2}[ -]?\d{4,7}(?:[ -]\d{1,3})?(?!\d)")
_ORDER_KEYWORD = re.compile(
    r"((?:订单编号|订单号|订单|单号|运单号|快递单号|物流单号|order(?:[ _-]?(?:id|no|number))?)"
    r"\s*[:：#]?\s*)([A-Za-z0-9][A-Za-z0-9-]{5,})",
    re.IGNORECASE,
)
_LONG_DIGITS = re.compile(r"(?<!\d)\d{10,}(?!\d)")
_ROAD = (
    r"[^\s\d省市区县镇乡在住是的到寄送址发，,。：:；;！!？?（）()]{1,10}?"
    r"(?:路|大街|街|大道|巷|弄|胡同|村|小区|花园|公寓|大厦|广场)"
)
_HOUSE = (
    r"(?:[\s\-－#]*[0-9０-９一二三四五六七八九十百零]+"
    r"\s*(?:号楼|号|栋|幢|座|单元|室|楼|层|弄|期|区)?)"
)
_ADDRESS = re.compile(_ROAD + _HOUSE + r"+")
_ADDRESS_KEYWORD = re.compile(
    r"((?:收货地址|收件地址|送货地址|地址|住址)\s*[:：]?\s*"
    r"(?:[\u4e00-\u9fa5]{2,8}?(?:省|自治区|特别行政区|市|区|县)){0,4})"
    r"([^，,。；;！!？?\n]{2,})"
)


def _keep_tail(text: str, tail: int = 4) -> str:
    digits = sum(c.isalnum() for c in text)
    kept = 0
    out = []
    for char in reversed(text):
        if char.isalnum():
            kept += 1
            out.append(char if kept <= tail or digits <= tail else "*")
        else:
            out.append(char)
    return "".join(reversed(out))


def mask_pii(text: str) -> str:
    """``text`` with personal data masked; text without any comes back unchanged."""
    if not text:
        return text
    text = _ID_CARD.sub(lambda m: m[0][:3] + "*" * 11 + m[0][-4:], text)
    text = _CARD.sub(lambda m: _keep_tail(m[0]), text)
    text = _MOBILE.sub(lambda m: f"{m[1]}****{m[3]}", text)
    text = _LANDLINE.sub(lambda m: f"{m[1]}-****{m[3]}", text)
    text = _ORDER_KEYWORD.sub(lambda m: m[1] + _keep_tail(m[2]), text)
    text = _LONG_DIGITS.sub(lambda m: _keep_tail(m[0]), text)
    text = _ADDRESS_KEYWORD.sub(lambda m: m[1] + "***", text)
    return _ADDRESS.sub("***", text)
