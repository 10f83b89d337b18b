"""Routing: where a new appeal goes.

  route.py   route_appeal, route_waiting, route_backlog, route_each (the batch routing a task runs),
             hand_to_operators (the manual queue), create_dispatch / new_dispatch (the one way a
             dispatch is made, with its deadlines counted), current_dispatch
  outbox.py  what happens at intake: appeals announces a new appeal (appeals.signals.appeal_filed);
             `appeal_filed` here queues its routing and photos after commit, one message per batch
             (a flag in Redis); with Redis down nothing is published and the beat sweep
             (tasks.sweep_unrouted) routes it later. routing_started is called by the routing task.

  classify.py  classify(texts) -> Suggestion per text (categories with probabilities, kind, urgency,
               the deciding words, the model version), with the version in service, loaded once
               per process; textmodel.py is the model itself (jieba + scikit-learn, no Django)
  learning.py  record_example (the operators' labels), train_version (held-out split, promotion
               only when not worse), rollback; training/appeals.jsonl is the shipped training set

Who handles which place and category (the duty list, geography) is streets.services.find_handlers.
"""
