"""Process-wide runtime settings for long-lived processes (the web server, workers), and a pause of the
collector for bursts of allocation that create no cycles (:func:`gc_paused`).

Python's cyclic garbage collector pauses the process to traverse every tracked object of the generation
it collects. A search builds a few thousand short-lived objects, so with the default thresholds
(700, 10, 10) full collections over the whole heap — every module, SQLAlchemy's statement caches, the
vocabulary — ran every few requests and showed as the p99 of vehicle search (bench: 48 ms p99 against
12 ms with the settings below, docs/performance.md). The objects that exist once the application is
built live as long as the process: :func:`tune_gc` moves them out of the collector's way
(``gc.freeze``) and collects the young generation less often.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Call once the application is built (idempotent)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector for a burst of allocation that creates no cycles and frees what it
    allocates when done (a batch of the bulk import: a few hundred thousand tuples and dicts, each batch's
    gone when the next starts). Collections the burst would have triggered only traverse objects that are
    still alive; the collector runs again as soon as the block ends. Nests; restores the previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
