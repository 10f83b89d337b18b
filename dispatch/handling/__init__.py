"""Handling a ticket: what officers, operators and supervisors do, and whether they may.

  rules.py        who may act on a ticket now: lock_own_dispatch (the officer's own unit, for
                  sign, respond, resolve, report...), require_role, refuse_while_return_pending,
                  advance (the state a step expects), check_dispatch_target
  actions.py      dispatch_manually, decline_appeal (operators' queue); sign_dispatch,
                  respond_dispatch, add_progress_note, resolve_dispatch, report_cohandling
  returns.py      request_return, approve_return, refuse_return (a misrouted ticket)
  whistles.py     blow_whistle (summon departments to co-handle)
  extensions.py   request_extension, approve_extension, refuse_extension
  supervision.py  open_order, open_manual_order, reply_to_order
  selectors.py    reads for the staff: dispatches_visible_to, can_act_on, can_see_contact,
                  overdue_q, triage_queue, dispatch_timeline, dispatch_dossier, the request lists

Each action runs in one transaction, locks its row, checks the state it expects and writes one event.
"""
