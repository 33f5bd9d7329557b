"""Merging one exercise into another: nothing lost, old address 301, in history."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from exercises import merging
from exercises.merging import MergeError, merge_exercise
from exercises.models import Exercise, ExerciseRedirect, Role, VariationKind
from tests.factories import (
    add_benefit,
    add_mistake,
    add_role,
    add_step,
    add_variation,
    cite,
    make_exercise,
    make_muscle,
    make_reference,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """Two pages of one exercise; the first is merged into the second."""
    abs_ = make_muscle(name="Abdominals", slug="abdominals")
    hip_flexors = make_muscle(name="Hip flexors", slug="hip-flexors")
    source = make_exercise(
        name="Seated Flat Bench Leg Pull-In",
        slug="seated-flat-bench-leg-pull-in",
        aliases="Bench pull-in",
        source_id="free-exercise-db:Seated_Flat_Bench_Leg_Pull-In",
    )
    target = make_exercise(
        name="Seated Leg Tucks",
        slug="seated-leg-tucks",
        source_id="free-exercise-db:Seated_Leg_Tucks",
    )
    add_role(source, abs_, Role.PRIMARY)
    add_role(source, hip_flexors, Role.SECONDARY)
    add_role(target, abs_, Role.PRIMARY, note="kept")
    add_step(source, text="Sit on the end of a bench.", position=1)
    add_step(source, text="Bring knees and torso together.", position=2)
    add_benefit(source, title="Trunk flexion")
    add_benefit(target, title="Abdominal endurance", position=5)
    add_mistake(source, title="Rocking")
    reference = make_reference()
    cite(source, reference)
    easier = make_exercise(name="Crunch")
    add_variation(source, easier, VariationKind.EASIER)
    return source, target


def test_merge_moves_everything_the_target_does_not_have(pair):
    source, target = pair
    merge_exercise(source, target)

    assert not Exercise.objects.filter(pk=source.pk).exists()
    target.refresh_from_db()
    assert [(r.muscle.slug, r.role, r.note) for r in target.muscle_roles.all()] == [
        ("abdominals", Role.PRIMARY, "kept"),
        ("hip-flexors", Role.SECONDARY, ""),
    ]
    assert [s.text for s in target.steps.all()] == [
        "Sit on the end of a bench.",
        "Bring knees and torso together.",
    ]
    # Moved rows go after the target's own, in their order.
    assert [b.title for b in target.benefits.all()] == [
        "Abdominal endurance",
        "Trunk flexion",
    ]
    assert [m.title for m in target.mistakes.all()] == ["Rocking"]
    assert len(target.numbered_references()) == 1
    assert [(k.value, p.name) for k, p in target.variation_links()] == [
        ("easier", "Crunch")
    ]
    assert target.alias_list == ["Seated Flat Bench Leg Pull-In", "Bench pull-in"]


def test_merged_address_answers_301_to_the_target(pair, client):
    source, target = pair
    ExerciseRedirect.objects.create(exercise=source, old_slug="leg-pull-in")
    merge_exercise(source, target)
    for old in ["seated-flat-bench-leg-pull-in", "leg-pull-in"]:
        response = client.get(reverse("exercises:exercise_detail", args=[old]))
        assert response.status_code == 301, old
        assert response["Location"] == "/exercises/seated-leg-tucks/"


def test_merge_is_in_the_history_with_both_pages_as_they_were(pair, django_user_model):
    source, target = pair
    user = django_user_model.objects.create_user("merger")
    merge_exercise(source, target, user=user)

    versions = Version.objects.get_for_object(target)
    comments = [v.revision.comment for v in versions]
    assert comments[0] == (
        "Merged “Seated Flat Bench Leg Pull-In” (seated-flat-bench-leg-pull-in) "
        "into “Seated Leg Tucks”."
    )
    assert comments[1].startswith("Before: Merged")
    assert versions[0].revision.user == user
    # The deleted page can be recovered from the history, roles and steps too.
    deleted = Version.objects.get_deleted(Exercise)
    assert [v.object_id for v in deleted] == [str(source.pk)]
    revision = deleted[0].revision
    kinds = {v.content_type.model for v in revision.version_set.all()}
    assert {"exercise", "musclerole", "step"} <= kinds


def test_the_merged_record_is_remembered_for_re_imports(pair):
    source, target = pair
    merge_exercise(source, target)
    redirect = ExerciseRedirect.objects.get(old_slug=source.slug)
    assert redirect.source_id == "free-exercise-db:Seated_Flat_Bench_Leg_Pull-In"
    target.refresh_from_db()
    assert target.source_id == "free-exercise-db:Seated_Leg_Tucks"


def test_a_target_without_a_source_takes_over_the_merged_record():
    source = make_exercise(source_id="free-exercise-db:Glute_Kickback")
    target = make_exercise()
    merge_exercise(source, target)
    target.refresh_from_db()
    assert target.source_id == "free-exercise-db:Glute_Kickback"


def test_steps_of_a_target_that_has_its_own_are_kept(pair):
    source, target = pair
    add_step(target, text="Our own step.")
    merge_exercise(source, target)
    assert [s.text for s in target.steps.all()] == ["Our own step."]


def test_a_variation_between_the_two_pages_is_dropped(pair):
    source, target = pair
    add_variation(target, source, VariationKind.ALTERNATIVE)
    merge_exercise(source, target)
    assert [p.name for _, p in target.variation_links()] == ["Crunch"]


def test_a_failed_merge_changes_nothing(pair, monkeypatch):
    source, target = pair

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merging.ExerciseRedirect.objects, "create", fail)
    with pytest.raises(RuntimeError):
        merge_exercise(source, target)
    assert Exercise.objects.filter(pk=source.pk).exists()
    assert source.muscle_roles.count() == 2
    assert target.muscle_roles.count() == 1
    assert not Version.objects.exists()


def test_an_exercise_is_not_merged_into_itself(pair):
    source, _ = pair
    with pytest.raises(MergeError):
        merge_exercise(source, source)


# The admin ------------------------------------------------------------------


def test_staff_merge_in_the_admin(pair, staff_client, client):
    source, target = pair
    url = reverse("admin:exercises_exercise_merge", args=[source.pk])
    change = staff_client.get(
        reverse("admin:exercises_exercise_change", args=[source.pk])
    )
    assert url in change.content.decode()
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "2 muscle roles" in page.content.decode()

    response = staff_client.post(url, {"target": target.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:exercises_exercise_change", args=[target.pk]
    )
    assert not Exercise.objects.filter(pk=source.pk).exists()
    assert client.get(source.get_absolute_url()).status_code == 301
    history = staff_client.get(
        reverse("admin:exercises_exercise_history", args=[target.pk])
    ).content.decode()
    assert "Merged “Seated Flat Bench Leg Pull-In”" in history
    # Logged as an editor's change, so a re-import leaves the page alone.
    assert LogEntry.objects.filter(object_id=str(target.pk)).exists()


def test_the_merge_action_leads_to_the_merge_page(pair, staff_client):
    source, _ = pair
    response = staff_client.post(
        reverse("admin:exercises_exercise_changelist"),
        {"action": "merge_selected", "_selected_action": [source.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:exercises_exercise_merge", args=[source.pk]
    )


def test_editors_who_may_not_delete_exercises_cannot_merge(pair, django_user_model):
    source, target = pair
    user = django_user_model.objects.create_user("ed", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    editor = Client()
    editor.force_login(user)
    url = reverse("admin:exercises_exercise_merge", args=[source.pk])
    assert editor.post(url, {"target": target.pk}).status_code == 403
    assert Exercise.objects.filter(pk=source.pk).exists()
    change = editor.get(reverse("admin:exercises_exercise_change", args=[source.pk]))
    assert url not in change.content.decode()

    user.user_permissions.add(Permission.objects.get(codename="delete_exercise"))
    editor.force_login(django_user_model.objects.get(pk=user.pk))
    assert editor.post(url, {"target": target.pk}).status_code == 302
    assert not Exercise.objects.filter(pk=source.pk).exists()
