"""Reading a price file for `costbot prices check`: a path or an http(s) URL, bounded in size and time."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.price_updates import shown
from costing import MAX_FILE_BYTES

__all__ = ["PriceFileUnreadable", "read_price_source", "source_shown"]

TIMEOUT = 20.0


class PriceFileUnreadable(Exception):
    """The file or URL can't be read: one line saying why."""


def read_price_source(source: str) -> bytes:
    """The bytes at a path or an http(s) URL.

    Raises:
        PriceFileUnreadable: Missing, unreadable, unreachable, not HTTP 200, or larger than any price file.
    """
    try:
        parts = urlsplit(source)
        is_url = parts.scheme in {"http", "https"}
        if is_url and not parts.hostname:
            raise ValueError("no host")
        _ = parts.port  # a port out of range only shows when asked for
    except ValueError:
        raise PriceFileUnreadable("is neither a readable path nor a usable http(s) URL") from None
    if is_url:
        return _fetch(source)
    path = Path(source).expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PriceFileUnreadable(f"the file is {size:,} bytes; a LiteLLM price file is a few MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise PriceFileUnreadable("no such file") from None
    except IsADirectoryError:
        raise PriceFileUnreadable("is a directory, not a price file") from None
    except OSError as error:
        raise PriceFileUnreadable(f"can't read it ({error.strerror or type(error).__name__})") from None


def _fetch(url: str) -> bytes:
    import httpx2

    try:
        with httpx2.stream("GET", url, timeout=TIMEOUT, follow_redirects=True) as response:
            if response.status_code != 200:
                raise PriceFileUnreadable(f"answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_FILE_BYTES:
                    raise PriceFileUnreadable(
                        f"sent more than {MAX_FILE_BYTES:,} bytes; a LiteLLM price file is a few MB"
                    )
            return bytes(body)
    except httpx2.HTTPError as error:
        raise PriceFileUnreadable(f"can't reach it ({type(error).__name__}); check the network or the URL") from None


def source_shown(source: str) -> str:
    """A path as given, or a URL without the user, password or query it may carry (for messages)."""
    try:
        return shown(source) if urlsplit(source).scheme in {"http", "https"} else source
    except ValueError:
        return "the URL given"
