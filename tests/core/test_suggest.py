from __future__ import annotations

import re
from pathlib import Path

import pytest

from assist.assembly import (
    read_phrasebook,
    read_suggester,
)
from assist.core.errors import RulesError
from assist.core.suggest.catalog import Catalog
from assist.core.suggest.context import SuggestContext
from assist.core.suggest.suggester import Suggester
from assist.settings import load_settings

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def test_default_paths_point_at_the_shipped_files() -> None:
    settings = load_settings()
    phrasebook, rules = settings.phrasebook, settings.rules_dir
    assert phrasebook.is_file()
    assert (rules / "shop.yaml").is_file()
    assert (rules / "size_chart.yaml").is_file()


def test_sizing_reply_names_the_recommended_size(suggester: Suggester) -> None:
    result = suggester.suggest("身高一米七 体重130斤 穿什么码")
    assert result.intent == "sizing"
    assert result.slots == {"height_cm": 170.0, "weight_kg": 65.0, "size": "L"}
    assert result.replies and all("L 码" in reply for reply in result.replies)


def test_usual_size_28_recommends_l(suggester: Suggester) -> None:
    result = suggester.suggest("平时穿28的 你家拍几码")
    assert result.slots["usual_size"] == "28"
    assert result.slots["size"] == "L"
    assert "28" in result.replies[0] and "L 码" in result.replies[0]


def test_sizing_without_data_asks_for_it(suggester: Suggester) -> None:
    result = suggester.suggest("这个码偏大还是偏小")
    assert result.intent == "sizing"
    assert "size" not in result.slots
    assert any("身高" in reply for reply in result.replies)


def test_in_stock_reply_names_the_variant(suggester: Suggester, catalog: Catalog) -> None:
    result = suggester.with_catalog(catalog).suggest("蓝色L码有货吗", product_id="P100")
    assert result.intent == "stock"
    assert result.slots == {"sku": "P100", "color": "蓝色", "size": "L", "in_stock": True}
    assert any("蓝色 L码" in reply for reply in result.replies)


def test_out_of_stock_reply_names_similar_items_in_stock(
    suggester: Suggester, catalog: Catalog
) -> None:
    result = suggester.with_catalog(catalog).suggest("黑色L还有吗", product_id="P100")
    assert result.slots["in_stock"] is False
    assert result.slots["similar"] == ["P200"]  # same category, has L; P300 is sold out
    assert "修身小脚牛仔裤" in result.replies[0]
    assert "纯棉T恤" not in result.replies[0]  # other category


def test_sku_in_the_text_finds_the_product(suggester: Suggester, catalog: Catalog) -> None:
    result = suggester.with_catalog(catalog).suggest("p100 黑色M码还有吗")
    assert result.slots["sku"] == "P100"
    assert result.slots["in_stock"] is True


def test_stock_without_a_catalogue_offers_to_check(suggester: Suggester) -> None:
    result = suggester.suggest("黑色L还有吗", product_id="P100")
    assert result.intent == "stock"
    assert "in_stock" not in result.slots
    assert result.replies


def test_reasonable_ultimatum_is_accepted_or_bundled(
    suggester: Suggester, catalog: Catalog
) -> None:
    # 129 with at most 10 % off: 120 is within reach.
    result = suggester.with_catalog(catalog).suggest("120包邮我就拍", product_id="P100")
    assert result.slots["bargain_type"] == "ultimatum"
    assert result.slots["price"] == 120.0
    assert any("120元" in reply for reply in result.replies)
    assert not any("遗憾" in reply for reply in result.replies)


def test_unreasonable_ultimatum_is_declined_politely(
    suggester: Suggester, catalog: Catalog
) -> None:
    result = suggester.with_catalog(catalog).suggest("80包邮行吗 行就拍", product_id="P100")
    assert result.slots["price"] == 80.0
    assert result.replies and all("遗憾" in reply for reply in result.replies)


def test_excuse_small_gap_vs_large_gap(suggester: Suggester, catalog: Catalog) -> None:
    with_catalog = suggester.with_catalog(catalog)
    small = with_catalog.suggest("支付宝只有120了", product_id="P100")
    large = with_catalog.suggest("支付宝只有60了", product_id="P100")
    assert small.slots["bargain_type"] == large.slots["bargain_type"] == "excuse"
    assert "余额" in small.replies[0]
    assert "充值" in large.replies[0]


