"""What intake announces to the apps above it; appeals imports none of them (README, "How it works").

`appeal_filed` is sent inside the intake transaction (or its savepoint), once the appeal and its
photos are saved, with `appeal_id` and `has_photos`. A receiver that queues work does it on commit,
so a rolled-back intake queues nothing. dispatch/routing/outbox.py is the receiver that queues the
appeal's routing and its photos' re-encoding.
"""
from django.dispatch import Signal

appeal_filed = Signal()
