"""Which model a request is priced on: the one it names (by id, alias, family or provider-qualified name), or its
workload's default still on sale on the day; unknown names get close suggestions, and a model of another kind
says so. A model is a catalog entry (video, image, speech, transcription) or a genai-prices token price.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from costing.aliases import Alias, find_alias, rewrite
from costing.catalog import Catalog, PriceEntry
from costing.errors import EstimateError
from costing.lexicon import EXAMPLES, WORKLOAD_PHRASES, Modality
from costing.lifecycle import Lifecycle
from costing.request import Request
from costing.tokens import (
    TokenPrice,
    UnknownProvider,
    find_token_price,
    known_token_models,
    token_data,
    token_snapshot,
)

__all__ = ["DEFAULT_MODELS", "TOKEN_MODALITIES", "ModelChoice", "choose_model", "default_model"]

#: Each workload's default model, in order of preference: the first still on sale on the day asked about.
DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    "video": ("veo-3.1-fast", "veo-3.1-lite"),
    "image": ("gpt-image-2.6-sunburst", "gpt-image-2.5-sunburst", "gemini-3.1-flash-image"),
    "chat": ("gpt-6-luna", "gpt-5.4-mini", "claude-haiku-4-5"),
    "agent": ("claude-sonnet-5-5", "claude-sonnet-4-6"),
    "tts": ("elevenlabs-flash", "polly-neural"),
    "transcribe": ("deepgram-nova-3", "google-chirp-3"),
    "embed": ("text-embedding-3-small", "gemini-embedding-001"),
}
TOKEN_MODALITIES = frozenset({"chat", "agent", "embed"})


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The model a request is priced on: a catalog entry or a genai-prices token price."""

    modality: Modality
    model_id: str
    entry: PriceEntry | None
    token_price: TokenPrice | None

    @property
    def name(self) -> str:
        return self.entry.name if self.entry else self.token_price.name  # type: ignore[union-attr]

    @property
    def provider(self) -> str:
        return self.entry.provider if self.entry else self.token_price.provider  # type: ignore[union-attr]

    @property
    def token_priced(self) -> bool:
        return self.token_price is not None or (self.entry is not None and self.entry.unit == "token")

    @property
    def lifecycle(self) -> Lifecycle:
        return self.entry.lifecycle if self.entry else self.token_price.lifecycle  # type: ignore[union-attr]


def _compatible(asked: Modality, actual: Modality) -> bool:
    return asked == actual or {asked, actual} <= {"chat", "agent"}


def _token_modality(price: TokenPrice) -> Modality:
    return "embed" if price.output_mtok is None or "embed" in price.model_id else "chat"


def default_model(modality: Modality, *, catalog: Catalog, at: datetime) -> str:
    """The name of `modality`'s default model on the day of `at`: the first of its preferences still on sale
    (if every one has shut down, the first still priced, which the answer then warns about).

    Raises:
        EstimateError: None of the preferences is priced at all (token-price data without them).
    """
    day = at.date()
    priced = []
    for name in DEFAULT_MODELS[modality]:
        found = _lookup(name, catalog=catalog, at=at)
        if found is not None and _compatible(modality, found.modality):
            if found.lifecycle.usable_on(day):
                return name
            priced.append(name)
    if priced:
        return priced[0]
    raise EstimateError(
        f"None of the default models for {modality} ({', '.join(DEFAULT_MODELS[modality])}) has a price in the "
        f"token-price data in use ({token_data().label}). Name a model to price it.",
        example=EXAMPLES[modality],
    )


def _lookup(name: str, *, catalog: Catalog, at: datetime, provider: str | None = None) -> ModelChoice | None:
    """A catalog entry or a token price for `name` (modality unchecked), or None.

    Remembered per name and minute (no price changes within one) for this catalog and these token prices.

    Raises:
        UnknownProvider: `provider` is not one genai-prices knows.
    """
    key = (name, provider, at.replace(second=0, microsecond=0))
    snapshot = token_snapshot()
    hit = _LOOKED_UP.get(key)
    if hit is not None and hit[0] is catalog and hit[1] is snapshot:
        return hit[2]
    choice = _look_up(name, catalog=catalog, at=at, provider=provider)
    if len(_LOOKED_UP) >= 4096:  # bounded: names come from users, minutes pass
        _LOOKED_UP.clear()
    _LOOKED_UP[key] = (catalog, snapshot, choice)
    return choice


_LOOKED_UP: dict[tuple[str, str | None, datetime], tuple[Catalog, object, ModelChoice | None]] = {}


