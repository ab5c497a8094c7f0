"""The allocations of the scarce items for the weeks ahead, drawn on the server as inline SVG.

One row per item and customer group; each period is a bar across its days, split into what
confirmed promises take (blue), what holds take (amber) and what is left (green) of it; grey is
allocated but no longer available (used by an earlier period's overrun or kept for a later
commitment). Every text from data goes through ``escape``.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from markupsafe import Markup, escape

from app.pages.svg import AXIS_HEIGHT, CHART_WIDTH, FOOT_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, short_date
from app.schemas.allocations import AllocationList, AllocationStatus

BAR_HEIGHT = 16


def group_label(group: str) -> str:
    return "everyone else (*)" if group == "*" else group


def period_text(row: AllocationStatus) -> str:
    return (
        f"{row.sku} for {group_label(row.group)}, {short_date(row.from_date)} to "
        f"{short_date(row.until_date)}: {row.qty} allocated; held {row.taken.held}, "
        f"confirmed {row.taken.confirmed}, left {row.left}"
    )


def allocation_chart(view: AllocationList, first: date, last: date) -> Markup:
    """Items and groups down, the days from ``first`` to ``last`` across."""
    rows = [r for r in view.items if r.until_date >= first and r.from_date <= last]
    keyed = [(key, list(periods)) for key, periods in groupby(rows, lambda r: (r.sku, r.group))]
    days = (last - first).days + 1
    scale = CHART_WIDTH / days
    height = AXIS_HEIGHT + max(1, len(keyed)) * ROW_HEIGHT + FOOT_HEIGHT

    def x(day: date) -> float:
        return LABEL_WIDTH + (day - first).days * scale

    out = [
        (
            f'<svg class="allocations" viewBox="0 0 {LABEL_WIDTH + CHART_WIDTH + 10} {height}" '
            'role="img" aria-labelledby="allocations-title allocations-desc">'
        ),
        '<title id="allocations-title">Allocations per group and period</title>',
        f'<desc id="allocations-desc">{escape(_desc(rows, first, last))}</desc>',
    ]
    day = first
    while day <= last:
        if day == first or day.day == 1:
            out.append(f'<text class="axis" x="{x(day) + 2:.1f}" y="11">{day:%b %Y}</text>')
        if day.weekday() == 0:
            out.append(
                f'<line class="tick" x1="{x(day):.1f}" y1="{AXIS_HEIGHT - 6}" x2="{x(day):.1f}" '
                f'y2="{height - FOOT_HEIGHT}"/>'
                f'<text class="axis" x="{x(day) + 2:.1f}" y="{AXIS_HEIGHT - 9}">{day.day}</text>'
            )
        day += timedelta(days=1)
    for n, ((sku, group), periods) in enumerate(keyed):
        y = AXIS_HEIGHT + n * ROW_HEIGHT
        out.append(
            f'<g class="allocation-row" data-sku="{escape(sku)}" data-group="{escape(group)}">'
            f'<text class="label" x="4" y="{y + 16}">{escape(sku)} · '
            f"{escape(group_label(group))}</text>"
        )
        for row in periods:
            start = x(max(row.from_date, first))
            end = x(min(row.until_date, last) + timedelta(days=1))
            out.append(_period(row, start, end - start, y + (ROW_HEIGHT - BAR_HEIGHT) / 2))
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every data text above went through escape)


def _period(row: AllocationStatus, x: float, width: float, y: float) -> str:
    data = (
        f'data-ref="{escape(row.ref)}" data-qty="{row.qty}" data-held="{row.taken.held}" '
        f'data-confirmed="{row.taken.confirmed}" data-left="{row.left}"'
    )
    parts = [
        f'<g class="period" {data}><title>{escape(period_text(row))}</title>',
        (
            f'<rect class="unavailable" x="{x + 1:.1f}" y="{y:.1f}" width="{max(width - 2, 1):.1f}" '
            f'height="{BAR_HEIGHT}"/>'
        ),
    ]
    total = max(row.qty, row.taken.held + row.taken.confirmed + row.left, 1)
    at = x + 1
    for qty, css in (
        (row.taken.confirmed, "confirmed"),
        (row.taken.held, "held"),
        (row.left, "left"),
    ):
        if qty:
            part = (width - 2) * qty / total
            parts.append(
                f'<rect class="{css}" x="{at:.1f}" y="{y:.1f}" width="{part:.1f}" '
                f'height="{BAR_HEIGHT}"/>'
            )
            at += part
    parts.append("</g>")
    return "".join(parts)


def _desc(rows: list[AllocationStatus], first: date, last: date) -> str:
    if not rows:
        return f"No allocations between {short_date(first)} and {short_date(last)}."
    short = [r for r in rows if r.left == 0]
    named = ", ".join(f"{r.sku} for {group_label(r.group)} ({short_date(r.from_date)})"
                      for r in short[:3])  # fmt: skip
    return (
        f"{short_date(first)} to {short_date(last)}: {len(rows)} allocation periods. "
        f"Used up: {named or 'none'}. The numbers per period are in the table below."
    )