def test_an_excuse_stated_as_the_missing_amount_is_read_as_a_gap(
    suggester: Suggester, catalog: Catalog
) -> None:
    with_catalog = suggester.with_catalog(catalog)
    small = with_catalog.suggest("支付宝钱不够了，还差5块", product_id="P100")
    large = with_catalog.suggest("钱不够啊 差50", product_id="P100")
    assert (small.slots["price"], large.slots["price"]) == (124.0, 79.0)
    assert "余额" in small.replies[0]
    assert "充值" in large.replies[0]


def test_a_usual_letter_size_alone_is_a_sizing_question(suggester: Suggester) -> None:
    result = suggester.suggest("平时M码")
    assert result.intent == "sizing"
    assert (result.slots["usual_size"], result.slots["size"]) == ("M", "M")


def test_comparison_and_promise_get_their_own_replies(suggester: Suggester) -> None:
    comparison = suggester.suggest("别家才六十 你们太贵了")
    promise = suggester.suggest("便宜点吧 以后常来")
    assert comparison.slots["bargain_type"] == "comparison"
    assert promise.slots["bargain_type"] == "promise"
    assert set(comparison.replies).isdisjoint(promise.replies)


def test_unknown_has_no_replies(suggester: Suggester) -> None:
    result = suggester.suggest("发票抬头写公司名可以吗")
    assert result.intent == "unknown"
    assert result.replies == ()
    assert result.slots == {}


@pytest.mark.parametrize(
    "text",
    [
        "在吗",
        "有货吗",
        "170穿多大",
        "几天到",
        "便宜点",
        "能退吗",
        "有色差吗",
        "是正品吗",
        "我要投诉",
        "谢谢",
        "质量有问题 要退",
    ],
)
def test_replies_are_fully_rendered(suggester: Suggester, catalog: Catalog, text: str) -> None:
    result = suggester.with_catalog(catalog).suggest(text, product_id="P100")
    assert result.intent != "unknown"
    assert result.replies
    for reply in result.replies:
        assert not PLACEHOLDER.search(reply), reply
        assert "名美服饰旗舰店" in reply or "{" not in reply


def test_suggest_is_deterministic(suggester: Suggester) -> None:
    assert suggester.suggest("80包邮行吗") == suggester.suggest("80包邮行吗")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "phrasebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_phrasebook_error_names_the_line_of_an_unknown_variable(tmp_path: Path) -> None:
    source = load_settings().phrasebook.read_text(encoding="utf-8")
    broken = source.replace("欢迎光临{shop_name}", "欢迎光临{shop_nmae}", 1)
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "shop_nmae" in row)
    with pytest.raises(RulesError) as caught:
        read_phrasebook(_write(tmp_path, broken))
    message = str(caught.value)
    assert "shop_nmae" in message
    # The error points at the reply family holding the template (a line or two above it).
    reported = caught.value.problems[0][0]
    assert reported is not None and line - 2 <= reported <= line


def test_phrasebook_error_names_the_line_of_a_bad_pattern(tmp_path: Path) -> None:
    text = (
        "threshold: 0.5\n"
        "intents:\n"
        "  greeting:\n"
        "    keywords:\n"
        "      在(吗: 0.9\n"
        "    replies: {default: [你好]}\n"
    )
    with pytest.raises(RulesError) as caught:
        read_phrasebook(_write(tmp_path, text))
    assert caught.value.problems[0][0] == 4
    assert "bad pattern" in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "phrasebook.yaml") + ":4:")


def test_phrasebook_must_define_every_intent(tmp_path: Path) -> None:
    text = "intents:\n  greeting:\n    replies: {default: [你好]}\n"
    with pytest.raises(RulesError, match="missing intent"):
        read_phrasebook(_write(tmp_path, text))


def test_load_rejects_a_bad_shop_file(tmp_path: Path) -> None:
    (tmp_path / "shop.yaml").write_text("shop_name: x\nagent_name: y\nmax_discount: 2\n")
    (tmp_path / "size_chart.yaml").write_text(
        load_settings().rules_dir.joinpath("size_chart.yaml").read_text(encoding="utf-8")
    )
    with pytest.raises(RulesError) as caught:
        read_suggester(load_settings().phrasebook, tmp_path)
    assert "shop.yaml:3: max_discount" in str(caught.value)


