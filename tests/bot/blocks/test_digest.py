"""The weekly digest's messages: snapshots of what a channel sees, and Slack's limits under any digest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

import costing
from bot.blocks.digest import MAX_BLOCKS, MESSAGE_TEXT_BUDGET, digest_messages
from costing.digest import Digest, build_digest
from costing.money import format_usd
from costing.recost import SavedScenario

TODAY = datetime(2026, 11, 25, 12, tzinfo=UTC)
HEADING = "Weekly AI spend vs value · week 48"
CHANNEL = "C0GENERAL"
VEO = "video 10s veo-3.1 x 1M users per day value $0.05 each"  # $28,000,000 a week at $4.00 a video
CHAT = "chat 1500 in 500 out gpt-4o x 200 devs x 20 per day saves 5 min"  # $245 a week
IMAGE = "image high 1024x1536 gpt-image-1 x 10k per month"  # no value stated
AGENT = "agent 40 steps x 6k tokens claude-sonnet-4.5 x 1000 per week value $300/week"
ONE_OFF = "video 10s x 100"
ONE_OFF_VALUED = "video 10s x 100 value $50/month"  # pays back in ~61 days
LINK = "https://acme.slack.com/archives/C0GENERAL/p17000000010001{:02d}"


@cache
def _estimate(text: str) -> costing.Estimate:
    return costing.estimate(text, at=TODAY)


@cache
def _catalog() -> costing.Catalog:
    return costing.current_catalog()


def saved(
    scenario_id: int, name: str, text: str, *, version: int = 1, budget: str | None = None, link: bool | str = True
) -> SavedScenario:
    url = LINK.format(scenario_id) if link is True else (link or None)
    return SavedScenario(
        scenario_id, name, version, _estimate(text),
        budget_usd_month=Decimal(budget) if budget is not None else None, link=url,
    )  # fmt: skip


def digest(scenarios: Sequence[SavedScenario], previous: dict[str, Any] | None = None) -> Digest:
    return build_digest(scenarios, catalog=_catalog(), at=TODAY, previous=previous)


def messages(d: Digest, **kwargs: Any) -> list[dict[str, Any]]:
    return digest_messages(d, channel_id=CHANNEL, heading=kwargs.pop("heading", HEADING), **kwargs)


def channel() -> list[SavedScenario]:
    return [
        saved(1, "video onboarding", VEO, budget="100000000"),  # $121.7M a month: over budget
        saved(2, "dev assistant", CHAT, budget="5000"),  # $1,065 a month: 21% of its budget
        saved(3, "product shots", IMAGE, link=False),
        saved(4, "support agent", AGENT),
        saved(5, "launch trailer", ONE_OFF),
    ]


def edit(previous: dict[str, Any], scenario_id: int, **fields: str | int) -> None:
    """Change what the previous digest showed for one scenario, keeping its totals consistent."""
    entry = previous["scenarios"][str(scenario_id)]
    if "api_week" in fields:
        delta = Decimal(str(fields["api_week"])) - Decimal(entry["api_week"])
        previous["totals"]["api_week"] = str(Decimal(previous["totals"]["api_week"]) + delta)
        if entry["value_week"] is not None:
            totals = previous["totals"]
            totals["valued_api_week"] = str(Decimal(totals["valued_api_week"]) + delta)
    entry.update({key: str(value) if key != "version" else value for key, value in fields.items()})


def texts(message: dict[str, Any], *, headers: bool = True) -> list[str]:
    """Every text a message carries: its fallback and each block's texts (mrkdwn only unless `headers`)."""
    found = [message["text"]]
    for block in message["blocks"]:
        if "text" in block and (headers or block["text"]["type"] == "mrkdwn"):
            found.append(block["text"]["text"])
        found += [part["text"] for part in [*block.get("fields", ()), *block.get("elements", ())]]
    return found


def lines(msgs: Sequence[dict[str, Any]]) -> list[str]:
    return [line for m in msgs for b in m["blocks"] if b["type"] == "section" and "text" in b
            for line in b["text"]["text"].split("\n")]  # fmt: skip


