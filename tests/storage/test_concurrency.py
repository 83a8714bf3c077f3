"""Writers at once, as replicas and Bolt's worker threads produce them: each thread has its own unit of work."""

from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from storage import Database, NameTaken, ScenarioPublic, add_version, get_scenario_by_id, list_versions, save_scenario
from tests.storage.factories import TEAM, all_at_once, count_rows, save, scenario_create, version_create


def _saver(*databases: Database, name: Callable[[int], str]) -> Callable[[int], ScenarioPublic]:
    def work(index: int) -> ScenarioPublic:
        database = databases[index % len(databases)]
        with database.session() as session:
            return save_scenario(session=session, scenario_create=scenario_create(name(index)))

    return work


def _outcomes(results: list[object]) -> Counter[str]:
    return Counter(type(result).__name__ for result in results)


@pytest.fixture
def second_sqlite(sqlite_db: Database) -> Iterator[Database]:
    """Another engine on `sqlite_db`'s file, as a second process would have."""
    other = Database(sqlite_db.url)
    yield other
    other.dispose()


def test_twenty_saves_of_different_names_at_once_all_land(db: Database) -> None:
    results = all_at_once(20, _saver(db, name=lambda index: f"Scenario {index}"))
    assert (_outcomes(results), count_rows(db, "scenario")) == ({"ScenarioPublic": 20}, 20)


def test_twenty_saves_of_different_names_at_once_each_get_their_first_version(db: Database) -> None:
    all_at_once(20, _saver(db, name=lambda index: f"Scenario {index}"))
    assert count_rows(db, "scenario_version") == 20


def test_twenty_saves_of_one_name_at_once_one_wins_and_nineteen_hear_the_name_is_taken(db: Database) -> None:
    results = all_at_once(20, _saver(db, name=lambda _: "Video launch"))
    assert _outcomes(results) == {"ScenarioPublic": 1, "NameTaken": 19}


def test_the_losers_of_a_race_for_a_name_are_told_the_winner(db: Database) -> None:
    results = all_at_once(20, _saver(db, name=lambda _: "Video launch"))
    [winner] = [result for result in results if isinstance(result, ScenarioPublic)]
    told = {result.existing.id for result in results if isinstance(result, NameTaken)}
    assert told == {winner.id}


def test_a_race_for_a_name_leaves_one_scenario_with_one_version(db: Database) -> None:
    all_at_once(20, _saver(db, name=lambda _: "Video launch"))
    assert (count_rows(db, "scenario"), count_rows(db, "scenario_version")) == (1, 1)


def test_ten_versions_at_once_are_numbered_two_to_eleven_without_gaps(db: Database) -> None:
    scenario = save(db)

    def work(index: int) -> int:
        with db.session() as session:
            _, version = add_version(
                session=session, team_id=TEAM, scenario_id=scenario.id, version_create=version_create(note=f"#{index}")
            )
            return version.number

    results = all_at_once(10, work)
    assert sorted(results) == list(range(2, 12))


def test_ten_versions_at_once_leave_versions_one_to_eleven_and_the_scenario_at_eleven(db: Database) -> None:
    scenario = save(db)

    def work(index: int) -> None:
        with db.session() as session:
            add_version(
                session=session, team_id=TEAM, scenario_id=scenario.id, version_create=version_create(note=f"#{index}")
            )

    all_at_once(10, work)
    with db.session(write=False) as session:
        numbers = [v.number for v in list_versions(session=session, team_id=TEAM, scenario_id=scenario.id)]
        current = get_scenario_by_id(session=session, team_id=TEAM, scenario_id=scenario.id)
    assert (numbers, current and current.version) == (list(range(1, 12)), 11)


def test_two_engines_on_one_sqlite_file_save_twenty_names_at_once(sqlite_db: Database, second_sqlite: Database) -> None:
    results = all_at_once(20, _saver(sqlite_db, second_sqlite, name=lambda index: f"Scenario {index}"))
    assert (_outcomes(results), count_rows(sqlite_db, "scenario")) == ({"ScenarioPublic": 20}, 20)


def test_two_engines_on_one_sqlite_file_racing_for_a_name_let_one_win(
    sqlite_db: Database, second_sqlite: Database
) -> None:
    results = all_at_once(20, _saver(sqlite_db, second_sqlite, name=lambda _: "Video launch"))
    assert _outcomes(results) == {"ScenarioPublic": 1, "NameTaken": 19}


def test_two_engines_on_one_sqlite_file_number_versions_without_gaps(
    sqlite_db: Database, second_sqlite: Database
) -> None:
    scenario = save(sqlite_db)
    engines = [sqlite_db, second_sqlite]

    def work(index: int) -> None:
        with engines[index % 2].session() as session:
            add_version(session=session, team_id=TEAM, scenario_id=scenario.id, version_create=version_create())

    all_at_once(10, work)
    with sqlite_db.session(write=False) as session:
        numbers = [v.number for v in list_versions(session=session, team_id=TEAM, scenario_id=scenario.id)]
    assert numbers == list(range(1, 12))
