import pytest
from django.core.cache import cache
from django.core.management import call_command

from exercises.management.commands.seed import FIXTURES


@pytest.fixture
def fixtures_loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", password="editor-password", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """No cached page or content version carries over from one test to another."""
    cache.clear()
    yield
    cache.clear()
