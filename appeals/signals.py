"""What intake and the event log announce to the apps above it; appeals imports none of them (README, "How it works").

`appeal_filed` is sent inside the intake transaction (or its savepoint), once the appeal and its
photos are saved, with `appeal_id`, `has_photos` and `access_code` (the resident's code, for the
receipt; never stored; empty when no channel reaches the resident). A receiver that queues work does it on commit,
so a rolled-back intake queues nothing. dispatch/routing/outbox.py is the receiver that queues the
appeal's routing and its photos' re-encoding; dispatch/feedback/updates.py queues its receipt.

`events_recorded` is sent by appeals.events.record_transitions inside the transaction that wrote
the events, with `events` (the new AppealEvent rows, their appeals loaded): dispatch/feedback/
updates.py queues the step messages from them on commit (appeals/updates.py).

`appeal_followed` is sent inside the transaction where a resident joined an open appeal
(appeals/followers.py), with `event_id` (the FOLLOWED event) and `access_code` (the follower's code,
never stored): dispatch/feedback/updates.py queues the follower's receipt on commit.
"""
from django.dispatch import Signal

appeal_filed = Signal()
events_recorded = Signal()
appeal_followed = Signal()
