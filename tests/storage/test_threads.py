from storage import Database, ThreadReplyCreate, add_reply, latest_replies
from tests.storage.factories import OTHER_AUTHOR, OTHER_TEAM, TEAM, count_rows, save


def _reply(
    ts: str = "1764000000.000100", text: str = "what if 2M users", *, is_change: bool = False
) -> ThreadReplyCreate:
    return ThreadReplyCreate(user_id=OTHER_AUTHOR, ts=ts, text=text, is_change=is_change)


def _add(db: Database, scenario_id: int, reply: ThreadReplyCreate, team_id: str = TEAM) -> bool:
    with db.session() as session:
        return add_reply(session=session, team_id=team_id, scenario_id=scenario_id, reply_create=reply)


def _latest(db: Database, scenario_id: int, team_id: str = TEAM, limit: int = 5) -> list[str]:
    with db.session(write=False) as session:
        replies = latest_replies(session=session, team_id=team_id, scenario_id=scenario_id, limit=limit)
    return [reply.text for reply in replies]


def test_a_reply_is_kept_with_its_scenario(db: Database) -> None:
    scenario = save(db)
    assert _add(db, scenario.id, _reply()) is True


def test_the_same_message_is_kept_once(db: Database) -> None:
    scenario = save(db)
    _add(db, scenario.id, _reply())
    assert _add(db, scenario.id, _reply(text="edited")) is False


def test_a_repeated_message_leaves_one_row(db: Database) -> None:
    scenario = save(db)
    _add(db, scenario.id, _reply())
    _add(db, scenario.id, _reply())
    assert count_rows(db, "thread_reply") == 1


def test_a_repeated_message_in_a_unit_of_work_leaves_the_rest_of_it_standing(db: Database) -> None:
    scenario = save(db)
    with db.session() as session:
        add_reply(session=session, team_id=TEAM, scenario_id=scenario.id, reply_create=_reply("1764000000.000100"))
        add_reply(session=session, team_id=TEAM, scenario_id=scenario.id, reply_create=_reply("1764000000.000100"))
        add_reply(session=session, team_id=TEAM, scenario_id=scenario.id, reply_create=_reply("1764000000.000200"))
    assert count_rows(db, "thread_reply") == 2


def test_the_same_ts_in_another_scenarios_thread_is_another_message(db: Database) -> None:
    first, second = save(db, "First"), save(db, "Second")
    _add(db, first.id, _reply())
    assert _add(db, second.id, _reply()) is True


def test_a_reply_to_another_workspaces_scenario_is_refused(db: Database) -> None:
    scenario = save(db)
    assert _add(db, scenario.id, _reply(), team_id=OTHER_TEAM) is False


def test_a_refused_reply_is_not_kept(db: Database) -> None:
    scenario = save(db)
    _add(db, scenario.id, _reply(), team_id=OTHER_TEAM)
    assert count_rows(db, "thread_reply") == 0


def test_a_reply_to_a_missing_scenario_is_refused(db: Database) -> None:
    assert _add(db, 4242, _reply()) is False


def test_latest_replies_are_the_last_ones_oldest_first(db: Database) -> None:
    scenario = save(db)
    for second in [3, 1, 4, 2, 5]:  # kept out of order: the ts orders them
        _add(db, scenario.id, _reply(ts=f"1764000000.00000{second}", text=f"message {second}"))
    assert _latest(db, scenario.id, limit=3) == ["message 3", "message 4", "message 5"]


def test_latest_replies_are_all_of_them_when_fewer_than_the_limit(db: Database) -> None:
    scenario = save(db)
    for second in [1, 2]:
        _add(db, scenario.id, _reply(ts=f"1764000000.00000{second}", text=f"message {second}"))
    assert _latest(db, scenario.id) == ["message 1", "message 2"]


def test_latest_replies_leave_out_other_threads(db: Database) -> None:
    first, second = save(db, "First"), save(db, "Second")
    _add(db, first.id, _reply(text="on first"))
    _add(db, second.id, _reply(text="on second"))
    assert _latest(db, first.id) == ["on first"]


def test_another_workspace_sees_no_replies(db: Database) -> None:
    scenario = save(db)
    _add(db, scenario.id, _reply())
    assert _latest(db, scenario.id, team_id=OTHER_TEAM) == []


def test_a_long_reply_is_kept_clipped_at_4000_characters(db: Database) -> None:
    scenario = save(db)
    _add(db, scenario.id, _reply(text="é" * 4500))
    assert _latest(db, scenario.id) == ["é" * 4000]


def test_a_reply_keeps_whether_it_was_a_change(db: Database) -> None:
    scenario = save(db)
    _add(db, scenario.id, _reply(is_change=True))
    with db.session(write=False) as session:
        [reply] = latest_replies(session=session, team_id=TEAM, scenario_id=scenario.id)
    assert (reply.is_change, reply.user_id) == (True, OTHER_AUTHOR)
