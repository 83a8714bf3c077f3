"""The errors a user can cause in costing: text that does not describe a workload we can price, and words after
`digest on` that are not a schedule."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["EstimateError", "ScheduleError"]


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
        return (_rebuild, (type(self), self.message, self.fragment, self.position, self.suggestion, self.example))


def _rebuild(
    cls: type[EstimateError],
    message: str,
    fragment: str | None,
    position: int | None,
    suggestion: str | None,
    example: str | None,
) -> EstimateError:
    return cls(message, fragment=fragment, position=position, suggestion=suggestion, example=example)


class ScheduleError(ValueError):
    """The words after `digest on` are not a day, a time and a time zone.

    The message is written for the person who typed them: the word not understood, and what would work.

    Attributes:
        message: What went wrong, including any "Did you mean …?".
        word: The word (or words) not understood, as typed, or None.
        suggestions: Close alternatives (zone names, a day), best first; may be empty.
        example: A complete command that works, built from what was understood: `/cost digest on mon 09:00 UTC`.
    """

    def __init__(
        self, message: str, *, word: str | None = None, suggestions: tuple[str, ...] = (), example: str | None = None
    ) -> None:
        self.message = message
        self.word = word
        self.suggestions = suggestions
        self.example = example
        # The message alone: the reply shows the example apart, as a command to copy.
        super().__init__(message)

    def __reduce__(self) -> tuple[Callable[..., ScheduleError], tuple[object, ...]]:
        # keep keyword-only fields through pickling, as EstimateError does
        return (_rebuild_schedule_error, (self.message, self.word, self.suggestions, self.example))


def _rebuild_schedule_error(
    message: str, word: str | None, suggestions: tuple[str, ...], example: str | None
) -> ScheduleError:
    return ScheduleError(message, word=word, suggestions=suggestions, example=example)
