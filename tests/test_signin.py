"""The admin sign-in and its lock-out after repeated failures (exercises/signin.py)."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache.backends import locmem
from django.test import Client
from django.urls import reverse

LOCKED_OUT = "Too many failed sign-in attempts. Try again in 15 minutes."


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "editor", password="right-password", is_staff=True
    )


def sign_in(client, username, password, address="10.0.0.1", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.mark.django_db
def test_five_failed_sign_ins_lock_out_even_the_right_password(client, staff_user):
    for _ in range(5):
        response = sign_in(client, "editor", "wrong-password")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in (
            response.content.decode()
        )
    response = sign_in(client, "editor", "right-password")
    assert not signed_in(response)
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.django_db
def test_failures_lock_out_the_client_and_the_username_only(
    client, staff_user, django_user_model
):
    django_user_model.objects.create_user(
        "writer", password="writer-password", is_staff=True
    )
    for _ in range(5):
        sign_in(client, "editor", "wrong-password", address="10.0.0.1")
    other_client = Client()
    # Another client signing in to another account is unaffected...
    response = sign_in(other_client, "writer", "writer-password", address="10.0.0.2")
    assert signed_in(response)
    other_client.logout()
    # ...but the attacked username is locked from everywhere.
    response = sign_in(other_client, "editor", "right-password", address="10.0.0.2")
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.django_db
def test_failures_over_many_usernames_lock_out_the_client(client, staff_user):
    for n in range(5):
        sign_in(client, f"guess-{n}", "wrong-password")
    response = sign_in(client, "editor", "right-password")
    assert LOCKED_OUT in response.content.decode()
    response = sign_in(Client(), "editor", "right-password", address="10.0.0.2")
    assert signed_in(response)


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_usernames_count(client, staff_user):
    for _ in range(4):
        sign_in(client, "editor", "wrong-password")
    assert signed_in(sign_in(client, "editor", "right-password"))
    # From another address (this client's own count stays at 4): the
    # username's count started again.
    other = Client()
    for _ in range(4):
        sign_in(other, "editor", "wrong-password", address="10.0.0.2")
    assert signed_in(sign_in(other, "editor", "right-password", address="10.0.0.2"))


@pytest.mark.django_db
def test_filling_the_page_cache_does_not_lift_a_lock_out(client, staff_user):
    for _ in range(5):
        sign_in(client, "editor", "wrong-password")
    # More distinct pages than the local-memory cache holds (300).
    for n in range(400):
        assert Client().get(reverse("exercises:roles"), {"n": n}).status_code == 200
    assert LOCKED_OUT in sign_in(client, "editor", "right-password").content.decode()


@pytest.mark.django_db
def test_the_lock_out_ends_after_15_minutes(client, staff_user, settings, monkeypatch):
    settings.CACHES = {
        **settings.CACHES,
        "logins": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sign-in-lock-out",
        },
    }
    for _ in range(5):
        sign_in(client, "editor", "wrong-password")

    later = time.time() + 14 * 60
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: later))
    assert LOCKED_OUT in sign_in(client, "editor", "right-password").content.decode()

    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: later))
    assert signed_in(sign_in(client, "editor", "right-password"))


@pytest.mark.django_db
def test_behind_a_proxy_clients_are_told_apart_by_its_header(
    client, staff_user, settings
):
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for n in range(5):
        sign_in(client, f"guess-{n}", "wrong", HTTP_X_REAL_IP="203.0.113.7")
    response = sign_in(
        Client(), "editor", "right-password", HTTP_X_REAL_IP="203.0.113.8"
    )
    assert signed_in(response)


# Each is "boss" once the username field has cleaned it (stripped, NFKC), so
# authenticate() signs in as boss: the failures must be counted as boss's.
BOSS_SPELLINGS = [
    " boss",
    "boss ",
    "\tboss",
    "boss\n",
    "\u00a0boss",  # no-break space
    "\u3000boss",  # ideographic space
    "ｂｏｓｓ",  # fullwidth letters
    "𝐛𝐨𝐬𝐬",  # mathematical bold letters
]


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", BOSS_SPELLINGS)
def test_other_spellings_of_a_locked_username_are_locked_too(
    spelling, django_user_model
):
    django_user_model.objects.create_user(
        "boss", password="boss-password", is_staff=True
    )
    for n in range(5):
        sign_in(Client(), "boss", "wrong-password", address=f"10.0.1.{n}")
    response = sign_in(Client(), spelling, "boss-password", address="10.0.2.1")
    assert not signed_in(response)
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", BOSS_SPELLINGS)
def test_failures_under_other_spellings_count_for_the_username(
    spelling, django_user_model
):
    django_user_model.objects.create_user(
        "boss", password="boss-password", is_staff=True
    )
    # Each guess from another address, so only the username's count can lock.
    for n in range(5):
        sign_in(Client(), spelling, "wrong-password", address=f"10.0.1.{n}")
    response = sign_in(Client(), "boss", "boss-password", address="10.0.2.1")
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.django_db
def test_signing_in_to_ones_own_account_does_not_reset_the_clients_count(
    client, staff_user, django_user_model
):
    django_user_model.objects.create_user(
        "boss", password="boss-password", is_staff=True
    )
    # An editor guesses boss's password four times, signs in as themselves,
    # and guesses again: the fifth failure from this client locks it.
    for _ in range(4):
        sign_in(client, "boss", "wrong-password")
    assert signed_in(sign_in(client, "editor", "right-password"))
    client.logout()
    sign_in(client, "boss", "wrong-password")
    response = sign_in(client, "editor", "right-password")
    assert not signed_in(response)
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.django_db
def test_an_unsafe_next_lands_on_the_admin_index(client, staff_user):
    for next_url in ["https://evil.example/", "//evil.example/", "javascript:x"]:
        response = client.post(
            reverse("admin:login") + f"?next={next_url}",
            {"username": "editor", "password": "right-password", "next": next_url},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")
        client.logout()
