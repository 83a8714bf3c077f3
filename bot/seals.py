"""What the bot sends through Slack to be handed back, sealed: a modal's `private_metadata` (which channel and
response URL the answer goes to, what text to save) comes back in the submission, and anyone who can sign a
request could otherwise rewrite it. `Seal` adds an HMAC keyed by the signing secret; a tampered or foreign
metadata opens as None and is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Seal", "is_response_url"]

_MAC_CHARS = 43  # hex digits of the HMAC kept: 172 bits


class Seal:
    """Seals and opens what the bot round-trips through Slack."""

    def __init__(self, signing_secret: str) -> None:
        # A key of its own, derived from the signing secret: a sealed text is never a valid request signature.
        self._key = hmac.new(signing_secret.encode(), b"costbot sealed metadata v1", hashlib.sha256).digest()

    def __deepcopy__(self, memo: dict[int, Any]) -> Seal:
        return self  # Bolt copies what lazy listeners get; a seal has nothing to copy

    def seal(self, data: dict[str, Any]) -> str:
        """`data` as JSON, with its MAC in front (`MAC.JSON`)."""
        text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        return f"{self._mac(text)}.{text}"

    def open(self, sealed: str | None) -> dict[str, Any] | None:
        """What `seal` sealed, or None when `sealed` wasn't sealed by this key or was changed since."""
        mac, dot, text = (sealed or "").partition(".")
        if not dot or not hmac.compare_digest(mac.encode(), self._mac(text).encode()):
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:_MAC_CHARS]


def is_response_url(url: object, *, api_url: str) -> bool:
    """Whether `url` is one of Slack's response URLs: https on hooks.slack.com, or on the host of the Slack API
    costbot is configured with (`SLACK_API_URL`: a Slack-compatible server, or a test's)."""
    if not isinstance(url, str) or len(url) > 2000:
        return False
    try:
        parts, api = urlsplit(url), urlsplit(api_url)
        port, api_port = parts.port, api.port  # a malformed port raises here
    except ValueError:
        return False
    if parts.username or parts.password:
        return False
    if parts.scheme == "https" and parts.hostname == "hooks.slack.com" and port in (None, 443):
        return True
    return (parts.scheme, parts.hostname, port) == (api.scheme, api.hostname, api_port) and bool(parts.hostname)
