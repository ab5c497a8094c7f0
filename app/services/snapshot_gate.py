"""Whether a hold solves on a snapshot before the reservations lock, per process (issue 10).

Solving before the lock pays when the snapshot answer usually stands (holds that overlap in
time but not in what they take): the solve leaves the critical section. When most snapshots
do not stand (holds racing for the same stock and minutes), each such hold solves twice, and
its first solve takes CPU (and, in this process, the GIL) from the hold that is solving under
the lock: holds get slower than solving under the lock only. So the process keeps a moving
average of how often its snapshot answers stood; while it is below one half, holds solve
under the lock only, as before issue 10, except one in ``PROBE_EVERY``, which still tries a
snapshot so that the average follows the load. Either way the answer is exact: this decides
only where the solve runs.
"""

from __future__ import annotations

import threading

# Weight of the newest outcome in the moving average (about the last 16 holds count).
WEIGHT = 1 / 16
THRESHOLD = 0.5
PROBE_EVERY = 8


class SnapshotGate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stood = 1.0
        self._skipped = 0

    def try_snapshot(self) -> bool:
        """Should this hold solve on a snapshot first?"""
        with self._lock:
            if self._stood >= THRESHOLD:
                return True
            self._skipped += 1
            return self._skipped % PROBE_EVERY == 0

    def record(self, *, stood: bool) -> None:
        """A snapshot answer stood (reserved as it was) or had to be solved again."""
        with self._lock:
            self._stood += WEIGHT * ((1.0 if stood else 0.0) - self._stood)

    def rate(self) -> float:
        with self._lock:
            return self._stood

    def reset(self) -> None:
        with self._lock:
            self._stood, self._skipped = 1.0, 0


snapshot_gate = SnapshotGate()
