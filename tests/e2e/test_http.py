"""`costbot serve` over real HTTP: signed requests in, Block Kit out, Web API calls to the fake Slack."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from costing import estimate
from storage import head_revision
from tests.e2e.conftest import RunningBot, get, start_bot, stop_bot
from tests.fakeslack import (
    BOT_TOKEN,
    BOT_USER,
    FORM,
    JSON,
    SIGNING_SECRET,
    FakeSlack,
    button_payload,
    command_body,
    event_body,
    interaction_body,
    post,
    sign,
    view_submission_payload,
)


def slash(bot: RunningBot, fake: FakeSlack, text: str) -> tuple[int, dict[str, Any]]:
    body = command_body(text, response_url=fake.response_url())
    status, raw = post(f"{bot.url}/slack/events", body, {**FORM, **sign(body)})
    return status, json.loads(raw) if raw else {}


def interact(bot: RunningBot, payload: dict[str, Any]) -> tuple[int, bytes]:
    body = interaction_body(payload)
    return post(f"{bot.url}/slack/events", body, {**FORM, **sign(body)})


def all_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_healthz_answers_200(running_bot: RunningBot) -> None:
    assert get(f"{running_bot.url}/healthz") == (200, b"ok\n")


def test_cost_answers_with_an_ephemeral_estimate_in_the_acknowledgement(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    status, message = slash(running_bot, fake_slack, "video 10s sora-2 x 1M users")

    assert status == 200
    assert message["response_type"] == "ephemeral"
    assert "$1,000,000" in message["text"] and "Sora 2" in message["text"]
    blocks = message["blocks"]
    top = blocks[0]  # the headline, the key figures under it
    assert top["text"]["text"].startswith("*1,000,000 × 10 s video") and "*$1,000,000* API" in top["text"]["text"]
    assert top["fields"][0]["text"].startswith("*Per video*\n$1.00 API\n$")
    assert len(blocks) <= 5 and "Assumptions" not in json.dumps(blocks)  # behind Details
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "save_estimate",
        "share_estimate",
        "adjust_estimate",
        "estimate_details",
    ]
    assert fake_slack.api_calls("chat.postMessage") == []  # nothing public until Share


def test_help_teaches_the_language_with_examples(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    status, message = slash(running_bot, fake_slack, "help")
    assert status == 200
    assert "`/cost video 10s x 1M users`" in all_text(message)


def test_prices_lists_catalog_entries_for_a_filter(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    _, message = slash(running_bot, fake_slack, "prices veo")
    text = all_text(message)
    assert "veo-3.1-fast" in text and "checked 20" in text


def test_an_unknown_model_says_what_would_work(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    status, message = slash(running_bot, fake_slack, "video 10s veo-3.1-fsat x 1M users")

    assert status == 200 and message["response_type"] == "ephemeral"
    text = all_text(message)
    assert "veo-3.1-fast" in text  # the suggestion
    assert "Try: `/cost " in text
    assert not any(b["type"] == "actions" for b in message["blocks"])


def test_mentions_in_the_input_never_reach_slack(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    for text in ("video 10s x 1M users <!channel>", "<@U0BOSS> video 10s", "prices <!here>", "video 10s & <b>"):
        status, message = slash(running_bot, fake_slack, text)
        assert status == 200
        sent = all_text(message)
        assert "<!channel>" not in sent and "<!here>" not in sent and "<@U0BOSS" not in sent and "<b>" not in sent


def test_share_posts_the_estimate_publicly_attributed_and_removes_the_private_copy(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    payload = button_payload("share_estimate", "video 10s x 1M users", response_url=fake_slack.response_url())
    status, _ = interact(running_bot, payload)

    assert status == 200
    posted = fake_slack.wait_for_api("chat.postMessage")[0].body
    assert posted["channel"] == "C0GENERAL"
    assert "Shared by <@U0ALICE>" in all_text(posted["blocks"])
    assert "$1,000,000" in posted["text"]
    assert [e["action_id"] for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "save_estimate",
        "adjust_estimate",
        "estimate_details",
    ]
    assert fake_slack.wait_for_responses()[0].body["delete_original"] is True


def test_share_where_the_bot_is_not_a_member_posts_through_the_response_url(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", error="not_in_channel")
    interact(running_bot, button_payload("share_estimate", "image x 10", response_url=fake_slack.response_url()))

    first, second = fake_slack.wait_for_responses(2)
    assert first.body["response_type"] == "in_channel" and "Shared by <@U0ALICE>" in all_text(first.body)
    assert second.body["delete_original"] is True


def test_details_open_a_modal_with_every_figure_behind_the_headline(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    text = "image x 50k per day value $0.10 each"
    shown = estimate(text)
    value = json.dumps({"text": text, "api": str(shown.api.total_usd), "compute": str(shown.compute.total_usd)})
    payload = button_payload("estimate_details", value, response_url=fake_slack.response_url("details"))
    payload["container"]["message_ts"] = f"{time.time():.6f}"  # posted just now
    status, _ = interact(running_bot, payload)

    assert status == 200
    call = fake_slack.wait_for_api("views.open")[0]
    view = call.body["view"]
    said = all_text(view["blocks"])
    assert call.body["trigger_id"] == payload["trigger_id"] and view["title"]["text"] == "Estimate details"
    assert "*Assumptions*" in said and "*Per year*" in said and "API spend" in said and "Break-even price" in said
    assert "the same figures it shows" in said
    assert fake_slack.responses() == []  # nothing posted, nothing replaced


def test_adjust_opens_a_prefilled_modal_whose_submission_answers_in_place(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    text = "video 10s veo-3.1-fast x 1M users per month at $0.12/s value $2 each"
    interact(running_bot, button_payload("adjust_estimate", text, response_url=fake_slack.response_url("adj")))

    view = fake_slack.wait_for_api("views.open")[0].body["view"]
    assert view["type"] == "modal" and view["callback_id"] == "adjust_estimate"
    initial = {
        b["block_id"]: b["element"].get("initial_value") or b["element"].get("initial_option") for b in view["blocks"]
    }
    assert initial["adjust_workload"] == "video 10s"
    assert initial["adjust_model"] == "veo-3.1-fast"
    assert initial["adjust_counts"] == "x 1M users"
    assert initial["adjust_period"]["value"] == "month"
    assert initial["adjust_price"] == "at $0.12/s"
    assert initial["adjust_value"] == "value $2 each"

    values = {
        "adjust_workload": {"text": {"type": "plain_text_input", "value": "video 10s"}},
        "adjust_model": {"text": {"type": "plain_text_input", "value": "veo-3.1-fast"}},
        "adjust_counts": {"text": {"type": "plain_text_input", "value": "x 2M users"}},
        "adjust_period": {"choice": {"type": "static_select", "selected_option": {"value": "month"}}},
        "adjust_price": {"text": {"type": "plain_text_input", "value": "at $0.12/s"}},
        "adjust_value": {"text": {"type": "plain_text_input", "value": "value $2 each"}},
    }
    status, raw = interact(running_bot, view_submission_payload(view, values))

    assert status == 200 and raw in {b"", b"{}"}  # an empty ack closes the modal
    answer = fake_slack.wait_for_responses()[0]
    assert answer.name == "adj"
    assert answer.body["replace_original"] is True and answer.body["response_type"] == "ephemeral"
    assert "$2,400,000" in answer.body["text"]  # 2M users x 10 s x $0.12/s


def test_an_adjust_submission_that_does_not_parse_points_at_its_field(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    interact(
        running_bot, button_payload("adjust_estimate", "video 10s x 1M users", response_url=fake_slack.response_url())
    )
    view = fake_slack.wait_for_api("views.open")[0].body["view"]
    values = {
        "adjust_workload": {"text": {"type": "plain_text_input", "value": "video 10s"}},
        "adjust_counts": {"text": {"type": "plain_text_input", "value": "x lots of users"}},
        "adjust_period": {"choice": {"type": "static_select", "selected_option": None}},
    }
    status, raw = interact(running_bot, view_submission_payload(view, values))

    assert status == 200
    answer = json.loads(raw)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["adjust_counts"]
    assert fake_slack.responses() == []  # nothing answered until the form is right


def test_a_forged_signature_gets_401_and_changes_nothing(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = interaction_body(button_payload("share_estimate", "video 10s", response_url=fake_slack.response_url()))
    status, _ = post(f"{running_bot.url}/slack/events", body, {**FORM, **sign(body, secret="not-the-secret")})
    assert status == 401
    unsigned_status, _ = post(f"{running_bot.url}/slack/events", body, FORM)
    assert unsigned_status == 401
    assert fake_slack.calls == []  # verification runs first: with a 401 no listener ever started


def test_a_stale_request_gets_401_even_when_correctly_signed(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = command_body("video 10s", response_url=fake_slack.response_url())
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)
    status, _ = post(f"{running_bot.url}/slack/events", body, {**FORM, **stale})
    assert status == 401


def mention(text: str, *, ts: str = "1700000100.000100") -> dict[str, Any]:
    return {"type": "app_mention", "user": "U0ALICE", "text": text, "ts": ts, "channel": "C0GENERAL",
            "event_ts": ts}  # fmt: skip


def test_a_mention_answers_in_its_thread(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = event_body(mention(f"<@{BOT_USER}> video 10s x 1M users"), event_id="EvMention1")
    status, _ = post(f"{running_bot.url}/slack/events", body, {**JSON, **sign(body)})

    assert status == 200
    posted = fake_slack.wait_for_api("chat.postMessage")[0].body
    assert posted["thread_ts"] == "1700000100.000100" and "$1,000,000" in posted["text"]


def test_a_slack_retry_of_an_event_never_posts_twice(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = event_body(mention(f"<@{BOT_USER}> image x 10"), event_id="EvRetry1")
    post(f"{running_bot.url}/slack/events", body, {**JSON, **sign(body)})
    retry = {**JSON, **sign(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    status, _ = post(f"{running_bot.url}/slack/events", body, retry)

    assert status == 200
    fake_slack.wait_for_api("chat.postMessage")
    other = event_body(mention(f"<@{BOT_USER}> image x 20", ts="1700000200.000100"), event_id="EvAfter")
    post(f"{running_bot.url}/slack/events", other, {**JSON, **sign(other)})
    posts = fake_slack.wait_for_api("chat.postMessage", count=2)  # the next event is answered, the retry never
    assert [p.body["thread_ts"] for p in posts] == ["1700000100.000100", "1700000200.000100"]


def test_a_mention_with_a_problem_answers_its_author_alone(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = event_body(mention(f"<@{BOT_USER}> vidoe 10s <!channel>"), event_id="EvBad1")
    post(f"{running_bot.url}/slack/events", body, {**JSON, **sign(body)})

    ephemeral = fake_slack.wait_for_api("chat.postEphemeral")[0].body
    assert ephemeral["user"] == "U0ALICE" and "<!channel>" not in all_text(ephemeral)
    assert fake_slack.api_calls("chat.postMessage") == []


@pytest.mark.parametrize("secret", [BOT_TOKEN, SIGNING_SECRET, "s3cretPart0f1t"])  # the last: a response URL's
def test_the_debug_log_never_shows_a_secret(running_bot: RunningBot, fake_slack: FakeSlack, secret: str) -> None:
    slash(running_bot, fake_slack, "video 10s")
    interact(running_bot, button_payload("share_estimate", "video 10s", response_url=fake_slack.response_url()))
    fake_slack.wait_for_responses()
    log = running_bot.log_text()
    assert "DEBUG" in log  # the log is verbose, so the check means something
    assert secret not in log


def test_share_rides_out_a_rate_limit(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)  # a 429 is Slack saying it did nothing
    interact(running_bot, button_payload("share_estimate", "image x 10", response_url=fake_slack.response_url()))

    attempts = fake_slack.wait_for_api("chat.postMessage", count=2)
    assert len(attempts) == 2  # refused, then posted: one message in the channel
    assert fake_slack.wait_for_responses()[0].body["delete_original"] is True


def test_share_after_a_server_error_looks_and_says_what_it_knows(
    running_bot: RunningBot, fake_slack: FakeSlack
) -> None:
    """A 503 may have posted it: the bot looks for it, and doesn't post a second one on its own."""
    fake_slack.fail_next("chat.postMessage", status=503)
    interact(running_bot, button_payload("share_estimate", "image x 10", response_url=fake_slack.response_url()))

    (answer,) = fake_slack.wait_for_responses()
    assert "Slack didn't confirm the share" in json.dumps(answer.body)
    assert len(fake_slack.api_calls("chat.postMessage")) == 1
    assert len(fake_slack.api_calls("conversations.history")) == 2


