"""The tests' cache_clear empties this run's namespace only: runs side by side share one Redis database."""

import pytest
from django.core.cache import caches

from tests.conftest import cache_clear


def test_cache_clear_leaves_other_runs_keys_alone():
    backend = caches["default"]
    if backend.__class__.__name__ != "RedisCache":
        pytest.fail("REDIS_URL is not set: run the suite with bin/test, which starts Redis")
    client = backend._cache.get_client(write=True)
    foreign = "another-run:1:posko:track-code:lock"
    client.set(foreign, b"1")
    try:
        backend.set("posko:track-code:mine", 1)
        cache_clear()
        assert backend.get("posko:track-code:mine") is None
        assert client.get(foreign) == b"1"  # FLUSHDB would have taken it
    finally:
        client.delete(foreign)
