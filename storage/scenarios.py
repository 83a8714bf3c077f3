"""Saved scenarios and their versions: keyword-only functions, each taking the session of one unit of work.

Every query names the workspace (`team_id`); names are unique per workspace and channel, whatever their case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage.models import (
    DeletedScenario,
    DeletedScenarioPublic,
    Scenario,
    ScenarioCreate,
    ScenarioPublic,
    ScenarioVersion,
    ThreadReply,
    VersionCreate,
    VersionPublic,
    estimate_json,
    figures_of,
    name_key,
    prices_of,
)
from storage.types import utcnow

__all__ = [
    "KEEP_DELETED",
    "NameTaken",
    "NothingToRestore",
    "ScenarioGone",
    "VersionMoved",
    "add_version",
    "count_channel_scenarios",
    "count_scenarios_by_author",
    "delete_scenario",
    "deleted_scenario",
    "forget_deleted_before",
    "get_scenario",
    "get_scenario_by_id",
    "list_scenarios",
    "list_versions",
    "restore_scenario",
    "save_scenario",
    "scenario_for_thread",
    "scenarios_by_author",
    "set_card",
]


#: How long a delete can be undone.
KEEP_DELETED = timedelta(hours=1)


class NameTaken(Exception):
    """A scenario of that name exists in the channel already."""

    def __init__(self, existing: ScenarioPublic) -> None:
        self.existing = existing
        super().__init__(f"a scenario called {existing.name!r} exists in this channel")


class VersionMoved(Exception):
    """The scenario is at another version than the change was made against (someone saved first)."""

    def __init__(self, current: ScenarioPublic, by: str) -> None:
        self.current = current
        self.by = by
        super().__init__(f"{current.name!r} is at v{current.version} now, saved by {by}")


class ScenarioGone(LookupError):
    """The scenario was deleted (or never existed in this workspace) while someone was looking at it."""


def _public(row: Scenario) -> ScenarioPublic:
    return ScenarioPublic.model_validate(row, from_attributes=True)


def save_scenario(*, session: Session, scenario_create: ScenarioCreate) -> ScenarioPublic:
    """Save a new scenario and its first version.

    Raises:
        NameTaken: The channel has a scenario of that name (also when another save won a race for it).
    """
    existing = get_scenario(
        session=session,
        team_id=scenario_create.team_id,
        channel_id=scenario_create.channel_id,
        name=scenario_create.name,
    )
    if existing is not None:
        raise NameTaken(existing)
    row = scenario_create.row()
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another process saved the same name between the check and the insert (PostgreSQL; SQLite's write
        # lock makes the check above exact).
        existing = get_scenario(
            session=session,
            team_id=scenario_create.team_id,
            channel_id=scenario_create.channel_id,
            name=scenario_create.name,
        )
        if existing is None:
            raise
        raise NameTaken(existing) from None
    assert row.id is not None
    session.add(
        ScenarioVersion(
            scenario_id=row.id,
            number=1,
            author_id=row.author_id,
            text=row.text,
            change="saved",
            estimate=row.estimate,
            budget_usd_month=row.budget_usd_month,
        )
    )
    session.flush()
    return _public(row)


def get_scenario(*, session: Session, team_id: str, channel_id: str, name: str) -> ScenarioPublic | None:
    """The channel's scenario called `name` (any case), or None."""
    row = session.exec(
        select(Scenario).where(
            Scenario.team_id == team_id, Scenario.channel_id == channel_id, Scenario.name_key == name_key(name)
        )
    ).one_or_none()
    return None if row is None else _public(row)


def get_scenario_by_id(*, session: Session, team_id: str, scenario_id: int) -> ScenarioPublic | None:
    """The scenario with that id in this workspace, or None (another workspace's id finds nothing)."""
    row = session.exec(select(Scenario).where(Scenario.id == scenario_id, Scenario.team_id == team_id)).one_or_none()
    return None if row is None else _public(row)


def scenario_for_thread(*, session: Session, team_id: str, channel_id: str, thread_ts: str) -> ScenarioPublic | None:
    """The scenario whose channel card starts the thread `thread_ts`, or None."""
    row = session.exec(
        select(Scenario).where(
            Scenario.team_id == team_id, Scenario.channel_id == channel_id, Scenario.card_ts == thread_ts
        )
    ).first()
    return None if row is None else _public(row)


def list_scenarios(
    *, session: Session, team_id: str, channel_id: str, limit: int | None = None
) -> list[ScenarioPublic]:
    """The channel's scenarios, by name (the first `limit` of them)."""
    query = (
        select(Scenario)
        .where(Scenario.team_id == team_id, Scenario.channel_id == channel_id)
        .order_by(col(Scenario.name_key))
    )
    rows = session.exec(query if limit is None else query.limit(limit)).all()
    return [_public(row) for row in rows]


