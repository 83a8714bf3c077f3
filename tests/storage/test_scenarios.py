from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session

from storage import (
    KEEP_DELETED,
    Database,
    DeletedScenarioPublic,
    NameTaken,
    NothingToRestore,
    ScenarioGone,
    ScenarioPublic,
    VersionPublic,
    add_reply,
    add_version,
    count_scenarios_by_author,
    delete_scenario,
    deleted_scenario,
    forget_deleted_before,
    get_scenario,
    get_scenario_by_id,
    latest_replies,
    list_scenarios,
    list_versions,
    restore_scenario,
    save_scenario,
    scenario_for_thread,
    scenario_names,
    scenarios_by_author,
    set_card,
)
from storage.models import Scenario, ThreadReplyCreate, prices_of
from tests.storage.factories import (
    AUTHOR,
    CHANNEL,
    CHAT,
    IMAGE,
    OTHER_AUTHOR,
    OTHER_CHANNEL,
    OTHER_TEAM,
    TEAM,
    VIDEO,
    count_rows,
    estimate,
    save,
    scenario_create,
    version_create,
)

CARD_TS = "1764000000.000100"


def _get(db: Database, scenario_id: int, team_id: str = TEAM) -> ScenarioPublic | None:
    with db.session(write=False) as session:
        return get_scenario_by_id(session=session, team_id=team_id, scenario_id=scenario_id)


def _add_version(
    db: Database, scenario_id: int, team_id: str = TEAM, **fields: Any
) -> tuple[ScenarioPublic, VersionPublic]:
    with db.session() as session:
        return add_version(
            session=session, team_id=team_id, scenario_id=scenario_id, version_create=version_create(**fields)
        )


# --- save and get ------------------------------------------------------------------------------------------


def test_a_saved_scenario_is_found_by_its_name(db: Database) -> None:
    saved = save(db, "Video launch")
    with db.session(write=False) as session:
        found = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="Video launch")
    assert found == saved


def test_a_name_is_found_whatever_its_case_and_spaces(db: Database) -> None:
    saved = save(db, "Video launch")
    with db.session(write=False) as session:
        found = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="  VIDEO    launch ")
    assert found is not None and found.id == saved.id


def test_a_saved_scenario_keeps_the_name_as_typed_with_spaces_collapsed(db: Database) -> None:
    assert save(db, "  Video    LAUNCH ").name == "Video LAUNCH"


def test_a_saved_scenario_starts_at_version_one(db: Database) -> None:
    assert save(db).version == 1


def test_an_unknown_name_finds_nothing(db: Database) -> None:
    save(db, "Video launch")
    with db.session(write=False) as session:
        assert get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="Chat support") is None


def test_saving_a_taken_name_raises_name_taken_carrying_the_existing_scenario(db: Database) -> None:
    first = save(db, "Video launch")
    with pytest.raises(NameTaken) as taken:
        save(db, "VIDEO  launch", text=CHAT, author_id=OTHER_AUTHOR)
    assert taken.value.existing == first


def test_a_refused_save_leaves_the_existing_scenario_alone(db: Database) -> None:
    save(db, "Video launch")
    with pytest.raises(NameTaken):
        save(db, "video launch", text=CHAT)
    assert (count_rows(db, "scenario"), count_rows(db, "scenario_version")) == (1, 1)


def test_the_same_name_may_be_saved_in_another_channel(db: Database) -> None:
    first = save(db, "Video launch")
    assert save(db, "Video launch", channel_id=OTHER_CHANNEL).id != first.id


def test_the_same_name_may_be_saved_in_another_workspace(db: Database) -> None:
    first = save(db, "Video launch")
    assert save(db, "Video launch", team_id=OTHER_TEAM).id != first.id


def test_the_stored_estimate_equals_the_one_saved(db: Database) -> None:
    saved = save(db, text=VIDEO)
    again = _get(db, saved.id)
    assert again is not None and again.estimate == estimate(VIDEO)