def _look_up(name: str, *, catalog: Catalog, at: datetime, provider: str | None) -> ModelChoice | None:
    if provider is None:
        model_id = catalog.resolve(name)
        if model_id is not None:
            entry = catalog.default_entry(model_id)
            return ModelChoice(entry.modality, model_id, entry, None)
    price = find_token_price(name, provider=provider, at=at)
    if price is None:
        return None
    return ModelChoice(_token_modality(price), price.model_id, None, price)


def choose_model(
    request: Request, *, catalog: Catalog, at: datetime, assumptions: list[str], warnings: list[str]
) -> ModelChoice:
    """The model named in the request, or the workload's default (stated in `assumptions`).

    A family name (`claude-haiku`) is its newest member still on sale; `provider/model` is that provider's
    price; the answer says which model either came to. The choice, and what it adds to `assumptions` and
    `warnings`, is remembered per model name, workload and minute for this catalog and these token prices.

    Raises:
        EstimateError: No workload and no model; an unknown model or provider (with suggestions); a model of
            another kind; a family none of whose models is on sale any more.
    """
    key = (request.model, request.modality, at.replace(second=0, microsecond=0))
    snapshot = token_snapshot()
    hit = _CHOSEN.get(key)
    if hit is not None and hit[0] is catalog and hit[1] is snapshot:
        choice, said, warned = hit[2], hit[3], hit[4]
    else:
        said, warned = [], []
        choice = _choose(request, catalog=catalog, at=at, assumptions=said, warnings=warned)
        if len(_CHOSEN) >= 4096:  # bounded: names come from users, minutes pass
            _CHOSEN.clear()
        _CHOSEN[key] = (catalog, snapshot, choice, said, warned)
    assumptions.extend(said)
    warnings.extend(warned)
    return choice


_CHOSEN: dict[tuple[str | None, str | None, datetime], tuple[Catalog, object, ModelChoice, list[str], list[str]]] = {}


def _choose(
    request: Request, *, catalog: Catalog, at: datetime, assumptions: list[str], warnings: list[str]
) -> ModelChoice:
    asked = request.modality
    if request.model is None:
        if asked is None:
            raise EstimateError(
                "What should I cost? Start with a workload: video, image, chat, agent, tts, transcribe or embed.",
                example=EXAMPLES["video"],
            )
        name = default_model(asked, catalog=catalog, at=at)
        choice = _lookup(name, catalog=catalog, at=at)
        assert choice is not None, "default_model returns only priced names"
        assumptions.append(f"No model named: {choice.name} is the default for {asked}.")
        return _as(choice, asked)

    typed = request.model
    position = request.where["model"][0]
    choice = _named(typed, catalog=catalog, at=at, asked=asked, position=position, assumptions=assumptions)
    if choice is None:
        raise _unknown_model(typed, asked, catalog, position, at)
    if asked is not None and not _compatible(asked, choice.modality):
        raise _wrong_modality(typed, choice.modality, asked, catalog, position, at)
    if choice.token_price is not None:
        if choice.token_price.matched_as is not None:
            assumptions.append(
                f"'{typed}' is priced as {choice.token_price.provider}'s {choice.model_id} (the closest name it lists)."
            )
        warnings.extend(choice.token_price.notes)
    return _as(choice, asked)


def _as(choice: ModelChoice, asked: Modality | None) -> ModelChoice:
    modality = asked or choice.modality
    if modality == choice.modality:
        return choice
    return ModelChoice(modality, choice.model_id, choice.entry, choice.token_price)


def _named(
    typed: str, *, catalog: Catalog, at: datetime, asked: Modality | None, position: int, assumptions: list[str]
) -> ModelChoice | None:
    """What a typed model name stands for: `provider/model`, a catalog name, a family, a spelling, a token id."""
    prefix, rest = _split(typed)
    if prefix is not None:
        try:
            return _lookup(rest, catalog=catalog, at=at, provider=prefix)
        except UnknownProvider as error:
            raise EstimateError(
                f"I don't know the provider '{prefix}' in '{typed}'. Name one genai-prices knows "
                f"({', '.join(p for p in error.known if p in _PROVIDER_HINTS)}, …), as LiteLLM and OpenRouter "
                "spell them, or leave the provider out.",
                fragment=typed,
                position=position,
                example=f"{EXAMPLES[asked or 'chat']} together/llama-3.1-70b",
            ) from None
    model_id = catalog.resolve(typed)
    if model_id is not None:
        entry = catalog.default_entry(model_id)
        return ModelChoice(entry.modality, model_id, entry, None)
    alias, spelled = _spellings(typed)
    if alias is not None:
        return _family_member(typed, alias.members, catalog=catalog, at=at, position=position, assumptions=assumptions)
    if spelled is not None:
        found = _named(spelled, catalog=catalog, at=at, asked=asked, position=position, assumptions=assumptions)
        if found is not None:
            return found
    return _lookup(typed, catalog=catalog, at=at)