def scenario_names(*, session: Session, team_id: str, channel_id: str) -> list[str]:
    """The names of the channel's scenarios, by name: only that column is read (for "did you mean")."""
    return list(
        session.exec(
            select(Scenario.name)
            .where(Scenario.team_id == team_id, Scenario.channel_id == channel_id)
            .order_by(col(Scenario.name_key))
        ).all()
    )


def scenarios_by_author(*, session: Session, team_id: str, author_id: str, limit: int = 50) -> list[ScenarioPublic]:
    """A user's scenarios in this workspace, most recently changed first."""
    rows = session.exec(
        select(Scenario)
        .where(Scenario.team_id == team_id, Scenario.author_id == author_id)
        .order_by(col(Scenario.updated_at).desc(), col(Scenario.id).desc())
        .limit(limit)
    ).all()
    return [_public(row) for row in rows]


def count_scenarios_by_author(*, session: Session, team_id: str, author_id: str) -> int:
    """How many scenarios a user has in this workspace."""
    return session.exec(
        select(func.count()).select_from(Scenario).where(Scenario.team_id == team_id, Scenario.author_id == author_id)
    ).one()


def count_channel_scenarios(*, session: Session, team_id: str, channel_id: str) -> int:
    """How many scenarios a channel has."""
    return session.exec(
        select(func.count()).select_from(Scenario).where(Scenario.team_id == team_id, Scenario.channel_id == channel_id)
    ).one()


def set_card(
    *,
    session: Session,
    team_id: str,
    scenario_id: int,
    card_ts: str | None,
    permalink: str | None,
    channel_private: bool,
) -> None:
    """Remember the channel message that presents the scenario (its thread is the discussion)."""
    row = _locked(session=session, team_id=team_id, scenario_id=scenario_id)
    row.card_ts, row.card_permalink, row.channel_private = card_ts, permalink, channel_private
    session.add(row)
    session.flush()


def add_version(
    *,
    session: Session,
    team_id: str,
    scenario_id: int,
    version_create: VersionCreate,
    expect_version: int | None = None,
) -> tuple[ScenarioPublic, VersionPublic]:
    """Make `version_create` the scenario's current state, keeping every earlier one.

    Args:
        expect_version: The version the change was made against: checked under the row's lock (compare and
            set), so of two changes made against one version, one is saved and the other told who was first.

    Raises:
        ScenarioGone: The scenario was deleted meanwhile.
        VersionMoved: It is at another version than `expect_version`.
    """
    row = _locked(session=session, team_id=team_id, scenario_id=scenario_id)
    if expect_version is not None and row.version != expect_version:
        by = session.exec(
            select(ScenarioVersion.author_id).where(
                ScenarioVersion.scenario_id == scenario_id, ScenarioVersion.number == row.version
            )
        ).one()
        raise VersionMoved(_public(row), by)
    estimate = version_create.estimate
    row.version += 1
    row.text = version_create.text
    row.estimate = estimate_json(estimate)
    row.figures = figures_of(estimate)
    row.prices = prices_of(estimate)
    row.value_text = estimate.sections.get("value") or None
    if version_create.set_budget:
        row.budget_usd_month = version_create.budget_usd_month
    row.updated_at = utcnow()
    version = ScenarioVersion(
        scenario_id=scenario_id,
        number=row.version,
        author_id=version_create.author_id,
        text=row.text,
        change=version_create.change,
        note=version_create.note,
        estimate=row.estimate,
        budget_usd_month=row.budget_usd_month,
        origin=version_create.origin,
    )
    session.add(row)
    session.add(version)
    session.flush()
    return _public(row), VersionPublic.model_validate(version, from_attributes=True)


def version_made_by(*, session: Session, team_id: str, scenario_id: int, origin: str) -> int | None:
    """The number of the scenario's version that the request `origin` made, if it made one."""
    return session.exec(
        select(ScenarioVersion.number)
        .join(Scenario, col(Scenario.id) == col(ScenarioVersion.scenario_id))
        .where(Scenario.team_id == team_id, ScenarioVersion.scenario_id == scenario_id)
        .where(ScenarioVersion.origin == origin)
    ).first()


def list_versions(*, session: Session, team_id: str, scenario_id: int) -> list[VersionPublic]:
    """Every version of the scenario, oldest first."""
    rows = session.exec(
        select(ScenarioVersion)
        .join(Scenario, col(Scenario.id) == col(ScenarioVersion.scenario_id))
        .where(Scenario.team_id == team_id, ScenarioVersion.scenario_id == scenario_id)
        .order_by(col(ScenarioVersion.number))
    ).all()
    return [VersionPublic.model_validate(row, from_attributes=True) for row in rows]


