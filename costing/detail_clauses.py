"""The /cost language's workload details: audio (`with audio`, `silent`), resolutions and image sizes (`720p`,
`4k`, `full hd`, `1024x1536`) and image quality (`hd`, `high quality`)."""

from __future__ import annotations

import re

from costing import lexicon as lx
from costing.parser import Cursor

__all__ = ["DetailClauses"]


class DetailClauses(Cursor):
    """The clauses that read a workload's details; `costing.language._Parser` adds the others."""

    def _clause_audio(self) -> bool:
        word = self.peek_word()
        tok = self.peek()
        if word in {"with", "without", "no"} and self.peek_word(1) in {"audio", "sound"}:
            self.set_part("audio", word == "with", tok)  # type: ignore[arg-type]
            self.i += 2
            return True
        if word in {"audio", "sound"} and self.req.modality in (None, "video"):
            self.set_part("audio", True, tok)  # type: ignore[arg-type]
            self.i += 1
            return True
        if word in {"silent", "muted", "mute"}:
            self.set_part("audio", False, tok)  # type: ignore[arg-type]
            self.i += 1
            return True
        return False

    def _clause_resolution_word(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if tok.kind == "res":
            if tok.text not in lx.RESOLUTIONS:
                raise self.fail(f"'{tok.text}' is not a resolution I know; use 480p, 720p, 1080p or 4k.", tok)
            self.set_part("resolution", lx.RESOLUTION_ALIASES.get(tok.text, tok.text), tok)
            self.i += 1
            return True
        if tok.kind == "size":
            width, height = sorted(int(n) for n in re.split("[x×]", tok.text))
            if not (64 <= width <= 8192 and 64 <= height <= 8192):
                raise self.fail("An image size is between 64 and 8192 pixels a side, like 1024x1536.", tok)
            self.set_part("size", f"{width}x{height}", tok)
            self.i += 1
            return True
        word = self.peek_word()
        if word in lx.RESOLUTION_ALIASES:
            self.set_part("resolution", lx.RESOLUTION_ALIASES[word], tok)
            self.i += 1
            return True
        if word == "full" and self.peek_word(1) == "hd":
            self.set_part("resolution", "1080p", tok)
            self.i += 2
            return True
        return False

    def _clause_quality(self) -> bool:
        word = self.peek_word()
        if word not in lx.QUALITY_WORDS:
            return False
        tok = self.tokens[self.i]
        if self.peek_word(1) == "quality":
            self.i += 1
        self.set_part("quality", lx.QUALITY_WORDS[word], tok)
        self.i += 1
        return True
