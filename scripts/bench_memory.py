"""Peak memory of a process tree for scripts/bench.py (RSS and PSS sums, sampled in a thread)."""

from __future__ import annotations

import threading


class TreeMemory:
    """Largest sums of RSS and of PSS (shared pages divided among the processes sharing them) over
    this process and its children, sampled in a thread. Forked workers share the parent's pages,
    so the RSS sum counts those pages once per process; PSS does not."""

    def __init__(self, interval: float = 0.2) -> None:
        self.peak_rss = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        try:
            import psutil
        except ImportError:
            return
        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    info = proc.memory_full_info()
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._stop.wait(interval)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
