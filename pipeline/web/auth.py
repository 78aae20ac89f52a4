"""Who may correct findings: holders of the token in FINDINGS_TOKEN; everyone else reads.

A browser signs in once with the token and gets a session cookie (HttpOnly,
SameSite=Strict) holding a random nonce and its HMAC under the token; every
correction form carries a CSRF value derived from the same nonce, and a
request whose Origin names another site is refused. Scripts use the JSON API
with `Authorization: Bearer TOKEN` instead (no cookie, so nothing a foreign
page can make a browser send).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

SESSION_COOKIE = "findings_session"
SESSION_SECONDS = 12 * 3600


def _sign(token: str, purpose: str, nonce: str) -> str:
    return hmac.new(token.encode(), f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Guard:
    """Checks tokens, sessions and CSRF values against the configured token (None: read-only)."""

    token: str | None

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def token_ok(self, offered: str | None) -> bool:
        return self.enabled and offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def bearer_ok(self, header: str | None) -> bool:
        scheme, _, value = (header or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())

    def new_session(self) -> str:
        nonce = secrets.token_hex(16)
        return f"{nonce}.{_sign(self.token or '', 'session', nonce)}"

    def session_nonce(self, cookie: str | None) -> str | None:
        """The nonce of a valid session cookie, else None."""
        if not self.enabled or not cookie or "." not in cookie:
            return None
        nonce, signature = cookie.split(".", 1)
        return nonce if hmac.compare_digest(signature, _sign(self.token, "session", nonce)) else None

    def csrf_for(self, nonce: str) -> str:
        return _sign(self.token or "", "csrf", nonce)

    def csrf_ok(self, nonce: str | None, offered: str | None) -> bool:
        return nonce is not None and offered is not None and hmac.compare_digest(offered, self.csrf_for(nonce))


def same_origin(origin: str | None, referer: str | None, host: str | None) -> bool:
    """Whether a state-changing request comes from this site (absent headers count as same-site)."""
    for value in (origin, referer):
        if value and value != "null":
            return urlsplit(value).netloc == (host or "")
        if value == "null":
            return False
    return True