def test_slack_can_verify_the_events_url_when_the_app_is_set_up(running_bot: RunningBot) -> None:
    body = json.dumps({"token": "deprecated", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()  # fmt: skip
    status, raw = post(f"{running_bot.url}/slack/events", body, {**JSON, **sign(body)})
    assert status == 200
    assert json.loads(raw) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_readyz_checks_the_database_its_schema_and_the_scheduler(running_bot: RunningBot) -> None:
    status, body = get(f"{running_bot.url}/readyz")
    assert (status, json.loads(body)) == (
        200, {"ready": True, "database": f"ok, schema {head_revision()}", "scheduler": "running, leading"}
    )  # fmt: skip


def test_metrics_count_what_serve_answered(running_bot: RunningBot, fake_slack: FakeSlack) -> None:
    slash(running_bot, fake_slack, "video 10s x 1M users")
    status, body = get(f"{running_bot.url}/metrics")
    text = body.decode()
    assert status == 200 and 'costbot_requests_total{kind="command:estimate",outcome="ok"}' in text
    assert 'costbot_ack_seconds_bucket{kind="command:estimate",le="3.0"}' in text
    assert "costbot_scheduler_running 1.0" in text


def test_json_logs_are_one_object_a_line_with_the_request_and_no_secret(fake_slack: FakeSlack, tmp_path: Path) -> None:
    bot = start_bot(fake_slack, tmp_path, COSTBOT_LOG_FORMAT="json", COSTBOT_LOG_LEVEL="DEBUG",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'costbot.db'}")  # fmt: skip
    try:
        slash(bot, fake_slack, "video 10s x 1M users")
        interact(bot, button_payload("share_estimate", "video 10s", response_url=fake_slack.response_url()))
        fake_slack.wait_for_responses()
    finally:
        stop_bot(bot)
    lines = [line for line in bot.log_text().splitlines() if not line.startswith("costbot: ")]  # what it says
    records = [json.loads(line) for line in lines if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    requests = [r for r in records if r["logger"] == "costbot.requests"]
    assert {(r["kind"], r["workspace"], r["outcome"]) for r in requests} >= {
        ("command:estimate", "T0TEAM1", "ok"), ("block_actions", "T0TEAM1", "ok")
    }  # fmt: skip
    assert all(isinstance(r["latency_ms"], float | int) for r in requests)
    for secret in (BOT_TOKEN, SIGNING_SECRET, "s3cretPart0f1t"):
        assert secret not in bot.log_text()
