"""An estimate's reply: from text that isn't a subcommand (`bot.router` answers those) to the message that
answers it, the estimate or what was wrong with the text."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.blocks import error_message, estimate_message, help_message, no_estimate_message, problem_message
from bot.blocks.mrkdwn import escape
from bot.blocks.parts import context
from costing import (
    Catalog,
    CatalogError,
    Estimate,
    EstimateError,
    Subcommand,
    current_catalog,
    estimate_in,
    estimate_request,
    not_an_estimate,
    parse_request,
    read_instead,
    token_snapshot,
    workload_words_in,
)

__all__ = ["Reply", "estimate_reply", "estimate_text"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send, the estimate in it when there is one, and whether only the asker should see it."""

    message: dict[str, Any]
    estimate: Estimate | None = None
    #: Errors and problems are for the person who typed the text, never for the whole channel.
    private: bool = False
    #: It says what stopped the request (nothing was done): a button's message stays, to try again.
    problem: bool = False


def estimate_text(text: str, *, catalog: Catalog | None = None, at: datetime | None = None) -> Estimate:
    """Cost `text`, which must be an estimate (not a subcommand).

    The same text is often costed again within minutes (Share, Adjust, a colleague re-running it), so recent
    estimates are kept, per catalog (a changed price book is a new catalog), per token-price data (a refresh is
    new data) and per minute (prices change by the time of day, and models shut down on a date).

    Args:
        text: The /cost text.
        catalog: The price book; the current one by default.
        at: The moment whose prices apply (to the minute); now by default. Details of a message cost its text
            as of when the message was posted, so that they show the message's own figures.

    Raises:
        EstimateError: The text is not an estimate we can cost.
        CatalogError: The operator's price book is broken.
    """
    minute = (at or datetime.now(UTC)).replace(second=0, microsecond=0)
    return _costed(text.strip(), catalog or current_catalog(), token_snapshot(), minute)


@functools.lru_cache(maxsize=1024)
def _costed(text: str, catalog: Catalog, snapshot: object, minute: datetime) -> Estimate:
    del snapshot  # part of the cache key only: the token-price data in use, one object per refresh
    request = parse_request(text, model_names=catalog.model_names)
    if isinstance(request, Subcommand):
        raise not_an_estimate(request)
    return estimate_request(request, catalog=catalog, at=minute)


def estimate_reply(text: str, *, share: bool = True, prose: bool = False) -> Reply:
    """The answer to `/cost TEXT` when TEXT is not a subcommand. Never raises for anything a user or an operator
    can cause.

    A text that isn't an estimate but holds one (`how much would 1M videos of 10s cost?`, `Plan: chat … for
    support`) is costed from the estimate inside it, and the answer says which text it read.

    Args:
        text: What the user typed.
        share: Offer the Share in channel button on an estimate (not where the answer is public already).
        prose: `text` is a message someone wrote, not a `/cost` line (the shortcut, a mention): one without an
            estimate is told so, and errors quote it as written, never as a `/cost` command nobody typed.
    """
    if not text.strip():
        return Reply(help_message(), private=True)  # a bare `/cost` (or `@costbot`) asks what the command does
    try:
        result = estimate_text(text)
    except EstimateError as error:
        return _read_as_prose(text, error, share=share, prose=prose)
    except CatalogError as error:
        log.error("price book problem: %s", error)
        message = problem_message(f"costbot's price book has a problem, so I can't price anything: {error}")
        return Reply(message, private=True)
    return Reply(estimate_message(result, share=share), result)


def _read_as_prose(text: str, error: EstimateError, *, share: bool, prose: bool) -> Reply:
    """`text` didn't parse: the estimate inside it, costed, or what is wrong, for the asker alone."""
    found = estimate_in(text, model_names=current_catalog().model_names)
    meant = read_instead(text, found, typo=error.suggestion is not None, prose=prose)
    if meant is not None:
        try:
            result = estimate_text(meant)
        except EstimateError:
            pass
        else:
            message = estimate_message(result, share=share)
            message["blocks"].append(context(f"Read from your words as `/cost {escape(meant)}`."))
            return Reply(message, result)
    if prose:
        if found is None:  # nothing in it to cost, not even something close
            return Reply(no_estimate_message(workload_words_in(text)), private=True)
        return Reply(error_message(error, text, typed_as=""), private=True)
    return Reply(error_message(error, text), private=True)
