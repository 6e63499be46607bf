"""Driving a fake Bot API that runs in another process, over HTTP.

The server exposes its feeding helpers under ``/fake/bot<token>/<action>`` (POST, JSON keyword
arguments), what the bot sent under ``GET /fake/bot<token>/sent?chat_id=…`` and counters under
``GET /fake/stats``.  RemoteFakeBotApi is the matching client, for load generators and shells.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
from aiohttp import web

from tests.fakes.faults import Fault
from tests.fakes.telegram_html import TelegramBadRequest

if TYPE_CHECKING:
    from tests.fakes.botapi import FakeBotApi

FEED_ACTIONS = frozenset(
    {
        "send_text", "edited_message", "press_button", "inline_query", "send_sticker",
        "send_photo_from_user", "channel_post", "my_chat_member", "enqueue_update",
        "register_chat", "register_user",
    }
)


def _fault(spec: dict[str, Any]) -> Fault:
    kind = str(spec.get("fault", "DROP")).upper()
    value = spec.get("value")
    if kind in ("DROP", "MALFORMED_JSON", "DROP_AFTER_EFFECT"):
        return getattr(Fault, kind)
    if kind in ("RETRY_AFTER", "HTTP", "TIMEOUT", "SLOW") and value is not None:
        return getattr(Fault, kind)(value)
    raise ValueError(f"unknown fault {spec!r}")


def _answer(result: Any, status: int = 200) -> web.Response:
    ok = status == 200
    body = {"ok": ok, "result": result} if ok else {"ok": False, "description": result}
    return web.Response(status=status, text=json.dumps(body, ensure_ascii=False, default=str),
                        content_type="application/json")


def routes(api: FakeBotApi) -> list[web.RouteDef]:
    async def act(request: web.Request) -> web.Response:
        token, action = request.match_info["token"], request.match_info["action"]
        if token not in api.accounts:
            return _answer("unknown token", 404)
        try:
            kwargs = await request.json() if request.can_read_body else {}
            if not isinstance(kwargs, dict):
                raise ValueError("the body must be a JSON object of keyword arguments")
            if action in FEED_ACTIONS:
                if action == "enqueue_update":
                    return _answer(api.enqueue_update(kwargs, token=token))
                return _answer(getattr(api, action)(**kwargs, token=token))
            if action == "inject":
                fault = _fault(kwargs)
                options = {k: kwargs[k] for k in ("method", "times", "every", "skip", "chat_id")
                           if k in kwargs}
                rule = api.inject(fault=fault, token=token, **options)
                return _answer({"fault": str(rule.fault), "method": rule.method})
            if action == "clear_faults":
                api.clear_faults()
                return _answer(True)
        except (TypeError, ValueError, LookupError, TelegramBadRequest) as exc:
            return _answer(str(exc), 400)
        return _answer(f"unknown action {action!r}", 404)

    async def sent(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token not in api.accounts:
            return _answer("unknown token", 404)
        chat = request.query.get("chat_id")
        messages = api.sent_messages(int(chat) if chat else None, token=token)
        return _answer([
            {"chat_id": m.chat_id, "message_id": m.message_id, "method": m.method,
             "text": m.text, "caption": m.caption, "raw_text": m.raw_text,
             "parse_mode": m.parse_mode, "reply_markup": m.reply_markup,
             "reply_to_message_id": m.reply_to_message_id, "deleted": m.deleted}
            for m in messages
        ])

    async def stats(request: web.Request) -> web.Response:
        return _answer(api.stats())

    return [
        web.get("/fake/stats", stats),
        web.get("/fake/bot{token}/sent", sent),
        web.post("/fake/bot{token}/{action}", act),
    ]


class RemoteFakeBotApi:
    """Synchronous client for a FakeBotApi served by another process (see module docstring)."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._client = httpx.Client(timeout=timeout)

    def call(self, action: str, **kwargs: Any) -> Any:
        response = self._client.post(f"{self.url}/fake/bot{self.token}/{action}", json=kwargs)
        body = response.json()
        if not body.get("ok"):
            raise ValueError(body.get("description"))
        return body["result"]

    def send_text(self, chat_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.call("send_text", chat_id=chat_id, text=text, **kwargs)

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        params = {"chat_id": chat_id} if chat_id is not None else {}
        response = self._client.get(f"{self.url}/fake/bot{self.token}/sent", params=params)
        return response.json()["result"]

    def stats(self) -> dict[str, Any]:
        return self._client.get(f"{self.url}/fake/stats").json()["result"]

    def close(self) -> None:
        self._client.close()