def test_only_the_start_of_a_very_long_message_is_read(suggester: Suggester) -> None:
    from assist.core.suggest.suggester import MAX_CHARS

    padding = "。" * MAX_CHARS
    assert suggester.suggest("我170cm 130斤穿什么码" + padding).intent == "sizing"
    assert suggester.suggest(padding + "我170cm 130斤穿什么码").intent == "unknown"
    assert suggester.suggest("1" * 20_000 + "斤").intent == "unknown"


# -- seed 002 ch.3: every example answered with its reply --------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("太贵了，第一次你给我便宜点，以后我还会来买的。", "promise"),
        ("以后我会介绍朋友过来买的。", "promise"),
        ("谁家的牛仔裤才60钱，你们家的太贵了。", "comparison"),
        ("我支付宝里钱不够了。", "excuse"),
        ("我支付宝里刚好就只有90钱了。", "excuse"),
        ("我支付宝里只剩90了", "excuse"),
        ("少点我就付款了。", "ultimatum"),
        ("包邮我就付款了。", "ultimatum"),
    ],
)
def test_every_bargaining_example_of_the_seed_gets_its_reply_type(
    suggester: Suggester, text: str, kind: str
) -> None:
    result = suggester.suggest(text)
    assert result.intent == "bargaining"
    assert result.slots["bargain_type"] == kind
    assert result.replies


def test_an_ultimatum_without_a_price_gets_both_steps_and_free_shipping(
    suggester: Suggester,
) -> None:
    for text in ("少点我就付款了", "包邮我就付款了"):
        replies = suggester.suggest(text).replies
        assert len(replies) == 2
        assert "搭配套餐" in replies[0]  # step one: a bundle
        assert "包邮" in replies[1]  # step two: give in with free shipping
    assert suggester.suggest("包邮我就付款了").slots["concession"] == "free_shipping"


def test_an_excuse_with_the_balance_offers_to_take_it(suggester: Suggester) -> None:
    replies = suggester.suggest("我支付宝里只剩90了").replies
    assert "90元" in replies[0]
    assert "充值" in replies[1]


def test_a_named_colour_and_size_is_a_stock_question(suggester: Suggester) -> None:
    result = suggester.suggest("有黑色L码吗")
    assert result.intent == "stock"
    assert result.slots == {"color": "黑色", "size": "L"}


# -- replies keyed to the conversation ------------------------------------------------


def test_thanks_after_payment_welcomes_the_new_vip_first(suggester: Suggester) -> None:
    paid = suggester.suggest("好的谢谢", context=SuggestContext(order_paid=True))
    assert paid.intent == "thanks_bye"
    assert "VIP" in paid.replies[0]
    assert paid.slots == {"after": "order_paid"}


def test_thanks_before_any_payment_never_mentions_vip_or_leaving(suggester: Suggester) -> None:
    for context in (None, SuggestContext(), SuggestContext(order_placed=True)):
        result = suggester.suggest("好的谢谢", context=context)
        assert result.intent == "thanks_bye"
        assert not any("VIP" in reply or "遗憾" in reply for reply in result.replies)


def test_leaving_without_buying_gets_the_see_you_again_reply(suggester: Suggester) -> None:
    result = suggester.left_without_buying()
    assert result.intent == "thanks_bye"
    assert result.slots == {"after": "closed_without_order"}
    assert "新品" in result.replies[0] and "收藏" in result.replies[0]


# -- returns: who pays, and what cannot be returned -----------------------------------


@pytest.mark.parametrize(
    ("text", "case", "says"),
    [
        ("裤脚全是线头，能退吗", "defect", "咱家承担"),
        ("收到拉链是坏的，想换一条", "defect", "咱家承担"),
        ("少发了一个配件，怎么退", "defect", "咱家承担"),
        ("穿着不喜欢，可以退吗", "change_of_mind", "您承担"),
        ("买大了想换小一码", "change_of_mind", "您承担"),
        ("预售的这条能退吗", "made_to_order", "预售"),
        ("加大码的可以退换吗", "made_to_order", "特殊尺码"),
    ],
)
def test_returns_tell_defects_changes_of_mind_and_made_to_order_apart(
    suggester: Suggester, text: str, case: str, says: str
) -> None:
    result = suggester.suggest(text)
    assert result.intent == "returns"
    assert result.slots["return_case"] == case
    assert says in result.replies[0]
