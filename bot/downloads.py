"""Fetching a price file over http(s), bounded in size and time, and URLs as logs may show them.

Both `costbot prices check --against URL` and the live token-price refresh fetch files other people publish;
neither may hang on a slow server, fill memory from a huge answer, or write a URL's credentials to a log.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["DownloadError", "TooLarge", "Unreachable", "fetch", "shown"]


class DownloadError(Exception):
    """The URL could not be fetched whole: one phrase saying why (`answered HTTP 404`)."""


class TooLarge(DownloadError):
    """The answer ran past the limit (`sent more than 25,000,000 bytes`)."""


class Unreachable(DownloadError):
    """No answer at all; `cause` names the network error (`ConnectError`, `ReadTimeout`)."""

    def __init__(self, cause: str) -> None:
        super().__init__(f"can't reach it ({cause})")
        self.cause = cause


def fetch(url: str, *, limit: int, timeout: float) -> bytes:
    """The body at `url`, following redirects.

    Raises:
        Unreachable: No answer (the network, the host, a timeout).
        TooLarge: More than `limit` bytes (refused before they are all read).
        DownloadError: Any other answer than HTTP 200.
    """
    import httpx2  # only when a file is fetched: `costbot cost` never needs it

    try:
        with httpx2.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise DownloadError(f"answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise TooLarge(f"sent more than {limit:,} bytes")
            return bytes(body)
    except httpx2.HTTPError as error:
        raise Unreachable(type(error).__name__) from None


def shown(url: str) -> str:
    """A URL as it may appear in a log line: no user, password or query (they can carry credentials)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    try:
        port: int | str | None = parts.port
    except ValueError:  # out of range: shown as typed, after the host
        port = parts.netloc.rpartition(":")[2] or None
    if port:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
