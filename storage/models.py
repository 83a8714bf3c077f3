"""Tables and the models around them: `…Create` validates what comes in, `…Public` is what goes out.

SQLModel table models do not validate on construction, so input always arrives as a `…Create` model and the
repository functions build the table rows from it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import to_jsonable_python
from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from costing import Estimate, EstimateFigures
from storage.names import MAX_NAME_LENGTH, name_key, name_problem
from storage.types import DecimalText, UTCDateTime, utcnow

__all__ = [
    "MAX_NAME_LENGTH",
    "DeletedScenario",
    "DeletedScenarioPublic",
    "DigestRun",
    "DigestRunPublic",
    "DigestScenario",
    "DigestSubscription",
    "DigestSubscriptionCreate",
    "DigestSubscriptionPublic",
    "LastEstimate",
    "RunKind",
    "RunStatus",
    "Scenario",
    "ScenarioCreate",
    "ScenarioPublic",
    "ScenarioVersion",
    "ThreadReply",
    "ThreadReplyCreate",
    "VersionCreate",
    "Work",
    "WorkPublic",
    "WorkState",
    "estimate_json",
    "estimate_of",
    "figures_of",
    "name_key",
    "prices_of",
]

_TEAM = r"^[TE][A-Z0-9]{2,}$"
_CHANNEL = r"^[CDG][A-Z0-9]{2,}$"
_USER = r"^[UWB][A-Z0-9]{2,}$"


def estimate_of(data: dict[str, Any]) -> Estimate:
    """The `Estimate` kept in a row's JSON column (`estimate_json`)."""
    return Estimate.model_validate(data)


def prices_of(estimate: Estimate) -> dict[str, Any]:
    """The prices an estimate used, kept beside it so a later price change can be named as the cause."""
    return to_jsonable_python(
        {
            "model": estimate.model,
            "api": {"unit_usd": estimate.api.unit_usd, **estimate.api.price.model_dump()},
            "compute": {
                "gpu": estimate.compute.gpu,
                "gpu_hour_usd": estimate.compute.gpu_hour_usd,
                "gpu_seconds_per_unit": estimate.compute.gpu_seconds_per_unit,
            },
        }
    )


def figures_of(estimate: Estimate) -> dict[str, Any]:
    """What a digest reads of the estimate, as its JSON column keeps it (`costing.EstimateFigures`)."""
    return EstimateFigures.of(estimate).stored()


def estimate_json(estimate: Estimate) -> dict[str, Any]:
    """The estimate as its JSON column keeps it: Decimals as exact text (pydantic's default for a Decimal),
    not the float the `--json` edge shows; `Estimate.model_validate` reads it back equal, each part typed by
    `WorkloadParts`."""
    return to_jsonable_python(estimate.model_dump())  # type: ignore[no-any-return]


# --- scenarios ----------------------------------------------------------------------------------------------


class ScenarioBase(SQLModel):
    team_id: str = Field(max_length=32, schema_extra={"pattern": _TEAM})
    channel_id: str = Field(max_length=32, schema_extra={"pattern": _CHANNEL})
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    author_id: str = Field(max_length=32, schema_extra={"pattern": _USER})
    text: str = Field(min_length=1, max_length=1000)


class Scenario(ScenarioBase, table=True):
    """A saved estimate: what a team decided to keep an eye on, with its thread and its history."""

    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "name_key", name="uq_scenario_name"),
        Index("ix_scenario_team_author", "team_id", "author_id", "updated_at"),
        Index("ix_scenario_thread", "team_id", "channel_id", "card_ts"),
        # Never reuse a deleted scenario's id on SQLite: buttons out in Slack still carry it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name_key: str = Field(max_length=MAX_NAME_LENGTH)
    estimate: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    #: What a digest reads of the estimate (`costing.EstimateFigures`): a tenth of its size.
    figures: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    prices: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    value_text: str | None = Field(default=None, max_length=300)
    budget_usd_month: Decimal | None = Field(default=None, sa_type=DecimalText)
    channel_private: bool = Field(default=False)
    card_ts: str | None = Field(default=None, max_length=32)
    card_permalink: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1)
    #: The request that saved it (`Work.key`): a save carried out again after a crash finds its own scenario.
    origin: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScenarioCreate(ScenarioBase):
    """A scenario to save: checked names, Slack ids and an estimate already costed."""

    estimate: Estimate
    channel_private: bool = False
    budget_usd_month: Decimal | None = Field(default=None, ge=0)
    origin: str | None = Field(default=None, max_length=100)

    @field_validator("name", mode="before")  # before the length limit: spaces collapse first
    @classmethod
    def _name(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        problem = name_problem(value)
        if problem:
            raise ValueError(problem)
        return " ".join(value.split())

    def row(self) -> Scenario:
        return Scenario(
            team_id=self.team_id,
            channel_id=self.channel_id,
            name=self.name,
            name_key=name_key(self.name),
            author_id=self.author_id,
            text=self.text,
            estimate=estimate_json(self.estimate),
            figures=figures_of(self.estimate),
            prices=prices_of(self.estimate),
            value_text=self.estimate.sections.get("value") or None,
            budget_usd_month=self.budget_usd_month,
            channel_private=self.channel_private,
            origin=self.origin,
        )


class ScenarioPublic(ScenarioBase):
    """A scenario as the bot shows it."""

    id: int
    estimate: Estimate
    value_text: str | None
    budget_usd_month: Decimal | None
    channel_private: bool
    card_ts: str | None
    card_permalink: str | None
    version: int
    origin: str | None = None
    created_at: datetime
    updated_at: datetime


class VersionBase(SQLModel):
    author_id: str = Field(max_length=32, schema_extra={"pattern": _USER})
    text: str = Field(min_length=1, max_length=1000)
    #: What the change was: saved, what-if, value, budget.
    change: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=300)


