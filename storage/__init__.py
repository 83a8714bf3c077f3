"""Persistence for saved scenarios, their versions and threads, and digests (SQLModel). Knows nothing of Slack.

>>> db = Database("sqlite:///costbot.db")
>>> upgrade(db)                      # Alembic migrations, also `costbot db upgrade`
>>> with db.session() as session:    # one unit of work, committed at the end
...     scenario = save_scenario(session=session, scenario_create=ScenarioCreate(...))
"""

from storage.activity import claim_event, forget_events_before, last_estimate, remember_estimate
from storage.db import Database, DatabaseError, normalise_url, safe_url
from storage.digests import (
    active_subscriptions,
    claim_run,
    fail_run,
    finish_run,
    get_subscription,
    last_run,
    previous_figures,
    reclaim_run,
    record_channel_problem,
    runs_to_retry,
    scenarios_for_digest,
    subscribe,
    subscriptions_by_creator,
    unsubscribe,
    week_run,
)
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import (
    DigestRunPublic,
    DigestSubscriptionCreate,
    DigestSubscriptionPublic,
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
    "DigestRunPublic",
    "DigestSubscriptionCreate",
    "DigestSubscriptionPublic",
    "NameTaken",
    "ScenarioCreate",
    "ScenarioGone",
    "ScenarioPublic",
    "ThreadReplyCreate",
    "ThreadReplyPublic",
    "VersionCreate",
    "VersionPublic",
    "active_subscriptions",
    "add_reply",
    "add_version",
    "claim_event",
    "claim_run",
    "count_scenarios_by_author",
    "current_revision",
    "delete_scenario",
    "fail_run",
    "finish_run",
    "forget_events_before",
    "get_scenario",
    "get_scenario_by_id",
    "get_subscription",
    "head_revision",
    "last_estimate",
    "last_run",
    "latest_replies",
    "list_scenarios",
    "list_versions",
    "normalise_url",
    "previous_figures",
    "reclaim_run",
    "record_channel_problem",
    "remember_estimate",
    "runs_to_retry",
    "safe_url",
    "save_scenario",
    "scenario_for_thread",
    "scenarios_by_author",
    "scenarios_for_digest",
    "set_card",
    "subscribe",
    "subscriptions_by_creator",
    "unsubscribe",
    "upgrade",
    "week_run",
]