def delete_scenario(
    *, session: Session, team_id: str, scenario_id: int, deleted_by: str, origin: str | None = None
) -> DeletedScenarioPublic | None:
    """Delete the scenario with its versions and replies, kept whole for `KEEP_DELETED` so that the delete can
    be undone (`restore_scenario`); None when it was gone already."""
    row = session.exec(
        select(Scenario).where(Scenario.id == scenario_id, Scenario.team_id == team_id).with_for_update()
    ).one_or_none()
    if row is None:
        return None
    versions = session.exec(select(ScenarioVersion).where(ScenarioVersion.scenario_id == scenario_id)).all()
    replies = session.exec(select(ThreadReply).where(ThreadReply.scenario_id == scenario_id)).all()
    kept = DeletedScenario(
        team_id=team_id,
        channel_id=row.channel_id,
        scenario_id=scenario_id,
        name=row.name,
        deleted_by=deleted_by,
        origin=origin,
        contents={
            "scenario": row.model_dump(mode="json"),
            "versions": [version.model_dump(mode="json") for version in versions],
            "replies": [reply.model_dump(mode="json") for reply in replies],
        },
    )
    session.add(kept)
    session.delete(row)  # its versions and replies with it (ON DELETE CASCADE)
    session.flush()
    return DeletedScenarioPublic.of(kept)


def deleted_scenario(
    *, session: Session, team_id: str, deleted_id: int | None = None, origin: str | None = None
) -> DeletedScenarioPublic | None:
    """A delete kept for Undo (undone already when `restored_at` is set): by its id, or by the request that
    made it."""
    query = select(DeletedScenario).where(DeletedScenario.team_id == team_id)
    if deleted_id is not None:
        query = query.where(DeletedScenario.id == deleted_id)
    elif origin is not None:
        query = query.where(DeletedScenario.origin == origin)
    else:
        raise ValueError("give deleted_id or origin")
    row = session.exec(query).first()
    return None if row is None else DeletedScenarioPublic.of(row)


class NothingToRestore(Exception):
    """The delete can't be undone: it was undone already, or is older than `KEEP_DELETED` and forgotten."""


def restore_scenario(*, session: Session, team_id: str, deleted_id: int, now: datetime | None = None) -> ScenarioPublic:
    """Undo a delete: the scenario back as it was, with its id, versions and replies (once: the delete is kept,
    marked restored, until the prune forgets it).

    Raises:
        NothingToRestore: Undone already, or deleted more than `KEEP_DELETED` ago.
        NameTaken: A scenario of that name was saved in the channel since.
    """
    now = now or utcnow()
    kept = session.exec(
        select(DeletedScenario)
        .where(DeletedScenario.id == deleted_id, DeletedScenario.team_id == team_id)
        .with_for_update()
    ).one_or_none()
    if kept is None or kept.restored_at is not None or kept.deleted_at < now - KEEP_DELETED:
        raise NothingToRestore(deleted_id)
    row = Scenario.model_validate(kept.contents["scenario"])
    existing = session.exec(
        select(Scenario).where(
            Scenario.team_id == team_id, Scenario.channel_id == row.channel_id, Scenario.name_key == row.name_key
        )
    ).one_or_none()
    if existing is not None:
        raise NameTaken(ScenarioPublic.model_validate(existing, from_attributes=True))
    try:
        session.add(row)
        session.flush()  # the scenario first (with its id: buttons and digests name it); the rest point at it
    except IntegrityError:  # the name taken a moment ago by another replica's save
        raise NameTaken(ScenarioPublic.model_validate(row, from_attributes=True)) from None
    # Versions and replies get new ids (nothing names theirs; SQLite may have handed the old ones out again).
    session.add_all(ScenarioVersion.model_validate(_without_id(v)) for v in kept.contents["versions"])
    session.add_all(ThreadReply.model_validate(_without_id(r)) for r in kept.contents["replies"])
    kept.restored_at = now
    session.add(kept)
    session.flush()
    return ScenarioPublic.model_validate(row, from_attributes=True)


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "id"}


def forget_deleted_before(*, session: Session, before: datetime) -> int:
    """Forget deletes made before `before` (they can no longer be undone); how many."""
    rows = session.exec(select(DeletedScenario).where(col(DeletedScenario.deleted_at) < before)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def _locked(*, session: Session, team_id: str, scenario_id: int) -> Scenario:
    # FOR UPDATE on PostgreSQL serialises two changes to one scenario; SQLite's write lock already does.
    row = session.exec(
        select(Scenario).where(Scenario.id == scenario_id, Scenario.team_id == team_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise ScenarioGone(scenario_id)
    return row
