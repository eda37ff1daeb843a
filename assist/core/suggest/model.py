"""The learned half of intent recognition: a linear model over characters and rule evidence.

Keyword rules are precise but brittle: real customers write the same complaint without
投诉 and close a chat with 暂时没有 instead of 谢谢. A multinomial logistic regression over
character n-grams of the message, plus what the rules found (each intent's keyword
strength, whether anything is asked, the rules' own pick), carries the rules' precision and
adds the wording families they miss. It is trained offline on the project's own written
examples (``make model``, :mod:`assist.evaluation.train`) and shipped as a small JSON file;
here it only scores, in pure Python, with no I/O: the file is read by
:mod:`assist.assembly` and handed in as an :class:`IntentModel`.

Its softmax output is the ``confidence`` of a suggestion: a probability, with ``unknown``
as one of the classes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FEATURE_VERSION", "IntentModel", "gram_scale", "ngram_features"]

# Bump when the features change: a model trained on other features is refused at load.
FEATURE_VERSION = 4


def ngram_features(normal: str) -> list[str]:
    """Character 1-, 2- and 3-grams of a normalised message, with edge markers.

    Digits are folded to one symbol (a 7 and a 3 mean the same to an intent) and runs of
    punctuation or space to one boundary, so "在吗？？" and "在吗 ?" share their grams.
    """
    chars = ["^"]
    last = "^"
    for ch in normal:
        if ch.isdigit():
            ch = "9"
        elif not ch.isalnum():
            ch = "|"
            if last == "|":
                continue
        chars.append(ch)
        last = ch
    if last == "|":
        chars.pop()
    chars.append("$")
    grams = chars[1:-1]
    grams += [chars[i] + chars[i + 1] for i in range(len(chars) - 1)]
    grams += [chars[i] + chars[i + 1] + chars[i + 2] for i in range(len(chars) - 2)]
    return grams


def gram_scale(count: int) -> float:
    """The value of each n-gram feature: 1/√count, so a message's n-grams have unit
    length and a long message does not outvote the rule evidence by its length alone."""
    return 1.0 / math.sqrt(count) if count else 0.0


@dataclass(frozen=True, slots=True)
class IntentModel:
    """Weights of a trained multinomial logistic regression, sparse by feature."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[tuple[int, float], ...]]
    trained_on: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IntentModel:
        """The model from its JSON form; ``ValueError`` when it does not fit this code."""
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"model was trained on feature version {data.get('feature_version')}, "
                f"this code computes version {FEATURE_VERSION}: run `make model`"
            )
        classes = tuple(str(c) for c in data["classes"])
        bias = tuple(float(b) for b in data["bias"])
        if len(bias) != len(classes):
            raise ValueError("model: bias and classes differ in length")
        weights: dict[str, tuple[tuple[int, float], ...]] = {}
        for feature, row in data["weights"].items():
            pairs = tuple((int(i), float(w)) for i, w in row)
            if any(not 0 <= i < len(classes) for i, _ in pairs):
                raise ValueError(f"model: feature {feature!r} names a class out of range")
            weights[str(feature)] = pairs
        return cls(classes, bias, weights, str(data.get("trained_on", "")))

    def probabilities(
        self, grams: Sequence[str], extra: Mapping[str, float] | None = None
    ) -> tuple[float, ...]:
        """Softmax over the classes for n-grams (scaled by :func:`gram_scale`) and
        valued extras."""
        text = [0.0] * len(self.bias)
        weights = self.weights
        for gram in grams:
            row = weights.get(gram)
            if row is not None:
                for index, weight in row:
                    text[index] += weight
        scale = gram_scale(len(grams))
        logits = [b + t * scale for b, t in zip(self.bias, text, strict=True)]
        for feature, value in (extra or {}).items():
            row = weights.get(feature)
            if row is not None:
                for index, weight in row:
                    logits[index] += weight * value
        return _softmax(logits)


def _softmax(logits: Sequence[float]) -> tuple[float, ...]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return tuple(e / total for e in exps)