def _family_member(
    typed: str, members: tuple[str, ...], *, catalog: Catalog, at: datetime, position: int, assumptions: list[str]
) -> ModelChoice:
    day = at.date()
    found: list[ModelChoice] = []
    for member in members:
        provider, name = _split(member)
        choice = _lookup(name, catalog=catalog, at=at, provider=provider)
        if choice is None:
            continue
        found.append(choice)
        if choice.lifecycle.usable_on(day):
            if len(members) > 1:
                assumptions.append(
                    f"'{typed}' is a family: its newest model on sale is {choice.name} ({choice.model_id})."
                )
            elif choice.token_price is not None:
                assumptions.append(f"'{typed}' is priced at {choice.provider}'s rate for {choice.model_id}.")
            return choice
    if not found:  # every member unknown to this data: a stale alias table, not the user's fault
        raise EstimateError(
            f"I know '{typed}' as a family name, but none of its models has a price here.",
            fragment=typed,
            position=position,
        )
    last = found[0]
    life = last.lifecycle
    shut = f" on {life.shutdown.isoformat()}" if life.shutdown else ""
    instead = f"; {last.provider} recommends {life.replacement}" if life.replacement else ""
    raise EstimateError(
        f"Every '{typed}' model has been shut down (the newest, {last.model_id}, was shut down{shut}{instead}). "
        f"Name one to price it as it was, like '{last.model_id}'.",
        fragment=typed,
        position=position,
        suggestion=life.replacement or last.model_id,
    )


@functools.lru_cache(maxsize=2048)
def _spellings(typed: str) -> tuple[Alias | None, str | None]:
    """The family a typed name stands for, and another spelling to look it up by (either may be None)."""
    return find_alias(typed), rewrite(typed)


_PROVIDER_HINTS = frozenset(
    {
        "openai",
        "anthropic",
        "google",
        "azure",
        "aws",
        "together",
        "groq",
        "fireworks",
        "deepseek",
        "mistral",
        "x-ai",
        "openrouter",
        "cohere",
        "cerebras",
    }
)


def _suggestions(typed: str, asked: Modality | None, catalog: Catalog, at: datetime) -> list[str]:
    """Up to three names close to `typed` that parse and price, models on sale first."""
    extra = known_token_models() if asked in (None, *TOKEN_MODALITIES) else ()
    close = catalog.suggest(typed, modality=asked, extra=extra, limit=6)
    day = at.date()

    def on_sale(suggested: str) -> bool:
        provider, name = _split(suggested)
        try:
            choice = _lookup(name, catalog=catalog, at=at, provider=provider)
        except UnknownProvider:  # pragma: no cover - suggestions only name known providers
            return False
        return choice is not None and choice.lifecycle.usable_on(day)

    ranked = sorted(close, key=lambda name: not on_sale(name))
    return ranked[:3]


def _split(name: str) -> tuple[str | None, str]:
    """`together/meta-llama/x` → ("together", "meta-llama/x"); a plain name has no provider."""
    provider, slash, rest = name.partition("/")
    return (provider, rest) if slash else (None, name)


def _unknown_model(typed: str, asked: Modality | None, catalog: Catalog, position: int, at: datetime) -> EstimateError:
    suggestions = _suggestions(typed, asked, catalog, at)
    hint = f" {', '.join(suggestions)} {'is' if len(suggestions) == 1 else 'are'} close." if suggestions else ""
    default = default_model(asked or "video", catalog=catalog, at=at)
    return EstimateError(
        f"I don't know the model '{typed}', so I can't price it.{hint} "
        "'/cost prices' lists every model I know, or give your own price: 'at $0.25/s'.",
        fragment=typed,
        position=position,
        suggestion=suggestions[0] if suggestions else None,
        example=f"{EXAMPLES[asked or 'video']} {default}",
    )


def _wrong_modality(
    typed: str, actual: Modality, asked: Modality, catalog: Catalog, position: int, at: datetime
) -> EstimateError:
    default = default_model(asked, catalog=catalog, at=at)
    day = at.date()
    others = [i for i in catalog.ids(asked) if i != default and catalog.default_entry(i).lifecycle.usable_on(day)]
    options = ", ".join([default, *others][:4])
    return EstimateError(
        f"'{typed}' is {WORKLOAD_PHRASES[actual]} model, not {WORKLOAD_PHRASES[asked]} model. "
        f"For {asked}, try {options}.",
        fragment=typed,
        position=position,
        example=f"{EXAMPLES[asked]} {default}",
    )