def assert_within_slack_limits(msgs: Sequence[dict[str, Any]]) -> None:
    assert msgs
    for message in msgs:
        assert message["text"].strip()
        assert 0 < len(message["blocks"]) <= MAX_BLOCKS <= 50
        size = 0
        for block in message["blocks"]:
            if block["type"] == "header":
                assert block["text"]["type"] == "plain_text"
                assert 0 < len(block["text"]["text"]) <= 150
                size += len(block["text"]["text"])
            elif block["type"] == "section":
                if "text" in block:
                    assert block["text"]["type"] == "mrkdwn"
                    assert 0 < len(block["text"]["text"]) <= 3000
                    size += len(block["text"]["text"])
                fields = block.get("fields", [])
                assert len(fields) <= 10
                assert all(0 < len(f["text"]) <= 2000 for f in fields)
                size += sum(len(f["text"]) for f in fields)
            elif block["type"] == "context":
                assert 0 < len(block["elements"]) <= 10
                assert all(0 < len(e["text"]) <= 3000 for e in block["elements"])
                size += sum(len(e["text"]) for e in block["elements"])
            else:
                pytest.fail(f"unexpected block {block['type']}")
        assert size <= MESSAGE_TEXT_BUDGET


# --- snapshots -----------------------------------------------------------------------------------------------


def test_typical_digest(snapshot: Any) -> None:
    this_week = channel()
    previous = digest(this_week).snapshot()
    edit(previous, 2, api_week="200")  # fewer requests last week: a move without a named cause
    msgs = messages(digest(this_week, previous))
    assert_within_slack_limits(msgs)
    assert msgs == snapshot


def test_first_digest(snapshot: Any) -> None:
    veo = _estimate(VEO)
    saved_dearer = veo.model_copy(update={"api": veo.api.model_copy(update={"unit_usd": Decimal("4.50")})})
    msgs = messages(digest([*channel(), SavedScenario(6, "holiday promo", 1, saved_dearer, link=LINK.format(6))]))
    assert_within_slack_limits(msgs)
    summary = "\n".join(texts(msgs[0]))
    assert "first digest" in summary
    assert "holiday promo>: price changed since it was saved: $4.50 → $4.00 per video" in summary
    assert msgs == snapshot


def test_empty_digest(snapshot: Any) -> None:
    msgs = messages(digest([]))
    assert len(msgs) == 1
    text = "\n".join(texts(msgs[0]))
    assert f"<#{CHANNEL}>" in text
    assert "/cost save NAME video 10s x 1M users per day" in text
    assert "next week" in text
    assert msgs == snapshot


def test_changes_with_a_price_change_a_new_version_new_and_removed(snapshot: Any) -> None:
    last_week = [s for s in channel() if s.id != 3]  # product shots is new this week
    previous = digest([*last_week, saved(9, "old pilot", CHAT)]).snapshot()  # old pilot was deleted since
    edit(previous, 1, api_unit_usd="4.50", api_week="31500000")  # Veo 3.1 cost $4.50 a video last week
    edit(previous, 2, version=1, api_week="122.50")  # dev assistant doubled its requests in v2
    this_week = [*channel()[:1], saved(2, "dev assistant", CHAT, version=2), *channel()[2:]]
    d = digest(this_week, previous)
    msgs = messages(d)
    assert_within_slack_limits(msgs)
    summary = "\n".join(texts(msgs[0]))
    assert "price of Veo 3.1 $4.50 → $4.00 per video" in summary
    assert "-11% (-$3,500,000/week)" in summary
    assert "changed in its thread (v1 → v2)" in summary
    assert "+100% (+$122.50/week)" in summary
    assert "New: <https://acme.slack.com/archives/C0GENERAL/p1700000001000103|product shots>" not in summary
    assert "New: *product shots*" in summary
    assert "Removed: *old pilot*" in summary
    thread = "\n".join(lines(msgs[1:]))
    assert (
        "product shots* · *$575.34/week API* · $16.95 compute · :grey_question: no value stated · :new: new" in thread
    )
    assert msgs == snapshot


