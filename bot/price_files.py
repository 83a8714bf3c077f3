"""Reading a price file for `costbot prices check`: a path or an http(s) URL, bounded in size and time."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.downloads import DownloadError, TooLarge, Unreachable, fetch, shown
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
        try:
            return fetch(source, limit=MAX_FILE_BYTES, timeout=TIMEOUT)
        except TooLarge as error:
            raise PriceFileUnreadable(f"{error}; a LiteLLM price file is a few MB") from None
        except Unreachable as error:
            raise PriceFileUnreadable(f"{error}; check the network or the URL") from None
        except DownloadError as error:
            raise PriceFileUnreadable(str(error)) from None
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


def source_shown(source: str) -> str:
    """A path as given, or a URL without the user, password or query it may carry (for messages)."""
    try:
        return shown(source) if urlsplit(source).scheme in {"http", "https"} else source
    except ValueError:
        return "the URL given"
