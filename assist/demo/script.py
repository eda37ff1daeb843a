"""The demo's conversations: a small shop's afternoon, written for the demo (no real chats).

Each conversation is a list of steps at seconds from its start (at ``speed`` 1, against
the default SLA of 15 s to greet, 20 s to answer, 60 s to escalate). Together they touch
every intent family, on-time and late greetings, a reply slow enough to escalate,
negative phrases, paid and unpaid orders, a transfer and a complaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AGENTS", "SCRIPT", "Scripted", "Step"]

AGENTS = ("a-xiaomei", "a-ajie", "a-lingling")


@dataclass(frozen=True, slots=True)
class Step:
    at_s: float
    type: str
    text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scripted:
    """One conversation: who serves it, which product it is about, when it starts."""

    key: str
    agent_id: str
    customer_id: str
    product_id: str | None
    start_s: float
    steps: tuple[Step, ...]


def _c(at: float, text: str) -> Step:
    return Step(at, "customer_message", text)


def _a(at: float, text: str, typing_s: float = 4.0) -> tuple[Step, Step]:
    """An agent message, with the typing indicator the platform sends before it."""
    return Step(max(0.0, at - typing_s), "agent_typing"), Step(at, "agent_message", text)


def _steps(*items: Step | tuple[Step, ...]) -> tuple[Step, ...]:
    flat: list[Step] = []
    for item in items:
        flat.extend(item if isinstance(item, tuple) else (item,))
    return tuple(sorted(flat, key=lambda step: step.at_s))


SCRIPT: tuple[Scripted, ...] = (
    # Sizing, answered at once, bought and paid: the conversation that goes right.
    Scripted(
        "sizing",
        "a-xiaomei",
        "u-tom",
        "P1001",
        0,
        _steps(
            Step(0, "conversation_opened"),
            _c(1, "在吗？我170cm 130斤，这条牛仔裤穿什么码"),
            _a(7, "您好，欢迎光临名美服饰～按您的身高体重建议选L码，穿着刚好不紧"),
            _c(15, "L码浅蓝还有货吗"),
            _a(22, "有的亲，浅蓝L码现货，今天下单明天就能发出"),
            Step(30, "order_placed", extra={"order_id": "o-{round}-1"}),
            Step(36, "order_paid", extra={"order_id": "o-{round}-1", "amount": 129}),
            _c(40, "好的 谢谢啦"),
            _a(45, "不客气，感谢您的光临，祝您购物愉快，再见～"),
            Step(52, "conversation_closed"),
        ),
    ),
    # Stock, but the greeting comes 4 s after its deadline: a breach, then a late answer.
    Scripted(
        "stock",
        "a-ajie",
        "u-lily",
        "P1002",
        3,
        _steps(
            _c(0, "这款卫衣黑色L码还有吗"),
            _a(19, "您好，黑色L码还有最后几件，喜欢的话可以尽快下单哦", typing_s=6),
            _c(27, "今天下单什么时候发货？发什么快递"),
            _a(35, "亲，付款后1-3天内发货，默认申通快递，一般3-7天到"),
            Step(44, "order_placed", extra={"order_id": "o-{round}-2"}),
            _c(47, "我先拍下，晚点再付"),
            _a(53, "好的亲，记得在订单关闭前付款哦，有问题随时找我"),
            Step(62, "conversation_closed"),
        ),
    ),
    # Bargaining answered with a refusal: negative phrases and an alert with the text.
    Scripted(
        "bargain",
        "a-lingling",
        "u-wang",
        "P1001",
        6,
        _steps(
            _c(0, "能便宜点吗？100块卖不卖"),
            _a(6, "亲，这个价格我们不能再便宜了哦"),
            _c(14, "别家才卖110，你们太贵了"),
            _a(21, "没办法，这是活动价，但是您可以领店铺券"),
            _c(30, "那算了，我再看看吧"),
            _a(36, "好的亲，我们每半个月上新，欢迎再来看看～"),
            Step(40, "conversation_closed"),
        ),
    ),
    # A return nobody answers for over a minute: reply breach, then escalation.
    Scripted(
        "returns",
        "a-ajie",
        "u-zhao",
        "P1005",
        9,
        _steps(
            _c(0, "你好，阔腿裤收到了"),
            _a(5, "您好，在的，请问有什么可以帮您？"),
            _c(12, "裤腰太大了，可以退货吗？退货运费谁出"),
            _a(78, "非常抱歉让您久等了！支持7天无理由退货，您在订单页申请退货就可以", typing_s=8),
            _c(86, "等了这么久才回，服务太差了，我要投诉"),
            Step(88, "complaint", "顾客投诉回复太慢"),
            _a(94, "真的很抱歉，这边给您优先处理退货，运费我们来承担"),
        ),
    ),
    # Colour difference, handled well.
    Scripted(
        "colour",
        "a-xiaomei",
        "u-chen",
        "P1004",
        18,
        _steps(
            _c(0, "大衣实物颜色比图片深好多，是不是有色差"),
            _a(6, "您好亲，不同屏幕显示会有轻微色差，实物以驼色为准，不满意可以退换的"),
            _c(16, "好吧，那我再穿穿看"),
            _a(22, "好的亲，还有其他问题随时联系我哦，祝您生活愉快"),
            Step(28, "conversation_closed"),
        ),
    ),
    # Authenticity, then the conversation is transferred to a colleague mid-way.
    Scripted(
        "genuine",
        "a-lingling",
        "u-sun",
        "P1006",
        24,
        _steps(
            _c(0, "这个羽绒服是正品吗？能验货吗"),
            _a(5, "您好，我们是品牌授权店，保证正品，支持专柜验货"),
            _c(13, "充绒量多少？保暖吗"),
            Step(16, "conversation_transferred", extra={"agent_id": "a-xiaomei"}),
            _a(24, "您好，我是小美，接着为您服务：这款充绒量120克，零下5度左右穿没问题"),
            Step(33, "order_placed", extra={"order_id": "o-{round}-3"}),
            Step(37, "order_paid", extra={"order_id": "o-{round}-3", "amount": 399}),
            _c(40, "好的收到，谢谢"),
            _a(45, "感谢您的支持，祝您购物愉快～"),
            Step(50, "conversation_closed"),
        ),
    ),
    # A plain hello that waits too long for its greeting, and a slow, unwelcoming reply.
    Scripted(
        "hello",
        "a-lingling",
        "u-li",
        "P1003",
        30,
        _steps(
            _c(0, "你好，在吗"),
            _a(24, "在，有事说", typing_s=12),
            _c(31, "T恤藏青色M码什么时候有货"),
            _a(37, "藏青M码暂时没货了，我不能保证什么时候补货"),
            _c(45, "好吧 拜拜"),
            Step(47, "conversation_closed"),
        ),
    ),
)
