"""Programmable faults for the fake Bot API: what can go wrong between a bot and Telegram.

Every fault except SLOW and DROP_AFTER_EFFECT hits *before* the method takes effect, so a
client that retries after it can never double a message; those two let the method run and
then delay or lose the answer, which is where a retry may duplicate.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Fault:
    """One kind of failure; build with Fault.RETRY_AFTER(2), Fault.HTTP(500), Fault.DROP…"""

    kind: str
    value: float = 0.0

    # Filled in below the class: the parameterless faults are plain constants.
    DROP: ClassVar[Fault]
    MALFORMED_JSON: ClassVar[Fault]
    DROP_AFTER_EFFECT: ClassVar[Fault]

    @classmethod
    def RETRY_AFTER(cls, seconds: int) -> Fault:
        """429 Too Many Requests with parameters.retry_after = seconds; nothing done."""
        return cls("RETRY_AFTER", float(seconds))

    @classmethod
    def HTTP(cls, status: int) -> Fault:
        """An HTTP error status (500, 502, 503…) with Telegram's JSON body; nothing done."""
        if not 400 <= status <= 599:
            raise ValueError(f"HTTP fault needs an error status, got {status}")
        return cls("HTTP", float(status))

    @classmethod
    def TIMEOUT(cls, seconds: float) -> Fault:
        """Hold the request for `seconds`, then close the connection unanswered; nothing done."""
        return cls("TIMEOUT", float(seconds))

    @classmethod
    def SLOW(cls, seconds: float) -> Fault:
        """Wait `seconds`, then perform the method and answer normally."""
        return cls("SLOW", float(seconds))

    @property
    def before_effect(self) -> bool:
        return self.kind not in ("SLOW", "DROP_AFTER_EFFECT")

    def __str__(self) -> str:
        return f"{self.kind}({self.value:g})" if self.value else self.kind


Fault.DROP = Fault("DROP")
Fault.MALFORMED_JSON = Fault("MALFORMED_JSON")
Fault.DROP_AFTER_EFFECT = Fault("DROP_AFTER_EFFECT")


@dataclass(slots=True)
class FaultRule:
    """Which requests get a fault: by method, bot token and chat; once, N times or every k-th.

    ``matched`` counts requests that fit the filters, ``fired`` those that got the fault.
    """

    fault: Fault
    method: str | None = None
    token: str | None = None
    chat_id: int | str | None = None
    times: int | None = 1
    every: int | None = None
    skip: int = 0
    matched: int = 0
    fired: int = 0

    def applies_to(self, method: str, token: str, chat_id: object) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        if self.token is not None and self.token != token:
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def take(self) -> bool:
        """Count one matching request and say whether it gets the fault."""
        if self.exhausted:
            return False
        self.matched += 1
        position = self.matched - self.skip
        if position <= 0:
            return False
        if self.every is not None and position % self.every != 0:
            return False
        self.fired += 1
        return True


@dataclass(frozen=True, slots=True)
class FaultEvent:
    method: str
    fault: Fault
    timestamp: float


@dataclass(slots=True)
class FaultPlan:
    """The active rules, first match wins, plus counters of what was injected."""

    rules: list[FaultRule] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    log: list[FaultEvent] = field(default_factory=list)

    def add(self, rule: FaultRule) -> FaultRule:
        if rule.every is not None and rule.every < 1:
            raise ValueError("every must be >= 1")
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str, token: str, chat_id: object) -> Fault | None:
        for rule in self.rules:
            if rule.applies_to(method, token, chat_id) and rule.take():
                self.counts[rule.fault.kind] += 1
                self.log.append(FaultEvent(method, rule.fault, time.time()))
                return rule.fault
        return None
