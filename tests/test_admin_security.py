"""What the admin lets editors do beyond editing: recover, filter."""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from exercises.models import Exercise, Muscle
from tests.factories import make_exercise, make_muscle

pytestmark = pytest.mark.django_db


def deleted_version(model, make):
    """A version of an object that a superuser then deleted."""
    with reversion.create_revision():
        obj = make()
    obj.delete()
    return Version.objects.get_deleted(model).get()


@pytest.mark.parametrize(
    ("model", "make", "name"),
    [(Exercise, make_exercise, "exercise"), (Muscle, make_muscle, "muscle")],
)
def test_editors_cannot_recover_what_they_may_not_delete(
    editor_client, staff_client, model, make, name
):
    version = deleted_version(model, make)
    recover_list = reverse(f"admin:exercises_{name}_recoverlist")
    recover = reverse(f"admin:exercises_{name}_recover", args=[version.pk])

    assert editor_client.get(recover_list).status_code == 403
    assert editor_client.get(recover).status_code == 403
    assert editor_client.post(recover, {}).status_code == 403
    assert not model.objects.exists()
    changelist = editor_client.get(reverse(f"admin:exercises_{name}_changelist"))
    assert b"recoverlink" not in changelist.content

    # A superuser (add and delete permission) still can.
    assert staff_client.get(recover_list).status_code == 200
    assert staff_client.get(recover).status_code == 200
    changelist = staff_client.get(reverse(f"admin:exercises_{name}_changelist"))
    assert b"recoverlink" in changelist.content


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("exercise", "explanation__regex=(.*.*)*zz$"),
        ("exercise", "summary__icontains=x"),
        ("exercise", "muscle_roles__muscle__description__regex=a"),
        ("muscle", "description__regex=(a+)+$"),
        ("muscle", "name__iregex=x"),
        ("exerciseredirect", "old_slug__regex=.*"),
        ("muscleredirect", "muscle__description__contains=a"),
    ],
)
def test_changelists_refuse_undeclared_filters(staff_client, name, query):
    url = reverse(f"admin:exercises_{name}_changelist") + "?" + query
    assert staff_client.get(url).status_code == 400


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("exercise", "status__exact=published"),
        ("exercise", "equipment__exact=barbell&level__isnull=True"),
        ("exercise", "muscle_roles__role__exact=target"),
        ("exercise", "group=glutes"),
        ("exercise", "q=squat&o=1"),
        ("muscle", "parent__id__exact=1"),
        ("muscle", "parent__isnull=True"),
    ],
)
def test_changelists_keep_their_declared_filters(staff_client, name, query):
    make_exercise()
    make_muscle()
    url = reverse(f"admin:exercises_{name}_changelist") + "?" + query
    assert staff_client.get(url).status_code == 200
