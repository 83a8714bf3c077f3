"""The /cost language's money clauses: own prices (`at $0.25/s`), discounts, GPU rates and what a workload is
worth (`value $0.05 each`, `saves 10 min @ $70/h`, `revenue $9.99/user/month`)."""

from __future__ import annotations

from decimal import Decimal

from costing import lexicon as lx
from costing.parser import Cursor
from costing.request import PriceOverride, ValueSpec
from costing.scanner import Token

__all__ = ["PriceClauses"]


class PriceClauses(Cursor):
    """The clauses that read money; `costing.language._Parser` adds the others."""

    def _money_after(self, keyword_tok: Token, *, example: str) -> Token:
        self.i += 1
        tok = self.peek()
        if tok is None or tok.kind not in {"money", "num"}:
            shown = "nothing" if tok is None else f"'{tok.text}'"
            raise self.fail(
                f"'{keyword_tok.text}' needs a dollar amount after it, like {example} — got {shown}.",
                tok or keyword_tok,
                example=None,
            )
        self.i += 1
        return tok

    def _rate_unit(self) -> tuple[str | None, Decimal, Token | None]:
        """After an amount: `/s`, `/1M in`, `per image`, `a minute`. Returns (unit, per, token) or (None,…)."""
        tok = self.peek()
        if tok is None:
            return None, Decimal(1), None
        if not ((tok.kind == "sym" and tok.text == "/") or tok.text in {"per", "a", "an"}):
            return None, Decimal(1), None
        nxt = self.peek(1)
        if nxt is None:
            raise self.fail("A price needs a unit after '/', like $0.25/s or $2/1M in.", tok)
        if nxt.kind == "num":  # "$2/1M in", "$15/1M chars", "$0.25/10s"
            assert nxt.value is not None
            self.i += 2
            self._skip(lx.TOKEN_WORDS)
            unit, factor = self._per_unit(self.peek_word())
            if unit is not None and unit != "request":
                self.i += 1
                return unit, nxt.value * factor, nxt
            return self._direction("token", nxt.value, nxt)
        if nxt.kind != "word":
            raise self.fail("A price needs a unit after '/', like $0.25/s or $0.04/image.", nxt)
        unit, factor = self._per_unit(nxt.text)
        if unit is None:
            return None, Decimal(1), None
        self.i += 2
        if unit == "token":
            return self._direction("token", factor, nxt)
        return unit, factor, nxt

    @staticmethod
    def _per_unit(word: str | None) -> tuple[str | None, Decimal]:
        """What a price is per, for the word after '/': (unit, how many of it), or (None, 1)."""
        if word is None:
            return None, Decimal(1)
        if word in lx.SECONDS_IN:
            return "second", Decimal(lx.SECONDS_IN[word])
        if word in {"mtok", "mtoks", "mtokens"}:
            return "token", Decimal(1_000_000)
        if word in {"ktok", "ktoks", "ktokens"}:
            return "token", Decimal(1_000)
        if word in lx.TOKEN_WORDS:
            return "token", Decimal(1)
        if word in lx.CHAR_WORDS:
            return "char", Decimal(1)
        if word in lx.IMAGE_WORDS:
            return "image", Decimal(1)
        if word in lx.WORKLOAD_WORDS or word in lx.REQUEST_WORDS:
            return "request", Decimal(1)
        return None, Decimal(1)

    def _direction(self, unit: str, per: Decimal, tok: Token) -> tuple[str, Decimal, Token]:
        word = self.peek_word()
        if word in lx.IN_WORDS:
            self.i += 1
            return "input_token", per, tok
        if word in lx.OUT_WORDS:
            self.i += 1
            return "output_token", per, tok
        return unit, per, tok

    def _clause_price(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        starts_with_at = (tok.kind == "word" and tok.text == "at") or (tok.kind == "sym" and tok.text == "@")
        if not starts_with_at:
            return False
        nxt = self.peek(1)
        if tok.text == "at" and nxt is not None and (nxt.kind == "res" or nxt.text in {"4k", "hd", "full"}):
            self.i += 1  # "at 1080p" reads fine; the next clause takes the resolution
            return True
        money = self._money_after(tok, example="at $0.25/s or at $2/1M in $8/1M out")
        while True:
            usd = money.value
            assert usd is not None
            unit, per, _ = self._rate_unit()
            if unit is None:
                word = self.peek_word()
                if word in lx.IN_WORDS | lx.OUT_WORDS:  # "at $2 in $8 out": per 1M tokens, the usual list unit
                    self.i += 1
                    unit, per = ("input_token" if word in lx.IN_WORDS else "output_token"), Decimal(1_000_000)
                elif word == "each":
                    self.i += 1
                    unit = "request"
                else:
                    raise self.fail(
                        f"What is {money.text} for? Give the price a unit: $0.25/s, $0.04/image, $0.006/min, "
                        "$15/1M chars, $2/1M in $8/1M out, or $1 each.",
                        money,
                    )
            if usd <= 0:
                raise self.fail("A price must be more than zero; for a free tier, leave the price out.", money)
            if any(p.unit == unit for p in self.req.prices):
                raise self.fail(f"Two prices per {unit.replace('_', ' ')}; give one.", money)
            self.req.prices.append(PriceOverride(usd, unit, per))
            self._touched.add("price")
            self.req.where.setdefault("price", (money.pos, money.text))
            self._skip(frozenset({"and"}))
            nxt = self.peek()
            if nxt is None or nxt.kind != "money":
                return True
            money = nxt
            self.i += 1

    def _clause_discount(self) -> bool:
        word = self.peek_word()
        tok = self.peek()
        if word in {"discount", "discounted"}:
            self.i += 1
            self._skip(frozenset({"of", "by"}))
            num = self.peek()
            if num is None or num.kind != "num" or self.peek(1) is None or self.peek(1).text != "%":  # type: ignore[union-attr]
                raise self.fail("Write a discount as a percentage, like 'discount 30%'.", num or tok)
            self._set_discount(num)
            self.i += 2
            return True
        nxt = self.peek(1)
        if (
            tok is not None
            and tok.kind == "num"
            and nxt is not None
            and nxt.text == "%"
            and (self.peek_word(2) in {"off", "discount"})
        ):
            self._set_discount(tok)
            self.i += 3
            return True
        return False

    def _set_discount(self, tok: Token) -> None:
        assert tok.value is not None
        if not 0 < tok.value < 100:
            raise self.fail("A discount is between 0% and 100%, exclusive.", tok)
        self.set_part("discount_pct", tok.value, tok)

    def _clause_gpu(self) -> bool:
        if self.peek_word() not in {"gpu", "gpus"}:
            return False
        tok = self.tokens[self.i]
        money = self._money_after(tok, example="gpu $2.50/h")
        self._per_hour(money, "Give the GPU price per hour, like 'gpu $2.50/h'.")
        usd = self.positive(money, "A GPU price")
        if usd > 1000:
            raise self.fail("No GPU rents for more than $1,000 an hour; check the number.", money)
        self.set_part("gpu_hour_usd", usd, money)
        return True

    def _clause_value(self) -> bool:
        word = self.peek_word()
        if word not in lx.VALUE_WORDS:
            return False
        tok = self.tokens[self.i]
        if self.req.value is not None:
            first_pos, first_text = self.req.where["value"]
            raise self.fail(f"Give one value; '{first_text}' (character {first_pos}) is already one.", tok)
        if word in {"saves", "saving", "save"}:
            spec = self._saves(tok)
        else:
            money = self._money_after(tok, example=f"'{tok.text} $0.05 each' or '{tok.text} $20/user/month'")
            usd = self.positive(money, "A value")
            basis, period, stated = self._value_basis()
            spec = ValueSpec(
                kind="revenue" if word == "revenue" else "value",
                usd=usd,
                basis=basis,
                period=period,
                basis_stated=stated,
            )
        self.req.value = spec
        self._touched.add("value")
        self.req.where["value"] = (tok.pos, tok.text)
        return True

    def _saves(self, tok: Token) -> ValueSpec:
        self.i += 1
        num = self.peek()
        unit = self.peek_word(1)
        if num is None or num.kind != "num" or unit not in lx.SECONDS_IN:
            raise self.fail(
                "Say how much time it saves, like 'saves 10 min @ $70/h'.",
                num or tok,
                example=f"{lx.EXAMPLES['chat']} saves 10 min @ $70/h",
            )
        minutes = self.positive(num, "Time saved")
        minutes = minutes * lx.SECONDS_IN[unit] / 60
        self.i += 2
        wage = None  # the value model's default wage, stated in the answer
        at = self.peek()
        if at is not None and (at.text in {"at", "@"}):
            money = self._money_after(at, example="saves 10 min @ $70/h")
            self._per_hour(money, "Give the hourly rate of the time saved, like '@ $70/h'.")
            wage = self.positive(money, "An hourly rate")
        basis, period, _ = self._value_basis()
        return ValueSpec(kind="saves", usd=wage, basis=basis, period=period, minutes_saved=minutes)

    def _per_hour(self, money: Token, message: str) -> None:
        """Consume `/h`, `per hour` or `hourly` after an amount, or fail with `message`."""
        unit, per, _ = self._rate_unit()
        if unit is None and self.peek_word() in {"hourly"} | lx.HOUR_WORDS:
            self.i += 1
            unit, per = "second", Decimal(3600)
        if unit != "second" or per != 3600:
            raise self.fail(message, money)

    def _value_basis(self) -> tuple[str, lx.Period | None, bool]:
        """`each`, `/user/month`, `per user per month`, `/month`, `a video` — or nothing (per unit).

        Returns (basis, period, whether the text said it).
        """
        if self.peek_word() == "each":
            self.i += 1
            return "unit", None, True
        basis, period = "unit", None
        start = self.i
        seen_user = False
        while True:
            tok = self.peek()
            if tok is None or not ((tok.kind == "sym" and tok.text == "/") or tok.text in {"per", "a", "an"}):
                break
            noun = self.peek_word(1)
            if noun in lx.PERIOD_WORDS and period is None:
                period = lx.PERIOD_WORDS[noun]
                self.i += 2
            elif noun in lx.PEOPLE_NOUNS and not seen_user:
                seen_user = True
                self.i += 2
            elif noun is not None and (noun in lx.WORKLOAD_WORDS or noun in {"unit", "call", "request", "run"}):
                self.i += 2
            else:
                break
        if seen_user:
            basis = "user"
        elif period is not None:
            basis = "total"
        return basis, period, self.i > start
