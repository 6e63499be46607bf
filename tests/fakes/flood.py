"""Telegram's flood control, optional: too many sends answer 429 with a retry_after.

Telegram's published guidance is about 30 messages per second overall, 20 per minute in one
group, and about one per second in one chat (short bursts tolerated).  Enforced with sliding
windows over the moments sends were accepted; a refused send takes no effect.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

FLOOD_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption",
        "editMessageReplyMarkup",
    }
)


@dataclass(frozen=True, slots=True)
class FloodLimits:
    global_per_second: int | None = 30
    group_per_minute: int | None = 20
    chat_per_second: int | None = None  # Telegram tolerates bursts; set 1 to be strict


@dataclass(slots=True)
class FloodControl:
    limits: FloodLimits
    _global: deque[float] = field(default_factory=deque)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _chats: dict[int, deque[float]] = field(default_factory=dict)
    refused: int = 0

    def admit(self, chat_id: int | None, is_group: bool, now: float) -> int | None:
        """Record a send and return None, or refuse it: the seconds to wait (>= 1)."""
        checks: list[tuple[deque[float], int, float]] = []
        if self.limits.global_per_second:
            checks.append((self._global, self.limits.global_per_second, 1.0))
        if chat_id is not None and is_group and self.limits.group_per_minute:
            checks.append((self._groups.setdefault(chat_id, deque()),
                           self.limits.group_per_minute, 60.0))
        if chat_id is not None and self.limits.chat_per_second:
            checks.append((self._chats.setdefault(chat_id, deque()),
                           self.limits.chat_per_second, 1.0))
        wait = 0.0
        for window, limit, span in checks:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                wait = max(wait, window[0] + span - now)
        if wait > 0:
            self.refused += 1
            return max(1, math.ceil(wait))
        for window, _limit, _span in checks:
            window.append(now)
        return None
