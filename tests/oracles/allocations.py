"""An oracle for SPEC section 7 on plants of purchased items, written from the text alone.

It keeps its own projected stock per item and day (on hand, supply and demand, each before as_of
on day 0, and the stock taken by the promises it holds), serves each line stock first (SPEC
section 2: ``a = min(qty, ATP(sku, d))`` from stock, the rest bought when ``d >= L``), and applies
the allocation rule of section 7 term by term: C(t), F, D(t) and AL(g, s, d), with the rows
that end before as_of left out, the ``*`` group and the earlier lines of the quote. No numpy
and none of the engine's code: slow, and only for horizons of a few weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class Answer:
    earliest: int | None
    most: int
    promised: int | None
    # The allocation left on the requested day, None when allocations do not limit the line.
    allocation_left: int | None


@dataclass
class Oracle:
    doc: dict[str, Any]
    as_of: date
    horizon: int
    # Stock (sku, day, qty) and deliveries (customer, sku, date, qty) of the promises held.
    takes: list[tuple[str, int, int]] = field(default_factory=list)
    deliveries: list[tuple[str, str, date, int]] = field(default_factory=list)

    # -- section 2, for purchased items -------------------------------------------------------

    def _day(self, when: str | date) -> int:
        return ((date.fromisoformat(when) if isinstance(when, str) else when) - self.as_of).days

    def projected(self, sku: str, t: int, extra: list[tuple[str, int, int]]) -> int:
        total = sum(r["on_hand"] for r in self.doc.get("inventory", []) if r["sku"] == sku)
        total += sum(
            r["qty"]
            for r in self.doc.get("supply", [])
            if r["sku"] == sku and self._day(r["date"]) <= t
        )
        total -= sum(
            r["qty"]
            for r in self.doc.get("demand", [])
            if r["sku"] == sku and self._day(r["date"]) <= t
        )
        total -= sum(q for s, d, q in [*self.takes, *extra] if s == sku and d <= t)
        return total

    def atp(self, sku: str, d: int, extra: list[tuple[str, int, int]]) -> int:
        return max(0, min(self.projected(sku, t, extra) for t in range(d, self.horizon)))

    def lead(self, sku: str) -> int | None:
        (item,) = [i for i in self.doc["items"] if i["sku"] == sku]
        lead: int | None = item["lead_time_days"]
        return lead

    def stock_feasible(self, sku: str, qty: int, d: int, extra: list[tuple[str, int, int]]) -> bool:
        rest = qty - min(qty, self.atp(sku, d, extra))
        lead = self.lead(sku)
        return rest == 0 or (lead is not None and d >= lead)

    # -- section 7 ---------------------------------------------------------------------------

    def counting_rows(self) -> list[dict[str, Any]]:
        """Only rows that do not end before day 0 count."""
        return [r for r in self.doc.get("allocations", []) if self._day(r["until"]) >= 0]

    def group(self, customer: str) -> str:
        for row in self.doc.get("customers", []):
            if row["customer"] == customer:
                return str(row["group"])
        return "*"

    def limited_by(self, customer: str, sku: str) -> str | None:
        groups = {r["group"] for r in self.counting_rows() if r["sku"] == sku}
        own = self.group(customer)
        if own in groups:
            return own
        return "*" if "*" in groups else None

    def allocation_left(self, g: str, s: str, d: int, earlier: list[tuple[str, int, int]]) -> int:
        rows = [r for r in self.counting_rows() if r["group"] == g and r["sku"] == s]
        first = min(date.fromisoformat(r["from"]) for r in rows)

        def c(t: int) -> int:
            return sum(r["qty"] for r in rows if self._day(r["from"]) <= t)

        def dd(t: int) -> int:
            total = 0
            for customer, sku, when, qty in self.deliveries:
                if sku != s or self.limited_by(customer, s) != g or when < first:
                    continue
                if max(self._day(when), 0) <= t:
                    total += qty
            return total + sum(q for sku, day, q in earlier if sku == s and day <= t)

        return max(0, min(c(t) - dd(t) for t in range(d, self.horizon)))

    # -- a quote -----------------------------------------------------------------------------

    def quote(
        self, customer: str, lines: list[tuple[str, int, date]], *, hold: bool = False
    ) -> list[Answer]:
        """Each line in order, seeing the stock and allocation the lines before it take."""
        answers = []
        extra: list[tuple[str, int, int]] = []
        delivered: list[tuple[str, int, int]] = []
        for sku, qty, requested in lines:
            req = self._day(requested)
            group = self.limited_by(customer, sku)

            def allowed(q: int, d: int, sku: str = sku, group: str | None = group) -> bool:
                if not self.stock_feasible(sku, q, d, extra):
                    return False
                return group is None or q <= self.allocation_left(group, sku, d, delivered)

            earliest = next((d for d in range(self.horizon) if allowed(qty, d)), None)
            most = max(q for q in range(qty + 1) if allowed(q, req))
            promised = None if earliest is None else max(req, earliest)
            left = None if group is None else self.allocation_left(group, sku, req, delivered)
            answers.append(Answer(earliest, most, promised, left))
            if promised is not None:
                extra.append((sku, promised, min(qty, self.atp(sku, promised, extra))))
                delivered.append((sku, promised, qty))
        if hold:
            self.takes += extra
            self.deliveries += [
                (customer, sku, self.as_of + timedelta(days=day), qty)
                for sku, day, qty in delivered
            ]
        return answers