def test_the_stored_estimate_keeps_its_decimals_exact(db: Database) -> None:
    saved = save(db, text=VIDEO)
    again = _get(db, saved.id)
    assert again is not None
    assert (again.estimate.api.total_usd, again.estimate.parts.seconds) == (Decimal("1000000.00"), Decimal(10))


def test_a_saved_scenario_keeps_its_value_text_and_prices(db: Database) -> None:
    saved = save(db, text=VIDEO)
    with db.session(write=False) as session:
        row = session.get_one(Scenario, saved.id)
    assert (row.value_text, row.prices) == ("value $0.05 each", prices_of(estimate(VIDEO)))


def test_saving_writes_the_first_version(db: Database) -> None:
    saved = save(db, budget_usd_month=Decimal(500))
    with db.session(write=False) as session:
        [first] = list_versions(session=session, team_id=TEAM, scenario_id=saved.id)
    assert (first.number, first.change, first.author_id, first.text, first.budget_usd_month) == (
        1, "saved", AUTHOR, VIDEO, Decimal(500),
    )  # fmt: skip


# --- scoped by workspace -----------------------------------------------------------------------------------


def test_another_workspace_does_not_find_a_scenario_by_id(db: Database) -> None:
    saved = save(db)
    assert _get(db, saved.id, team_id=OTHER_TEAM) is None


def test_another_workspace_does_not_find_a_scenario_by_name(db: Database) -> None:
    save(db, "Video launch")
    with db.session(write=False) as session:
        assert get_scenario(session=session, team_id=OTHER_TEAM, channel_id=CHANNEL, name="Video launch") is None


def test_another_workspace_lists_none_of_a_channels_scenarios(db: Database) -> None:
    save(db, "Video launch")
    with db.session(write=False) as session:
        assert list_scenarios(session=session, team_id=OTHER_TEAM, channel_id=CHANNEL) == []


def test_another_workspace_lists_no_versions(db: Database) -> None:
    saved = save(db)
    with db.session(write=False) as session:
        assert list_versions(session=session, team_id=OTHER_TEAM, scenario_id=saved.id) == []


def test_another_workspace_cannot_delete_a_scenario(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        assert _delete(session, saved.id, team_id=OTHER_TEAM) is None


def test_a_refused_delete_leaves_the_scenario_in_place(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        _delete(session, saved.id, team_id=OTHER_TEAM)
    assert _get(db, saved.id) == saved


def test_another_workspace_cannot_add_a_version(db: Database) -> None:
    saved = save(db)
    with pytest.raises(ScenarioGone):
        _add_version(db, saved.id, team_id=OTHER_TEAM)


def test_a_refused_version_changes_nothing(db: Database) -> None:
    saved = save(db)
    with pytest.raises(ScenarioGone):
        _add_version(db, saved.id, team_id=OTHER_TEAM)
    assert (_get(db, saved.id), count_rows(db, "scenario_version")) == (saved, 1)


def test_another_workspace_cannot_set_a_card(db: Database) -> None:
    saved = save(db)
    with pytest.raises(ScenarioGone), db.session() as session:
        set_card(
            session=session, team_id=OTHER_TEAM, scenario_id=saved.id, card_ts=CARD_TS, permalink=None,
            channel_private=False,
        )  # fmt: skip


# --- listing -----------------------------------------------------------------------------------------------


def test_a_channels_scenarios_are_listed_by_name_whatever_the_case(db: Database) -> None:
    for name in ["chat support", "Video launch", "Agents", "image batch"]:
        save(db, name)
    save(db, "Elsewhere", channel_id=OTHER_CHANNEL)
    with db.session(write=False) as session:
        listed = list_scenarios(session=session, team_id=TEAM, channel_id=CHANNEL)
    assert [s.name for s in listed] == ["Agents", "chat support", "image batch", "Video launch"]
    with db.session(write=False) as session:
        first = list_scenarios(session=session, team_id=TEAM, channel_id=CHANNEL, limit=2)
        names = scenario_names(session=session, team_id=TEAM, channel_id=CHANNEL)
    assert ([s.name for s in first], names) == (["Agents", "chat support"], [s.name for s in listed])


def test_an_authors_scenarios_come_most_recently_changed_first(db: Database) -> None:
    ids = {name: save(db, name).id for name in ["Old", "Middle", "New"]}
    with db.session() as session:
        for name, day in [("Old", 1), ("Middle", 2), ("New", 3)]:
            session.get_one(Scenario, ids[name]).updated_at = datetime(2026, 11, day, tzinfo=UTC)
    with db.session(write=False) as session:
        mine = scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR)
    assert [s.name for s in mine] == ["New", "Middle", "Old"]


def test_changing_a_scenario_brings_it_to_the_top_of_its_authors_list(db: Database) -> None:
    ids = {name: save(db, name).id for name in ["First", "Second"]}
    with db.session() as session:
        for scenario_id in ids.values():
            session.get_one(Scenario, scenario_id).updated_at = datetime(2026, 11, 1, tzinfo=UTC)
    _add_version(db, ids["First"])
    with db.session(write=False) as session:
        mine = scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR)
    assert [s.name for s in mine] == ["First", "Second"]


