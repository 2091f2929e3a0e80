"""UUIDv7 ids: version and variant bits, time order, and strict order within one millisecond."""

from __future__ import annotations

import itertools
import time

from autotrade.core.db import uuid7


def test_ids_are_v7_and_strictly_increasing_even_within_a_millisecond():
    ids = [uuid7() for _ in range(20_000)]
    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
    assert all(a < b for a, b in itertools.pairwise(ids))
    same_ms = sum(1 for a, b in itertools.pairwise(ids) if a.int >> 80 == b.int >> 80)
    assert same_ms > 1_000  # the loop made many ids per millisecond, and they still increase


def test_the_timestamp_is_the_creation_millisecond():
    before = time.time_ns() // 1_000_000
    ms = uuid7().int >> 80
    after = time.time_ns() // 1_000_000
    assert before <= ms <= after
