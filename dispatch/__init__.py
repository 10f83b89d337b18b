"""How an appeal moves once it is filed: one Django app (label "dispatch"; models in models/,
migrations in migrations/) in subpackages that each own one concern; each __init__ is its map.

  routing/    where a new appeal goes: route it by the duty list, or hand it to the operators'
              queue; the outbox intake writes to (appeals.signals.appeal_filed → queue routing)
  handling/   what officers, operators and supervisors do to a ticket, and rules.py, which says
              whether a person may do it now
  deadlines/  how a deadline is computed (limits, the working-day calendar) and the sweeps that
              warn, mark overdue and open supervision orders
  feedback/   the resident's say: the callback survey, its pages, closing or reopening the appeal
  metrics/    the three rates, rollups, the ledger recount, rankings
  dashboard/  the supervisors' figures, charts, tables and exports
  console/    the staff pages (views, forms, filters, urls)
  api/        the staff REST API (/api/v1/)
  tasks.py    Celery entry points; nothing imports it: others enqueue by task name

Dependencies point one way (pyproject.toml, [tool.importlinter]): appeals never imports dispatch;
console and api sit above the rest; nothing imports tasks.
"""
