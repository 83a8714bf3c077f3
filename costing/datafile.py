"""Reading costbot's own data files (catalog, calibration, classes, lifecycles, aliases): typed fields, located errors.

The bundled files are read on every cold start, so they are checked by this small reader rather than by model
classes (which cost tens of milliseconds to build); the tests hold the files to the same rules. A price book,
which a user writes, is validated in full by `costing.catalog`.

Parsing YAML is the slowest part of a cold start (~20 ms for the catalog), so a parsed file is kept as JSON in
the user's cache directory (`COSTBOT_CACHE_DIR`, or the platform's: ~/.cache/costbot on Linux), named by a hash
of the file's bytes: like Python's own .pyc files, an edited file is simply parsed again, and a cache that
can't be written (a read-only container) only costs the parse.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["DATA", "DataFileError", "Fields", "load_data", "use_cache_dir"]

#: The bundled data files.
DATA = Path(__file__).with_name("data")
_E = TypeVar("_E", bound=StrEnum)
_MISSING: Any = object()
#: Part of every cache file's name: changing how files are parsed (the loader, the JSON form) changes it.
_CACHE_FORMAT = b"base-json-1"


class DataFileError(ValueError):
    """A bundled data file breaks its own schema; the message names the file, the row and the field."""


@functools.cache
def load_data(name: str) -> Any:
    """A bundled YAML file, parsed once. Scalars stay text (`yaml.BaseLoader`): `Fields` types them."""
    path = DATA / name
    raw = path.read_bytes()
    cache = _cache
    cached = None
    if cache is not None:
        digest = hashlib.blake2b(raw, digest_size=12, salt=_CACHE_FORMAT).hexdigest()
        cached = cache / f"{path.stem}-{digest}.json"
        try:
            return json.loads(cached.read_bytes())
        except (OSError, ValueError):
            pass
    import yaml  # only when the cache misses: importing it is a tenth of a cold start

    data = yaml.load(raw, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    if cached is not None:
        _write(cached, json.dumps(data, separators=(",", ":")).encode())
    return data


#: Where parsed files are cached, as `use_cache_dir` named it (None: not cached).
_cache: Path | None = None


def use_cache_dir(path: str | os.PathLike[str] | None) -> None:
    """Cache parsed data files as JSON in `path` (None: parse them in every process).

    The caller decides where (costbot's front ends: `COSTBOT_CACHE_DIR`, else the user's cache directory);
    costing never reads the environment. A directory that can't be written only costs the parse.
    """
    global _cache
    _cache = Path(path).expanduser() if path else None


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all (two processes may write the same file at once); a failure is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        pass


class Fields:
    """One mapping of a data file, read field by field; `done()` refuses fields nobody read."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise DataFileError(f"{where}: expected a mapping")
        self.data = data
        self.where = where
        self._read: set[str] = set()

    def _get(self, key: str, default: Any) -> Any:
        self._read.add(key)
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value in ("", "null", "~"):
            if default is _MISSING:
                raise DataFileError(f"{self.where}: '{key}' is missing")
            return default
        return value

    def fail(self, key: str, why: str) -> DataFileError:
        return DataFileError(f"{self.where}: '{key}' {why}")

    def text(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is not default and not isinstance(value, str):
            raise self.fail(key, "must be text")
        return value

    def url(self, key: str) -> str:
        value: str = self.text(key)
        if not value.startswith("https://") or " " in value:
            raise self.fail(key, f"must be an https URL, not {value!r}")
        return value

    def integer(self, key: str, *, low: int = 0, high: int = 10**9, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise self.fail(key, f"must be a whole number, not {value!r}") from None
        if not low <= number <= high:
            raise self.fail(key, f"must be between {low} and {high}")
        return number

    def decimal(self, key: str) -> Decimal:
        value = self._get(key, _MISSING)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(key, f"must be a number, not {value!r}") from None
        if not number.is_finite() or number <= 0:
            raise self.fail(key, "must be a positive number")
        return number

    def day(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"must be a date like 2026-12-01, not {value!r}") from None

    def flag(self, key: str, default: bool) -> bool:
        value: object = self._get(key, default)
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise self.fail(key, f"must be true or false, not {value!r}")

    def choice(self, key: str, kind: type[_E], default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is default:
            return value
        try:
            return kind(value)
        except ValueError:
            raise self.fail(key, f"must be one of {', '.join(kind)}, not {value!r}") from None

    def numbers(self, key: str) -> dict[str, float]:
        """A mapping of names to non-negative numbers."""
        value = self._get(key, _MISSING)
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping of numbers")
        out = {}
        for name, number in value.items():
            try:
                out[str(name)] = float(number)
            except (TypeError, ValueError):
                raise self.fail(key, f"has a non-number {name}: {number!r}") from None
            if not out[str(name)] >= 0:
                raise self.fail(key, f"has a negative {name}")
        return out

    def mapping(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is not default and not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping")
        return value

    def items(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is not default and not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise DataFileError(f"{self.where}: unknown field(s) {', '.join(map(str, unknown))}")
