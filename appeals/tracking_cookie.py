"""The browsers that have shown they hold a tracking number's code: the numbers (as digests) a
browser received when it filed, or looked up with the right code, in a signed cookie
(config/proof_cookie.py).

Failed lookups are limited per tracking number from any address, so anyone who knows a number
could keep its resident from following the appeal by guessing wrong codes. A lookup from a browser
that carries the number skips that per-number limit (the per-address limit still applies): the
lockout hurts the guesser, never the resident on their own phone.
"""
from __future__ import annotations

from config.proof_cookie import ProofCookie

from .tracking import number_digest

COOKIE = ProofCookie("appeal_tracking")


def knows(request, number: str) -> bool:
    """Whether this browser received or used the code of `number` before."""
    return COOKIE.holds(request, number_digest(number))


def remember(request, response, number: str):
    return COOKIE.remember(request, response, number_digest(number))
