"""Facts customers type in a hundred ways: heights, weights, waists, sizes, colours, prices.

Customers write "1米7", "一米七", "1.7m", "170cm" or a bare "170" for the same height, and
"130斤" means 65 kg. Each extractor here turns one family of spellings into a number in
one unit (cm, kg) so the size chart and the bargaining rule never see the variety.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "COLOR_WORDS",
    "cn_number",
    "extract_body",
    "extract_color",
    "extract_price",
    "extract_size",
    "extract_usual_size",
]

CHI_CM = 33.3  # 1 尺 in cm (shop convention, seed 002)
JIN_KG = 0.5

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGIT.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN = "零〇一二两三四五六七八九十百"
_NUM = rf"(?:[0-9]+(?:\.[0-9]+)?|[{_CN}]+)"


def cn_number(text: str) -> float | None:
    """Arabic or colloquial Chinese numerals: "120", "一百二" (=120), "九十五", "六五"."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if any(ch not in _CN for ch in text):
        return None
    if "百" not in text and "十" not in text:
        # Digit by digit: "六五" → 65.
        value = 0
        for ch in text:
            value = value * 10 + _DIGIT[ch]
        return float(value)
    total = 0
    rest = text
    if "百" in rest:
        head, rest = rest.split("百", 1)
        total += (_DIGIT.get(head, 1) if head else 1) * 100
        if len(rest) == 1 and rest in _DIGIT and rest not in "零〇":
            return float(total + _DIGIT[rest] * 10)  # "一百二" = 120
        rest = rest.lstrip("零〇")
    if "十" in rest:
        head, rest = rest.split("十", 1)
        total += (_DIGIT.get(head, 1) if head else 1) * 10
    if rest:
        if rest not in _DIGIT:
            return None
        total += _DIGIT[rest]
    return float(total)


def _first(patterns: Iterable[tuple[re.Pattern[str], str]], text: str) -> float | None:
    for pattern, kind in patterns:
        for match in pattern.finditer(text):
            value = _convert(match, kind)
            if value is not None:
                return value
    return None


def _convert(match: re.Match[str], kind: str) -> float | None:
    if kind == "metre_split":  # 1米7, 一米七五, 1米70
        rest = match.group(2)
        digits = "".join(str(_DIGIT[c]) if c in _DIGIT else c for c in rest)
        if not digits.isdigit():
            return None
        cm = 100 + (int(digits) * 10 if len(digits) == 1 else int(digits[:2]))
        return float(cm) if 130 <= cm <= 210 else None
    number = cn_number(match.group(1))
    if number is None:
        return None
    if kind == "metre":
        number *= 100
    elif kind == "jin":
        number *= JIN_KG
    elif kind == "chi":
        tenths = match.group(2)
        extra = cn_number(tenths) if tenths else 0.0
        number = (number + (extra or 0.0) / 10) * CHI_CM
    elif kind == "weight_bare":
        number = number * JIN_KG if number >= 90 else number
    return round(number, 1)


_C = re.compile
_HEIGHT = (
    (_C(r"([1一])\s*米\s*([0-9一二三四五六七八九零]{1,2})"), "metre_split"),
    (_C(r"(?<![0-9.])(1\.[0-9]{1,2})\s*(?:m|米)(?![a-z])"), "metre"),
    (_C(r"(?<![0-9.])([12][0-9]{2})\s*(?:cm|厘米|公分)"), "cm"),
    (_C(r"身高\s*[:：是为有]?\s*(1\.[0-9]{1,2})(?![0-9])"), "metre"),
    (_C(r"身高\s*[:：是为有]?\s*([12][0-9]{2})(?![0-9])"), "cm"),
    (_C(r"(?<![0-9.\-])(1[4-9][0-9])(?![0-9.]|\s*(?:斤|kg|公斤|千克|元|块|rmb|码|号|米))"), "cm"),
)
_WEIGHT = (
    # The look-behind keeps a long run of digits from being tried at every position.
    (_C(rf"(?<![0-9.{_CN}])({_NUM})\s*(?:kg|公斤|千克)"), "kg"),
    (_C(rf"(?<![0-9.{_CN}])({_NUM})\s*斤"), "jin"),
    (
        _C(r"体重\s*[:：是为有]?\s*([0-9]{2,3}(?:\.[0-9])?)(?![0-9]|\s*(?:kg|公斤|千克|斤))"),
        "weight_bare",
    ),
)
_CHI = r"([0-9一二两三])\s*尺\s*([0-9一二三四五六七八九])?"
_CM_VALUE = r"([0-9]{2,3}(?:\.[0-9])?)\s*(?:cm|厘米|公分)?"


