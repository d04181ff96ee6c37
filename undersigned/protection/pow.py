"""A self-hosted proof of work (ALTCHA) that staff switch on for an action under attack.

The signer's browser finds a number whose hash matches a challenge we signed; it costs a
person a second and a bot farm real computing. No third party is involved. A browser
without JavaScript sends no solution: its signature then needs email confirmation.
"""

import functools
from collections.abc import Callable
from datetime import timedelta

from altcha import ChallengeOptionsV1, create_challenge_v1, verify_solution_v1
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .crypto import keyed_digest

CHALLENGE_MINUTES = 10


def _key() -> str:
    return keyed_digest("altcha", "challenge-key")


def new_challenge() -> dict:
    challenge = create_challenge_v1(
        ChallengeOptionsV1(
            max_number=settings.POW_MAX_NUMBER,
            hmac_key=_key(),
            expires=timezone.now() + timedelta(minutes=CHALLENGE_MINUTES),
        )
    )
    return challenge.to_dict()


def solved(payload: str | None) -> bool:
    """A valid, unexpired solution not used before: each one buys a single signature."""
    if not payload or len(payload) > 2000:
        return False
    try:
        valid, _error = verify_solution_v1(payload, _key(), check_expires=True)
    except Exception:  # a malformed payload is simply not a solution
        return False
    if not valid:
        return False
    used = f"altcha-used:{keyed_digest('altcha-used', payload)}"
    return cache.add(used, 1, CHALLENGE_MINUTES * 60 + 60)


def proof(request) -> Callable[[], bool]:
    """Whether the request carries a solved puzzle: checked (and so used up) at most once."""
    return functools.cache(lambda: solved(request.POST.get("altcha")))
