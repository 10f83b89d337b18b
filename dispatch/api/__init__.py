"""The staff REST API (/api/v1/, routes in config/api_urls.py): dispatches.py (tickets, triage),
decisions.py (returns, extensions, supervision orders), dashboard.py (figures, rankings),
permissions.py (by role), errors.py (an action's refusal as an HTTP answer), schema.py (OpenAPI
helpers). Views are thin: they call handling/ and dashboard/."""
