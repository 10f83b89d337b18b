"""Routing: where a new appeal goes.

  route.py   route_appeal, route_waiting, route_backlog, route_each (the batch routing a task runs),
             hand_to_operators (the manual queue), create_dispatch / new_dispatch (the one way a
             dispatch is made, with its deadlines counted), current_dispatch
  outbox.py  what happens at intake: appeals announces a new appeal (appeals.signals.appeal_filed);
             `appeal_filed` here queues its routing and photos after commit, one message per batch
             (a flag in Redis); with Redis down nothing is published and the beat sweep
             (tasks.sweep_unrouted) routes it later. routing_started is called by the routing task.

Who handles which place and category (the duty list, geography) is streets.services.find_handlers.
"""
