"""`kill -9` of `costbot serve` in the middle of a burst of saves, then a restart on the same database: every
command that was acknowledged is carried out, or its user told it wasn't; nothing is half done (no scenario
without its card, no card twice, no "that name is taken" for a save that was the user's own)."""

from __future__ import annotations

import json
import re
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storage import Database, list_scenarios, open_work
from tests.e2e.conftest import start_bot, stop_bot
from tests.e2e.test_scenarios import new_channel
from tests.fakeslack import FORM, TEAM, FakeSlack, command_body, post, sign
from tests.timing import until

BURST = 40


def test_every_acknowledged_save_is_done_after_kill_9_and_a_restart(fake_slack: FakeSlack, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'costbot.db'}"
    channel = new_channel()
    fake_slack.latency = 0.25  # Slack slow enough that work is still waiting when the process dies
    bot = start_bot(fake_slack, tmp_path, DATABASE_URL=database)

    def send(n: int) -> bool:
        body = command_body(f"save plan-{n} video 10s x 1M users", response_url=fake_slack.response_url(f"s{n}"),
                            channel=channel)  # fmt: skip
        try:
            status, _ = post(f"{bot.url}/slack/events", body, {**FORM, **sign(body)})
        except OSError:
            return False
        return status == 200

    with ThreadPoolExecutor(8) as pool:
        acknowledged = [n for n, ok in zip(range(BURST), pool.map(send, range(BURST)), strict=True) if ok]
    until(lambda: len(fake_slack.responses()) >= BURST // 5, what="some saves answered")  # mid-way through
    bot.process.send_signal(signal.SIGKILL)
    bot.process.wait(timeout=10)
    answered_before = {c.name for c in fake_slack.responses()}
    assert len(acknowledged) == BURST and len(answered_before) < BURST, "the kill came after the work"

    fake_slack.latency = 0.0
    # The dead process's claims are taken over once unrenewed for the lease (5 s here, 60 by default).
    restarted = start_bot(fake_slack, tmp_path, DATABASE_URL=database, COSTBOT_LOG_LEVEL="INFO",
                          COSTBOT_WORK_LEASE_SECONDS="5")  # fmt: skip
    db = Database(database)

    def left_open() -> int:
        with db.session(write=False) as session:
            return len(open_work(session=session))

    try:
        until(lambda: {f"s{n}" for n in acknowledged} <= {c.name for c in fake_slack.responses()}, timeout=60,
              what="every acknowledged save answered")  # fmt: skip
        until(lambda: left_open() == 0, what="no work left open")
        with db.session(write=False) as session:
            scenarios = list_scenarios(session=session, team_id=TEAM, channel_id=channel)
    finally:
        stop_bot(restarted)

    answers: dict[str, list[str]] = {}
    for call in fake_slack.responses():
        answers.setdefault(call.name, []).append(json.dumps(call.body))
    # Each save told it was saved, every time it was told anything (one cut short between its answer and
    # being marked done may be told twice, never "that name is taken").
    assert all(answers[f"s{n}"] and all(f"Saved *plan-{n}* (v1)" in a for a in answers[f"s{n}"])
               for n in acknowledged), answers  # fmt: skip
    assert sorted(s.name for s in scenarios) == sorted(f"plan-{n}" for n in acknowledged)
    cards = [m for m in fake_slack.posted(channel) if not m["thread_ts"]]
    assert len(cards) == len(scenarios) and all(s.card_ts for s in scenarios)  # one card each, each recorded
    assert {s.card_ts for s in scenarios} == {m["ts"] for m in cards}
    carried_out = len(re.findall(r"carrying out work \d+", restarted.log_text()))
    assert carried_out >= BURST - len(answered_before)  # what the dead process hadn't answered, at least
