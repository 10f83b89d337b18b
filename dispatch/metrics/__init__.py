"""The three rates and the monthly rankings.

`periods` says which days an assessment month covers and which scoring rule applies; `rollup`
keeps per-unit counts current from the dispatch and callback tables (what the dashboard reads);
`ledger` recounts the same numbers from the event log alone (the audit); `ranking` turns counts
into rates, scores and the ranked table. Rates are derived from integer counts only, so the two
ways of counting agree to the last digit or one of them is wrong.
"""
