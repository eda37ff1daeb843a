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
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EXTRA_STEPS", "FEATURE_VERSION", "IntentModel", "gram_scale", "ngram_features"]

_DIGITS = re.compile(r"[0-9]")
_BREAKS = re.compile(r"[\W_]+")

# Bump when the features change: a model trained on other features is refused at load.
FEATURE_VERSION = 11


def ngram_features(normal: str) -> frozenset[str]:
    """The distinct character 1- and 2-grams of a normalised message, with edge markers.

    Digits are folded to one symbol (a 7 and a 3 mean the same to an intent) and runs of
    punctuation or space to one boundary, so "在吗？？" and "在吗 ?" share their grams.
    Two regex substitutions and two C-level maps: this runs on every message.
    """
    folded = _BREAKS.sub("|", _DIGITS.sub("9", normal)).strip("|")
    padded = "^" + folded + "$"
    grams = set(folded)
    grams.update(map(operator.add, padded, padded[1:]))
    return frozenset(grams)


def gram_scale(count: int) -> float:
    """The value of each distinct n-gram: 1/√count, so a message's n-gram vector has unit
    length and neither a long message nor one phrase pasted a thousand times outvotes
    the rule evidence by its length alone."""
    return 1.0 / math.sqrt(count) if count else 0.0


# Packed rows: a row's weights, in units of 1e-4 (the file's precision, so nothing is
# lost), each shifted up by _OFFSET to be non-negative and given _BITS bits of one
# Python int. Adding packed ints adds every class's weight at once — one C-level sum()
# per message instead of a loop per class — and no field can carry into the next while
# fewer than 2**(_BITS-1) / _OFFSET = 4096 rows are added (a message has at most ~1000
# distinct n-grams: the suggester reads 500 characters).
_UNIT = 10_000
_BITS = 32
_OFFSET = 1 << 19
_MASK = (1 << _BITS) - 1
_MAX_ROWS = (1 << (_BITS - 1)) // _OFFSET
_SHIFTS = tuple(range(0, 64 * _BITS, _BITS))
# Rule-evidence features are worth a whole number of 1/EXTRA_STEPS (see Matcher.features).
EXTRA_STEPS = 20


def _pack(row: Sequence[float]) -> int:
    packed = 0
    for index, weight in enumerate(row):
        units = round(weight * _UNIT)
        if not -_OFFSET < units < _OFFSET:
            raise ValueError(f"model: weight {weight} is too large to score")
        packed |= (units + _OFFSET) << (index * _BITS)
    return packed


@dataclass(frozen=True, slots=True)
class IntentModel:
    """Weights of a trained multinomial logistic regression: stored sparse in the file,
    held per feature as one weight per class (``weights``) and, for the n-grams, also
    packed into one int (``packed``), which is what makes scoring cheap."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]  # feature → one weight per class
    trained_on: str = ""
    packed: Mapping[str, int] = field(default_factory=dict)

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
        packed = {feature: _pack(row) for feature, row in weights.items()}
        return cls(classes, bias, weights, str(data.get("trained_on", "")), packed)

    def probabilities(
        self, grams: Collection[str], extra: Mapping[str, float] | None = None
    ) -> tuple[float, ...]:
        """Softmax over the classes for the message's distinct n-grams (each worth
        :func:`gram_scale`) and valued extras."""
        rows = list(filter(None, map(self.packed.get, grams)))
        scale = gram_scale(len(grams))
        # The extras (rule evidence) come in steps of 1/EXTRA_STEPS: a whole number of
        # copies of their packed rows.
        steps = 0
        extras = 0
        for feature, value in (extra or {}).items():
            row = self.packed.get(feature)
            if row is not None:
                count = round(value * EXTRA_STEPS)
                steps += count
                extras += row * count
        if len(rows) + steps >= _MAX_ROWS:  # longer than the suggester ever passes
            return self._probabilities_slowly(grams, extra or {})
        total = sum(rows)
        base, extra_base = len(rows) * _OFFSET, steps * _OFFSET
        factor, extra_factor = scale / _UNIT, 1.0 / (_UNIT * EXTRA_STEPS)
        logits = [
            b
            + (((total >> shift) & _MASK) - base) * factor
            + (((extras >> shift) & _MASK) - extra_base) * extra_factor
            for shift, b in zip(_SHIFTS, self.bias, strict=False)
        ]
        return _softmax(logits)

    def _probabilities_slowly(
        self, grams: Collection[str], extra: Mapping[str, float]
    ) -> tuple[float, ...]:
        """The same sum, row by row in floats (the packed sum could overflow a field)."""
        scale = gram_scale(len(grams))
        logits = list(self.bias)
        for gram in grams:
            row = self.weights.get(gram)
            if row is not None:
                logits = [v + w * scale for v, w in zip(logits, row, strict=True)]
        for feature, value in extra.items():
            row = self.weights.get(feature)
            if row is not None:
                weight = round(value * EXTRA_STEPS) / EXTRA_STEPS
                logits = [v + w * weight for v, w in zip(logits, row, strict=True)]
        return _softmax(logits)


def _softmax(logits: Sequence[float]) -> tuple[float, ...]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return tuple(e / total for e in exps)
