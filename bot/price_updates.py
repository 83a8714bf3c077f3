"""Live token prices: genai-prices' own updater, opt-in with `COSTBOT_PRICE_UPDATES` (`off`, `on`, or a URL).

`costbot serve` and `costbot scheduler` start it; it fetches genai-prices' data file once an hour in a background
thread and swaps it in whole (every answer after that says which data it priced with). A fetch that fails, or
brings a file that is too large or not shaped like genai-prices' data, leaves the last good prices in use and
logs one line; the bundled snapshot is the floor.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.downloads import DownloadError, Unreachable, fetch, shown

__all__ = [
    "PRICE_UPDATES_ENV",
    "PriceUpdateError",
    "parse_setting",
    "shown",
    "start_price_updates",
    "stop_price_updates",
]

PRICE_UPDATES_ENV = "COSTBOT_PRICE_UPDATES"
#: genai-prices' data file is ~1.5 MB; anything this large is refused unread.
MAX_BYTES = 25_000_000
#: How often to fetch, in seconds.
INTERVAL = 3600.0
#: The token workloads whose default models (costing.choice.DEFAULT_MODELS) a data file must price.
_TOKEN_WORKLOADS = ("chat", "agent", "embed")

log = logging.getLogger(__name__)


class PriceUpdateError(Exception):
    """A refresh that brought nothing usable; the message is one line, with no credentials in it."""


def parse_setting(value: str) -> str:
    """`off`, `on` or an http(s) URL, normalised; anything else is a ValueError naming what would work."""
    text = value.strip()
    if text.lower() in {"off", "on"}:
        return text.lower()
    try:
        parts = urlsplit(text)
        _ = parts.port  # out of range or not a number: only asking for it tells
    except ValueError:
        parts = None
    if parts is not None and parts.scheme in {"http", "https"} and parts.hostname and " " not in text:
        return text
    raise ValueError("expected off, on, or the http(s) URL of a genai-prices data file (data.json)")


def url_secrets(setting: str) -> list[str]:
    """The parts of a refresh URL that may be credentials (its password, its query and the query's values), to
    be blanked from logs."""
    if setting in {"off", "on"}:
        return []
    parts = urlsplit(setting)
    found = [parts.password or "", parts.query, *(value for _, value in parse_qsl(parts.query))]
    return [s for s in found if len(s) >= 4]  # shorter ones would blank ordinary words


_updater: Any = None


def start_price_updates(setting: str, *, interval: float = INTERVAL) -> str | None:
    """Start refreshing token prices in the background; returns a line saying so, or None when `off`."""
    global _updater
    if setting == "off":
        return None
    from genai_prices.update_prices import DEFAULT_UPDATE_URL

    url = DEFAULT_UPDATE_URL if setting == "on" else setting
    stop_price_updates()
    _updater = _updater_class()(url=url, update_interval=interval)
    _updater.start(wait=False)
    return f"refreshing token prices from {shown(url)} every {interval / 60:g} min ({PRICE_UPDATES_ENV})"


def stop_price_updates(*, timeout: float = 30.0) -> None:
    """Stop refreshing; the prices last fetched stay in use. Waits (up to `timeout`) for the background thread to
    finish, so that a refresh started next reports its own fetches, not this one's."""
    global _updater
    if _updater is not None:
        _updater.stop()
        _updater = None
        for thread in threading.enumerate():
            if thread.name == "genai_prices:update" and thread is not threading.current_thread():
                thread.join(timeout)


def wait_for_prices(timeout: float) -> bool:
    """Block until the running updater has finished a fetch (for tests and start-up); False on timeout."""
    if _updater is None:
        return False
    try:
        return bool(_updater.wait(timeout))
    except Exception:
        return False


def _updater_class() -> type:
    """genai-prices' `UpdatePrices` with a fetch that is bounded, checked, and remembers where it came from."""
    from genai_prices.data_snapshot import DataSnapshot
    from genai_prices.types import _providers_from_raw  # the parser its own fetch uses
    from genai_prices.update_prices import UpdatePrices

    class _Snapshot(DataSnapshot):
        origin: str | None = None

    class _BoundedUpdates(UpdatePrices):
        def fetch(self) -> DataSnapshot | None:
            where = shown(self.url)
            try:
                body = fetch(self.url, limit=MAX_BYTES, timeout=self.request_timeout)
            except Unreachable as error:
                raise PriceUpdateError(f"can't fetch {where} ({error.cause}); keeping the last prices") from None
            except DownloadError as error:
                raise PriceUpdateError(f"{where} {error}; keeping the last prices") from None
            try:
                raw = json.loads(bytes(body))
                if not isinstance(raw, list):
                    raise ValueError("not a list of providers")
                providers = _providers_from_raw(raw)
            except Exception as error:
                raise PriceUpdateError(
                    f"{where} is not a genai-prices data file ({type(error).__name__}); keeping the last prices"
                ) from None
            snapshot = _Snapshot(providers, from_auto_update=True)
            snapshot.origin = shown(self.url)
            unpriced = _unpriced_defaults(snapshot)
            if unpriced:
                raise PriceUpdateError(
                    f"{where} prices none of the default models for {unpriced}; keeping the last prices"
                )
            log.info("token prices refreshed from %s: %d providers", where, len(providers))
            return snapshot

    return _BoundedUpdates


def _unpriced_defaults(snapshot: Any) -> str:
    """The token workloads none of whose default models `snapshot` prices (what every answer needs), as words."""
    from costing import DEFAULT_MODELS, current_catalog, priced_in

    catalog = current_catalog()
    lacking = []
    for workload in _TOKEN_WORKLOADS:
        names = DEFAULT_MODELS[workload]
        if not any(catalog.resolve(name) for name in names) and not priced_in(snapshot, names):
            lacking.append(f"{workload} ({', '.join(names)})")
    return "; ".join(lacking)
