"""Slack's mrkdwn: escaping, links and limits."""

from __future__ import annotations

import re

__all__ = ["SECTION_LIMIT", "clip", "escape", "escape_slack_text", "fit", "link", "source_label"]

#: The longest text a section block takes.
SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Make `text` safe for mrkdwn: `&`, `<` and `>` as entities, so no `<!channel>` or `<@U…>` survives."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")


def escape_slack_text(text: str) -> str:
    """Make text Slack sent us (a message, already escaped: `&amp;`, `&lt;`) safe to show again: its markup
    (`<@U…>`, `<!channel>`, links) becomes plain text, its entities stay as they are."""
    return _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


#: Who publishes what a source URL points at, by host (and its parents): a link reads `OpenAI`, not a URL.
_PUBLISHERS = {
    "openai.com": "OpenAI",
    "ai.google.dev": "Google Gemini API",
    "cloud.google.com": "Google Cloud",
    "firebase.google.com": "Google Firebase",
    "anthropic.com": "Anthropic",
    "claude.com": "Anthropic",
    "aws.amazon.com": "AWS",
    "amazon.com": "AWS",
    "fal.ai": "fal",
    "ltx.video": "Lightricks LTX",
    "runwayml.com": "Runway",
    "krea.ai": "Krea",
    "bfl.ai": "Black Forest Labs",
    "elevenlabs.io": "ElevenLabs",
    "x.ai": "xAI",
    "mistral.ai": "Mistral",
    "deepseek.com": "DeepSeek",
    "nvidia.com": "NVIDIA",
    "lambda.ai": "Lambda",
    "coreweave.com": "CoreWeave",
    "huggingface.co": "Hugging Face",
    "arxiv.org": "arXiv",
    "pypi.org": "PyPI",
    "mlcommons.org": "MLCommons",
    "sglang.io": "SGLang",
    "pytorch.org": "PyTorch",
}
#: GitHub repositories whose owner says more than their name.
_REPOSITORIES = {
    "mlcommons": "MLPerf Inference results",
    "BerriAI": "LiteLLM price file",
    "NVIDIA": "NVIDIA TensorRT-LLM",
    "pydantic": "genai-prices",
}


def source_label(url: str) -> str:
    """Who a source URL is from, as a reader says it: `OpenAI`, `Google Gemini API`, `NVIDIA TensorRT-LLM`,
    `Wan2.2 on GitHub`; else the site's name (`example.com`)."""
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    if host == "github.com":
        owner, _, repository = path.partition("/")
        repository = repository.split("/", 1)[0]
        return _REPOSITORIES.get(owner) or (f"{repository} on GitHub" if repository else "GitHub")
    parts = host.split(".")
    for n in range(len(parts) - 1):
        name = _PUBLISHERS.get(".".join(parts[n:]))
        if name:
            return name
    return ".".join(parts[-2:]) if len(parts) >= 2 else host


def link(url_or_text: str) -> str:
    """A source as a link labelled with who published it (`<url|OpenAI>`) when it is a URL, as escaped text
    otherwise."""
    if url_or_text.startswith(("https://", "http://")) and not any(c in url_or_text for c in " <>|"):
        return f"<{url_or_text.replace('&', '&amp;')}|{escape(source_label(url_or_text))}>"
    return escape(url_or_text)


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut (Slack rejects longer texts outright)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(text: str, limit: int = SECTION_LIMIT) -> str:
    """An mrkdwn text cut to `limit` characters without leaving half a link (`<…`) or half an entity (`&am`)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"
