from django.contrib import admin
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from markdownx.admin import MarkdownxModelAdmin
from reversion.admin import VersionAdmin

from .models import (
    Benefit,
    Exercise,
    ExerciseRedirect,
    Muscle,
    MuscleRedirect,
    MuscleRole,
    Step,
)
from .signin import AdminLoginForm

# Refuses sign-ins for a while after repeated failures.
admin.site.login_form = AdminLoginForm


class DeclaredFiltersOnly:
    """Changelists filter only through the filters the admin declares.

    Django also lets the query string filter by any field of the model
    (?explanation__regex=...), which can run for as long as the database lets
    it; any other filter answers 400 Bad Request here.
    """

    # What Django's field filters put in the query string after the field path.
    FIELD_FILTER_LOOKUPS = ["exact", "isnull", "id__exact", "gte", "lt", "isempty"]

    def lookup_allowed(self, lookup, value, request=None):
        allowed = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                allowed.add(item.parameter_name)
            else:
                path = item[0] if isinstance(item, list | tuple) else item
                allowed.add(path)  # an exact match, as ?status=draft
                allowed.update(f"{path}__{name}" for name in self.FIELD_FILTER_LOOKUPS)
        if lookup in allowed:
            return True
        # The selection popup of a foreign key with limit_choices_to filters
        # by it, as Django allows.
        return any(
            (lookup, value)
            in url_params_from_lookup_dict(
                fk_lookup() if callable(fk_lookup) else fk_lookup
            ).items()
            for fk_lookup in self.model._meta.related_fkey_lookups
        )


class RecoverNeedsDelete:
    """Recovering a deleted object (django-reversion) undoes a deletion: it
    needs the add and the delete permission, not only add and change."""

    def can_recover(self, request):
        return self.has_add_permission(request) and self.has_delete_permission(request)

    def recoverlist_view(self, request, extra_context=None):
        if not self.can_recover(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.can_recover(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # templates/reversion/change_list.html shows the link only then.
        extra_context = {
            "can_recover": self.can_recover(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


class MuscleGroupFilter(admin.SimpleListFilter):
    """Exercises that work a group, directly or through one of its muscles."""

    title = "muscle group"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return Muscle.objects.filter(parent=None).values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(muscle_roles__muscle__slug=self.value())
                | Q(muscle_roles__muscle__parent__slug=self.value())
            ).distinct()
        return queryset


class MuscleRoleInline(admin.TabularInline):
    model = MuscleRole
    fields = ["muscle", "role", "note", "position"]
    autocomplete_fields = ["muscle"]
    extra = 1


class BenefitInline(admin.StackedInline):
    # Plain text fields: markdownx's editor does not start in rows added with
    # "Add another" (django-markdownx issue #113).
    model = Benefit
    fields = ["title", "text", "position"]
    extra = 1


class StepInline(admin.TabularInline):
    model = Step
    fields = ["position", "text"]
    extra = 1


@admin.register(Exercise)
class ExerciseAdmin(
    DeclaredFiltersOnly, RecoverNeedsDelete, VersionAdmin, MarkdownxModelAdmin
):
    list_display = ["name", "status", "mechanics", "updated"]
    list_filter = [
        "status",
        "mechanics",
        "equipment",
        "level",
        "category",
        "muscle_roles__role",
        MuscleGroupFilter,
    ]
    search_fields = ["name", "aliases", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["published", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "summary"]}),
        (
            "Attributes",
            {"fields": ["mechanics", "equipment", "level", "force", "category"]},
        ),
        ("Article", {"fields": ["explanation", "takeaway"]}),
        (
            "Publishing",
            {"fields": ["status", "published", "created", "updated", "source_id"]},
        ),
    ]
    inlines = [MuscleRoleInline, BenefitInline, StepInline]


@admin.register(Muscle)
class MuscleAdmin(
    DeclaredFiltersOnly, RecoverNeedsDelete, VersionAdmin, MarkdownxModelAdmin
):
    list_display = ["name", "parent", "function"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "function"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "function", "description"]


@admin.register(ExerciseRedirect)
class ExerciseRedirectAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ["old_slug", "exercise", "created"]
    search_fields = ["old_slug", "exercise__name"]
    autocomplete_fields = ["exercise"]


@admin.register(MuscleRedirect)
class MuscleRedirectAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ["old_slug", "muscle", "created"]
    search_fields = ["old_slug", "muscle__name"]
    autocomplete_fields = ["muscle"]
