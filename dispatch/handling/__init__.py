"""Handling a ticket: what officers, operators and supervisors do, and whether they may.

  rules.py        who may do what now, for the pages, the API and the actions alike: may_sign,
                  may_respond, may_resolve, may_report, may_return, may_whistle, may_extend,
                  may_supervise, may_see_contact, may_reply_to_order (permitted_actions and
                  console_sections are what the templates show); and the locks the actions
                  take: lock_own_dispatch, require_role, refuse_while_return_pending, advance
  actions.py      dispatch_manually, decline_appeal (operators' queue); sign_dispatch,
                  respond_dispatch, add_progress_note, resolve_dispatch, report_cohandling
  returns.py      request_return, approve_return, refuse_return (a misrouted ticket)
  whistles.py     blow_whistle (summon departments to co-handle)
  extensions.py   request_extension, approve_extension, refuse_extension
  supervision.py  open_order, open_manual_order, reply_to_order
  selectors.py    reads for the staff: dispatches_visible_to, can_see_appeal, triage_queue,
                  dispatch_timeline, dispatch_dossier, the request lists

Each action runs in one transaction, locks its row, checks the state it expects and writes one event.
A manual dispatch and an approved return also record the operator's category as a labelled
example for the classifier (dispatch.routing.learning.record_example).
"""
