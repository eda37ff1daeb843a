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
import operator
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FEATURE_VERSION", "IntentModel", "gram_scale", "ngram_features"]

_DIGITS = re.compile(r"[0-9]")
_BREAKS = re.compile(r"[\W_]+")

# Bump when the features change: a model trained on other features is refused at load.
FEATURE_VERSION = 9


def ngram_features(normal: str) -> list[str]:
    """Character 1- and 2-grams of a normalised message, with edge markers.

    Digits are folded to one symbol (a 7 and a 3 mean the same to an intent) and runs of
    punctuation or space to one boundary, so "在吗？？" and "在吗 ?" share their grams.
    Two regex substitutions and two C-level maps: this runs on every message.
    """
    folded = _BREAKS.sub("|", _DIGITS.sub("9", normal)).strip("|")
    padded = "^" + folded + "$"
    return [*folded, *map(operator.add, padded, padded[1:])]


def gram_scale(count: int) -> float:
    """The value of each distinct n-gram: 1/√count, so a message's n-gram vector has unit
    length and neither a long message nor one phrase pasted a thousand times outvotes
    the rule evidence by its length alone."""
    return 1.0 / math.sqrt(count) if count else 0.0


@dataclass(frozen=True, slots=True)
class IntentModel:
    """Weights of a trained multinomial logistic regression (stored sparse in the file,
    held dense in memory: adding whole rows is what makes scoring cheap)."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]  # feature → one weight per class
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
        weights: dict[str, tuple[float, ...]] = {}
        for feature, row in data["weights"].items():
            dense = [0.0] * len(classes)
            for index, weight in row:
                if not 0 <= int(index) < len(classes):
                    raise ValueError(f"model: feature {feature!r} names a class out of range")
                dense[int(index)] = float(weight)
            weights[str(feature)] = tuple(dense)
        return cls(classes, bias, weights, str(data.get("trained_on", "")))

    def probabilities(
        self, grams: Collection[str], extra: Mapping[str, float] | None = None
    ) -> tuple[float, ...]:
        """Softmax over the classes for the message's distinct n-grams (each worth
        :func:`gram_scale`) and valued extras."""
        weights = self.weights
        rows = list(filter(None, map(weights.get, grams)))
        scale = gram_scale(len(grams))
        if rows:
            # map(sum, zip(*rows)) adds the rows column by column in C: ~7× faster than
            # a comprehension doing the same, and this is the per-message cost.
            totals = list(map(sum, zip(*rows)))
            logits = [b + t * scale for b, t in zip(self.bias, totals, strict=True)]
        else:
            logits = list(self.bias)
        for feature, value in (extra or {}).items():
            row = weights.get(feature)
            if row is not None:
                logits = [v + w * value for v, w in zip(logits, row, strict=True)]
        return _softmax(logits)


def _softmax(logits: Sequence[float]) -> tuple[float, ...]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return tuple(e / total for e in exps)