def test_one_offs_only(snapshot: Any) -> None:
    msgs = messages(digest([saved(5, "launch trailer", ONE_OFF), saved(6, "demo reel", ONE_OFF_VALUED, link=False)]))
    assert_within_slack_limits(msgs)
    assert "2 one-off costs" in "\n".join(texts(msgs[0]))
    assert any("pays back in 61 days" in line for line in lines(msgs[1:]))
    assert msgs == snapshot


# --- what a message says -------------------------------------------------------------------------------------


def test_first_message_carries_the_headline_totals_in_its_fallback_text() -> None:
    d = digest(channel())
    first = messages(d)[0]
    assert first["text"].startswith(HEADING)
    assert format_usd(d.totals.api_week) in first["text"]
    low, high = d.totals.compute_low_week, d.totals.compute_high_week
    assert low is not None and high is not None and low < d.totals.compute_week < high
    assert f"{format_usd(low)}–{format_usd(high)}/week GPU compute" in first["text"]
    assert first["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": HEADING}}


def test_the_summary_opens_with_the_weeks_spend_its_compute_range_and_the_verdict() -> None:
    d = digest(channel())
    summary = messages(d)[0]["blocks"][1]
    low, high = format_usd(d.totals.compute_low_week), format_usd(d.totals.compute_high_week)
    assert summary["text"]["text"] == (
        f"*{format_usd(d.totals.api_week)}/week* API spend · {low}–{high}/week GPU compute · "
        "4 recurring scenarios · doesn't pay back: value 0.02× API spend where a value is stated"
    )
    assert len(summary["fields"]) == 6


def test_thread_lists_every_scenario_by_weekly_spend_then_the_one_off_costs() -> None:
    msgs = messages(digest(channel()))
    listed = [line for line in lines(msgs[1:]) if re.match(r"\d+\. ", line)]
    assert [line.split("|")[1].split(">")[0] if "|" in line else line.split("*")[1] for line in listed] == [
        "video onboarding", "support agent", "product shots", "dev assistant",
    ]  # fmt: skip
    # One unit in a digest: the week. Monthly budgets are made weekly, and say what they were.
    over = ":rotating_light: over budget: $28,000,000/week vs $23,013,699/week (its $100,000,000/month budget, 122%)"
    assert over in listed[0]
    assert ":white_check_mark: 21% of its $1,151/week budget ($5,000/month)" in listed[3]
    assert "/month vs" not in " ".join(listed)
    assert "value $350,000/week (0.01×)" in listed[0]
    assert "(662×)" in listed[3]
    assert any(line.startswith("• <https://acme.slack.com") and "launch trailer" in line for line in lines(msgs[1:]))


def test_limits_hold_for_ten_thousand_scenarios_and_the_thread_stops_at_its_limit() -> None:
    texts_ = [VEO, CHAT, IMAGE, AGENT]
    many = [
        saved(i, f"scenario {i:05d}", texts_[i % 4], budget="1000" if i % 3 == 0 else None, link=i % 2 == 0)
        for i in range(10_000)
    ]
    previous = digest(many[:9_000]).snapshot()
    d = digest([*many, *(saved(20_000 + i, f"one-off {i}", ONE_OFF) for i in range(400))], previous)
    msgs = messages(d, thread_limit=300)
    assert_within_slack_limits(msgs)
    listed = [line for line in lines(msgs[1:]) if re.match(r"[\d,]+\. ", line)]
    assert len(listed) == 300
    assert listed[-1].startswith("300. ")
    rest = sum((line.api_week for line in d.lines[300:]), Decimal(0))
    closing = f"…and 9,700 more scenarios ({format_usd(rest)} a week API in all); `/cost list` shows every one"
    assert closing in lines(msgs[1:])
    assert sum(line.startswith("• ") for line in lines(msgs[1:])) == 300  # one-off costs stop at the limit too
    assert "…and 100 more one-off costs" in "\n".join(lines(msgs[1:]))
    summary = "\n".join(texts(msgs[0]))
    assert "…and 3,329 more over budget" in summary  # 3,334 over their $1,000 budget
    assert "|scenario 09016> and 995 more" in summary  # 1,000 new ones, five named


