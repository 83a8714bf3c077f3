"""Persistence for saved scenarios, their versions and threads, and digests (SQLModel). Knows nothing of Slack.

>>> db = Database("sqlite:///costbot.db")
>>> upgrade(db)                      # Alembic migrations, also `costbot db upgrade`
>>> with db.session() as session:    # one unit of work, committed at the end
...     scenario = save_scenario(session=session, scenario_create=ScenarioCreate(...))
"""

from storage.activity import claim_event, forget_events_before, last_estimate, remember_estimate
from storage.db import Database, DatabaseError, normalise_url, safe_url
from storage.digests import subscriptions_by_creator
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import (
    ScenarioCreate,
    ScenarioPublic,
    ThreadReplyCreate,
    ThreadReplyPublic,
    VersionCreate,
    VersionPublic,
)
from storage.scenarios import (
    NameTaken,
    ScenarioGone,
    add_version,
    count_scenarios_by_author,
    delete_scenario,
    get_scenario,
    get_scenario_by_id,
    list_scenarios,
    list_versions,
    save_scenario,
    scenario_for_thread,
    scenarios_by_author,
    set_card,
)
from storage.threads import add_reply, latest_replies

__all__ = [
    "Database",
    "DatabaseError",
    "NameTaken",
    "ScenarioCreate",
    "ScenarioGone",
    "ScenarioPublic",
    "ThreadReplyCreate",
    "ThreadReplyPublic",
    "VersionCreate",
    "VersionPublic",
    "add_reply",
    "add_version",
    "claim_event",
    "count_scenarios_by_author",
    "current_revision",
    "delete_scenario",
    "forget_events_before",
    "get_scenario",
    "get_scenario_by_id",
    "head_revision",
    "last_estimate",
    "latest_replies",
    "list_scenarios",
    "list_versions",
    "normalise_url",
    "remember_estimate",
    "safe_url",
    "save_scenario",
    "scenario_for_thread",
    "scenarios_by_author",
    "set_card",
    "subscriptions_by_creator",
    "upgrade",
]
