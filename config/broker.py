"""Kombu's Redis transport with two repairs: a failed acknowledgement still frees its prefetch slot,
and losing Redis while messages are unacknowledged no longer kills the worker.

Upstream, the Redis QoS removes a message from the unacked index in Redis first and gives the
worker's prefetch slot back only if that succeeds. When Redis hangs or drops the connection
during an ack (the worker logs "Couldn't ack"), the slot is never returned; once every slot has
leaked, the worker stops fetching for good, even after Redis is back with messages waiting (the
fault tests caught a worker with --concurrency=2 stuck after two failed acks). Here the slot is
freed either way. The message stays in the unacked index, so Redis delivers it again after the
visibility timeout, and the tasks are idempotent.

When the connection drops, kombu closes the channel and restores its unacknowledged messages at
once; with Redis gone the channel's connection is already released, building a client raises
AttributeError ('NoneType' object has no attribute 'hostname'), and the worker stops for good
("Unrecoverable error"; the fault tests caught it once receipts kept many messages in flight).
Here the restore is skipped with a warning: the messages stay in Redis's unacked index for the
visibility timeout to restore, or, if Redis came back empty, the database sweeps route and notify
what they carried.
"""
import logging

from kombu.transport import redis, virtual
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            self._remove_from_indices(delivery_tag).execute()
        except AttributeError:  # the channel's connection is gone (see above): leave it to the timeout
            logger.warning("Redis is away: the acknowledgement is left to the visibility timeout")
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        try:
            if requeue:
                self.restore_by_tag(delivery_tag, leftmost=True)
            else:
                self._remove_from_indices(delivery_tag).execute()
        except AttributeError:
            logger.warning("Redis is away: the rejection is left to the visibility timeout")
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except (AttributeError, RedisConnectionError):
            logger.warning("Redis is away: unacknowledged messages are left to the visibility timeout and the sweeps")
            return []


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
