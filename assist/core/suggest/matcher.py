"""Which intent a customer message carries, with a confidence, or none (``unknown``).

Two kinds of evidence are combined. Keyword patterns are precise and catch a request
buried in a long message ("…收到了，但是码数小了想换"); a small linear model over the
message's characters and the keyword evidence (:mod:`assist.core.suggest.model`) catches
the wording families the patterns miss and turns all of it into a probability.

The rules decide in a fixed order what a message is about: what is asked beats what is
merely mentioned, the request written first beats a later one, a vent with no question is
the vent, a hail or thank-you only counts when nothing else is said. Out-of-scope topics
(invoices, addresses, payment mechanics, specs…) compete as a pseudo intent: a wrong
suggestion costs the agent attention, so when they are at least as strong as the best real
intent, or nothing is sure enough, the answer is ``unknown``.

Speed: one normalisation, one set of the message's characters, and only the patterns
that can match it (:mod:`assist.core.suggest.prefilter`) — no word segmentation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from assist.core.suggest.model import EXTRA_STEPS, IntentModel, ngram_features
from assist.core.suggest.phrasebook import INTENT_IDS, Phrasebook
from assist.core.suggest.prefilter import required, split_branches

__all__ = ["Evidence", "Match", "Matcher", "normalize"]

UNKNOWN = "unknown"
_OOS = "__out_of_scope__"
_STATED = "stated:"
_SUBTYPE = "subtype:"
# Scores this close are a tie: the request written first is the one to answer.
_CLOSE = 0.08
# A keyword weight this high is a clear statement of the topic, not a brush with it.
_CLEAR = 0.8
# Characters besides a hail or thank-you that take its weight to nothing: few when the
# rest of the message asks or names a topic, more when it is just a remark.
_SPAN = 8.0
_QUIET_SPAN = 24.0

# Platform cards ("[订单编号:[订单x]，订单金额:…]") carry no request; masked values
# ("[数字x]") stand for numbers or names. A header the platform puts in front of the
# customer's words (咨询订单号:[订单x] 商品ID:[数字x]) is dropped the same way.
_NUMBER_MASK = re.compile(r"\[(?:数字|金额)[a-z]?\]")
_OTHER_MASK = re.compile(r"\[[^\[\]]{1,8}[a-z]\]")
_CARD = re.compile(r"\[[^\[\]]*[:：][^\[\]]*\]")
_HEADER = re.compile(
    r"^\s*(?:(?:咨询)?(?:订单号|订单编号|商品id|服务单号?|商家id)\s*[:：]?\s*(?:9|[0-9a-z]+)?\s*)+"
)
_PUNCT = re.compile(r"[\W_]+")
# A question in so many words (not 麻烦/请, which also thank and ask politely).
_REAL_QUESTION = re.compile(r"[吗么?？]")
# A clause runs up to and including its closing punctuation (so "？" belongs to it).
_CLAUSE = re.compile(r"[^\s,，.。!！?？~～;；、]+[\s,，.。!！?？~～;；、]*")


def normalize(text: str) -> str:
    """Fold width and case, drop platform cards and headers, turn masked numbers into 9."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if "[" in folded:
        folded = _NUMBER_MASK.sub("9", folded)
        folded = _OTHER_MASK.sub(" ", folded)
        folded = _CARD.sub(" ", folded)
    folded = _HEADER.sub(" ", folded)
    return " ".join(folded.split())


@dataclass(frozen=True, slots=True)
class Match:
    intent: str
    confidence: float
    scores: Mapping[str, float]
    bargain_type: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the keyword rules found in one normalised message."""

    keywords: dict[str, float]  # keyword strength per intent (and out of scope)
    first: dict[str, int]  # where each intent's first hit starts
    scores: dict[str, float]  # keyword strength after the hail/thanks discount
    asks: bool
    pick: str  # the rules' own answer (an intent or unknown)
    confidence: float


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    weight: float
    source: int  # the phrasebook pattern this is (a branch of): hits of one count once
    literal: str | None = None  # a plain word (退货): found with str.find, no regex run


def _score(patterns: list[_Pattern], text: str) -> tuple[float, int, int]:
    """Combined weight of the hits, the first hit's position, and the characters covered.

    The strongest hit counts fully and further hits only top it up, so a long message
    that brushes many weak patterns does not outweigh one precise hit elsewhere.
    """
    hits: dict[int, float] = {}
    first = len(text)
    covered = 0
    for pattern in patterns:
        literal = pattern.literal
        if literal is not None:
            start = text.find(literal)
            if start < 0:
                continue
            end = start + len(literal)
        else:
            match = pattern.regex.search(text)
            if match is None:
                continue
            start, end = match.span()
        if pattern.source not in hits:
            hits[pattern.source] = pattern.weight
            covered += end - start
        first = min(first, start)
    if not hits:
        return 0.0, first, covered
    weights = sorted(hits.values(), reverse=True)
    top = weights[0]
    return top + (1.0 - top) * min(1.0, 0.5 * sum(weights[1:])), first, covered


def _coverage(patterns: list[_Pattern], text: str) -> int:
    """Characters covered by all hits of all patterns (each character counted once)."""
    marked = bytearray(len(text))
    for pattern in patterns:
        for match in pattern.regex.finditer(text):
            marked[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return sum(marked)


def _spans(patterns: list[_Pattern], text: str) -> list[tuple[int, int]]:
    return [m.span() for p in patterns for m in p.regex.finditer(text)]


class _Index:
    """Every keyword pattern of the phrasebook, grouped by owner (an intent, out of scope,
    an intent's statement keywords, a bargaining subtype), split into its top-level
    alternatives and indexed by what each requires.

    ``live`` returns, per owner, only the patterns that can match a message: one dict
    look-up per character and pair of the message instead of a test per pattern.
    """

    def __init__(self, owners: Mapping[str, Mapping[str, float]]) -> None:
        self._flat: list[tuple[str, _Pattern]] = []
        index: dict[str, list[int]] = {}
        always: list[int] = []
        sources = 0
        for owner, keywords in owners.items():
            for source, weight in keywords.items():
                sources += 1
                for branch in split_branches(source):
                    regex = re.compile(branch)
                    number = len(self._flat)
                    literal = branch if branch.isalnum() else None
                    self._flat.append((owner, _Pattern(regex, weight, sources, literal)))
                    needs = required(regex)
                    if needs is None:
                        always.append(number)
                    for gram in needs or ():
                        index.setdefault(gram, []).append(number)
        self._index = {gram: tuple(ids) for gram, ids in index.items()}
        self._always = tuple(always)

    def live(self, grams: frozenset[str]) -> dict[str, list[_Pattern]]:
        ids = set(self._always) if self._always else set()
        for hit in filter(None, map(self._index.get, grams)):
            ids.update(hit)
        live: dict[str, list[_Pattern]] = {}
        flat = self._flat
        for number in ids:  # order does not matter: _score takes the strongest, earliest
            owner, pattern = flat[number]
            if owner in live:
                live[owner].append(pattern)
            else:
                live[owner] = [pattern]
        return live


class Matcher:
    """Built once from a phrasebook (and a trained model); ``match`` is pure and
    safe to call from many threads."""

    def __init__(self, book: Phrasebook, model: IntentModel | None = None) -> None:
        self.threshold = book.threshold
        self.abstain = book.abstain
        self.model = model
        if model is not None and set(model.classes) != {*INTENT_IDS, UNKNOWN}:
            raise ValueError("model classes differ from the phrasebook's intents")
        self._weak = frozenset(name for name, spec in book.intents.items() if spec.weak)
        self._vents = frozenset(name for name, spec in book.intents.items() if spec.vents)
        self._defers = {name: spec.defers_to for name, spec in book.intents.items()}
        owners: dict[str, Mapping[str, float]] = {
            name: spec.keywords for name, spec in book.intents.items()
        }
        owners[_OOS] = book.out_of_scope.keywords
        self._statements = tuple(
            name for name, spec in book.intents.items() if spec.statement_keywords
        )
        for name in self._statements:
            owners[_STATED + name] = book.intents[name].statement_keywords
        self._subtypes = tuple(book.intents["bargaining"].subtypes)
        for name, patterns in book.intents["bargaining"].subtypes.items():
            owners[_SUBTYPE + name] = patterns
        self._owners = (*book.intents, _OOS)
        # What a screen (see mentions) looks for: an intent's keywords, and the statements
        # that count for it (a complaint told, not asked: "东西是坏的").
        self._keywords = {
            name: {**spec.keywords, **spec.statement_keywords}
            for name, spec in book.intents.items()
        }
        self._screens: dict[str, _Index] = {}
        self._index = _Index(owners)
        self._question = re.compile(book.question)

    def evidence(self, normal: str, grams: frozenset[str] | None = None) -> Evidence:
        """The rules' reading of a normalised message (see the module docstring);
        ``grams`` are its distinct :func:`ngram_features` when the caller has them."""
        if grams is None:
            grams = ngram_features(normal)
        live = self._index.live(grams)
        asks = self._question.search(normal) is not None
        # Only owners with a pattern that can match are scored; the rest stay at 0.
        keywords = dict.fromkeys(self._owners, 0.0)
        first = dict.fromkeys(self._owners, len(normal) + 1)
        weak_covered: dict[str, int] = {}
        for name, patterns in live.items():
            if name not in keywords:
                continue  # statement keywords and bargaining subtypes: below / on demand
            keyword, position, covered = _score(patterns, normal)
            if keyword:
                keywords[name] = keyword
                first[name] = position
                if name in self._weak:
                    weak_covered[name] = _coverage(patterns, normal)
        if not asks:
            for name in self._statements:
                stated_patterns = live.get(_STATED + name)
                if stated_patterns is not None:
                    stated, at, _ = _score(stated_patterns, normal)
                    if stated > keywords[name]:
                        keywords[name] = stated
                        first[name] = min(first[name], at)
        scores = dict(keywords)
        if weak_covered:
            # A hail or thank-you only counts when little else is said — but a thank-you
            # beside a remark that asks nothing and names no topic ("谢谢，我明天再去看看")
            # still closes the chat, so then the rest of the message weighs less.
            quiet = not asks and not any(
                keywords[n] for n in self._owners if n not in self._weak and n != _OOS
            )
            bare = len(_PUNCT.sub("", normal))
            for name, covered in weak_covered.items():
                residual = max(0, bare - covered - 2)
                scores[name] *= max(0.0, 1.0 - residual / (_QUIET_SPAN if quiet else _SPAN))
        pick, confidence = self._decide(normal, scores, first, keywords, asks, live)
        return Evidence(keywords, first, scores, asks, pick, confidence)

    def _decide(
        self,
        normal: str,
        scores: dict[str, float],
        first: dict[str, int],
        keywords: dict[str, float],
        asks: bool,
        live: dict[str, list[_Pattern]],
    ) -> tuple[str, float]:
        oos = scores[_OOS]
        real = {name: scores[name] for name in INTENT_IDS}
        strong = [n for n in real if n not in self._weak and real[n] >= self.threshold]
        if strong:
            # Weak intents step back for any substantive request.
            for name in self._weak:
                real[name] *= 0.5
        best = max(real, key=real.__getitem__)
        top = real[best]
        if top < self.threshold:  # nothing is sure enough (what follows cannot change it)
            return UNKNOWN, max(oos, 1.0 - top)
        # Of two requests, the first one written is the one to answer.
        close = [n for n in real if real[n] >= self.threshold and real[n] >= top - _CLOSE]
        if len(close) > 1:
            # …unless only some of them are asked: "…退款了，今天能发货吗" asks about the parcel.
            asked = self._asked(normal, close, live)
            best = min(close, key=lambda n: (n not in asked, first[n], -real[n]))
        if not asks:
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
        if best in self._weak and self._asks_beyond(normal, best, live):
            # "好的谢谢，需要什么信息吗": the thanks closes nothing — a question follows
            # that no intent of ours answers.
            return UNKNOWN, max(oos, 1.0 - top)
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
            return UNKNOWN, max(oos, 1.0 - top)
        return best, confidence

    def features(self, evidence: Evidence) -> dict[str, float]:
        """The rule evidence as model features (shared with training)."""
        # Strengths in steps of 1/EXTRA_STEPS: the model adds them as packed integers.
        extra = {
            f"kw:{name}": round(value * EXTRA_STEPS) / EXTRA_STEPS
            for name, value in evidence.scores.items()
            if value * EXTRA_STEPS >= 0.5
        }
        if evidence.pick != UNKNOWN:
            extra[f"pick:{evidence.pick}"] = 1.0
        elif evidence.keywords[_OOS] >= self.threshold:
            extra["pick:out_of_scope"] = 1.0
        elif extra:
            extra["pick:abstain"] = 1.0  # keywords hit, but the rules would not answer
        else:
            extra["silent"] = 1.0  # no rule said anything: the n-grams decide
        if evidence.asks:
            extra["asks"] = 1.0
        return extra

    def mentions(self, intent: str, normal: str) -> bool:
        """Whether any keyword or statement pattern of ``intent`` matches the normalised
        text — the rules' cheap half, without the model (a screen, not a classification).
        The intent's own index (built on first use) leaves only the patterns the text's
        characters allow: ~5–15 µs a short message, more for a long one."""
        screen = self._screens.get(intent)
        if screen is None:
            screen = _Index({intent: self._keywords.get(intent, {})})
            self._screens[intent] = screen
        patterns = screen.live(ngram_features(normal)).get(intent, ())
        return any(pattern.regex.search(normal) for pattern in patterns)

    def match(self, text: str) -> Match:
        return self.match_normal(normalize(text))

    def match_normal(self, normal: str) -> Match:
        """:meth:`match` for text already passed through :func:`normalize`."""
        grams = ngram_features(normal)  # one pass feeds the rules' filter and the model
        evidence = self.evidence(normal, grams)
        if self.model is None:
            intent, confidence = evidence.pick, evidence.confidence
            scores: Mapping[str, float] = {n: evidence.scores[n] for n in INTENT_IDS}
        else:
            probs = self.model.probabilities(grams, self.features(evidence))
            scores = dict(zip(self.model.classes, probs, strict=True))
            intent = max(INTENT_IDS, key=scores.__getitem__)
            confidence = scores[intent]
            if confidence < self.abstain or scores[UNKNOWN] > confidence:
                intent, confidence = UNKNOWN, 1.0 - confidence
        if intent == UNKNOWN:
            return Match(UNKNOWN, round(confidence, 4), scores)
        bargain_type = self.bargain_type(normal) if intent == "bargaining" else None
        return Match(intent, round(confidence, 4), scores, bargain_type)

    def _asks_beyond(self, normal: str, name: str, live: dict[str, list[_Pattern]]) -> bool:
        """Whether a clause outside ``name``'s own hits asks a real question (吗, ？)."""
        spans = _spans(live.get(name, []), normal)
        for clause in _CLAUSE.finditer(normal):
            if _REAL_QUESTION.search(clause.group()) and not any(
                start < clause.end() and clause.start() < end for start, end in spans
            ):
                return True
        return False

    def _asked(self, normal: str, names: list[str], live: dict[str, list[_Pattern]]) -> set[str]:
        """Of ``names``, those with a keyword hit inside a clause that asks something."""
        asking = [m.span() for m in _CLAUSE.finditer(normal) if self._question.search(m.group())]
        if not asking:
            return set()
        asked = set()
        for name in names:
            patterns = live.get(name, []) + live.get(_STATED + name, [])
            for start, end in _spans(patterns, normal):
                if any(a <= start and end <= b for a, b in asking):
                    asked.add(name)
                    break
        return asked

    def bargain_type(self, normal: str) -> str:
        live = self._index.live(ngram_features(normal))
        hits = []
        for name in self._subtypes:
            patterns = live.get(_SUBTYPE + name)
            if patterns is not None:
                score, position, _ = _score(patterns, normal)
                if score > 0:
                    hits.append((position, -score, name))
        return min(hits)[2] if hits else "general"