class ScenarioVersion(VersionBase, table=True):
    """One state of a scenario; every change is a new one, none is ever overwritten."""

    __tablename__ = "scenario_version"
    __table_args__ = (UniqueConstraint("scenario_id", "number", name="uq_scenario_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(sa_column=Column(Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False))
    number: int
    estimate: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    budget_usd_month: Decimal | None = Field(default=None, sa_type=DecimalText)
    #: The request that made it (`Work.key`): a change carried out again after a crash finds it done.
    origin: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VersionCreate(VersionBase):
    """A change to a saved scenario: its new text and figures, or a new budget."""

    change: str = Field(schema_extra={"pattern": r"^(saved|what-if|value|budget|re-costed)$"})
    estimate: Estimate
    budget_usd_month: Decimal | None = Field(default=None, ge=0)
    #: False keeps the current budget; True sets it to `budget_usd_month` (None clears it).
    set_budget: bool = False
    origin: str | None = Field(default=None, max_length=100)


class VersionPublic(VersionBase):
    number: int
    estimate: Estimate
    budget_usd_month: Decimal | None
    created_at: datetime


# --- threads -----------------------------------------------------------------------------------------------


class ThreadReplyBase(SQLModel):
    user_id: str = Field(max_length=32, schema_extra={"pattern": _USER})
    ts: str = Field(max_length=32, schema_extra={"pattern": r"^\d+\.\d+$"})
    text: str = Field(max_length=4000)
    #: The reply read as a change (`what if 2M users`) and was answered with new figures.
    is_change: bool = False


class ThreadReply(ThreadReplyBase, table=True):
    """A message in a scenario's thread, kept with the scenario."""

    __tablename__ = "thread_reply"
    __table_args__ = (UniqueConstraint("scenario_id", "ts", name="uq_thread_reply_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(sa_column=Column(Integer, ForeignKey("scenario.id", ondelete="CASCADE"), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ThreadReplyCreate(ThreadReplyBase):
    @field_validator("text", mode="before")  # before the 4000-character limit would refuse it
    @classmethod
    def _clip(cls, value: Any) -> Any:
        return value[:4000] if isinstance(value, str) else value


class ThreadReplyPublic(ThreadReplyBase):
    created_at: datetime


class DeletedScenario(SQLModel, table=True):
    """A deleted scenario, whole (its row, versions and kept replies), kept for a while so that its deleter can
    undo the delete; the scheduler's hourly prune forgets it after `storage.scenarios.KEEP_DELETED`."""

    __tablename__ = "deleted_scenario"
    __table_args__ = (
        Index("ix_deleted_scenario_deleted_at", "deleted_at"),
        Index("ix_deleted_scenario_origin", "origin"),
        # Never reuse an id on SQLite: an Undo button out in Slack carries it.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    scenario_id: int
    name: str = Field(max_length=MAX_NAME_LENGTH)
    deleted_by: str = Field(max_length=32)
    deleted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    #: The request that deleted it (`Work.key`): a delete carried out again after a crash finds its own.
    origin: str | None = Field(default=None, max_length=100)
    #: `{"scenario": row, "versions": [row, …], "replies": [row, …]}`, each row as JSON.
    contents: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    #: When Undo brought it back: kept (until pruned) so that the delete, carried out again after a crash, finds
    #: it was made and undone rather than deleting the scenario a second time.
    restored_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeletedScenarioPublic(SQLModel):
    id: int
    team_id: str
    channel_id: str
    scenario_id: int
    name: str
    deleted_by: str
    deleted_at: datetime
    restored_at: datetime | None = None
    #: How many versions went with it.
    versions: int

    @classmethod
    def of(cls, row: DeletedScenario) -> DeletedScenarioPublic:
        fields = {name: getattr(row, name) for name in cls.model_fields if name != "versions"}
        return cls.model_validate({**fields, "versions": len(row.contents["versions"])})


# --- what each user last costed, for `/cost save NAME` without a text ----------------------------------------


class LastEstimate(SQLModel, table=True):
    __tablename__ = "last_estimate"

    team_id: str = Field(primary_key=True, max_length=32)
    channel_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    text: str = Field(max_length=1000)
    estimated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# --- digests -----------------------------------------------------------------------------------------------

_AT_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class DigestSubscriptionBase(SQLModel):
    team_id: str = Field(max_length=32, schema_extra={"pattern": _TEAM})
    channel_id: str = Field(max_length=32, schema_extra={"pattern": _CHANNEL})
    created_by: str = Field(max_length=32, schema_extra={"pattern": _USER})
    weekday: int = Field(ge=0, le=6)  # 0 = Monday
    at_time: str = Field(max_length=5, schema_extra={"pattern": _AT_TIME})  # HH:MM, local to `timezone`
    timezone: str = Field(min_length=1, max_length=64)  # IANA name


class DigestSubscription(DigestSubscriptionBase, table=True):
    """A channel's weekly digest: when (weekday, time, zone) and who set it up."""

    __tablename__ = "digest_subscription"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", name="uq_digest_subscription_channel"),
        Index("ix_digest_subscription_due", "active", "next_due_at"),
        # App Home lists the digests a user set up, by channel: equality and order in one index.
        Index("ix_digest_subscription_creator", "team_id", "created_by", "channel_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_by: str = Field(max_length=32)
    active: bool = Field(default=True)
    #: The next due time the scheduler hasn't dealt with yet (UTC); None: work it out at the next pass (a new
    #: or changed schedule). The minute's pass reads only the subscriptions whose time has come.
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Why the last post to the channel failed (bot removed, channel archived); None once one succeeds.
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DigestSubscriptionCreate(DigestSubscriptionBase):
    """`/cost digest on …`: a checked schedule for a channel."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not an IANA time zone this machine knows: {value!r}") from None
        return value


class DigestSubscriptionPublic(DigestSubscriptionBase):
    id: int
    active: bool
    next_due_at: datetime | None = None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class RunKind(StrEnum):
    """What a digest run is: the channel's weekly digest, or one asked for with `/cost digest now`."""

    WEEKLY = "weekly"
    NOW = "now"


class RunStatus(StrEnum):
    """Where a digest run stands: claimed (being posted), posted, or failed (retried while it may be)."""

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"


class DigestRun(SQLModel, table=True):
    """One digest post, claimed before anything is posted. A weekly run has its ISO `week`, and the unique key
    makes it once per channel and week; a `digest now` run has no week (NULLs never clash)."""

    __tablename__ = "digest_run"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "week", name="uq_digest_run_week"),
        Index("ix_digest_run_channel", "team_id", "channel_id", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    kind: str = Field(default=RunKind.WEEKLY, max_length=16)  # a RunKind
    week: str | None = Field(default=None, max_length=16)  # ISO week, 2026-W48 (weekly runs only)
    #: When it was due: the scheduled time of a weekly run, the request's time of a `digest now`.
    due_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default=RunStatus.CLAIMED, max_length=16)  # a RunStatus
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_ts: str | None = Field(default=None, max_length=32)
    permalink: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=300)
    attempts: int = Field(default=0)
    #: The figures the digest showed (`costing.DigestSnapshot`, as `Digest.snapshot()` writes it): next week's
    #: comparison.
    figures: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON(none_as_null=True), nullable=True),  # None is SQL NULL, not 'null'
    )


class DigestRunPublic(SQLModel):
    id: int
    team_id: str
    channel_id: str
    kind: RunKind
    week: str | None
    due_at: datetime
    status: RunStatus
    claimed_by: str | None
    claimed_at: datetime
    posted_at: datetime | None
    message_ts: str | None
    permalink: str | None
    error: str | None
    attempts: int


@pydantic_dataclass(frozen=True, slots=True, kw_only=True)
class DigestScenario:
    """A saved scenario as a digest reads it: its figures (not its whole estimate) and where its thread is."""

    id: int
    name: str
    version: int
    estimate: EstimateFigures
    budget_usd_month: Decimal | None = None
    #: The scenario's card in Slack, when it was posted.
    link: str | None = None


class WorkState(StrEnum):
    """Where acknowledged work stands: written down, being done, done, or given up after too many tries."""

    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    GAVE_UP = "gave-up"


class Work(SQLModel, table=True):
    """A request Slack was told "got it" for, written down before the acknowledgement and finished after the
    work: a process that dies in between leaves it here for the next one. `key` names the request (its
    signature, or the event's id), so a replay or a redelivery is never recorded, nor done, twice."""

    __tablename__ = "work"
    __table_args__ = (
        UniqueConstraint("key", name="uq_work_key"),
        Index("ix_work_state", "state", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100)
    team_id: str | None = Field(default=None, max_length=32)
    #: What carries it out: the name of the listener's deferred function.
    step: str = Field(max_length=64)
    #: The request as Slack sent it (it holds a response URL: dropped once the work is finished).
    body: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    state: str = Field(default=WorkState.WAITING, max_length=16)  # a WorkState
    #: The process that recorded it, then the one doing it (host:pid:boot).
    claimed_by: str = Field(max_length=100)
    claimed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkPublic(SQLModel):
    id: int
    key: str
    team_id: str | None
    step: str
    body: dict[str, Any] | None
    state: WorkState
    claimed_by: str
    claimed_at: datetime
    attempts: int
    created_at: datetime
