from django.contrib import admin
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
class ExerciseAdmin(VersionAdmin, MarkdownxModelAdmin):
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
class MuscleAdmin(VersionAdmin, MarkdownxModelAdmin):
    list_display = ["name", "parent", "function"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "function"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "function", "description"]


@admin.register(ExerciseRedirect)
class ExerciseRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "exercise", "created"]
    search_fields = ["old_slug", "exercise__name"]
    autocomplete_fields = ["exercise"]


@admin.register(MuscleRedirect)
class MuscleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "muscle", "created"]
    search_fields = ["old_slug", "muscle__name"]
    autocomplete_fields = ["muscle"]