@pytest.mark.parametrize("limit", [0, 1, 40])
def test_thread_limit_is_respected(limit: int) -> None:
    msgs = messages(digest(channel()), thread_limit=limit)
    listed = [line for line in lines(msgs[1:]) if re.match(r"\d+\. ", line)]
    assert len(listed) == min(limit, 4)
    assert_within_slack_limits(msgs)


#: Names that try to ping, format or link, each with a link that is fine, not a link, or a link with markup in it.
HOSTILE: list[tuple[str, bool | str]] = [
    ("<!channel> pay now", True),
    ("R&D <@U0BOSS>", "javascript:alert(1)"),
    ("*bold* _it_ ~gone~", "https://acme.slack.com/x|<!channel>"),
    ("<https://evil.example|click me>", "https://ok.example/a?b=1&c=2"),
    ("a|b>c", False),
]


def test_names_are_escaped_and_links_come_only_from_the_scenario() -> None:
    texts_ = [VEO, CHAT, IMAGE, AGENT, ONE_OFF]
    hostile = [saved(i, name, texts_[i], budget="1", link=link) for i, (name, link) in enumerate(HOSTILE)]
    previous = digest(hostile[2:]).snapshot()
    previous["scenarios"]["99"] = {"name": "<!here> gone & done", "version": 1}
    msgs = messages(digest(hostile, previous), heading="Week 48 <!channel>")
    assert_within_slack_limits(msgs)
    allowed = {LINK.format(0), "https://ok.example/a?b=1&amp;c=2", f"#{CHANNEL}"}
    assert msgs[0]["blocks"][0]["text"] == {"type": "plain_text", "text": "Week 48 <!channel>"}  # no markup there
    for message in msgs:
        for text in texts(message, headers=False):
            for target in re.findall(r"<([^|>]*)", text):
                assert target in allowed, text
            assert "<!" not in text and "<@" not in text
            assert "&amp;amp;" not in text
    everything = "\n".join(t for m in msgs for t in texts(m))
    assert "&lt;!channel&gt; pay now" in everything
    assert "R&amp;D &lt;@U0BOSS&gt;" in everything
    assert "&lt;!here&gt; gone &amp; done" in everything
    assert "&lt;https://evil.example|click me&gt;" in everything
    assert "<https://ok.example/a?b=1&amp;c=2|" in everything


def test_long_names_links_and_headings_keep_within_limits() -> None:
    name = "a very long name " + "x" * 480 + " <!channel> & more"
    many = [
        saved(i, f"{i} {name}", [VEO, CHAT, IMAGE, AGENT, ONE_OFF][i % 5], budget="1",
              link=True if i % 3 else "https://acme.slack.com/" + "p" * 5000)
        for i in range(200)
    ]  # fmt: skip
    previous = digest(many[100:]).snapshot()
    for i in range(300, 340):
        previous["scenarios"][str(i)] = {"name": f"{i} {name}", "version": 1}
    msgs = messages(digest(many, previous), heading="H" * 400)
    assert_within_slack_limits(msgs)
    assert msgs[0]["blocks"][0]["text"]["text"].endswith("…")
    everything = "\n".join(t for m in msgs for t in texts(m))
    assert "p" * 400 not in everything  # an over-long link is shown as a plain name, not linked
    assert "<!channel>" not in everything


def test_a_scenario_that_cannot_be_re_costed_says_so() -> None:
    chat = _estimate(CHAT)
    retired = chat.model_copy(update={"sections": {**chat.sections, "model": "gpt-0-retired"}})
    msgs = messages(digest([SavedScenario(1, "legacy bot", 1, retired), *channel()[:1]]))
    assert_within_slack_limits(msgs)
    assert "(but 1 scenario: shown as saved, see the thread)" in msgs[0]["blocks"][-1]["elements"][0]["text"]
    (line,) = [line for line in lines(msgs[1:]) if "legacy bot" in line]
    assert "$245.00/week API" in line
    assert "_can't be re-costed with today's prices (I don't know the model 'gpt-0-retired'" in line
