"""An Open311 GeoReport v2 server (https://wiki.open311.org/GeoReport_v2) over the appeals.

Third-party apps list the services (leaf categories), file requests (appeals on the "api"
channel, through the one intake service) and follow them. Layout: `urls` and `views` (thin),
`representation` (appeal -> GeoReport fields), `rendering` (JSON and XML), `keys` (API keys and
their rate limits), `params` (query and form parsing), `errors`.
"""
