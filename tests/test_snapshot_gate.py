"""The snapshot gate: holds solve on a snapshot first while most snapshot answers stand; while
most do not, under the lock only, but for one probe in PROBE_EVERY."""

from __future__ import annotations

from app.services.snapshot_gate import PROBE_EVERY, SnapshotGate


def test_open_while_snapshots_stand() -> None:
    gate = SnapshotGate()
    for _ in range(100):
        assert gate.try_snapshot()
        gate.record(stood=True)


def test_closes_when_snapshots_do_not_stand_then_probes_and_reopens() -> None:
    gate = SnapshotGate()
    tried = 0
    for _ in range(100):
        if not gate.try_snapshot():
            break
        gate.record(stood=False)
        tried += 1
    assert 5 <= tried <= 16  # about half of the last 16 had to stand
    tries = [gate.try_snapshot() for _ in range(4 * PROBE_EVERY)]
    assert tries.count(True) == 4  # one probe in PROBE_EVERY
    for _ in range(30):  # probes that stand open it again
        gate.record(stood=True)
    assert gate.try_snapshot()
