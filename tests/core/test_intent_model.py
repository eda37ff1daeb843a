"""The trained intent model: a reproducible artefact, scored exactly, refused when stale."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assist.assembly import read_intent_model
from assist.core.errors import RulesError
from assist.core.suggest.model import FEATURE_VERSION, IntentModel, gram_scale, ngram_features
from assist.core.suggest.suggester import Suggester
from assist.evaluation.train import fingerprint
from assist.settings import DEFAULT_INTENT_MODEL, load_settings


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return read_intent_model(DEFAULT_INTENT_MODEL)


def test_the_committed_model_was_trained_on_the_current_examples_and_phrasebook(
    model: IntentModel,
) -> None:
    # Fails when tests/data/intents*.jsonl or phrasebook.yaml changed without `make model`.
    assert model.trained_on == fingerprint(load_settings().phrasebook)


def test_packed_scoring_equals_adding_the_weights_one_by_one(
    model: IntentModel, suggester: Suggester
) -> None:
    matcher = suggester.matcher
    for text in ["在吗", "衣服有线头 想退", "9号下的单怎么还没发货啊", "好的谢谢 我直接拍了"]:
        grams = ngram_features(text)
        extra = matcher.features(matcher.evidence(text, grams))
        scale = gram_scale(len(grams))
        logits = list(model.bias)
        for feature, value in [(g, scale) for g in grams] + list(extra.items()):
            row = model.weights.get(feature, (0.0,) * len(logits))
            logits = [v + w * value for v, w in zip(logits, row, strict=True)]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        expected = [e / sum(exps) for e in exps]
        got = model.probabilities(grams, extra)
        assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-9
        assert abs(sum(got) - 1.0) < 1e-12


def test_ngrams_fold_digits_and_punctuation_runs() -> None:
    assert ngram_features("在吗？？") == ngram_features("在吗 ?")
    assert "9斤" in ngram_features("我130斤")
    assert ngram_features("") == {"^$"}


def test_a_model_for_other_features_is_refused_with_the_way_out() -> None:
    data = json.loads(DEFAULT_INTENT_MODEL.read_text(encoding="utf-8"))
    data["feature_version"] = FEATURE_VERSION - 1
    with pytest.raises(ValueError, match="make model"):
        IntentModel.from_dict(data)


def test_a_broken_model_file_is_a_rules_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"feature_version": 1}', encoding="utf-8")
    with pytest.raises(RulesError, match="model.json"):
        read_intent_model(path)
    with pytest.raises(RulesError, match="cannot read"):
        read_intent_model(tmp_path / "absent.json")


def test_training_again_gives_the_committed_weights() -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is in the 'train' extra (make model)")
    from assist.evaluation.train import train

    fresh = train(load_settings().phrasebook)
    committed = json.loads(DEFAULT_INTENT_MODEL.read_text(encoding="utf-8"))
    assert fresh["trained_on"] == committed["trained_on"]
    assert fresh["classes"] == committed["classes"]
    assert fresh["weights"].keys() == committed["weights"].keys()
    for feature, row in committed["weights"].items():
        again = dict(map(tuple, fresh["weights"][feature]))
        for index, weight in row:
            assert abs(again.get(index, 0.0) - weight) <= 2e-3
