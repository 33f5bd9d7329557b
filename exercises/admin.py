from adminsortable2.admin import (
    SortableAdminBase,
    SortableStackedInline,
    SortableTabularInline,
)
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from markdownx.admin import MarkdownxModelAdmin
from reversion.admin import VersionAdmin

from .merging import MergeError, merge_comment, merge_exercise
from .models import (
    Benefit,
    Exercise,
    ExerciseRedirect,
    ExerciseReference,
    Mistake,
    Muscle,
    MuscleRedirect,
    MuscleRole,
    Reference,
    SearchSynonym,
    Step,
    Variation,
    name_clashes,
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
    """Exercises that work a group, directly or through its muscles and heads."""

    title = "muscle group"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return Muscle.objects.filter(parent=None).values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Q(muscle_roles__muscle__slug=self.value())
                | Q(muscle_roles__muscle__parent__slug=self.value())
                | Q(muscle_roles__muscle__parent__parent__slug=self.value())
            ).distinct()
        return queryset


# Inline rows are dragged into order (django-admin-sortable2, which keeps the
# position field hidden and gives a new row the next free number).


class MuscleRoleInline(SortableTabularInline):
    model = MuscleRole
    fields = ["muscle", "role", "note", "position"]
    autocomplete_fields = ["muscle"]
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Narrow enough that the table fits a 1280 px window: a short note
        # box, and no add/change/delete/view icons beside the muscle.
        if db_field.name == "note":
            kwargs["widget"] = forms.TextInput(attrs={"size": 36})
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "muscle":
            for action in ["add", "change", "delete", "view"]:
                setattr(field.widget, f"can_{action}_related", False)
        return field


class BenefitInline(SortableStackedInline):
    # Plain text fields: markdownx's editor does not start in rows added with
    # "Add another" (django-markdownx issue #113).
    model = Benefit
    fields = ["title", "text", "references", "position"]
    autocomplete_fields = ["references"]
    extra = 1


class StepInline(SortableTabularInline):
    model = Step
    fields = ["text", "position"]
    extra = 1


class MistakeInline(SortableStackedInline):
    # Plain text, as benefits (django-markdownx issue #113).
    model = Mistake
    fields = ["title", "text", "references", "position"]
    autocomplete_fields = ["references"]
    extra = 1


class VariationInline(SortableTabularInline):
    model = Variation
    fk_name = "from_exercise"
    fields = ["to_exercise", "kind", "position"]
    autocomplete_fields = ["to_exercise"]
    verbose_name = "variation"
    verbose_name_plural = (
        "Variations (shown on both pages: easier here is harder there)"
    )
    extra = 1


