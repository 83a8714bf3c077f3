import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect
from sqlalchemy import text as sql
from sqlmodel import SQLModel

from costing import EstimateFigures
from costing.figures import ComputePerUnit
from storage import (
    Database,
    DatabaseError,
    current_revision,
    get_scenario,
    head_revision,
    list_versions,
    scenarios_for_digest,
    upgrade,
)
from tests.databases import fresh_postgres_url
from tests.storage.factories import (
    CHANNEL,
    CHAT,
    IMAGE,
    TEAM,
    VIDEO,
    all_at_once,
    count_rows,
    estimate,
    scenario_create,
)

UNREACHABLE = "postgresql://costbot:s3cret-pw@127.0.0.1:1/costbot"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database no migration has touched: a new SQLite file, or a new PostgreSQL database (skipped without
    a server)."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'new.db'}")
        yield database
        database.dispose()
        return
    with fresh_postgres_url() as url:
        database = Database(url)
        yield database
        database.dispose()


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_an_empty_database_has_no_revision(empty_db: Database) -> None:
    assert current_revision(empty_db) is None


def test_upgrading_an_empty_database_brings_it_to_head(empty_db: Database) -> None:
    upgrade(empty_db)
    assert current_revision(empty_db) == head_revision()


def _every_table() -> MetaData:
    """costbot's models and the Slack SDK's installation and OAuth state tables (`bot.installs` uses them;
    migration 0006 makes them), as one schema."""
    from bot.installs import installs_metadata

    every = MetaData()
    for metadata in (SQLModel.metadata, installs_metadata()):
        for table in metadata.tables.values():
            table.to_metadata(every)
    return every


def test_upgrading_creates_every_table_of_the_models(empty_db: Database) -> None:
    upgrade(empty_db)
    assert _tables(empty_db) == set(_every_table().tables) | {"alembic_version"}


def test_upgrading_twice_is_fine(empty_db: Database) -> None:
    upgrade(empty_db)
    upgrade(empty_db)
    assert current_revision(empty_db) == head_revision()


def test_upgrading_to_a_revision_stops_there(empty_db: Database) -> None:
    upgrade(empty_db, "0001")
    assert (current_revision(empty_db), "digest_run" in _tables(empty_db)) == ("0001", False)


def save_as_at(db: Database, name: str = "Video launch", *, text: str = VIDEO) -> int:
    """Save a scenario and its first version into whatever columns the database has now (an older schema)."""
    row = scenario_create(name, text=text).row().model_dump()
    with db.engine.begin() as connection:
        tables = MetaData()
        scenario = Table("scenario", tables, autoload_with=connection)
        versions = Table("scenario_version", tables, autoload_with=connection)
        values = {k: v for k, v in row.items() if k in scenario.c and k != "id"}
        scenario_id = connection.execute(scenario.insert().values(values)).inserted_primary_key[0]
        connection.execute(versions.insert().values(
            scenario_id=scenario_id, number=1, author_id=row["author_id"], text=text, change="saved",
            estimate=row["estimate"], created_at=row["created_at"]))  # fmt: skip
    return int(scenario_id)


def test_upgrading_from_0001_keeps_the_data(empty_db: Database) -> None:
    upgrade(empty_db, "0001")
    scenario_id = save_as_at(empty_db, "Video launch", text=VIDEO)
    upgrade(empty_db)
    with empty_db.session(write=False) as session:
        found = get_scenario(session=session, team_id=TEAM, channel_id=CHANNEL, name="Video launch")
        versions = list_versions(session=session, team_id=TEAM, scenario_id=scenario_id)
    assert found is not None
    assert (found.id, found.estimate) == (scenario_id, estimate(VIDEO))
    assert [v.estimate for v in versions] == [estimate(VIDEO)]  # not lost when SQLite copies the scenario table


def test_upgrading_from_0002_gives_the_saved_scenarios_their_digest_figures(empty_db: Database) -> None:
    upgrade(empty_db, "0002")
    ids = [save_as_at(empty_db, f"scenario {n}", text=text) for n, text in enumerate((VIDEO, CHAT, IMAGE))]
    upgrade(empty_db)
    with empty_db.session(write=False) as session:
        figures = {s.id: s.estimate for s in scenarios_for_digest(session=session, team_id=TEAM, channel_id=CHANNEL)}
    # Revision 0003 wrote the figures as they were then: compute without its range (a digest re-costs it).
    assert figures == {
        i: dataclasses.replace(saved, compute=ComputePerUnit(unit_usd=saved.compute.unit_usd))
        for i, saved in ((i, EstimateFigures.of(estimate(t))) for i, t in zip(ids, (VIDEO, CHAT, IMAGE), strict=True))
    }


