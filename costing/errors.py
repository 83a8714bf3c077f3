"""The one error a user can cause in costing: text that does not describe a workload we can price."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["EstimateError"]


class EstimateError(ValueError):
    """The text could not be turned into an estimate.

    The message is written for the person who typed the text: what was not understood, where, and what would
    work instead. It never repeats Slack markup (mentions, links) from the input.

    Attributes:
        message: One or two sentences saying what went wrong.
        fragment: The piece of input that was not understood, already made safe to show, or None.
        position: 1-based character position of that piece in the input, or None.
        suggestion: A close alternative (a model name, a keyword), or None.
        example: A complete text that parses, close to what the user seems to want, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        fragment: str | None = None,
        position: int | None = None,
        suggestion: str | None = None,
        example: str | None = None,
    ) -> None:
        self.message = message
        self.fragment = fragment
        self.position = position
        self.suggestion = suggestion
        self.example = example
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.message]
        if self.position is not None and self.fragment is not None:
            parts[0] = f"{self.message} (at character {self.position})"
        if self.suggestion:
            parts.append(f"Did you mean {self.suggestion}?")
        if self.example:
            parts.append(f"Try: {self.example}")
        return " ".join(parts)

    def __reduce__(self) -> tuple[Callable[..., EstimateError], tuple[object, ...]]:
        # keep keyword-only fields through pickling (multiprocessing, caches)
        return (_rebuild, (self.message, self.fragment, self.position, self.suggestion, self.example))


def _rebuild(
    message: str, fragment: str | None, position: int | None, suggestion: str | None, example: str | None
) -> EstimateError:
    return EstimateError(message, fragment=fragment, position=position, suggestion=suggestion, example=example)
