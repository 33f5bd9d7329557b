import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from exercises.cache import clear_page_cache
from exercises.management.commands.seed import FIXTURES


@pytest.fixture
def fixtures_loaded(db):
    call_command("loaddata", *FIXTURES, verbosity=0)
    # The first article, without the imported catalogue its variations need.
    call_command(
        "load_articles", "leg-kickbacks", skip_missing_variations=True, verbosity=0
    )


@pytest.fixture
def editor_client(db, django_user_model):
    """A signed-in staff user in the Editors group (not a superuser)."""
    user = django_user_model.objects.create_user(
        "writer", password="writer-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    editor = Client()
    editor.force_login(user)
    return editor


@pytest.fixture
def staff_client(db, django_user_model):
    """A signed-in superuser; separate from `client`, which stays anonymous."""
    user = django_user_model.objects.create_user(
        "editor", password="editor-password", is_staff=True, is_superuser=True
    )
    staff = Client()
    staff.force_login(user)
    staff.user = user
    return staff


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def empty_cache():
    """No cached page or content version carries over from one test to another."""
    cache.clear()
    clear_page_cache()
    yield
    cache.clear()
    clear_page_cache()
