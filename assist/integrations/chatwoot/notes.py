"""Write-back: which suggestion becomes a Chatwoot private note, and how often.

Chatwoot has no "suggestion" message type; a private note (``POST
/api/v1/accounts/{account}/conversations/{id}/messages`` with ``private: true``) is the
channel agents see beside the chat and customers never see. The note comes back to the
webhook as an outgoing private message, which the mapping drops, so it cannot loop.
Pure: the caller supplies the time; the service does the HTTP.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["Note", "NoteLimiter", "note_for"]

_PREFIX = "chatwoot:"
NOTE_HEADER = "坐席助手建议"


@dataclass(frozen=True, slots=True)
class Note:
    account_id: str
    conversation_id: str  # Chatwoot's display id, as in its API paths
    assist_conversation_id: str
    content: str

    def path(self) -> str:
        return f"/api/v1/accounts/{self.account_id}/conversations/{self.conversation_id}/messages"

    def body(self) -> dict[str, Any]:
        return {"content": self.content, "message_type": "outgoing", "private": True}


def note_for(frame: dict[str, Any]) -> Note | None:
    """The note for a suggestion frame of a Chatwoot conversation with a reply to offer."""
    if frame.get("type") != "suggestion":
        return None
    conversation = frame.get("conversation_id")
    if not isinstance(conversation, str) or not conversation.startswith(_PREFIX):
        return None
    parts = conversation[len(_PREFIX) :].split(":")
    if len(parts) != 2 or not all(parts):
        return None
    replies = frame.get("replies")
    if frame.get("intent") in (None, "unknown") or not isinstance(replies, list) or not replies:
        return None
    top = replies[0]
    if not isinstance(top, str) or not top.strip():
        return None
    content = f"{NOTE_HEADER}：{top}"
    return Note(parts[0], parts[1], conversation, content)


class NoteLimiter:
    """At most one note per conversation per ``interval``, ``per_minute`` notes overall.

    Memory is bounded: conversations whose last note is older than the interval are
    forgotten as new ones arrive.
    """

    def __init__(self, interval: timedelta, per_minute: int, max_tracked: int = 10_000) -> None:
        self._interval = interval
        self._per_minute = per_minute
        self._max_tracked = max_tracked
        self._last: OrderedDict[str, datetime] = OrderedDict()
        self._recent: deque[datetime] = deque()

    def allow(self, conversation_id: str, now: datetime) -> bool:
        """Whether a note may go out now; if so it is counted."""
        minute_ago = now - timedelta(minutes=1)
        while self._recent and self._recent[0] <= minute_ago:
            self._recent.popleft()
        last = self._last.get(conversation_id)
        if last is not None and now - last < self._interval:
            return False
        if len(self._recent) >= self._per_minute:
            return False
        self._recent.append(now)
        self._last[conversation_id] = now
        self._last.move_to_end(conversation_id)
        while len(self._last) > self._max_tracked:
            self._last.popitem(last=False)
        return True
