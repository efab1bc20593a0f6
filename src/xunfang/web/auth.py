"""Login throttling per address: the store locks an account after repeated failures; this
also stops one address trying many names. Roles and their actions are the store's
(``xunfang.store.ACTIONS``)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class Throttle:
    """At most ``limit`` failed logins from one address in ``window_s`` seconds."""

    def __init__(self, limit: int = 10, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        cut = self.clock() - self.window_s
        while q and q[0] < cut:
            q.popleft()
        return q

    def retry_after(self, key: str) -> int:
        """Seconds until another try is allowed (0: allowed now)."""
        with self._lock:
            q = self._recent(key)
            if len(q) < self.limit:
                return 0
            return int(q[0] + self.window_s - self.clock()) + 1

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self.clock())