def test_an_authors_scenarios_at_the_same_time_come_newest_saved_first(db: Database) -> None:
    ids = [save(db, name).id for name in ["One", "Two", "Three"]]
    with db.session() as session:
        for scenario_id in ids:
            session.get_one(Scenario, scenario_id).updated_at = datetime(2026, 11, 1, tzinfo=UTC)
    with db.session(write=False) as session:
        mine = scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR)
    assert [s.name for s in mine] == ["Three", "Two", "One"]


def test_an_authors_list_leaves_out_other_authors_and_workspaces(db: Database) -> None:
    save(db, "Mine")
    save(db, "Theirs", author_id=OTHER_AUTHOR)
    save(db, "Mine elsewhere", team_id=OTHER_TEAM)
    with db.session(write=False) as session:
        mine = scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR)
    assert [s.name for s in mine] == ["Mine"]


def test_an_authors_list_stops_at_the_limit(db: Database) -> None:
    for number in range(4):
        save(db, f"Scenario {number}")
    with db.session(write=False) as session:
        assert len(scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR, limit=3)) == 3


# --- versions ----------------------------------------------------------------------------------------------


def test_versions_are_numbered_one_two_three(db: Database) -> None:
    saved = save(db)
    _add_version(db, saved.id, text=CHAT)
    _add_version(db, saved.id, text=IMAGE)
    with db.session(write=False) as session:
        numbers = [v.number for v in list_versions(session=session, team_id=TEAM, scenario_id=saved.id)]
    assert numbers == [1, 2, 3]


def test_a_version_keeps_its_author_change_note_and_text(db: Database) -> None:
    saved = save(db)
    _add_version(db, saved.id, text=CHAT, change="what-if", author_id=OTHER_AUTHOR, note="cheaper?")
    with db.session(write=False) as session:
        latest = list_versions(session=session, team_id=TEAM, scenario_id=saved.id)[-1]
    assert (latest.author_id, latest.change, latest.note, latest.text) == (OTHER_AUTHOR, "what-if", "cheaper?", CHAT)


def test_a_version_keeps_its_estimate(db: Database) -> None:
    saved = save(db)
    _add_version(db, saved.id, text=CHAT)
    with db.session(write=False) as session:
        versions = list_versions(session=session, team_id=TEAM, scenario_id=saved.id)
    assert [v.estimate for v in versions] == [estimate(VIDEO), estimate(CHAT)]


def test_adding_a_version_returns_the_scenario_and_the_version(db: Database) -> None:
    saved = save(db)
    scenario, version = _add_version(db, saved.id, text=CHAT)
    assert (scenario.version, version.number, version.text) == (2, 2, CHAT)


def test_adding_a_version_makes_it_the_scenarios_current_state(db: Database) -> None:
    saved = save(db, text=VIDEO)
    _add_version(db, saved.id, text=CHAT)
    again = _get(db, saved.id)
    assert again is not None
    assert (again.version, again.text, again.estimate, again.value_text) == (2, CHAT, estimate(CHAT), None)


