"""The agent-message lint against the shipped rules/lint.yaml (what agents will see)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assist.assembly import (
    linter_from_yaml,
    load_linter,
    read_linter,
)
from assist.core.errors import RulesError
from assist.core.outputs import Finding
from assist.settings import load_settings

LINTER = load_linter(load_settings())


def negatives(text: str) -> list[tuple[str, int, int]]:
    return [
        (f.phrase or "", f.start or 0, f.end or 0)
        for f in LINTER.lint_text(text)
        if f.rule == "negative_phrase"
    ]


def rules_of(findings: tuple[Finding, ...]) -> list[str]:
    return [f.rule for f in findings]


# -- spans ------------------------------------------------------------------------------


def test_span_includes_an_adjacent_subject_with_exact_offsets() -> None:
    assert negatives("亲，L码我们不能退哦") == [("我们不能", 4, 8)]


def test_span_offsets_in_mixed_chinese_and_ascii_text() -> None:
    text = "Hi亲，VIP价格我们不可以再叠加coupon哦"
    assert negatives(text) == [("我们不可以", 9, 14)]
    assert text[9:14] == "我们不可以"


def test_a_subject_separated_by_other_words_stays_out_of_the_span() -> None:
    assert negatives("小妹也办不到呢") == [("办不到", 3, 6)]


def test_several_phrases_are_reported_in_order_of_start() -> None:
    found = negatives("亲，可是吊牌剪了就不行了，这个真没办法")
    assert [p for p, _, _ in found] == ["可是", "不行", "没办法"]
    assert [s for _, s, _ in found] == sorted(s for _, s, _ in found)


# -- negative_phrase: positives ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("这个价格我不能再便宜了", "我不能"),
        ("这种要求我不会答应的", "我不会"),
        ("我不愿意再解释一遍", "我不愿意"),
        ("这个我不可以帮您改", "我不可以"),
        ("我们不能给您退运费", "我们不能"),
        ("咱们不能单独改价哦", "咱们不能"),
        ("小妹不可以私自发货的", "小妹不可以"),
        ("本店不能开发票", "本店不能"),
        ("我们不会给您补偿的", "我们不会"),
        ("特价款不可以退换的哦", "不可以"),
        ("亲，这样真的不行哦", "不行"),
        ("断码了，实在是没办法调货", "没办法"),
        ("亲，发货时间无法指定", "无法"),
        ("这个要求做不到呢", "做不到"),
        ("加急配送办不到哦", "办不到"),
        ("这个不能的哦", "不能"),
        ("地址已经改不了了", "改不了"),
        ("系统里没有权限修改呢", "没有权限"),
        ("已洗涤商品不予退换", "不予退"),
        ("这个小妹也无能为力呢", "无能为力"),
        ("配件不单卖，买不了哦", "买不了"),
    ],
)
def test_refusals_are_flagged(text: str, phrase: str) -> None:
    assert phrase in [p for p, _, _ in negatives(text)]


def test_but_contrasting_against_the_customer_is_flagged() -> None:
    assert negatives("可以换货，但是来回运费由您承担哦") == [("但是", 5, 7)]


def test_kes_at_the_start_of_a_clause_is_a_contrast() -> None:
    assert negatives("可是您下单时没有备注呀") == [("可是", 0, 2)]


def test_a_condition_with_no_way_out_is_still_a_refusal() -> None:
    assert [p for p, _, _ in negatives("如果洗过了，我们就没办法退了")] == ["没办法"]
    assert [p for p, _, _ in negatives("如果超区的话小妹也是没办法的")] == ["没办法"]


# -- negative_phrase: exceptions --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "贴膜不会影响使用的",  # 不会影响使用
        "您放心，我们不会乱收费的",  # 您放心…不会
        "我们不会的，您放心",
        "不用担心，丢件我们会补发",  # 不用担心
        "不客气哦亲",  # 不客气
        "没关系，您慢慢挑",  # 没关系
        "这款不但好看，而且很保暖",  # 不但…而且
        "这款不但是纯棉的，而且加厚",  # 不但是 contains 但是
        "我们不会泄露您的信息",
        "小妹不会让您失望的",
        "能不能麻烦您提供一下订单号",
        "可不可以拍张照片给我看看",
        "我们不能不管您，一定帮您解决",
        "这款可是我们店的爆款哦",
        "洗后不会缩水",
        "不会的亲，今天就发",
        "订单取消后无法恢复，您确认取消吗",
        "站点说无法联系到您，麻烦留意电话",
        "您的手机不能开机是吗",
        "显示器亮度不能调节的话建议重装驱动",
        "这件不能暴晒，阴干就好",
        "如果处理不了，可以联系我们客服帮您处理",
        "要是下单无法选择 您可以联系我们修改",
        "实在不行您可以先拒收",
        "不行的话您先试穿一下",
        "安装师傅的手机可以连上 但是您的手机连不上是吗",
        "这个价格是活动价，但是我们可以送您小礼品",
        "地址是固定的，但是您可以和配送员商量",
        "原价199，但是现在只要129哦",
        "好得不行的一款，卖爆了",
        "亲 您这边是不是不能下单呢",
        "客服不会主动索要验证码，请注意安全",
        "我们不会主动打电话让您转账的",
    ],
)
def test_harmless_text_is_not_flagged(text: str) -> None:
    assert negatives(text) == []


def test_a_reassurance_exception_does_not_hide_a_real_refusal_elsewhere() -> None:
    text = "不会影响使用的，不过这个我们不能退"
    assert [p for p, _, _ in negatives(text)] == ["我们不能"]


# -- other rules ------------------------------------------------------------------------


def test_impolite_words_are_flagged_with_their_span() -> None:
    (finding,) = [f for f in LINTER.lint_text("尺码表你自己看") if f.rule == "impolite"]
    assert (finding.phrase, finding.start, finding.end) == ("你自己看", 3, 7)
    assert finding.severity == "error"
    assert not [f for f in LINTER.lint_text("尺码表在详情页第三张图") if f.rule == "impolite"]


def test_long_messages_are_flagged_and_short_ones_are_not() -> None:
    limit = LINTER.rules.long_message.max_chars
    assert "long_message" in rules_of(LINTER.lint_text("好" * (limit + 1)))
    assert "long_message" not in rules_of(LINTER.lint_text("好" * limit))


def test_the_first_message_needs_a_welcome() -> None:
    kw = {"first_in_conversation": True, "typing_s": None}
    assert "missing_greeting" in rules_of(LINTER.lint_message("L码有货", **kw))
    assert "missing_greeting" not in rules_of(LINTER.lint_message("您好，L码有货", **kw))
    assert "missing_greeting" not in rules_of(LINTER.lint_message("欢迎光临本店～", **kw))
    later = LINTER.lint_message("L码有货", first_in_conversation=False, typing_s=None)
    assert "missing_greeting" not in rules_of(later)


def test_slow_typing_is_below_fifty_characters_per_minute() -> None:
    text = "亲，这款L码现在有货，今天下单明天发"  # 18 characters
    slow = LINTER.lint_message(text, first_in_conversation=False, typing_s=30.0)  # 36/min
    assert rules_of(slow) == ["slow_typing"]
    assert "36" in slow[0].advice
    fast = LINTER.lint_message(text, first_in_conversation=False, typing_s=20.0)  # 54/min
    assert rules_of(fast) == []


@pytest.mark.parametrize("typing_s", [None, 0.0, -3.0, 3600.0])
def test_typing_speed_is_not_judged_without_a_usable_time(typing_s: float | None) -> None:
    text = "亲，这款L码现在有货，今天下单明天发"
    found = LINTER.lint_message(text, first_in_conversation=False, typing_s=typing_s)
    assert "slow_typing" not in rules_of(found)


def test_very_short_messages_say_nothing_about_typing_speed() -> None:
    found = LINTER.lint_message("好的亲", first_in_conversation=False, typing_s=60.0)
    assert "slow_typing" not in rules_of(found)


def test_lint_message_includes_the_text_rules() -> None:
    found = LINTER.lint_message("我们不能退", first_in_conversation=True, typing_s=None)
    assert rules_of(found) == ["negative_phrase", "missing_greeting"]


def test_a_closed_conversation_needs_a_farewell() -> None:
    (finding,) = LINTER.lint_close(["您好", "L码有货", "已经发货了"])
    assert finding.rule == "missing_closing" and finding.phrase is None
    assert LINTER.lint_close(["L码有货", "请问还有其他需要帮助的吗？", "好的"]) == ()
    assert LINTER.lint_close(["已经发货了", "祝您购物愉快，再见～"]) == ()
    assert LINTER.lint_close([]) == ()


# -- the rules file ---------------------------------------------------------------------

MINIMAL = """\
version: 1
negative_phrase:
  advice: a
  patterns:
    - name: p
      regex: ["不能"]
  exceptions:
    - around: "能不能"
