"""Deadlines: how they are computed and what happens when they pass.

  due.py          deadlines_for (an appeal's response and resolve deadlines from a start),
                  count_deadlines, rule_for_appeal, warn_at, recount_provisional, format_due
  time_limits.py  the limits by category and urgency (TimeLimit rows, cached): rule_for, Rule, Span
  workdays.py     the working-day calendar (holidays and swapped workdays): get_calendar
  sweeps.py       sweep_deadlines: warnings, overdue marks, supervision orders (every minute)
  signals.py      an edited calendar or limit drops the caches and queues the recount
"""
