"""Pictures drawn on the server as inline SVG: no chart library, nothing loaded from outside.

Every text that comes from data goes through ``escape``; the functions return ``Markup`` so
that Jinja2's autoescape leaves the finished drawing alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from app.schemas.check import CheckLineResult
from app.schemas.stats import CapacityDay, CapacityView

LABEL_WIDTH = 190
CHART_WIDTH = 540
ROW_HEIGHT = 24
AXIS_HEIGHT = 34
FOOT_HEIGHT = 26
DAILY_TICKS_UP_TO = 24

# Utilisation steps of the heat map (share of calendar minutes taken), light to dark.
# A closed day is a neutral grey, darker than the lightest "little used" green.
HEAT_CLOSED = "#b8bfc6"
HEAT_STEPS = ((0.25, "#e8f3ec"), (0.5, "#c6e2cf"), (0.75, "#f6d58e"), (0.95, "#f0a35e"))
HEAT_FULL = "#d9534f"
CELL = 22
HEAT_LABEL_WIDTH = 70
HEAT_AXIS = 40


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def _attrs(**values: object) -> str:
    """SVG attributes from keywords; trailing underscores dropped, other underscores to dashes."""
    parts = []
    for name, value in values.items():
        attr = name.rstrip("_").replace("_", "-")
        parts.append(f'{attr}="{escape(str(value))}"')
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Axis:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def x(self, day: date) -> float:
        return LABEL_WIDTH + (day - self.first).days * CHART_WIDTH / self.days

    @property
    def day_width(self) -> float:
        return CHART_WIDTH / self.days


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    shapes: list[str]


def timeline(line: CheckLineResult, ident: str, resource_names: dict[str, str]) -> Markup:
    """How a line's promised date is met: stock, purchases, each operation's days, the dates.

    Returns an empty string when there is no plan (no date within the horizon).
    """
    plan = line.plan
    if line.promised_date is None:
        return Markup("")
    dates = [line.requested_date, line.promised_date]
    dates += [take.date for take in plan.stock]
    dates += [p.order_by for p in plan.purchases] + [p.date for p in plan.purchases]
    for lot in plan.production:
        dates += [lot.start_date, lot.ready_date]
    axis = _Axis(min(dates) - timedelta(days=1), max(dates) + timedelta(days=1))
    rows = _timeline_rows(line, axis, resource_names)

    height = AXIS_HEIGHT + ROW_HEIGHT * len(rows) + FOOT_HEIGHT
    width = LABEL_WIDTH + CHART_WIDTH + 10
    title_id, desc_id = f"{ident}-title", f"{ident}-desc"
    out = [
        (
            f'<svg class="timeline" {_attrs(viewBox=f"0 0 {width} {height}", role="img")} '
            f'aria-labelledby="{title_id} {desc_id}">'
        ),
        f'<title id="{title_id}">{escape(_timeline_title(line))}</title>',
        f'<desc id="{desc_id}">{escape(_timeline_desc(line))}</desc>',
        *_ticks(axis, height),
    ]
    for i, row in enumerate(rows):
        y = AXIS_HEIGHT + i * ROW_HEIGHT
        out.append(f'<g class="row" transform="translate(0 {y})">')
        if i % 2 == 0:
            out.append(f'<rect class="band" x="0" y="0" width="{width}" height="{ROW_HEIGHT}"/>')
        out.append(f'<text class="label" x="6" y="16">{escape(row.label)}</text>')
        out += row.shapes
        out.append("</g>")
    out += _date_markers(line, axis, height)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every data text above went through escape)


def option_timelines(
    line: CheckLineResult, ident: str, resource_names: dict[str, str]
) -> list[list[Markup]]:
    """Per option of a late line, the timeline of each of its deliveries (SPEC section 5)."""
    pictures = []
    for n, option in enumerate(line.options or ()):
        drawn = []
        for k, delivery in enumerate(option.deliveries):
            ref = option.lines[k].line_ref if option.kind == "split" else line.line_ref
            if option.kind == "extra_capacity":
                ref = f"{ref} with extra capacity"
            shown = line.model_copy(
                update={
                    "line_ref": ref,
                    "qty": delivery.qty,
                    "promised_date": delivery.date,
                    "delivery_date": delivery.date,
                    "plan": delivery.plan,
                }
            )
            drawn.append(timeline(shown, f"{ident}-option-{n}-{k}", resource_names))
        pictures.append(drawn)
    return pictures


def _timeline_title(line: CheckLineResult) -> str:
    return f"Plan for line {line.line_ref}: {line.qty} x {line.sku}"


def _timeline_desc(line: CheckLineResult) -> str:
    assert line.promised_date is not None  # noqa: S101  (timeline() returns early otherwise)
    parts = [f"requested {short_date(line.requested_date)}"]
    parts.append(f"promised {short_date(line.promised_date)}")
    plan = line.plan
    parts += [f"{t.qty} from stock on {short_date(t.date)}" for t in plan.stock]
    parts += [
        f"buy {p.qty} {p.sku}, order by {short_date(p.order_by)}, arrives {short_date(p.date)}"
        for p in plan.purchases
    ]
    parts += [
        f"make {lot.qty} {lot.sku} from {short_date(lot.start_date)} to "
        f"{short_date(lot.ready_date)}"
        for lot in plan.production
    ]
    return "; ".join(parts)


def _timeline_rows(
    line: CheckLineResult, axis: _Axis, resource_names: dict[str, str]
) -> list[_Row]:
    w = axis.day_width
    rows: list[_Row] = []
    for take in line.plan.stock:
        x = axis.x(take.date) + w / 2
        tip = f"{take.qty} x {take.sku} taken from stock on {short_date(take.date)}"
        rows.append(
            _Row(
                f"Stock: {take.qty} x {take.sku}",
                [
                    (
                        f'<path class="stock" d="M{x:.1f} 5 l7 7 l-7 7 l-7 -7 z">'
                        f"<title>{escape(tip)}</title></path>"
                    )
                ],
            )
        )
    for buy in line.plan.purchases:
        x0, x1 = axis.x(buy.order_by), axis.x(buy.date) + w
        tip = f"buy {buy.qty} x {buy.sku}: order by {short_date(buy.order_by)}, "
        tip += f"arrives {short_date(buy.date)}"
        rows.append(
            _Row(
                f"Buy: {buy.qty} x {buy.sku}",
                [
                    (
                        f'<rect class="purchase" {_attrs(x=f"{x0:.1f}", y=7, width=f"{x1 - x0:.1f}")}'
                        f' height="10" rx="3"><title>{escape(tip)}</title></rect>'
                    )
                ],
            )
        )
    for lot in line.plan.production:
        x0, x1 = axis.x(lot.start_date), axis.x(lot.ready_date) + w
        tip = f"make {lot.qty} x {lot.sku}: {short_date(lot.start_date)} to "
        tip += f"{short_date(lot.ready_date)}"
        rows.append(
            _Row(
                f"Make: {lot.qty} x {lot.sku}",
                [
                    (
                        f'<rect class="lot" {_attrs(x=f"{x0:.1f}", y=6, width=f"{x1 - x0:.1f}")}'
                        f' height="12" rx="3"><title>{escape(tip)}</title></rect>'
                    )
                ],
            )
        )
        for op in lot.operations:
            name = resource_names.get(op.resource, op.resource)
            shapes = []
            for load in op.loads:
                x = axis.x(load.date)
                day_tip = f"{short_date(load.date)}: {load.minutes} min on {name} ({op.resource})"
                shapes.append(
                    f'<rect class="load" {_attrs(x=f"{x + 1:.1f}", y=4)} '
                    f'width="{max(w - 2, 1.5):.1f}" height="16" rx="2">'
                    f"<title>{escape(day_tip)}</title></rect>"
                )
            rows.append(_Row(f"  op {op.seq} on {op.resource}", shapes))
    return rows


def _ticks(axis: _Axis, height: int) -> list[str]:
    """Day numbers (daily, or Mondays on long plans) with the month above where it starts."""
    out = []
    daily = axis.days <= DAILY_TICKS_UP_TO
    day = axis.first
    while day <= axis.last:
        x = axis.x(day)
        if day == axis.first or day.day == 1:
            out.append(f'<text class="axis month" x="{x + 2:.1f}" y="11">{day:%b %Y}</text>')
        if daily or day.weekday() == 0:
            out.append(
                f'<line class="tick" x1="{x:.1f}" y1="{AXIS_HEIGHT - 6}" x2="{x:.1f}" '
                f'y2="{height - FOOT_HEIGHT}"/>'
                f'<text class="axis" x="{x + 2:.1f}" y="{AXIS_HEIGHT - 9}">{day.day}</text>'
            )
        day += timedelta(days=1)
    return out


def _date_markers(line: CheckLineResult, axis: _Axis, height: int) -> list[str]:
    assert line.promised_date is not None  # noqa: S101
    half = axis.day_width / 2
    bottom = height - FOOT_HEIGHT
    out = []
    marks = [("requested", line.requested_date), ("promised", line.promised_date)]
    if line.requested_date == line.promised_date:
        marks = [("promised", line.promised_date)]
    for i, (kind, day) in enumerate(marks):
        x = axis.x(day) + half
        text = f"{kind} {short_date(day)}"
        if len(marks) == 1:
            text = f"requested and promised {short_date(day)}"
        anchor = "end" if i == 0 and len(marks) == 2 else "start"
        dx = -4 if anchor == "end" else 4
        out.append(
            f'<line class="mark {kind}" x1="{x:.1f}" y1="{AXIS_HEIGHT - 4}" x2="{x:.1f}" '
            f'y2="{bottom + 4}"/>'
            f'<text class="mark-label {kind}" x="{x + dx:.1f}" y="{bottom + 18}" '
            f'text-anchor="{anchor}">{escape(text)}</text>'
        )
    return out


# -- capacity heat map ---------------------------------------------------------------------------


def heat_colour(day: CapacityDay) -> str:
    if day.calendar == 0:
        return HEAT_CLOSED
    used = (day.firm_load + day.held + day.confirmed) / day.calendar
    for limit, colour in HEAT_STEPS:
        if used <= limit:
            return colour
    return HEAT_FULL


def cell_text(code: str, day: CapacityDay) -> str:
    if day.calendar == 0:
        return f"{code} {day.date:%a} {short_date(day.date)}: closed"
    return (
        f"{code} {day.date:%a} {short_date(day.date)}: calendar {day.calendar} min, "
        f"firm load {day.firm_load}, held {day.held}, confirmed {day.confirmed}, "
        f"free {day.free}"
    )


def capacity_heatmap(
    view: CapacityView, proposed: Mapping[tuple[str, date], int] | None = None
) -> Markup:
    """Resources down, days across; colour = share of calendar minutes taken, and a bar at the
    bottom of each cell for the minutes held (amber) and confirmed (blue) by promises. A cell
    with ``proposed`` overtime (extra-capacity options, SPEC section 5) is outlined and marked +."""
    proposed = proposed or {}
    days = (view.last - view.first).days + 1
    width = HEAT_LABEL_WIDTH + days * CELL + 10
    height = HEAT_AXIS + len(view.resources) * CELL + 6
    out = [
        (
            f'<svg class="heatmap" viewBox="0 0 {width} {height}" role="img" '
            'aria-labelledby="heatmap-title heatmap-desc">'
        ),
        '<title id="heatmap-title">Capacity per resource and day</title>',
        f'<desc id="heatmap-desc">{escape(_heatmap_desc(view))}</desc>',
    ]
    for i in range(days):
        day = view.first + timedelta(days=i)
        x = HEAT_LABEL_WIDTH + i * CELL + CELL / 2
        if i == 0 or day.day == 1:
            out.append(f'<text class="axis" x="{x - CELL / 2 + 1}" y="11">{day:%b}</text>')
        weekday = "MTWTFSS"[day.weekday()]
        out.append(f'<text class="axis" x="{x}" y="24" text-anchor="middle">{weekday}</text>')
        out.append(
            f'<text class="axis" x="{x}" y="{HEAT_AXIS - 5}" text-anchor="middle">{day.day}</text>'
        )
    for row, resource in enumerate(view.resources):
        y = HEAT_AXIS + row * CELL
        out.append(
            f'<g class="resource" data-resource="{escape(resource.code)}">'
            f'<text class="label" x="4" y="{y + 15}">{escape(resource.code)}'
            f"<title>{escape(resource.name)}</title></text>"
        )
        for i, cell in enumerate(resource.days):
            extra = proposed.get((resource.code, cell.date), 0)
            out.append(_cell(resource.code, cell, HEAT_LABEL_WIDTH + i * CELL, y, extra))
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704  (every data text above went through escape)


def _cell(code: str, day: CapacityDay, x: int, y: int, proposed: int = 0) -> str:
    text = cell_text(code, day)
    if proposed:
        text += f"; {proposed} min of overtime proposed"
    data = _attrs(
        data_resource=code,
        data_date=day.date.isoformat(),
        data_calendar=day.calendar,
        data_firm=day.firm_load,
        data_held=day.held,
        data_confirmed=day.confirmed,
        data_free=day.free,
        data_proposed=proposed,
    )
    parts = [
        f'<g class="cell" {data}><title>{escape(text)}</title>',
        (
            f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" '
            f'fill="{heat_colour(day)}"/>'
        ),
    ]
    # Promise minutes as a stacked bar along the bottom of the cell, scaled to the calendar.
    if day.calendar and (day.held or day.confirmed):
        bar_x = x + 1.0
        for minutes, css in ((day.confirmed, "confirmed"), (day.held, "held")):
            if minutes:
                bar_w = max(2.0, (CELL - 2) * min(1.0, minutes / day.calendar))
                parts.append(
                    f'<rect class="{css}" x="{bar_x:.1f}" y="{y + CELL - 7}" '
                    f'width="{bar_w:.1f}" height="6"/>'
                )
                bar_x += bar_w
    if proposed:
        parts.append(
            f'<rect class="proposed" x="{x + 2}" y="{y + 2}" width="{CELL - 4}" '
            f'height="{CELL - 4}"/>'
            f'<text class="proposed" x="{x + CELL / 2}" y="{y + 14}" text-anchor="middle">+</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _heatmap_desc(view: CapacityView) -> str:
    busiest = []
    for resource in view.resources:
        calendar = sum(d.calendar for d in resource.days)
        taken = sum(d.firm_load + d.held + d.confirmed for d in resource.days)
        if calendar:
            busiest.append((taken / calendar, resource.code))
    busiest.sort(reverse=True)
    named = ", ".join(f"{code} {share:.0%}" for share, code in busiest[:3])
    return (
        f"{short_date(view.first)} to {short_date(view.last)}; darker cells are fuller. "
        f"Busiest resources (share of calendar minutes taken): {named or 'none'}. "
        "The numbers per day are in the table below."
    )
