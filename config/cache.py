"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's client builds a new redis.Redis for every cache call (only the pools are shared), and
redis-py's constructor fills a table of response callbacks each time: with the rate limits making
four cache calls per API request, that construction was over a tenth of an intake request's CPU.
A Redis client holds no per-call state, and Django keeps one cache object per thread.
`cached` keeps a public read's answer for a short while.
"""
import contextlib

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


def cached(key: str, seconds: int, compute):
    """`compute()`'s value, kept in the cache for `seconds` under `key`: a busy public read costs
    one cache GET instead of its queries. When Redis is away it is computed every time (a read
    must not fail because the cache did)."""
    from django.core.cache import cache

    from config.throttling import CACHE_ERRORS

    try:
        value = cache.get(key)
    except CACHE_ERRORS:
        return compute()
    if value is None:
        value = compute()
        with contextlib.suppress(*CACHE_ERRORS):
            cache.set(key, value, seconds)
    return value