def test_adding_a_version_updates_the_prices_kept(db: Database) -> None:
    saved = save(db, text=VIDEO)
    _add_version(db, saved.id, text=CHAT)
    with db.session(write=False) as session:
        assert session.get_one(Scenario, saved.id).prices == prices_of(estimate(CHAT))


def test_adding_a_version_with_value_keeps_the_value_text(db: Database) -> None:
    saved = save(db, text=CHAT)
    _add_version(db, saved.id, text=VIDEO, change="value")
    again = _get(db, saved.id)
    assert again is not None and again.value_text == "value $0.05 each"


def test_adding_a_version_moves_updated_at_on(db: Database) -> None:
    saved = save(db)
    scenario, _ = _add_version(db, saved.id)
    assert scenario.updated_at >= saved.updated_at and scenario.created_at == saved.created_at


def test_a_version_without_set_budget_keeps_the_budget(db: Database) -> None:
    saved = save(db, budget_usd_month=Decimal(500))
    scenario, version = _add_version(db, saved.id, budget_usd_month=None, set_budget=False)
    assert (scenario.budget_usd_month, version.budget_usd_month) == (Decimal(500), Decimal(500))


def test_a_version_with_set_budget_sets_the_budget(db: Database) -> None:
    saved = save(db, budget_usd_month=Decimal(500))
    scenario, version = _add_version(
        db, saved.id, text=VIDEO, change="budget", budget_usd_month=Decimal("1250.50"), set_budget=True
    )
    assert (scenario.budget_usd_month, version.budget_usd_month) == (Decimal("1250.50"), Decimal("1250.50"))


def test_a_version_with_set_budget_and_no_budget_clears_it(db: Database) -> None:
    saved = save(db, budget_usd_month=Decimal(500))
    scenario, _ = _add_version(db, saved.id, change="budget", budget_usd_month=None, set_budget=True)
    again = _get(db, saved.id)
    assert (scenario.budget_usd_month, again and again.budget_usd_month) == (None, None)


