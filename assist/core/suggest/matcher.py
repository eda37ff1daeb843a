"""Which intent a customer message carries, with a confidence, or none (``unknown``).

Two kinds of evidence are combined. Keyword patterns are precise and catch a request
buried in a long message ("…收到了，但是码数小了想换"); fuzzy similarity to the phrasebook's
example questions catches the short colloquial forms patterns miss. Similarity is taken
over jieba words (each word coded as one character, so rapidfuzz compares word sequences)
and over characters, because typos break words but not characters.

Out-of-scope topics (invoices, addresses, payment mechanics, specs…) compete as a pseudo
intent: a wrong suggestion costs the agent attention, so when they are at least as strong
as the best real intent, or nothing reaches the threshold, the answer is ``unknown``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jieba
from rapidfuzz import fuzz, process

from assist.core.suggest.phrasebook import INTENT_IDS, Phrasebook

__all__ = ["Match", "Matcher", "normalize"]

UNKNOWN = "unknown"
_OOS = "__out_of_scope__"
# Scores this close are a tie: the request written first is the one to answer.
_CLOSE = 0.08
# A keyword weight this high is a clear statement of the topic, not a brush with it.
_CLEAR = 0.8

jieba.setLogLevel(logging.WARNING)

# Platform cards ("[订单编号:[订单x]，订单金额:…]") carry no request; masked values
# ("[数字x]") stand for numbers or names.
_NUMBER_MASK = re.compile(r"\[(?:数字|金额)[a-z]?\]")
_OTHER_MASK = re.compile(r"\[[^\[\]]{1,8}[a-z]\]")
_CARD = re.compile(r"\[[^\[\]]*[:：][^\[\]]*\]")
_PUNCT = re.compile(r"[\W_]+")
# A clause runs up to and including its closing punctuation (so "？" belongs to it).
_CLAUSE = re.compile(r"[^\s,，.。!！?？~～;；、]+[\s,，.。!！?？~～;；、]*")


def normalize(text: str) -> str:
    """Fold width and case, drop platform cards, turn masked numbers into a digit."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = _NUMBER_MASK.sub("9", folded)
    folded = _OTHER_MASK.sub(" ", folded)
    folded = _CARD.sub(" ", folded)
    return " ".join(folded.split())


@dataclass(frozen=True, slots=True)
class Match:
    intent: str
    confidence: float
    scores: Mapping[str, float]
    bargain_type: str | None = None


@dataclass(frozen=True, slots=True)
class _Rules:
    patterns: tuple[tuple[re.Pattern[str], float], ...]

    @classmethod
    def of(cls, keywords: Mapping[str, float]) -> _Rules:
        return cls(tuple((re.compile(p), w) for p, w in keywords.items()))

    def score(self, text: str) -> tuple[float, int, int]:
        """Combined weight of the hits, the first hit's position, and the characters covered.

        The strongest hit counts fully and further hits only top it up, so a long message
        that brushes many weak patterns does not outweigh one precise hit elsewhere.
        """
        weights = []
        first = len(text)
        covered = 0
        for pattern, weight in self.patterns:
            match = pattern.search(text)
            if match is not None:
                weights.append(weight)
                first = min(first, match.start())
                covered += match.end() - match.start()
        if not weights:
            return 0.0, first, covered
        weights.sort(reverse=True)
        top = weights[0]
        return top + (1.0 - top) * min(1.0, 0.5 * sum(weights[1:])), first, covered

    def coverage(self, text: str) -> int:
        """Characters covered by all hits of all patterns (each character counted once)."""
        marked = bytearray(len(text))
        for pattern, _ in self.patterns:
            for match in pattern.finditer(text):
                marked[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        return sum(marked)

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for pattern, _ in self.patterns for m in pattern.finditer(text)]