class ExerciseReferenceInline(SortableTabularInline):
    model = ExerciseReference
    fields = ["reference", "position"]
    autocomplete_fields = ["reference"]
    verbose_name = "reference"
    verbose_name_plural = "References (numbered in this order)"
    extra = 1


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Exercise.objects.none(),
        label="Merge into",
        help_text="The exercise that stays.",
    )

    def __init__(self, *args, source, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Exercise.objects.exclude(pk=source.pk).only(
            "name", "slug"
        )


@admin.register(Exercise)
class ExerciseAdmin(
    DeclaredFiltersOnly,
    SortableAdminBase,
    RecoverNeedsDelete,
    VersionAdmin,
    MarkdownxModelAdmin,
):
    list_display = ["name", "status", "mechanics", "reviewed_on", "updated"]
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
    readonly_fields = ["published", "created", "updated", "variations_elsewhere"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "summary"]}),
        (
            "Attributes",
            {"fields": ["mechanics", "equipment", "level", "force", "category"]},
        ),
        ("Article", {"fields": ["explanation", "takeaway"]}),
        (
            "Review",
            {
                "fields": ["reviewed_on", "reviewed_by"],
                "description": "Set when an editor has checked the muscle roles "
                "against the glossary (/roles/); until then the page shows the "
                "roles as the source gave them.",
            },
        ),
        (
            "Publishing",
            {"fields": ["status", "published", "created", "updated", "source_id"]},
        ),
        ("Variations entered on other pages", {"fields": ["variations_elsewhere"]}),
    ]
    inlines = [
        MuscleRoleInline,
        StepInline,
        BenefitInline,
        MistakeInline,
        VariationInline,
        ExerciseReferenceInline,
    ]
    actions = ["merge_selected"]

    @admin.display(description="Variations")
    def variations_elsewhere(self, obj):
        if obj.pk is None:
            return "–"
        rows = obj.variations_to.select_related("from_exercise")
        if not rows:
            return "None."
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> lists this page as {}</li>',
            (
                (
                    reverse(
                        "admin:exercises_exercise_change", args=[v.from_exercise_id]
                    ),
                    v.from_exercise.name,
                    v.get_kind_display().lower(),
                )
                for v in rows
            ),
        )
        return format_html("<ul>{}</ul>", items)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for alias, page in name_clashes(form.instance):
            messages.warning(
                request,
                format_html(
                    'The alias “{}” is also a name or alias of <a href="{}">{}</a>.',
                    alias,
                    reverse("admin:exercises_exercise_change", args=[page.pk]),
                    page.name,
                ),
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_merge": self.has_merge_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # Merging ------------------------------------------------------------------

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(
            request
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_merge_permission(request):
            actions.pop("merge_selected", None)
        return actions

    @admin.action(description="Merge the selected exercise into another")
    def merge_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select one exercise to merge.", level=messages.WARNING
            )
            return None
        return redirect("admin:exercises_exercise_merge", queryset.get().pk)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="exercises_exercise_merge",
            ),
            *super().get_urls(),
        ]

    def merge_view(self, request, object_id):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        source = get_object_or_404(Exercise, pk=object_id)
        form = MergeForm(request.POST or None, source=source)
        if request.method == "POST" and form.is_valid():
            target = form.cleaned_data["target"]
            try:
                moved = merge_exercise(source, target, user=request.user)
            except MergeError as error:
                form.add_error(None, str(error))
            else:
                # An editor's change: a re-import leaves the page alone.
                self.log_change(request, target, merge_comment(source, target))
                self.message_user(
                    request,
                    f"“{source.name}” was merged into “{target.name}”: "
                    + "; ".join(moved)
                    + ".",
                    messages.SUCCESS,
                )
                return redirect("admin:exercises_exercise_change", target.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge “{source.name}” into another exercise",
            "opts": self.model._meta,
            "original": source,
            "form": form,
            "counts": {
                "muscle roles": source.muscle_roles.count(),
                "steps": source.steps.count(),
                "benefits": source.benefits.count(),
                "mistakes": source.mistakes.count(),
                "variations": source.variations_from.count()
                + source.variations_to.count(),
                "references": source.exercise_references.count(),
                "earlier addresses": source.redirects.count(),
            },
        }
        return TemplateResponse(request, "admin/exercises/exercise/merge.html", context)


@admin.register(Reference)
class ReferenceAdmin(DeclaredFiltersOnly, RecoverNeedsDelete, VersionAdmin):
    list_display = ["authors", "year", "title", "doi", "pmid"]
    search_fields = ["authors", "title", "publication", "doi", "pmid"]
    fields = ["authors", "title", "publication", "year", "doi", "pmid", "url"]


@admin.register(Muscle)
class MuscleAdmin(
    DeclaredFiltersOnly, RecoverNeedsDelete, VersionAdmin, MarkdownxModelAdmin
):
    list_display = ["name", "level", "parent", "function"]
    list_select_related = ["parent__parent"]
    autocomplete_fields = ["parent"]
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


@admin.register(SearchSynonym)
class SearchSynonymAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    """Abbreviations and other words readers search with ("RDL", "abs")."""

    list_display = ["term", "meaning"]
    search_fields = ["term", "meaning"]
