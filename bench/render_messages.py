"""Render costbot's main messages (an estimate and its Details, a card, a what-if, a digest) to PNG, to look at.

Not a test: Block Kit becomes a plain HTML page that approximates Slack's look (sections, fields, context,
buttons, headers, dividers; mrkdwn bold, italics, code, links, strikes, `<!date^…|fallback>` as its fallback,
`<#C…>` and `<@U…>` as names), and headless Chromium (Debian: `apt-get install chromium`) screenshots it. The
pictures are for people to look at while changing a message's layout; keep them out of the repository.

    python bench/render_messages.py                  # PNGs in ./rendered (or --out DIR)
    python bench/render_messages.py --html-only      # the HTML pages only (no Chromium needed)
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_STYLE = """
body { font: 15px/1.46 -apple-system, "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1d1c1d;
       margin: 0; padding: 16px 20px; width: 760px; background: #fff; }
.msg { display: flex; gap: 8px; } .avatar { width: 36px; height: 36px; border-radius: 6px; background: #2eb67d; }
.name { font-weight: 900; } .app { font-size: 11px; background: #e8e8e8; padding: 0 3px; border-radius: 2px; }
.block { margin: 4px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 24px; }
.context { color: #616061; font-size: 12.5px; } h3 { margin: 8px 0 4px; font-size: 17px; }
hr { border: 0; border-top: 1px solid #ddd; margin: 10px 0; }
code { font: 12px Monaco, Menlo, monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #ddd;
       border-radius: 3px; padding: 0 3px; }
a { color: #1264a3; text-decoration: none; } .mention { background: #e8f5fa; color: #1264a3; }
.btn { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 3px 12px; margin: 4px 6px 0 0;
       font-weight: 700; font-size: 13px; } .primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.danger { background: #e01e5a; color: #fff; border-color: #e01e5a; } img { max-width: 100%; }
"""


def _mention(match: re.Match[str]) -> str:
    return f'<span class="mention">{match.group(1)}{match.group(3) or match.group(2)}</span>'


def mrkdwn(text: str) -> str:
    """Slack mrkdwn as HTML (escaped first; Slack's own entities kept)."""
    text = html.unescape(text)  # Slack's &amp; &lt; &gt; back to characters, then escaped once
    out = html.escape(text, quote=False)
    out = re.sub(r"&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;", r"\1", out)
    out = re.sub(
        r"&lt;#(C\w+)(?:\|([^&]*))?&gt;", lambda m: f'<span class="mention">#{m.group(2) or m.group(1)}</span>', out
    )
    out = re.sub(
        r"&lt;@(U\w+)(?:\|([^&]*))?&gt;", lambda m: f'<span class="mention">@{m.group(2) or m.group(1)}</span>', out
    )
    out = re.sub(r"&lt;(https?://[^|&]*)\|([^&]*)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"&lt;(https?://[^&]*)&gt;", r'<a href="\1">\1</a>', out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", out)
    out = re.sub(r"(?<![\w~])~([^~\n]+)~(?![\w~])", r"<s>\1</s>", out)
    return out.replace("\n", "<br>")


def _text(part: dict[str, Any]) -> str:
    return mrkdwn(part["text"]) if part.get("type") == "mrkdwn" else html.escape(part.get("text", ""))


def block_html(block: dict[str, Any]) -> str:
    kind = block["type"]
    if kind == "section":
        inner = f"<div>{_text(block['text'])}</div>" if "text" in block else ""
        if block.get("fields"):
            inner += '<div class="fields">' + "".join(f"<div>{_text(f)}</div>" for f in block["fields"]) + "</div>"
        return f'<div class="block">{inner}</div>'
    if kind == "context":
        parts = [_text(e) for e in block["elements"] if e.get("type") in {"mrkdwn", "plain_text"}]
        return f'<div class="block context">{" ".join(parts)}</div>'
    if kind == "actions":
        buttons = [
            f'<span class="btn {e.get("style", "")}">{html.escape(e["text"]["text"])}</span>'
            for e in block["elements"]
            if e.get("type") == "button"
        ]
        return f'<div class="block">{"".join(buttons)}</div>'
    if kind == "header":
        return f"<h3>{html.escape(block['text']['text'])}</h3>"
    if kind == "divider":
        return "<hr>"
    if kind == "image":
        return (
            f'<div class="block"><img alt="{html.escape(block.get("alt_text", ""))}" src="{block["image_url"]}"></div>'
        )
    return f'<div class="block context">[{html.escape(kind)} block]</div>'


def page(title: str, message: dict[str, Any]) -> str:
    blocks = "".join(block_html(b) for b in message.get("blocks", []))
    return (
        f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title><style>{_STYLE}</style>"
        '<div class="msg"><div class="avatar"></div><div><span class="name">costbot</span> '
        f'<span class="app">APP</span><div>{blocks}</div></div></div>'
    )


def messages() -> dict[str, dict[str, Any]]:
    """The messages people see most, built as costbot builds them."""
    from bot.blocks import estimate_message
    from bot.blocks.digest import digest_messages
    from bot.blocks.estimate import details_modal
    from bot.blocks.scenarios import scenario_card, what_if_message
    from bot.replies import estimate_text
    from costing import build_digest, compare_estimates, current_catalog
    from costing.recost import SavedScenario
    from storage import ScenarioPublic

    when = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    text = "video 10s x 1M users per month value $2 each"
    estimate = estimate_text(text)
    scenario = ScenarioPublic(
        id=7, team_id="T0TEAM1", channel_id="C0LAUNCH", name="launch video", author_id="U0ALICE", text=text,
        estimate=estimate, value_text="value $2 each", budget_usd_month=None, channel_private=False,
        card_ts="1.1", card_permalink="https://example.slack.com/archives/C0LAUNCH/p1", version=1,
        created_at=when, updated_at=when,
    )  # fmt: skip
    bigger = estimate_text("video 10s x 2M users per month value $2 each")
    saved = [
        SavedScenario(id=n, name=name, version=1, estimate=estimate_text(t), link=None)
        for n, (name, t) in enumerate(
            [("launch video", text), ("support bot", "chat 1500 in 500 out x 200k per day value $0.05 each")], 1
        )
    ]
    digest = build_digest(saved, catalog=current_catalog(), at=when, previous=None)
    return {
        "estimate": estimate_message(estimate),
        "details": details_modal(estimate),
        "card": scenario_card(scenario),
        "what-if": what_if_message(
            scenario,
            text=bigger.text,
            estimate=bigger,
            comparison=compare_estimates(estimate, bigger),
            asked_by="U0BOB",
        ),
        "digest": digest_messages(digest, channel_id="C0LAUNCH", heading="Weekly AI spend vs value · week 49")[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("rendered"), help="where the PNGs go (./rendered)")
    parser.add_argument("--html-only", action="store_true", help="write the HTML pages only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None and not args.html_only:
        raise SystemExit("Chromium not found: install it (Debian: apt-get install chromium) or use --html-only")
    for name, message in messages().items():
        page_path = args.out / f"{name}.html"
        page_path.write_text(page(name, message), encoding="utf-8")
        (args.out / f"{name}.json").write_text(json.dumps(message, indent=2, ensure_ascii=False), encoding="utf-8")
        if args.html_only:
            print(page_path)
            continue
        png = args.out / f"{name}.png"
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                 "--hide-scrollbars", f"--screenshot={png.resolve()}", "--window-size=800,1400",
                 page_path.resolve().as_uri()],
                check=True, capture_output=True, timeout=60,
            )  # fmt: skip
        print(png)


if __name__ == "__main__":
    main()