def test_a_version_of_a_deleted_scenario_raises_scenario_gone(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        _delete(session, saved.id)
    with pytest.raises(ScenarioGone):
        _add_version(db, saved.id)


# --- the channel card and its thread -----------------------------------------------------------------------


def test_set_card_keeps_the_card_permalink_and_privacy(db: Database) -> None:
    saved = save(db)
    permalink = "https://acme.slack.com/archives/C0CHAN1/p1764000000000100"
    with db.session() as session:
        set_card(
            session=session, team_id=TEAM, scenario_id=saved.id, card_ts=CARD_TS, permalink=permalink,
            channel_private=True,
        )  # fmt: skip
    again = _get(db, saved.id)
    assert again is not None and (again.card_ts, again.card_permalink, again.channel_private) == (
        CARD_TS, permalink, True,
    )  # fmt: skip


def test_the_cards_thread_finds_its_scenario(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        set_card(session=session, team_id=TEAM, scenario_id=saved.id, card_ts=CARD_TS, permalink=None,
                 channel_private=False)  # fmt: skip
    with db.session(write=False) as session:
        found = scenario_for_thread(session=session, team_id=TEAM, channel_id=CHANNEL, thread_ts=CARD_TS)
    assert found is not None and found.id == saved.id


@pytest.mark.parametrize(
    ("team_id", "channel_id", "thread_ts"),
    [(OTHER_TEAM, CHANNEL, CARD_TS), (TEAM, OTHER_CHANNEL, CARD_TS), (TEAM, CHANNEL, "1764000000.000200")],
)
def test_another_thread_finds_no_scenario(db: Database, team_id: str, channel_id: str, thread_ts: str) -> None:
    saved = save(db)
    with db.session() as session:
        set_card(session=session, team_id=TEAM, scenario_id=saved.id, card_ts=CARD_TS, permalink=None,
                 channel_private=False)  # fmt: skip
    with db.session(write=False) as session:
        assert scenario_for_thread(session=session, team_id=team_id, channel_id=channel_id, thread_ts=thread_ts) is None


def test_clearing_the_card_forgets_the_thread(db: Database) -> None:
    saved = save(db)
    for card_ts in [CARD_TS, None]:
        with db.session() as session:
            set_card(session=session, team_id=TEAM, scenario_id=saved.id, card_ts=card_ts, permalink=None,
                     channel_private=False)  # fmt: skip
    with db.session(write=False) as session:
        assert scenario_for_thread(session=session, team_id=TEAM, channel_id=CHANNEL, thread_ts=CARD_TS) is None


# --- delete ------------------------------------------------------------------------------------------------


def test_delete_removes_the_scenario(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        assert _delete(session, saved.id) is not None
    assert _get(db, saved.id) is None


def test_deleting_twice_says_the_second_time_it_was_gone(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        _delete(session, saved.id)
    with db.session() as session:
        assert _delete(session, saved.id) is None


def test_delete_takes_the_versions_and_replies_with_it(db: Database) -> None:
    saved = save(db)
    kept = save(db, "Kept")
    _add_version(db, saved.id)
    with db.session() as session:
        for scenario_id in (saved.id, kept.id):
            reply = ThreadReplyCreate(user_id=OTHER_AUTHOR, ts="1764000000.000300", text="what if 2M users")
            add_reply(session=session, team_id=TEAM, scenario_id=scenario_id, reply_create=reply)
    with db.session() as session:
        _delete(session, saved.id)
    counts = {table: count_rows(db, table) for table in ["scenario", "scenario_version", "thread_reply"]}
    assert counts == {"scenario": 1, "scenario_version": 1, "thread_reply": 1}


def _delete(session: Session, scenario_id: int, *, team_id: str = TEAM, **extra: Any) -> DeletedScenarioPublic | None:
    return delete_scenario(session=session, team_id=team_id, scenario_id=scenario_id, deleted_by=AUTHOR, **extra)


def _restore(db: Database, deleted_id: int, **extra: Any) -> ScenarioPublic:
    with db.session() as session:
        return restore_scenario(session=session, team_id=TEAM, deleted_id=deleted_id, **extra)


def _with_history(db: Database) -> ScenarioPublic:
    """A scenario at v2 with a kept reply in its thread."""
    saved = save(db)
    _add_version(db, saved.id)
    with db.session() as session:
        reply = ThreadReplyCreate(user_id=OTHER_AUTHOR, ts="1764000000.000300", text="what if 2M users")
        add_reply(session=session, team_id=TEAM, scenario_id=saved.id, reply_create=reply)
    return _get(db, saved.id)  # type: ignore[return-value]


def _history(db: Database, scenario_id: int) -> tuple[Any, ...]:
    with db.session(write=False) as session:
        return (
            get_scenario_by_id(session=session, team_id=TEAM, scenario_id=scenario_id),
            list_versions(session=session, team_id=TEAM, scenario_id=scenario_id),
            latest_replies(session=session, team_id=TEAM, scenario_id=scenario_id, limit=10),
        )


def test_a_delete_is_undone_with_the_scenario_its_id_versions_and_replies(db: Database) -> None:
    saved = _with_history(db)
    before = _history(db, saved.id)
    with db.session() as session:
        deleted = _delete(session, saved.id, origin="request:1")
    assert deleted is not None and (deleted.name, deleted.deleted_by, deleted.scenario_id) == (
        saved.name,
        AUTHOR,
        saved.id,
    )
    assert _get(db, saved.id) is None and count_rows(db, "scenario_version") == 0
    with db.session(write=False) as session:  # the request that deleted it finds its delete
        assert deleted_scenario(session=session, team_id=TEAM, origin="request:1") == deleted
    restored = _restore(db, deleted.id)
    assert restored == saved
    after = _history(db, saved.id)
    assert after[0] == before[0]  # the scenario itself, id and all
    assert [(v.number, v.text, v.budget_usd_month) for v in after[1]] == [
        (v.number, v.text, v.budget_usd_month) for v in before[1]
    ]
    assert [(r.user_id, r.ts, r.text) for r in after[2]] == [(r.user_id, r.ts, r.text) for r in before[2]]
    with db.session(write=False) as session:  # kept, marked undone: the delete carried out again finds it
        undone = deleted_scenario(session=session, team_id=TEAM, origin="request:1")
    assert undone is not None and undone.restored_at is not None
    with pytest.raises(NothingToRestore):  # undone already
        _restore(db, deleted.id)


def test_an_undo_restores_though_sqlite_gave_the_deleted_versions_ids_to_others(db: Database) -> None:
    alpha, beta = save(db, "Alpha"), save(db, "Beta")
    _add_version(db, alpha.id)
    with db.session() as session:
        deleted = _delete(session, alpha.id)
    assert deleted is not None
    _add_version(db, beta.id)  # may take a version id Alpha's versions had
    assert _restore(db, deleted.id).name == "Alpha"
    assert count_rows(db, "scenario_version") == 4


def test_a_forgotten_deletes_id_is_never_handed_out_again(db: Database) -> None:
    first = save(db, "First")
    with db.session() as session:
        old = _delete(session, first.id)
    assert old is not None
    with db.session() as session:
        forget_deleted_before(session=session, before=old.deleted_at + KEEP_DELETED + timedelta(seconds=1))
    second = save(db, "Second")
    with db.session() as session:
        new = _delete(session, second.id)
    assert new is not None and new.id > old.id  # an old Undo button can't name the new delete


def test_a_delete_is_undone_within_the_hour_only_and_forgotten_after(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        deleted = _delete(session, saved.id)
    assert deleted is not None
    later = deleted.deleted_at + KEEP_DELETED + timedelta(seconds=1)
    with pytest.raises(NothingToRestore):
        _restore(db, deleted.id, now=later)
    with db.session() as session:
        assert forget_deleted_before(session=session, before=deleted.deleted_at) == 0  # not yet
        assert forget_deleted_before(session=session, before=later - KEEP_DELETED) == 1
    assert count_rows(db, "deleted_scenario") == 0


def test_a_delete_is_not_undone_over_a_scenario_saved_since_under_its_name(db: Database) -> None:
    saved = save(db, "Video launch")
    with db.session() as session:
        deleted = _delete(session, saved.id)
    assert deleted is not None
    again = save(db, "video launch")
    with pytest.raises(NameTaken) as taken:
        _restore(db, deleted.id)
    assert taken.value.existing == again
    assert count_rows(db, "deleted_scenario") == 1  # still there: undone once the new one is renamed or deleted


def test_another_workspace_cannot_undo_a_delete(db: Database) -> None:
    saved = save(db)
    with db.session() as session:
        deleted = _delete(session, saved.id)
    assert deleted is not None
    with db.session() as session, pytest.raises(NothingToRestore):
        restore_scenario(session=session, team_id=OTHER_TEAM, deleted_id=deleted.id)
    with db.session(write=False) as session:
        assert deleted_scenario(session=session, team_id=OTHER_TEAM, deleted_id=deleted.id) is None


def test_a_deleted_name_can_be_saved_again(db: Database) -> None:
    saved = save(db, "Video launch")
    with db.session() as session:
        _delete(session, saved.id)
    assert save(db, "video launch").version == 1


def test_a_scenario_saved_in_a_unit_of_work_is_found_in_it(db: Database) -> None:
    with db.session() as session:
        saved = save_scenario(session=session, scenario_create=scenario_create("Video launch"))
        found = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="video launch")
    assert found == saved


def test_a_users_scenarios_are_counted_in_their_workspace_only(db: Database) -> None:
    save(db, "one")
    save(db, "two", channel_id=OTHER_CHANNEL)
    save(db, "theirs", author_id=OTHER_AUTHOR)
    save(db, "elsewhere", team_id=OTHER_TEAM)
    with db.session(write=False) as session:
        assert count_scenarios_by_author(session=session, team_id=TEAM, author_id=AUTHOR) == 2
        assert count_scenarios_by_author(session=session, team_id=OTHER_TEAM, author_id=OTHER_AUTHOR) == 0
