"""Shared fixtures: every test sees the bundled catalog unless it sets a price book itself."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_user_price_book(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COSTBOT_PRICES", raising=False)
