"""Update delivery: the getUpdates queue with long polling, and the webhook methods.

As on Telegram, an update stays queued until a later getUpdates confirms it with a higher
offset; a second concurrent getUpdates ends the first with 409; while a webhook is set,
getUpdates answers 409 and updates are POSTed to the webhook instead.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from tests.fakes.methods import ApiError, Handler, MethodContext, bad
from tests.fakes.objects import JSON
from tests.fakes.state import DEFAULT_ALLOWED_UPDATES, BotAccount, WebhookConfig
from tests.fakes.webhook import Executor, WebhookDispatcher, update_kind

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
MAX_POLL_TIMEOUT = 50.0
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def push_update(account: BotAccount, update: JSON) -> bool:
    """Queue or dispatch one update; False when the bot's allowed_updates filters it out."""
    if update_kind(update) not in account.allowed_updates:
        account.updates_dropped += 1
        return False
    account.updates_fed += 1
    dispatcher = account.dispatcher
    if dispatcher is not None:
        dispatcher.submit(update)
    else:
        account.pending.append(update)
        wake_poller(account, "updates")
    return True


def wake_poller(account: BotAccount, reason: str) -> None:
    poller = account.poller
    if poller is not None and not poller.done():
        poller.set_result(reason)


def confirm(account: BotAccount, offset: int) -> None:
    """Forget updates below offset (negative: keep only the last -offset), as Telegram does."""
    pending = account.pending
    if offset < 0:
        while len(pending) > -offset:
            pending.popleft()
            account.updates_confirmed += 1
        return
    while pending and int(pending[0]["update_id"]) < offset:
        pending.popleft()
        account.updates_confirmed += 1


def _allowed(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("can't parse allowed updates JSON object")
    return frozenset(value) or DEFAULT_ALLOWED_UPDATES


async def get_updates(ctx: MethodContext, params: dict[str, Any]) -> list[JSON]:
    account = ctx.account
    if account.webhook is not None:
        raise ApiError(409, WEBHOOK_ACTIVE)
    allowed = _allowed(params.get("allowed_updates"))
    if allowed is not None:
        account.allowed_updates = allowed
    offset = params.get("offset")
    if offset:
        confirm(account, int(offset))
        ctx.notify()
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL_TIMEOUT)
    wake_poller(account, "conflict")
    if not account.pending and timeout > 0:
        poller: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        account.poller = poller
        try:
            await asyncio.wait({poller}, timeout=timeout)
        finally:
            if account.poller is poller:
                account.poller = None
        reason = poller.result() if poller.done() else "timeout"
        if reason == "conflict":
            raise ApiError(409, POLL_CONFLICT)
        if reason in ("webhook", "closing"):
            return []
    pending = account.pending
    if len(pending) <= limit:
        return list(pending)
    return [pending[i] for i in range(limit)]


def _dispatcher(ctx: MethodContext, config: WebhookConfig,
                execute: Executor | None) -> WebhookDispatcher:
    options = ctx.options
    return WebhookDispatcher(
        ctx.account, config, max_tries=options.webhook_max_tries,
        timeout=options.webhook_timeout, backoff=options.webhook_backoff,
        backoff_max=options.webhook_backoff_max, notify=ctx.notify, execute=execute,
    )


async def stop_webhook(account: BotAccount) -> None:
    """Stop POSTing; undelivered updates go back to the getUpdates queue, in order."""
    dispatcher: WebhookDispatcher | None = account.dispatcher
    account.dispatcher = None
    if dispatcher is not None:
        left = await dispatcher.close()
        queued = sorted([*left, *account.pending], key=lambda u: int(u["update_id"]))
        account.pending.clear()
        account.pending.extend(queued)


def make_set_webhook(execute: Executor | None) -> Handler:
    async def set_webhook(ctx: MethodContext, params: dict[str, Any]) -> bool:
        account = ctx.account
        url = str(params.get("url") or "").strip()
        if not url:
            return await delete_webhook(ctx, params)
        if not re.match(r"https?://[^/\s]+", url, re.IGNORECASE):
            raise bad("bad webhook: HTTPS url must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise bad("bad webhook: secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = _allowed(params.get("allowed_updates"))
        if allowed is not None:
            account.allowed_updates = allowed
        config = WebhookConfig(url, str(secret) if secret else None, max_connections,
                               account.allowed_updates)
        await stop_webhook(account)
        if params.get("drop_pending_updates"):
            account.updates_dropped += len(account.pending)
            account.pending.clear()
        dispatcher = _dispatcher(ctx, config, execute)
        for update in account.pending:
            dispatcher.submit(update)
        account.pending.clear()
        account.dispatcher = dispatcher
        account.webhook = config
        wake_poller(account, "webhook")
        ctx.notify()
        return True

    return set_webhook


async def delete_webhook(ctx: MethodContext, params: dict[str, Any]) -> bool:
    account = ctx.account
    await stop_webhook(account)
    account.webhook = None
    if params.get("drop_pending_updates"):
        account.updates_dropped += len(account.pending)
        account.pending.clear()
    ctx.notify()
    return True


def get_webhook_info(ctx: MethodContext, params: dict[str, Any]) -> JSON:
    account = ctx.account
    config = account.webhook
    dispatcher: WebhookDispatcher | None = account.dispatcher
    pending = dispatcher.pending if dispatcher is not None else len(account.pending)
    info: JSON = {"url": config.url if config else "", "has_custom_certificate": False,
                  "pending_update_count": pending}
    if config is not None:
        info["max_connections"] = config.max_connections
        info["ip_address"] = config.ip_address
        if config.allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(config.allowed_updates)
        stats = account.webhook_stats
        if stats.last_error_date is not None:
            info["last_error_date"] = stats.last_error_date
            info["last_error_message"] = stats.last_error_message
    return info
