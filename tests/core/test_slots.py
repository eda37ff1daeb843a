from __future__ import annotations

import pytest

from assist.assembly import (
    read_size_chart,
)
from assist.core.suggest.phrasebook import SizeChart
from assist.core.suggest.sizing import recommend_size
from assist.core.suggest.slots import (
    cn_number,
    extract_body,
    extract_color,
    extract_price,
    extract_size,
    extract_usual_size,
)
from assist.settings import load_settings


@pytest.mark.parametrize(
    ("text", "height"),
    [
        ("170穿什么码", 170.0),
        ("我1米7", 170.0),
        ("一米七 有点胖", 170.0),
        ("1.7m", 170.0),
        ("170cm", 170.0),
        ("1米70", 170.0),
        ("一米六五", 165.0),
        ("身高1.68", 168.0),
        ("身高158体重48公斤", 158.0),
        ("1米82", 182.0),
    ],
)
def test_height_forms_become_centimetres(text: str, height: float) -> None:
    assert extract_body(text)["height_cm"] == height


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("130斤", 65.0),
        ("65kg", 65.0),
        ("65公斤", 65.0),
        ("一百二十斤", 60.0),
        ("一百二斤", 60.0),
        ("九十斤", 45.0),
        ("体重55", 55.0),
        ("体重110", 55.0),
    ],
)
def test_weight_forms_become_kilograms(text: str, weight: float) -> None:
    assert extract_body(text)["weight_kg"] == weight


def test_jin_is_half_a_kilogram_but_kg_is_not() -> None:
    assert extract_body("60斤")["weight_kg"] == 30.0
    assert extract_body("60kg")["weight_kg"] == 60.0


def test_height_and_weight_together_do_not_mix_up() -> None:
    assert extract_body("172 188斤") == {"height_cm": 172.0, "weight_kg": 94.0}


def test_waist_in_chi_is_converted_and_not_read_as_height() -> None:
    body = extract_body("腰围2尺2 臀围3尺")
    assert body["waist_cm"] == pytest.approx(73.3, abs=0.05)
    assert body["hip_cm"] == pytest.approx(99.9, abs=0.05)
    assert "height_cm" not in body


def test_waist_and_hip_in_centimetres() -> None:
    assert extract_body("腰围74cm 臀围96") == {"waist_cm": 74.0, "hip_cm": 96.0}


def test_bare_chi_means_waist() -> None:
    assert extract_body("2尺1的腰")["waist_cm"] == pytest.approx(69.9, abs=0.05)


@pytest.mark.parametrize(
    ("text", "usual"),
    [("平时穿28的", "28"), ("平时M", "M"), ("一般穿xl的", "XL"), ("平常穿29", "29")],
)
def test_usual_size(text: str, usual: str) -> None:
    assert extract_usual_size(text) == usual


def test_no_usual_size_without_a_cue() -> None:
    assert extract_usual_size("28号发货吗") is None


@pytest.mark.parametrize(("text", "value"), [("一百二", 120.0), ("六五", 65.0), ("十", 10.0)])
def test_chinese_numerals(text: str, value: float) -> None:
    assert cn_number(text) == value


def test_size_and_colour_prefer_the_products_own_names() -> None:
    assert extract_size("xl的还有吗", ["M", "L", "XL"]) == "XL"
    assert extract_size("l码有吗", ["M", "L", "XL"]) == "L"
    assert extract_size("28码还有吗") == "28"
    assert extract_color("黑的有吗", ["黑色", "蓝色"]) == "黑色"
    assert extract_color("有粉色吗") == "粉色"


@pytest.mark.parametrize(
    ("text", "list_price", "price"),
    [
        ("80包邮行吗", None, 80.0),
        ("70块卖不卖", None, 70.0),
        ("支付宝只有60了", None, 60.0),
        ("少10块我就拍", 129.0, 119.0),
        ("少10块我就拍", None, None),
        ("便宜点吧", 129.0, None),
    ],
)
def test_proposed_price(text: str, list_price: float | None, price: float | None) -> None:
    assert extract_price(text, list_price) == price


@pytest.fixture(scope="module")
def chart() -> SizeChart:
    return read_size_chart(load_settings().rules_dir)


def test_size_from_height_and_weight(chart: SizeChart) -> None:
    assert recommend_size(chart, height_cm=170, weight_kg=65) == "L"
    assert recommend_size(chart, height_cm=160, weight_kg=45) == "S"
    assert recommend_size(chart, height_cm=180) == "XXL"


def test_size_from_waist_adds_the_ease(chart: SizeChart) -> None:
    # 70 + 5 = 75 fits L (76); 72 + 5 = 77 no longer does.
    assert recommend_size(chart, waist_cm=70) == "L"
    assert recommend_size(chart, waist_cm=72) == "XL"
    assert recommend_size(chart, waist_cm=70, hip_cm=100) == "XXL"


def test_usual_28_is_l_and_girths_beat_usual(chart: SizeChart) -> None:
    assert recommend_size(chart, usual_size="28") == "L"
    assert recommend_size(chart, usual_size="m") == "M"
    assert recommend_size(chart, usual_size="28", waist_cm=60) == "S"
    assert recommend_size(chart) is None
