"""Kombu's Redis transport with one repair: a failed acknowledgement still frees its prefetch slot.

Upstream, the Redis QoS removes a message from the unacked index in Redis first and gives the
worker's prefetch slot back only if that succeeds. When Redis hangs or drops the connection
during an ack (the worker logs "Couldn't ack"), the slot is never returned; once every slot has
leaked, the worker stops fetching for good, even after Redis is back with messages waiting (the
fault tests caught a worker with --concurrency=2 stuck after two failed acks). Here the slot is
freed either way. The message stays in the unacked index, so Redis delivers it again after the
visibility timeout, and the tasks are idempotent.
"""
from kombu.transport import redis, virtual


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        try:
            if requeue:
                self.restore_by_tag(delivery_tag, leftmost=True)
            else:
                self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
