"""The public doors' bot check (issue 9 item 4): an ALTCHA proof of work served by Posko itself (no third
party sees the reporter), and a honeypot field. Nobody is turned away by either: a report that fails them is
filed all the same, marked, and sorted after the verified ones in the triage queue (Report.bot_check).

ALTCHA (the `altcha` library, v2 challenges): the server signs a random challenge; the browser's widget
(static/vendor/altcha/, started by static/js/bot-check.js) derives PBKDF2 keys until it finds the counter the
server chose, and posts the challenge with its solution in the `altcha` field. Each solved challenge is taken
once (kept in the cache until it expires), so one solution cannot vouch for a run of reports."""

import base64
import binascii
import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass

import altcha
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from complaints.models import Report

log = logging.getLogger(__name__)

ALGORITHM = "PBKDF2/SHA-256"
# The form field the widget fills, and the honeypot's name: a field people never see (the wrapper is
# visually hidden and aria-hidden, the input has tabindex=-1 and autocomplete=off), that bots filling every
# input complete. "website" is what a form-filling bot expects to find.
FIELD = "altcha"
HONEYPOT_FIELD = "website"
# A payload is a base64 JSON of a few hundred bytes; anything much longer is not one.
MAX_PAYLOAD = 4000


def _secret(purpose: str) -> str:
    # Derived from SECRET_KEY for this purpose only, so a challenge signature tells nothing about other keys.
    return salted_hmac(f"posko.botcheck.{purpose}", "altcha", algorithm="sha256").hexdigest()


def bot_challenge_new() -> dict:
    """A signed challenge for the widget, as JSON-ready data. The counter to find is random below
    POSKO_BOT_CHECK_MAX_NUMBER; its key's HMAC travels in the challenge, so verifying costs one HMAC."""
    expires = timezone.now() + dt.timedelta(seconds=settings.POSKO_BOT_CHECK_EXPIRY_SECONDS)
    challenge = altcha.create_challenge(
        ALGORITHM,
        settings.POSKO_BOT_CHECK_COST,
        counter=secrets.randbelow(settings.POSKO_BOT_CHECK_MAX_NUMBER),
        expires_at=expires,
        hmac_secret=_secret("challenge"),
        hmac_key_secret=_secret("key"),
    )
    return challenge.to_dict()


@dataclass(frozen=True)
class BotCheckResult:
    verdict: int  # Report.BotCheck
    reason: (
        str  # for the report's first event: "solved", "missing", "invalid", "expired", "reused", "honeypot"
    )


def bot_check_verify(*, payload: str, honeypot: str = "") -> BotCheckResult:
    """Judge what a door received: the widget's payload (empty when the browser ran no JavaScript, or for
    an API client) and the honeypot field's value. Never raises on what a client sent."""
    if honeypot.strip():
        return BotCheckResult(Report.BotCheck.SPAM, "honeypot")
    payload = (payload or "").strip()
    if not payload:
        return BotCheckResult(Report.BotCheck.UNVERIFIED, "missing")
    if len(payload) > MAX_PAYLOAD:
        return BotCheckResult(Report.BotCheck.UNVERIFIED, "invalid")
    try:
        result = altcha.verify_solution(payload, _secret("challenge"), hmac_key_secret=_secret("key"))
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, UnicodeError, OverflowError):
        # The library checks the shape of what it parses; a payload built to trip it is simply not a proof.
        return BotCheckResult(Report.BotCheck.UNVERIFIED, "invalid")
    if result.expired:
        return BotCheckResult(Report.BotCheck.UNVERIFIED, "expired")
    if not result.verified:
        return BotCheckResult(Report.BotCheck.UNVERIFIED, "invalid")
    if not _first_use(payload):
        return BotCheckResult(Report.BotCheck.UNVERIFIED, "reused")
    return BotCheckResult(Report.BotCheck.VERIFIED, "solved")


def _first_use(payload: str) -> bool:
    """Take the solved challenge, once: its signature is kept in the cache until the challenge expires.
    With the cache down the proof is believed (fail open, as the tracking throttle does)."""
    try:
        challenge = json.loads(base64.b64decode(payload))["challenge"]
        key = f"posko:botcheck:{challenge['signature']}"
        seconds = max(1, int(challenge["parameters"].get("expiresAt") or 0) - int(timezone.now().timestamp()))
    except (ValueError, TypeError, KeyError, binascii.Error):
        return False
    try:
        return bool(cache.add(key, 1, timeout=min(seconds, settings.POSKO_BOT_CHECK_EXPIRY_SECONDS)))
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        log.warning("bot check replay guard unavailable (cache down); proof believed", exc_info=True)
        return True
