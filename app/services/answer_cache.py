"""The engine's answers, cached in process memory: exact, since the key is all they depend on.

A check's answer is a function of the planning data (its version, with the database), the
reservations it sees (read afresh for every check, and the key holds them whole, not a version
of them), day 0, the horizon, the solver settings and the request's customer, lines and
options (not its quote_ref). A hit is the answer the engine would give again: a CRM that
re-checks a quote while a rep edits it waits for nothing. An answer that timed out is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from app.solver.results import QuoteResult

MAX_ANSWERS = 1024


class AnswerCache:
    def __init__(self, size: int = MAX_ANSWERS) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._answers: OrderedDict[Hashable, QuoteResult] = OrderedDict()

    def answer(self, key: Hashable, solve: Callable[[], QuoteResult]) -> QuoteResult:
        """The answer kept under ``key``, else ``solve()`` (kept, unless it raises)."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        # Solved outside the lock: checks of other quotes do not wait for this one.
        quote = solve()
        with self._lock:
            self._answers[key] = quote
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return quote

    def peek(self, key: Hashable) -> QuoteResult | None:
        """The answer kept under ``key``, if any; nothing is solved."""
        with self._lock:
            return self._answers.get(key)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


answer_cache = AnswerCache()
