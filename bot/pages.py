"""The web pages a person sees when installing costbot: the install page, and what happened after Slack.

Plain HTML with its style inline, no script and nothing fetched from elsewhere (the headers forbid both);
everything that comes from Slack (a workspace's name) is escaped.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

__all__ = ["FAILURES", "HEADERS", "failed_page", "install_page", "installed_page"]

#: Sent with every page: no scripts, frames or outside resources, and the address (with its state or code)
#: never passed on to another site.
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

#: Why an install failed (Bolt's reasons), in words, with what to do next.
FAILURES = {
    "access_denied": "The install was cancelled in Slack, so nothing was installed.",
    "invalid_browser": "This install was finished in a different browser from the one that started it, or "
    "took longer than ten minutes. Nothing was installed.",
    "invalid_state": "This install link has expired or was used already. Nothing was installed.",
    "missing_code": "Slack didn't send back the approval code. Nothing was installed.",
    "invalid_code": "Slack didn't accept the approval (it may have expired). Nothing was installed.",
    "storage_error": "costbot couldn't save the install: its database is unavailable. Nothing was installed; "
    "try again in a minute.",
}

_STYLE = """
body { font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1c1d;
       background: #f8f8f8; margin: 0; }
main { max-width: 34rem; margin: 12vh auto; padding: 2rem; background: #fff; border-radius: 8px;
       box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; color: #1d3557; }
p { margin: .75rem 0; }
code { background: #f2f2f2; padding: .1rem .3rem; border-radius: 3px; }
a.button { display: inline-block; margin-top: .75rem; padding: .6rem 1.2rem; border-radius: 4px;
           background: #4a154b; color: #fff; font-weight: 700; text-decoration: none; }
a.button:focus, a.button:hover { background: #611f69; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def install_page(authorize_url: str) -> str:
    """The page at `/slack/install`: what costbot does and asks for, and the "Add to Slack" button."""
    return _page(
        "Add costbot to Slack",
        "<h1>costbot</h1>"
        "<p>What will this AI feature cost at scale, and is it worth it? <code>/cost video 10s x 1M users</code> "
        "answers with the API price and the raw GPU compute cost, with sources and assumptions. Save scenarios, "
        "argue about them in their threads, and get a weekly spend-versus-value digest in a channel.</p>"
        "<p>costbot asks to use <code>/cost</code>, post in channels (its answers, scenario cards and digests), "
        "read the replies in its own scenarios' threads, and see whether a channel is private and who is an "
        "admin. It never reads other conversations.</p>"
        f'<a class="button" href="{escape(authorize_url)}">Add to Slack</a>'
        "<p><small>The link works once, in this browser, for ten minutes.</small></p>",
    )


def installed_page(*, team_name: str | None, team_id: str | None, app_id: str | None) -> str:
    """The page after a successful install: where to go and what to type first."""
    where = escape(team_name or "your workspace")
    link = ""
    if team_id and app_id:
        link = f'<a class="button" href="slack://app?team={quote(team_id)}&amp;id={quote(app_id)}">Open Slack</a>'
    return _page(
        "costbot is installed",
        f"<h1>costbot is installed in {where}</h1>"
        "<p>Type <code>/cost help</code> in any channel to see what it can answer, or start with "
        "<code>/cost chat 1500 in 500 out x 200k per day</code>.</p>"
        "<p>For a weekly spend-versus-value digest in a channel, type <code>/cost digest on</code> there.</p>"
        f"{link}",
    )


def failed_page(reason: str) -> str:
    """The page after an install that didn't happen: why, and how to try again."""
    why = FAILURES.get(reason, "Something went wrong during the install. Nothing was installed.")
    return _page(
        "costbot wasn't installed",
        f"<h1>costbot wasn't installed</h1><p>{escape(why)}</p>"
        '<a class="button" href="/slack/install">Start the install again</a>',
    )
