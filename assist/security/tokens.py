"""The token table: which bearer token grants which role.

Tokens come from ``ASSIST_TOKENS="TOKEN=ROLE,TOKEN=ROLE"`` or ``rules/tokens.yaml``. Only
SHA-256 digests are kept, every lookup compares the presented token's digest with every
stored one in constant time (:func:`hmac.compare_digest`, no early exit), so neither
timing nor a memory dump nor a ``repr`` in a log reveals a token.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from assist.security.roles import Role

__all__ = ["MIN_TOKEN_LENGTH", "TokenTable", "parse_token_list"]

# Short tokens can be guessed; 16 characters of a random alphabet is the least accepted.
MIN_TOKEN_LENGTH = 16


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def parse_token_list(text: str) -> list[tuple[str, Role]]:
    """``"TOKEN=ROLE,TOKEN=ROLE"`` as pairs; ``ValueError`` naming the entry (not its token)."""
    pairs: list[tuple[str, Role]] = []
    for number, entry in enumerate(filter(None, (e.strip() for e in text.split(","))), 1):
        token, sep, role = entry.partition("=")
        if not sep:
            raise ValueError(f"entry {number} is not TOKEN=ROLE")
        try:
            pairs.append((token.strip(), Role.parse(role)))
        except ValueError as exc:
            raise ValueError(f"entry {number}: {exc}") from None
    return pairs


class TokenTable:
    """Digest → role; empty means "no tokens configured" (loopback-only mode)."""

    def __init__(self, pairs: Iterable[tuple[str, Role]] = ()) -> None:
        self._entries: list[tuple[bytes, Role]] = []
        seen: set[bytes] = set()
        for number, (token, role) in enumerate(pairs, 1):
            if len(token) < MIN_TOKEN_LENGTH or token != token.strip():
                raise ValueError(
                    f"token {number} (role {role}) is shorter than {MIN_TOKEN_LENGTH} "
                    "characters or has surrounding spaces"
                )
            digest = _digest(token)
            if digest in seen:
                raise ValueError(f"token {number} (role {role}) is listed twice")
            seen.add(digest)
            self._entries.append((digest, role))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> TokenTable:
        return cls((token, Role.parse(role)) for token, role in mapping.items())

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"TokenTable({len(self._entries)} tokens)"

    def roles(self) -> list[Role]:
        return [role for _, role in self._entries]

    def lookup(self, token: str | None) -> Role | None:
        """The role ``token`` grants, or ``None``; takes the same time whichever matches."""
        if not token:
            return None
        presented = _digest(token)
        found: Role | None = None
        for digest, role in self._entries:
            if hmac.compare_digest(digest, presented):
                found = role
        return found
