"""What each allocation row has given and has left (SPEC section 7): GET /v1/allocations and
the operations page's picture."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from app.db.promises import CONFIRMED, HELD, live_deliveries_by_status
from app.schemas.allocations import AllocationList, AllocationStatus, AllocationTaken
from app.services.checks import current_plant, today
from app.settings import Settings
from app.solver.allocation import Delivery, group_limit


def allocation_status(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    sku: str | None = None,
    group: str | None = None,
) -> AllocationList:
    """Every row (of ``sku`` and ``group`` when given), by sku, group and period."""
    as_of = today(settings, now)
    allocations = current_plant(session)[1].allocations
    rows = [
        row
        for row in allocations.rows
        if (sku is None or row.sku == sku) and (group is None or row.group == group)
    ]
    skus = sorted({row.sku for row in rows})
    by_status: dict[str, list[tuple[Delivery, str]]] = defaultdict(list)
    for customer, item, day, status, qty in live_deliveries_by_status(session, now, skus):
        by_status[item].append((Delivery(customer, item, qty, day), status))
    # Far enough to reach every period, also one that starts past the planning horizon.
    h = max([settings.horizon_days, *((row.until_date - as_of).days + 1 for row in rows)])
    limits = {}
    for row in rows:
        key = (row.group, row.sku)
        if key not in limits:
            limits[key] = group_limit(
                allocations,
                row.group,
                row.sku,
                as_of=as_of,
                horizon_days=h,
                deliveries=[d for d, _ in by_status[row.sku]],
            )
    items = []
    for row in sorted(rows, key=lambda r: (r.sku, r.group, r.from_date)):
        taken = {HELD: 0, CONFIRMED: 0}
        for delivery, status in by_status[row.sku]:
            limited_by = allocations.limiting_group(delivery.customer, row.sku, as_of)
            if limited_by == row.group and row.from_date <= delivery.date <= row.until_date:
                taken[status] += delivery.qty
        limit = limits[row.group, row.sku]
        left = 0
        if limit is not None and row.until_date >= as_of:
            left = limit.on(min(max((row.from_date - as_of).days, 0), h - 1))
        items.append(
            AllocationStatus(
                ref=row.ref,
                sku=row.sku,
                group=row.group,
                from_date=row.from_date,
                until_date=row.until_date,
                qty=row.qty,
                taken=AllocationTaken(held=taken[HELD], confirmed=taken[CONFIRMED]),
                left=left,
            )
        )
    return AllocationList(as_of=as_of, items=items)