def _girth(label: str, text: str, allow_bare_chi: bool) -> float | None:
    patterns: list[tuple[re.Pattern[str], str]] = [
        (_C(rf"{label}\s*[:：是为有]?\s*{_CHI}"), "chi"),
        (_C(rf"{label}\s*[:：是为有]?\s*{_CM_VALUE}"), "cm"),
    ]
    if allow_bare_chi:
        patterns.append((_C(_CHI), "chi"))
    value = _first(patterns, text)
    return value if value is not None and 40 <= value <= 160 else None


def extract_body(text: str) -> dict[str, float]:
    """Height (cm), weight (kg), waist and hip (cm) found in ``text``, normalised."""
    text = text.lower()
    found: dict[str, float] = {}
    waist = _girth("腰围?", text, allow_bare_chi="臀" not in text)
    hip = _girth("臀围?", text, allow_bare_chi=False)
    # Girths are parsed first and blanked so "腰围150" never reads as a 150 cm height.
    rest = re.sub(rf"(腰围?|臀围?)\s*[:：是为有]?\s*(?:{_CHI}|{_CM_VALUE})", " ", text)
    height = _first(_HEIGHT, rest)
    weight = _first(_WEIGHT, rest)
    if height is not None and 120 <= height <= 210:
        found["height_cm"] = height
    if weight is not None and 20 <= weight <= 200:
        found["weight_kg"] = weight
    if waist is not None:
        found["waist_cm"] = waist
    if hip is not None:
        found["hip_cm"] = hip
    return found


_LETTER_SIZE = r"(?:xxxl|xxl|[2-5]xl|xl|xs|s|m|l)"
_USUAL = _C(
    rf"(?:平时|平常|一般|通常|日常|一直|以前|别家|其他家)(?:都|也)?(?:是|穿|买|拍|要)*\s*"
    rf"({_LETTER_SIZE}|[0-9]{{2}})(?![0-9a-z])"
)


def extract_usual_size(text: str) -> str | None:
    """The size the customer wears elsewhere ("平时穿28" → "28", "平时M" → "M")."""
    match = _USUAL.search(text.lower())
    return match.group(1).upper() if match else None


_SIZE = _C(
    rf"(?<![0-9a-z])({_LETTER_SIZE})(?![a-z])\s*(?:码|号|的|吗|么|嘛|还|有|\b|$)"
    r"|(?<![0-9.])([2-4][0-9])\s*(?:码|号|的)"
    r"|(均码)"
)


def extract_size(text: str, sizes: Iterable[str] = ()) -> str | None:
    """A size the customer names ("L码", "xl的", "28码"), matched to ``sizes`` if given."""
    known = {s.lower(): s for s in sizes}
    text = text.lower()
    for name in sorted(known, key=len, reverse=True):
        if re.search(rf"(?<![0-9a-z]){re.escape(name)}(?![0-9a-z])", text):
            return known[name]
    match = _SIZE.search(text)
    if match is None:
        return None
    value = next(group for group in match.groups() if group)
    return value.upper()


COLOR_WORDS: tuple[str, ...] = (
    "藏青",
    "卡其",
    "酒红",
    "军绿",
    "墨绿",
    "米白",
    "杏色",
    "驼色",
    "咖啡",
    "黑",
    "白",
    "红",
    "黄",
    "蓝",
    "绿",
    "紫",
    "灰",
    "粉",
    "棕",
    "橙",
    "咖",
    "米",
)
_COLOR = _C("(" + "|".join(COLOR_WORDS) + ")色?")


def extract_color(text: str, colors: Iterable[str] = ()) -> str | None:
    """A colour the customer names, preferring the product's own colour names."""
    known = sorted(colors, key=len, reverse=True)
    for color in known:
        if color and color in text:
            return color
    for color in known:
        stem = color.removesuffix("色")
        if len(stem) >= 1 and stem in text and re.search(rf"{re.escape(stem)}(色|的)", text):
            return color
    match = _COLOR.search(text)
    if match is None or known:
        return None
    word = match.group(0)
    return word if word.endswith("色") else word + "色"


_PRICE_PATTERNS = (
    _C(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*(?:块钱|块|元|rmb|¥)"),
    _C(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*(?:包邮|行|可以|卖|成交|怎么样|得了|吧)"),
    _C(r"(?:只有|就剩|只剩|剩|才|便宜到|算|给我|改成|改到)\s*([0-9]+(?:\.[0-9]+)?)"),
    _C(r"[¥￥]\s*([0-9]+(?:\.[0-9]+)?)"),
)
_CUT = _C(r"(?:还差|差|少|便宜|减|优惠)\s*([0-9]+(?:\.[0-9]+)?)\s*(?:块|元)?")


def extract_price(text: str, list_price: float | None = None) -> float | None:
    """The price the customer proposes; "少10块" needs ``list_price`` to become one."""
    cut = _CUT.search(text)
    if cut is not None:
        if list_price is None:
            return None
        return round(list_price - float(cut.group(1)), 2)
    for pattern in _PRICE_PATTERNS:
        match = pattern.search(text)
        if match is not None:
            return float(match.group(1))
    return None
