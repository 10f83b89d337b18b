"""Tracking numbers and private access codes.

The number is readable over the phone (date + six characters from an unambiguous alphabet); the
code is a separate secret shown once to the resident and stored only as a keyed hash, so the
database alone does not reveal it and a number without its code reveals nothing. A published
appeal is listed under a public id of its own, never under its number.
"""
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

# Crockford-style alphabet: no I, L, O, U (misread) and no 0/1 confusion.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
PUBLIC_ID_LENGTH = 12
NUMBER_RE = re.compile(rf"[0-9]{{6}}-[{ALPHABET}]{{6}}")


# The first random character of a number says whose it is, so an appeal's number can never be one a
# follower already holds (appeals/followers.py), without a lookup on intake's path.
# Halves of the alphabet, so a drawn character maps onto either uniformly (one read of the OS's source).
APPEAL_LEADS, FOLLOWER_LEADS = ALPHABET[:15], ALPHABET[15:]


def new_tracking_number() -> str:
    """An appeal's number: the day, then six random characters, the first of APPEAL_LEADS."""
    return _number(APPEAL_LEADS)


def new_follower_number() -> str:
    """A follower's own number, the same shape, its first random character of FOLLOWER_LEADS."""
    return _number(FOLLOWER_LEADS)


def _number(leads: str) -> str:
    today = timezone.localdate().strftime("%y%m%d")
    drawn = random_characters(6)
    return today + "-" + leads[ALPHABET.index(drawn[0]) % len(leads)] + drawn[1:]


def new_access_code() -> str:
    return random_characters(CODE_LENGTH)


def new_public_id() -> str:
    """A published appeal's public id: 12 random characters (about 59 bits), drawn apart from the
    tracking number, so the public list names no number whose code could be tried."""
    return random_characters(PUBLIC_ID_LENGTH)


def random_characters(count: int) -> str:
    """`count` characters of ALPHABET from the OS's secure source, uniformly: a byte below the
    largest multiple of the alphabet's size picks one, a byte above is thrown away (no modulo
    bias). One read of a few bytes, where `secrets.choice` reads once per character."""
    size = len(ALPHABET)
    limit = 256 - 256 % size
    chars: list[str] = []
    while len(chars) < count:
        chars += [ALPHABET[byte % size] for byte in secrets.token_bytes(count) if byte < limit]
    return "".join(chars[:count])


def compact_upper(value: str) -> str:
    """A tracking number or access code as typed (spaces, lower case) in the form it was issued."""
    return "".join(value.split()).upper()


def is_tracking_number(value: str) -> bool:
    """Whether a (normalised) string has the shape of a tracking number; anything else cannot match."""
    return NUMBER_RE.fullmatch(value) is not None


def hash_access_code(number: str, code: str) -> str:
    # surrogatepass: a lone surrogate (possible in JSON) hashes instead of raising; valid text is unchanged.
    message = f"{number}:{compact_upper(code)}".encode("utf-8", "surrogatepass")
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def code_matches_any(number: str, code: str, stored_hashes) -> bool:
    """Whether the code is one of the appeal's codes; compares against every hash (no early exit)."""
    candidate = hash_access_code(number, code)
    return sum(hmac.compare_digest(candidate, stored) for stored in stored_hashes) > 0


def number_digest(number: str) -> str:
    """A tracking number as the tracking limits and the browser's cookie name it (never the number
    itself in Redis or in a cookie)."""
    return hashlib.sha256(compact_upper(number or "").encode("utf-8", "surrogatepass")).hexdigest()[:32]


def tracking_path(number: str) -> str:
    """The tracking page of a number (an appeal's or a follower's), as receipts and messages link it."""
    return f"{reverse('appeals:track')}?number={number}"