def test_upgrading_from_0001_with_data_reaches_head(empty_db: Database) -> None:
    upgrade(empty_db, "0001")
    save_as_at(empty_db)
    upgrade(empty_db)
    assert (current_revision(empty_db), count_rows(empty_db, "digest_run")) == (head_revision(), 0)


def test_the_migrated_schema_matches_the_models(empty_db: Database) -> None:
    upgrade(empty_db)
    with empty_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, _every_table()) == []


def test_two_upgrades_at_once_both_succeed(empty_db: Database) -> None:
    url = empty_db.engine.url.render_as_string(hide_password=False)
    replicas = [Database(url) for _ in range(2)]  # two engines, as two replicas starting together would have
    try:
        outcomes = all_at_once(2, lambda index: upgrade(replicas[index]))
    finally:
        for replica in replicas:
            replica.dispose()
    assert (outcomes, current_revision(empty_db)) == ([None, None], head_revision())


def test_two_upgrades_at_once_record_one_revision(empty_db: Database) -> None:
    all_at_once(2, lambda _: upgrade(empty_db))
    with empty_db.engine.connect() as connection:
        assert connection.execute(sql("SELECT version_num FROM alembic_version")).scalars().all() == [head_revision()]


@pytest.fixture
def empty_postgres() -> Iterator[Database]:
    with fresh_postgres_url() as url:
        database = Database(url)
        yield database
        database.dispose()


#: The key storage/migrations/env.py locks; pg_locks shows a bigint key's low 32 bits as objid.
MIGRATION_LOCK = 7410071


@contextmanager
def _another_replica_migrating(db: Database) -> Iterator[Future[None]]:
    """An upgrade of `db` started while another connection holds the migration lock, once it waits for it; the
    lock is released when the block ends."""
    pool = ThreadPoolExecutor(max_workers=1)
    with db.engine.connect() as other_replica:
        other_replica.execute(sql("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            upgrading = pool.submit(upgrade, db)
            deadline = time.monotonic() + 30
            while not (upgrading.done() or _waiting_for_migration_lock(db)):
                assert time.monotonic() < deadline, "the upgrade neither finished nor waited for the lock"
            yield upgrading
        finally:
            other_replica.execute(sql("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            pool.shutdown(wait=False)


def _waiting_for_migration_lock(db: Database) -> bool:
    query = """
        SELECT COUNT(*) FROM pg_locks
        WHERE locktype = 'advisory' AND objid = :key AND NOT granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    """
    with db.engine.connect() as connection:
        return connection.execute(sql(query), {"key": MIGRATION_LOCK}).scalar_one() > 0


def test_an_upgrade_on_postgres_waits_while_another_replica_migrates(empty_postgres: Database) -> None:
    with _another_replica_migrating(empty_postgres) as upgrading:
        assert (upgrading.done(), current_revision(empty_postgres)) == (False, None)


def test_an_upgrade_on_postgres_finishes_once_the_other_replica_is_done(empty_postgres: Database) -> None:
    with _another_replica_migrating(empty_postgres) as upgrading:
        pass
    upgrading.result(timeout=60)
    assert current_revision(empty_postgres) == head_revision()


def test_an_unreachable_server_is_a_database_error_naming_database_url() -> None:
    database = Database(UNREACHABLE)
    try:
        with pytest.raises(DatabaseError, match="DATABASE_URL"):
            current_revision(database)
    finally:
        database.dispose()


def test_an_unreachable_server_is_named_without_its_password() -> None:
    database = Database(UNREACHABLE)
    try:
        with pytest.raises(DatabaseError) as error:
            current_revision(database)
        assert "s3cret-pw" not in str(error.value)
    finally:
        database.dispose()


def test_upgrading_an_unreachable_server_is_a_database_error_without_the_password() -> None:
    database = Database(UNREACHABLE)
    try:
        with pytest.raises(DatabaseError, match="DATABASE_URL") as error:
            upgrade(database)
        assert "s3cret-pw" not in str(error.value)
    finally:
        database.dispose()


def test_a_sqlite_file_in_a_missing_folder_is_a_database_error(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'missing' / 'costbot.db'}")
    try:
        with pytest.raises(DatabaseError, match="DATABASE_URL"):
            upgrade(database)
    finally:
        database.dispose()
