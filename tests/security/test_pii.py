"""Personal data is masked in what leaves through logs and exports; ordinary text is not."""

from __future__ import annotations

import logging
import logging.config

import pytest

from assist.security.logfilter import RedactFilter, redact, uvicorn_log_config
from assist.security.pii import mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的手机号是13812345678，快点发货", "我的手机号是138****5678，快点发货"),
        ("电话 138 1234 5678", "电话 138****5678"),
        ("+86 139-1234-5678", "+86 139****5678"),
        ("座机010-12345678", "座机010-****5678"),
        ("身份证110101199003071234", "身份证110***********1234"),
        ("身份证 11010119900307123X 谢谢", "身份证 110***********123X 谢谢"),
        ("卡号6222 0212 3456 7890 123", "卡号**** **** **** ***0 123"),
        ("6222021234567890123", "***************0123"),
        ("订单号：2026120212345678 还没发货", "订单号：************5678 还没发货"),
        ("订单 E20261202AB99 怎么样", "订单 *********AB99 怎么样"),
        ("运单号SF1234567890123", "运单号***********0123"),
        (
            "收货地址：浙江省杭州市西湖区文三路123号4栋502室，谢谢",
            "收货地址：浙江省杭州市西湖区***，谢谢",
        ),
        ("我住在杭州市西湖区文三路123号", "我住在杭州市西湖区***"),
        ("寄到上海市浦东新区世纪大道88号", "寄到上海市浦东新区***"),
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "这件衣服M码有货吗",
        "价格99元，2件一起拍可以吗",
        "亲，下午3点前付款当天发货哦",
        "170cm 130斤穿什么码",
        "在吗？订单123",  # too short to be an order number
        "",
    ],
)
def test_ordinary_chat_text_is_left_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_log_lines_lose_tokens_always_and_personal_data_unless_asked() -> None:
    line = "GET /ws/supervisor?frames=all&token=abcdefgh12345678 电话13812345678"
    assert redact(line) == "GET /ws/supervisor?frames=all&token=*** 电话138****5678"
    assert redact(line, mask=False) == "GET /ws/supervisor?frames=all&token=*** 电话13812345678"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer ***"


def test_the_log_filter_rewrites_records_with_their_arguments() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s"',
        ("1.2.3.4", "GET", "/panel/a-1?token=secretsecretsecret"),
        None,
    )
    assert RedactFilter().filter(record)
    assert record.getMessage() == '1.2.3.4 - "GET /panel/a-1?token=***"'


def test_uvicorns_own_log_handlers_redact_the_access_log() -> None:
    config = uvicorn_log_config(mask_pii=True)
    logging.config.dictConfig(config)
    try:
        handler = logging.getLogger("uvicorn.access").handlers[0]
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("1.2.3.4:5", "GET", "/ws/supervisor?token=secretsecretsecret", "1.1", 101),
            None,
        )
        assert all(f.filter(record) for f in handler.filters)
        assert "secretsecretsecret" not in handler.format(record)
    finally:
        for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
            logging.getLogger(name).handlers.clear()
