"""The staff pages under /console/: views.py (queue, ticket, triage, phone intake), center.py
(requests to decide, supervision), callbacks.py (the phone callback list), dashboard.py (the
supervisors' dashboard and its exports), forms.py, filters.py (DispatchFilter, also the API's),
urls.py. Views are thin: they call handling/, feedback/ and dashboard/."""
