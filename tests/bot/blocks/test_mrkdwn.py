from __future__ import annotations

import pytest

from bot.blocks.mrkdwn import clip, escape, escape_slack_text, link, source_label


def test_escape_defuses_mentions_and_links() -> None:
    assert (
        escape("<!channel> & <@U1|bob> <https://x|y>") == "&lt;!channel&gt; &amp; &lt;@U1|bob&gt; &lt;https://x|y&gt;"
    )


def test_a_url_becomes_a_link_named_for_its_publisher_and_anything_else_stays_text() -> None:
    assert link("https://openai.com/api/pricing/") == "<https://openai.com/api/pricing/|OpenAI>"
    assert link("OpenAI pricing page <2026>") == "OpenAI pricing page &lt;2026&gt;"
    assert link("https://evil.example/|<!channel>") == "https://evil.example/|&lt;!channel&gt;"


def test_clip_keeps_texts_within_slacks_limit() -> None:
    assert clip("x" * 5000) == "x" * 2999 + "…"
    assert clip("short") == "short"


def test_text_slack_sent_keeps_its_entities_and_loses_its_markup() -> None:
    assert escape_slack_text("R&amp;D is &lt;50% <!channel> <@U1>") == "R&amp;D is &lt;50% &lt;!channel&gt; &lt;@U1&gt;"
    assert escape_slack_text("Q&A") == "Q&amp;A"  # a bare ampersand still becomes an entity


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://developers.openai.com/api/docs/pricing", "OpenAI"),
        ("https://ai.google.dev/gemini-api/docs/pricing", "Google Gemini API"),
        ("https://github.com/NVIDIA/TensorRT-LLM/blob/main/docs/source/performance/perf-overview.md",
         "NVIDIA TensorRT-LLM"),
        ("https://github.com/mlcommons/inference_results_v5.1/tree/main/closed", "MLPerf Inference results"),
        ("https://github.com/Wan-Video/Wan2.2", "Wan2.2 on GitHub"),
        ("https://docs.ltx.video/pricing", "Lightricks LTX"),
        ("https://www.example.co/some/long/path", "example.co"),
    ],
)  # fmt: skip
def test_a_source_is_named_for_who_published_it(url: str, label: str) -> None:
    assert source_label(url) == label