impolite: {advice: a, words: [滚]}
long_message: {advice: a, max_chars: 40}
missing_greeting: {advice: a, phrases: [您好]}
missing_closing: {advice: a, phrases: [再见]}
slow_typing: {advice: a, min_chars_per_minute: 50}
"""


def test_a_minimal_rules_file_loads_and_works() -> None:
    linter = linter_from_yaml(MINIMAL)
    assert [f.phrase for f in linter.lint_text("这个不能退，能不能别问了")] == ["不能"]


def test_a_bad_regex_is_reported_with_its_line() -> None:
    bad = MINIMAL.replace('regex: ["不能"]', 'regex: ["不能("]')
    with pytest.raises(RulesError) as info:
        linter_from_yaml(bad, "rules/lint.yaml")
    assert "rules/lint.yaml:6:" in str(info.value)
    assert "invalid regular expression" in str(info.value)


def test_a_bad_threshold_and_an_unknown_key_are_reported_with_their_lines() -> None:
    bad = MINIMAL.replace("max_chars: 40", "max_chars: -1").replace(
        "    - around:", "    - arround:"
    )
    with pytest.raises(RulesError) as info:
        linter_from_yaml(bad, "x.yaml")
    message = str(info.value)
    assert "x.yaml:8:" in message and "x.yaml:10:" in message


def test_an_exception_naming_an_unknown_pattern_is_rejected() -> None:
    bad = MINIMAL.replace('- around: "能不能"', '- {around: "能不能", only: [nope]}')
    with pytest.raises(RulesError, match="unknown pattern 'nope'"):
        linter_from_yaml(bad)


def test_a_missing_rules_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        read_linter(tmp_path / "nope.yaml")


def test_loading_again_gives_an_equal_independent_linter() -> None:
    again = load_linter(load_settings())
    assert again.rules == LINTER.rules and again is not LINTER


# -- properties -------------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("我们咱小妹本店不能可以会愿意行没办法无做到了但是如果的话吗？，。 亲您放心a1~")
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(ALPHABET, max_size=60)))
def test_spans_slice_to_their_phrase_and_findings_are_sorted(text: str) -> None:
    findings = LINTER.lint_message(text, first_in_conversation=True, typing_s=5.0)
    spanned = [f for f in findings if f.phrase is not None]
    for f in spanned:
        assert f.start is not None and f.end is not None
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.phrase
    starts = [f.start for f in spanned]
    assert starts == sorted(starts)
    assert findings[: len(spanned)] == tuple(spanned)
    assert LINTER.lint_message(text, first_in_conversation=True, typing_s=5.0) == findings


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=40), st.text(ALPHABET, max_size=40))
def test_negative_findings_never_overlap(left: str, right: str) -> None:
    spans = sorted((s, e) for _, s, e in negatives(left + "我们不能" + right))
    pairs = zip(spans, spans[1:], strict=False)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairs)


# -- generalised refusal families (tuned on tests/data/lint_validation.jsonl) ----------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("亲，这单已经结算了，差价核销不了哦", "销不了"),
        ("这个问题客服这边解决不了呢", "解决不了"),
        ("亲，明天的上门名额都排不上了", "排不上"),
        ("包裹已经装车，拦截不住了哦", "拦截不住"),
        ("亲，这个颜色仓库调不出来了", "调不出来"),
        ("付款方式选错了也改不过来的哦", "改不过来"),
        ("亲，二手良品暂不支持无理由退货", "暂不支持"),
        ("拆封后的耳机不支持退换的哦", "不支持"),
        ("这个优惠是不支持的哦", "不支持"),
        ("人为损坏的商品不予保修", "不予保修"),
        ("清仓商品售出后恕不退换", "恕不退换"),
        ("亲，定金是不退的哦", "不退"),
        ("活动商品不退不换哦", "不退不换"),
        ("亲，我们不给开收据的", "我们不给开"),
        ("赠品不参与价保的哦", "不参与价保"),
        ("贴身衣物不接受退换哦", "不接受退"),
        ("来回运费我们不承担哦", "我们不承担"),
        ("客服这边没有改价权限哦", "没有改价权限"),
        ("平台不允许私下交易的", "不允许"),
    ],
)
def test_general_refusal_families_are_flagged(text: str, phrase: str) -> None:
    assert phrase in [p for p, _, _ in negatives(text)]


@pytest.mark.parametrize(
    "text",
    [
        "您放心，退款一分钱都少不了的",
        "正品行货，这个错不了",
        "用不了多久就能到账哦",
        "您如果不了解这款的功能，我给您介绍一下",
        "这款手机不支持无线充电，有线快充很快的",
        "这个问题您不承担任何费用的",
        "您不接受这个方案的话我们再商量",
        "这款裤子不褪色不起球",
        "您反馈的充不了电的问题，我们安排检测",
        "我们不会自动续费，到期您自己决定",
        "保温杯不能装碳酸饮料哦",
        "我们不是不给您处理，是要先核实一下",
        "您看退不退都可以，我们都支持",
        "虽然价格低一些，但是质量也很好的",
        "物流慢了一点，但是已经帮您催过站点了",
    ],
)
def test_harmless_uses_of_the_general_families_stay_clean(text: str) -> None:
    assert negatives(text) == []


def test_a_wall_of_negative_text_reports_a_bounded_number_of_exact_spans() -> None:
    text = "我们不能，但是" * 3000
    findings = [f for f in LINTER.lint_text(text) if f.rule == "negative_phrase"]
    assert len(findings) == 20
    assert all(text[f.start : f.end] == f.phrase for f in findings)  # type: ignore[misc]
    starts = [f.start for f in findings]
    assert starts == sorted(starts) and starts[0] == 0


def test_a_long_explanation_still_gets_every_phrase_with_its_exceptions() -> None:
    filler = "亲，您的订单已经在处理中了，仓库会尽快为您安排出库，物流信息更新会有一点延迟。" * 12
    text = filler + "这个地址我们无法修改哦" + filler + "您放心，不会影响使用的。"
    findings = [f for f in LINTER.lint_text(text) if f.rule == "negative_phrase"]
    assert [f.phrase for f in findings] == ["我们无法"]
    assert text[findings[0].start : findings[0].end] == "我们无法"  # type: ignore[misc]


# -- refusals and contrasts (issue #9) -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("这款不能退，但是可以给您换一件", ["不能", "但是"]),
        ("已经发出了没办法拦截，但是您可以拒收", ["没办法", "但是"]),
        ("运费是不支持减免的，但是可以送您一个小礼物", ["不支持", "但是"]),
    ],
)
def test_a_refusal_followed_by_but_flags_both(text: str, phrases: list[str]) -> None:
    assert [phrase for phrase, _, _ in negatives(text)] == phrases


def test_but_that_leads_to_help_is_clean_when_nothing_was_refused() -> None:
    assert negatives("物流是慢了一点，但是我们已经帮您催了") == []
    assert negatives("这个颜色卖完了，但是同款灰色还有货哦") == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("亲，发货后就不支持更改收货地址了哦", "不支持"),
        ("抱歉呢，纸质发票不支持合并开具", "不支持"),
        ("这个小妹这边查询不到的呢", "查询不到"),
        ("这个活动已经截止了哦", "已经截止"),
    ],
)
def test_policy_refusals_in_other_words_are_flagged(text: str, phrase: str) -> None:
    assert phrase in [p for p, _, _ in negatives(text)]


@pytest.mark.parametrize(
    "text",
    [
        "这款耳机不支持无线充电，要用线充哦",
        "这台打印机不支持双面打印，您看介意吗",
        "退出会员的话，一年内不能再次领取新人券，您考虑一下哦",
    ],
)
def test_device_facts_and_consequences_of_the_customers_choice_stay_clean(text: str) -> None:
    assert negatives(text) == []


def test_advice_shown_to_agents_has_no_rulebook_section_marks() -> None:
    rules = LINTER.rules
    advice = [
        rules.negative_phrase.advice,
        rules.impolite.advice,
        rules.long_message.advice,
        rules.missing_greeting.advice,
        rules.missing_closing.advice,
        rules.slow_typing.advice,
        *(p.advice for p in rules.negative_phrase.patterns if p.advice),
    ]
    assert advice and not any("§" in text for text in advice)


def test_a_section_mark_in_advice_is_rejected_with_its_line() -> None:
    bad = MINIMAL.replace("long_message: {advice: a,", "long_message: {advice: 太长（§六）,")
    with pytest.raises(RulesError, match=r"x.yaml:10: long_message.advice.*rulebook references"):
        linter_from_yaml(bad, "x.yaml")
