"""Token prices from genai-prices, at the moment asked about, with where they come from and how old they are.

genai-prices is imported on first use only: a video estimate never pays for loading its data. Its data is either
the snapshot bundled with the package or one its own updater fetched (`costbot serve` with
`COSTBOT_PRICE_UPDATES`); lookups are cached per snapshot, so a refresh takes effect at once.

A name is found, in order: as genai-prices finds it (a model whose provider it recognises by name); with a
named provider (`together/llama-3.1-70b`, as LiteLLM and OpenRouter spell them); in any provider's list (Groq's
`llama-3.1-70b-versatile`). Within a named provider the match is loose: `bedrock/claude-sonnet-4.5` finds
`global.anthropic.claude-sonnet-4-5-20250929-v1:0`, and the answer names what was found.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from costing.token_index import TokenData, TokenIndex, TokenPrice, UnknownProvider

if TYPE_CHECKING:
    from genai_prices.data_snapshot import DataSnapshot

__all__ = [
    "TokenData",
    "TokenPrice",
    "UnknownProvider",
    "find_token_price",
    "known_token_models",
    "priced_in",
    "token_data",
    "token_snapshot",
]
# --- lookup ------------------------------------------------------------------------------------------------


def find_token_price(model_ref: str, *, provider: str | None = None, at: datetime | None = None) -> TokenPrice | None:
    """The token price of `model_ref` at a moment, or None when genai-prices has none.

    Args:
        model_ref: `gpt-4o`, `claude-sonnet-4.5`, `llama-3.1-70b-versatile`, `text-embedding-3-small`, ...
        provider: A provider as LiteLLM or OpenRouter name it (`together`, `bedrock`, `vertex_ai`); None lets
            genai-prices find it from the model's name.
        at: The moment whose prices apply (dated price changes and time-of-day rates exist); now by default.

    Raises:
        UnknownProvider: `provider` is not one genai-prices knows.
    """
    found = _models().find(model_ref.lower(), provider.lower() if provider else None)
    if found is None:
        return None
    moment = at or datetime.now(UTC)
    return _models().price(found, moment)


def token_data() -> TokenData:
    """The genai-prices data in use now."""
    return _models().data


def priced_in(snapshot: DataSnapshot, model_refs: tuple[str, ...]) -> list[str]:
    """Which of `model_refs` have a token price in `snapshot` (a fetched one, before it is put in use), found as
    every answer finds them."""
    models = TokenIndex(snapshot)
    moment = datetime.now(UTC)
    return [ref for ref in model_refs if (found := models.find(ref.lower(), None)) and models.price(found, moment)]


def token_snapshot() -> object:
    """Stands for the genai-prices data in use: a different object after each refresh, the same one until then
    (for caches of what was looked up in it)."""
    return _models()


def known_token_models() -> tuple[str, ...]:
    """Names of the main providers' token-priced models, for "did you mean" suggestions: each one parses as a
    model name and finds its model."""
    return _models().suggestions()


_lock = threading.Lock()
_current: TokenIndex | None = None
_get_snapshot: Callable[[], DataSnapshot] | None = None


class _DeferredModule(types.ModuleType):
    """Stands in for a module until one of its attributes is read, then imports it and hands that over."""

    def __getattr__(self, name: str) -> object:
        real = self.__dict__.get("_real")
        if real is None:
            with _lock:
                real = self.__dict__.get("_real")
                if real is None:
                    if sys.modules.get(self.__name__) is self:
                        del sys.modules[self.__name__]
                    real = importlib.import_module(self.__name__)
                    self.__dict__["_real"] = real
        return getattr(real, name)


def _defer_http_client() -> None:
    """Import genai-prices' HTTP client (httpx2) only when something uses it.

    genai-prices imports its price updater, and with it an HTTP client, when it is imported; pricing from the
    bundled data needs neither, and the client is a large part of a cold start. A stand-in takes its place in
    `sys.modules` and imports the real module the first time any of its attributes is read (by `costbot
    serve`'s price refresh, or by anyone else); `import httpx2` anywhere keeps working.
    """
    if "httpx2" in sys.modules or importlib.util.find_spec("httpx2") is None:
        return
    stand_in = _DeferredModule("httpx2")
    stand_in.__spec__ = None
    sys.modules["httpx2"] = stand_in


def _models() -> TokenIndex:
    """The lookups for genai-prices' current snapshot (a refresh swaps it)."""
    global _current, _get_snapshot
    if _get_snapshot is None:
        _defer_http_client()
        from genai_prices.data_snapshot import get_snapshot

        _get_snapshot = get_snapshot
    snapshot = _get_snapshot()
    current = _current
    if current is not None and current.snapshot is snapshot:
        return current
    with _lock:
        if _current is None or _current.snapshot is not snapshot:
            _current = TokenIndex(snapshot)
        return _current
