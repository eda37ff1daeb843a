"""Roles a token grants, and what each route needs: the authorisation policy in one table.

::

    role            may
    ingest          send events (HTTP and websocket) — nothing else
    agent:<id>      that agent's channel and panel
    supervisor      every channel and page, the read APIs (stats, conversations, metrics)
    qa              the read APIs, QA pages and exports

Kept as data plus one function (:func:`permits`) so the token-matrix test reads the same
policy the routes enforce.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Need", "NeedKind", "Role", "RoleKind", "permits"]


class RoleKind(StrEnum):
    INGEST = "ingest"
    SUPERVISOR = "supervisor"
    QA = "qa"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class Role:
    """A role; ``agent_id`` only for :attr:`RoleKind.AGENT`."""

    kind: RoleKind
    agent_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Role:
        """``ingest``, ``supervisor``, ``qa`` or ``agent:<agent_id>``; ``ValueError`` else."""
        name = text.strip()
        if name.startswith("agent:"):
            agent_id = name[len("agent:") :].strip()
            if not agent_id:
                raise ValueError("agent: needs an agent id (agent:<agent_id>)")
            return cls(RoleKind.AGENT, agent_id)
        try:
            kind = RoleKind(name)
        except ValueError:
            raise ValueError(
                f"unknown role {name!r} (ingest, supervisor, qa or agent:<agent_id>)"
            ) from None
        if kind is RoleKind.AGENT:
            raise ValueError("agent needs an agent id (agent:<agent_id>)")
        return cls(kind)

    def __str__(self) -> str:
        return f"agent:{self.agent_id}" if self.kind is RoleKind.AGENT else self.kind.value


class NeedKind(StrEnum):
    OPEN = "open"  # health, landing page, static assets, the OpenAPI description
    INGEST = "ingest"  # POST /api/events, /ws/ingest
    AGENT = "agent"  # /ws/agent/{id}, /panel/{id}
    SUPERVISOR = "supervisor"  # /ws/supervisor, /supervisor
    READ = "read"  # stats, conversation detail, metrics
    QA = "qa"  # QA and KPI pages, APIs and exports


@dataclass(frozen=True, slots=True)
class Need:
    """What one request needs; ``agent_id`` for :attr:`NeedKind.AGENT`."""

    kind: NeedKind
    agent_id: str | None = None


_GRANTS: dict[RoleKind, frozenset[NeedKind]] = {
    RoleKind.INGEST: frozenset({NeedKind.INGEST}),
    RoleKind.SUPERVISOR: frozenset(
        {NeedKind.AGENT, NeedKind.SUPERVISOR, NeedKind.READ, NeedKind.QA}
    ),
    RoleKind.QA: frozenset({NeedKind.READ, NeedKind.QA}),
    RoleKind.AGENT: frozenset({NeedKind.AGENT}),
}


def permits(role: Role, need: Need) -> bool:
    """Whether ``role`` may do what ``need`` describes (an agent only for its own id)."""
    if need.kind is NeedKind.OPEN:
        return True
    if need.kind not in _GRANTS[role.kind]:
        return False
    if role.kind is RoleKind.AGENT:
        return need.agent_id is not None and need.agent_id == role.agent_id
    return True
