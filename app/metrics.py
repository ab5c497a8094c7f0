"""Prometheus metrics: requests by route template, checks by outcome, solver time, holds.

Counters and histograms live in the process's default registry. With several server processes
(``--workers``), set PROMETHEUS_MULTIPROC_DIR to an empty directory shared by them: /metrics then
adds up every process's samples (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

HTTP_REQUESTS = Counter(
    "orderpromise_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "orderpromise_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CHECKS = Counter(
    "orderpromise_checks",
    "Stored checks, by outcome (feasible, counter_proposal, infeasible).",
    ["outcome"],
)
SOLVER_SECONDS = Histogram(
    "orderpromise_solver_seconds",
    "Time the promise engine spends answering one quote.",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
HOLD_ANSWERS = Counter(
    "orderpromise_hold_answers",
    "Holds answered, by where the plans they reserve came from: snapshot (planned without the "
    "reservations lock and proven to stand under it), solved_again (a snapshot that did not "
    "stand, planned again under the lock) or under_lock (planned under the lock only).",
    ["source"],
)
WEBHOOK_ATTEMPTS = Counter(
    "orderpromise_webhook_attempts",
    "Webhook delivery attempts sent by this process, by outcome (delivered, gone, failed).",
    ["outcome"],
)
BACKGROUND_PASSES = Counter(
    "orderpromise_background_passes",
    "Passes of this process's background work (relay, expiry), finished with or without work.",
    ["task"],
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class _PromiseCounts(Collector):
    """Promises by status (and how many confirmed ones are at risk), read at scrape time."""

    def __init__(self, counts: Mapping[str, int], at_risk: int) -> None:
        self.counts = counts
        self.at_risk = at_risk

    def collect(self) -> Iterable[GaugeMetricFamily]:
        promises = GaugeMetricFamily(
            "orderpromise_promises", "Promises by status, right now.", labels=["status"]
        )
        for status, count in sorted(self.counts.items()):
            promises.add_metric([status], count)
        yield promises
        yield GaugeMetricFamily(
            "orderpromise_promises_at_risk",
            "Confirmed promises whose promised dates can no longer be met.",
            value=self.at_risk,
        )


def render(promise_counts: Mapping[str, int], at_risk: int) -> bytes:
    """The text exposition of every metric, with the promise counts given."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    now = CollectorRegistry()
    now.register(_PromiseCounts(promise_counts, at_risk))
    return generate_latest(registry) + generate_latest(now)
