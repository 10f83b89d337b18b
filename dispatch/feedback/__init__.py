"""Feedback: the resident's say once the unit has answered.

  callbacks.py    open_callback (at resolve), rate_by_token / rate_by_tracking (the resident),
                  record_phone_callback / record_unanswered_call (operators), settle_appeal
                  (close, or reopen to the same unit when unsolved), expire_callbacks
  invitations.py  send_callback_invitation (through appeals.notifications' backend)
  forms.py        FeedbackForm (the survey's questions)
  views.py, urls.py  the tracking page (with the survey) and the page behind the link; URLs in the
                  "appeals" namespace (config/urls.py)
  mine.py         "My appeals": the resident signed in by phone and SMS code (appeals/sign_in.py)
                  sees, rates and follows every appeal of that phone
  updates.py      queues the receipt and the step messages the resident chose, after commit
                  (receivers of appeals.signals; what they say and the claim: appeals/updates.py)
  tracking.py     the dispatch facts tracking and Open311 show, registered with appeals.handling

How the satisfaction rate is counted from these answers is metrics/.
"""
