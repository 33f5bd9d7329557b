"""Admin sign-in, refused for a while after repeated failures.

Failures are counted in the "logins" cache (the database, see settings.CACHES),
which every app server shares, under two keys: the client's address and the
username as authentication sees it. Either reaching LOGIN_FAILURE_LIMIT
within LOGIN_LOCKOUT_SECONDS locks sign-in for that client or that username.
A success clears only that username's count.

Not django-axes: it counts per username and per client too, but with
AXES_RESET_ON_SUCCESS a sign-in deletes every count of the request (the
client's as well, which lets an editor reset their address's count with their
own account between guesses at another), and without it a success clears
nothing. It would also bring its own models, middleware and authentication
backend for what is some sixty lines here.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import caches
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)


def client_address(request):
    # Behind a proxy, REMOTE_ADDR is the proxy: LOGIN_CLIENT_IP_HEADER names the
    # header in which the proxy passes on the client's address.
    meta = request.META
    return meta.get(settings.LOGIN_CLIENT_IP_HEADER) or meta.get("REMOTE_ADDR", "")


def failure_key(kind, value):
    digest = hashlib.sha256(value.encode()).hexdigest()
    return f"login-failures:{kind}:{digest}"


def count_failure(key):
    """Add a failure; the count expires LOGIN_LOCKOUT_SECONDS after the first."""
    timeout = settings.LOGIN_LOCKOUT_SECONDS
    counts = caches["logins"]
    counts.add(key, 0, timeout)
    try:
        failures = counts.incr(key)
    except ValueError:  # expired between add() and incr()
        counts.set(key, 1, timeout)
        failures = 1
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        # Locked for the full time from the last failure.
        counts.touch(key, timeout)
    return failures


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        client = client_address(self.request)
        # The username after the field's cleaning (stripped, NFKC-normalised),
        # which is the one authenticate() checks: " boss" and "ｂｏｓｓ" are
        # "boss". None when the field is invalid; then no password is checked.
        username = self.cleaned_data.get("username")
        keys = [failure_key("client", client)]
        if username is not None:
            keys.append(failure_key("username", username))
        counts = caches["logins"]
        if any(counts.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys):
            minutes = settings.LOGIN_LOCKOUT_SECONDS // 60
            raise ValidationError(
                f"Too many failed sign-in attempts. Try again in {minutes} minutes.",
                code="locked_out",
            )
        try:
            cleaned_data = super().clean()
        except ValidationError:
            failures = [count_failure(key) for key in keys]
            if max(failures) == settings.LOGIN_FAILURE_LIMIT:
                logger.warning(
                    "Admin sign-in locked after %d failures: client %s, username %r",
                    max(failures),
                    client,
                    username,
                )
            raise
        if self.user_cache is not None:
            # Only this username's count: the client's stays, or signing in to
            # one's own account between guesses would reset the client's limit.
            counts.delete(failure_key("username", username))
        return cleaned_data
