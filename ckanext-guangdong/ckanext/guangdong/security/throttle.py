"""Login throttling, per account and per address, on CKAN's own login hooks.

CKAN 2.11 sends the ``failed_login`` signal (with the login name) after every failed password
check and ``user_logged_in`` after a success, and lets an IAuthenticator plugin answer the
login request itself (``IAuthenticator.login``). The counts live in Redis (CKAN's
``ckan.redis.url``) with a fixed window: once an account or an address has failed
``max_attempts`` times within ``window`` seconds, further attempts are refused, even with the
right password, until the window has passed. A success clears the account's count (not the
address's: an attacker with an account of their own must not reset it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_address: int
    window: int  # seconds


def limits() -> Limits:
    c = tk.config
    return Limits(per_account=tk.asint(c.get("ckanext.guangdong.security.login_max_attempts_per_account")),
                  per_address=tk.asint(c.get("ckanext.guangdong.security.login_max_attempts_per_address")),
                  window=tk.asint(c.get("ckanext.guangdong.security.login_window")))


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis
    return connect_to_redis()


def _key(kind: str, value: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:guangdong:login:{kind}:{value}"


def _account(login: Any) -> str:
    """The account a login names, by user name or e-mail address alike (an unknown login is
    counted as itself, so the answer does not tell whether an account exists)."""
    from ckan import model
    text = str(login or "").strip()[:200]
    if not text:
        return ""
    user = model.User.by_name(text) or model.User.by_email(text)
    return f"user:{user.id}" if user is not None else text.lower()


def record_failure(login: Any, address: str | None) -> None:
    window = limits().window
    pipe = _redis().pipeline()
    for kind, value in (("account", _account(login)), ("address", address or "")):
        if value:
            key = _key(kind, value)
            pipe.incr(key)
            pipe.expire(key, window, nx=True)
    pipe.execute()


def clear_account(login: Any) -> None:
    _redis().delete(_key("account", _account(login)))


def clear_address(address: str) -> None:
    _redis().delete(_key("address", address))


def blocked_for(login: Any, address: str | None) -> int:
    """Seconds until this account and address may try again (0: now)."""
    lim = limits()
    r = _redis()
    wait = 0
    for kind, value, most in (("account", _account(login), lim.per_account),
                              ("address", address or "", lim.per_address)):
        if value and most > 0:
            key = _key(kind, value)
            count = int(r.get(key) or 0)
            if count >= most:
                wait = max(wait, int(r.ttl(key)), 1)
    return wait