class Matcher:
    """Built once from a phrasebook; ``match`` is pure and safe to call from many threads."""

    def __init__(self, book: Phrasebook) -> None:
        self.threshold = book.threshold
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        for word in book.user_words:
            self._tokenizer.add_word(word, freq=200000)
        self._stopwords = frozenset(book.stopwords)
        self._weak = frozenset(name for name, spec in book.intents.items() if spec.weak)
        self._vents = frozenset(name for name, spec in book.intents.items() if spec.vents)
        self._defers = {name: spec.defers_to for name, spec in book.intents.items()}
        self._rules: dict[str, _Rules] = {
            name: _Rules.of(spec.keywords) for name, spec in book.intents.items()
        }
        self._rules[_OOS] = _Rules.of(book.out_of_scope.keywords)
        self._statements = {
            name: _Rules.of(spec.statement_keywords)
            for name, spec in book.intents.items()
            if spec.statement_keywords
        }
        self._question = re.compile(book.question)
        self._subtypes = {
            name: _Rules.of(patterns)
            for name, patterns in book.intents["bargaining"].subtypes.items()
        }
        self._vocab: dict[str, str] = {}
        self._examples: dict[str, tuple[list[str], list[str]]] = {}
        sources: dict[str, Iterable[str]] = {n: s.examples for n, s in book.intents.items()}
        sources[_OOS] = book.out_of_scope.examples
        for name, examples in sources.items():
            words: list[str] = []
            chars: list[str] = []
            for example in examples:
                tokens = self._tokens(normalize(example))
                for token in tokens:
                    self._vocab.setdefault(token, chr(0xF0000 + len(self._vocab)))
                words.append(self._encode(tokens))
                chars.append("".join(tokens))
            self._examples[name] = (words, chars)

    def _tokens(self, text: str) -> list[str]:
        return [
            token
            for token in self._tokenizer.lcut(_PUNCT.sub(" ", text), HMM=False)
            if token.strip() and token not in self._stopwords
        ]

    def _encode(self, tokens: list[str]) -> str:
        vocab = self._vocab
        return "".join(
            vocab.get(t) or chr(0x100000 + zlib.crc32(t.encode()) % 0xFFF0) for t in tokens
        )

    def _similarity(self, name: str, words: str, chars: str) -> float:
        word_examples, char_examples = self._examples[name]
        if not word_examples or not chars:
            return 0.0
        best_words = process.extractOne(words, word_examples, scorer=fuzz.ratio)
        best_chars = process.extractOne(chars, char_examples, scorer=fuzz.ratio)
        word_score = best_words[1] if best_words else 0.0
        char_score = best_chars[1] if best_chars else 0.0
        return (word_score + char_score) / 200.0

    def scores(self, text: str) -> tuple[dict[str, float], dict[str, int]]:
        """Score of every intent (and the out-of-scope pseudo intent) for normalised text."""
        scores, first, _ = self._evidence(text)
        return scores, first

    def _evidence(self, text: str) -> tuple[dict[str, float], dict[str, int], dict[str, float]]:
        """Scores, first keyword positions, and the keyword-only part of each score."""
        tokens = self._tokens(text)
        words = self._encode(tokens)
        chars = "".join(tokens)
        bare = _PUNCT.sub("", text)
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        keywords: dict[str, float] = {}
        asks = self._question.search(text) is not None
        for name, rules in self._rules.items():
            keyword, position, covered = rules.score(text)
            if keyword and name in self._weak:
                covered = rules.coverage(text)
            if not asks and name in self._statements:
                stated, at, _ = self._statements[name].score(text)
                if stated > keyword:
                    keyword, position = stated, min(position, at)
            similarity = self._similarity(name, words, chars)
            fuzzy = min(1.0, max(0.0, (similarity - 0.5) / 0.4)) * 0.9
            score = 1.0 - (1.0 - keyword) * (1.0 - fuzzy)
            if name in self._weak:
                # A hail or thank-you only counts when little else is said.
                residual = max(0, len(bare) - covered - 2)
                score *= max(0.0, 1.0 - residual / 8.0) if keyword else 1.0
            scores[name] = score
            first[name] = position if keyword else len(text) + 1
            keywords[name] = keyword
        return scores, first, keywords

    def match(self, text: str) -> Match:
        normal = normalize(text)
        scores, first, keywords = self._evidence(normal)
        oos = scores.pop(_OOS)
        real = {name: scores[name] for name in INTENT_IDS}
        strong = [n for n in real if n not in self._weak and real[n] >= self.threshold]
        if strong:
            # Weak intents step back for any substantive request.
            for name in self._weak:
                real[name] *= 0.5
        best = max(real, key=lambda n: real[n])
        top = real[best]
        # Of two requests, the first one written is the one to answer.
        close = [n for n in real if real[n] >= self.threshold and real[n] >= top - _CLOSE]
        if len(close) > 1:
            # …unless only some of them are asked: "…退款了，今天能发货吗" asks about the parcel.
            asked = self._asked(normal, close)
            best = min(close, key=lambda n: (n not in asked, first[n], -real[n]))
        if self._question.search(normal) is None:
            # Nothing is asked: a vent about the parcel or the refund is the vent, unless
            # the topic is stated at least as strongly as the grievance.
            others = max(keywords[n] for n in INTENT_IDS if n not in self._vents)
            venting = [
                n
                for n in self._vents
                if real[n] >= self.threshold and keywords[n] >= max(self.threshold, others)
            ]
            if venting:
                best = max(venting, key=lambda n: real[n])
        for other, strength in self._defers[best].items():
            if keywords[other] >= strength and real[other] >= self.threshold:
                best = other
                break
        confidence = real[best]
        # A clear out-of-scope request written first and nearly as strong is the one
        # asked ("改一下地址，还没发货吧" is an address change); a grievance stays one.
        oos_first = (
            best not in self._vents
            and keywords[_OOS] >= _CLEAR
            and first[_OOS] < first[best]
            and oos >= confidence - _CLOSE
        )
        if confidence < self.threshold or oos >= confidence or oos_first:
            return Match(UNKNOWN, round(max(oos, 1.0 - top), 4), real)
        bargain_type = self.bargain_type(normal) if best == "bargaining" else None
        return Match(best, round(confidence, 4), real, bargain_type)

    def _asked(self, normal: str, names: list[str]) -> set[str]:
        """Of ``names``, those with a keyword hit inside a clause that asks something."""
        asking = [m.span() for m in _CLAUSE.finditer(normal) if self._question.search(m.group())]
        if not asking:
            return set()
        asked = set()
        for name in names:
            rules = [self._rules[name]]
            if name in self._statements:
                rules.append(self._statements[name])
            for start, end in (span for r in rules for span in r.spans(normal)):
                if any(a <= start and end <= b for a, b in asking):
                    asked.add(name)
                    break
        return asked

    def bargain_type(self, normal: str) -> str:
        hits = []
        for name, rules in self._subtypes.items():
            score, position, _ = rules.score(normal)
            if score > 0:
                hits.append((position, -score, name))
        return min(hits)[2] if hits else "general"
