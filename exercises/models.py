import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from .validation import CheckedText


def search_words(text):
    """Lower-case, accent-free words in the singular.

    Both the stored search text and the reader's query go through this, so
    "Glute kickback" finds "Leg Kickbacks", "bench presses" finds "Bench Press"
    and "Presse" finds "Pressé".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [singular(word) for word in re.findall(r"\w+", plain)]


def singular(word):
    """English plurals, roughly: flies, presses, crunches, kickbacks."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def saved_slug(instance):
    """The slug an instance has in the database now, before it is saved."""
    if instance.pk is None:
        return None
    model = type(instance)
    return model.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()


def keep_redirect(redirect_model, field, instance, old_slug):
    """After a rename, the old slug redirects here; the current slug never does."""
    if old_slug and old_slug != instance.slug:
        redirect_model.objects.update_or_create(
            old_slug=old_slug, defaults={field: instance}
        )
    redirect_model.objects.filter(old_slug=instance.slug).delete()


def refuse_redirected_slug(redirect_model, field, instance):
    redirect = (
        redirect_model.objects.filter(old_slug=instance.slug)
        .exclude(**{f"{field}_id": instance.pk})
        .select_related(field)
        .first()
    )
    if redirect:
        target = getattr(redirect, field)
        raise ValidationError(
            {
                "slug": f"“{instance.slug}” is an earlier address of “{target}” and "
                "still redirects there. Choose another slug, or delete that "
                "redirect first."
            }
        )


class Role(models.TextChoices):
    """How a muscle works in an exercise, in ExRx.net's vocabulary."""

    TARGET = "target", "Target"
    SYNERGIST = "synergist", "Synergist"
    STABILIZER = "stabilizer", "Stabilizer"
    DYNAMIC_STABILIZER = "dynamic_stabilizer", "Dynamic stabilizer"
    ANTAGONIST_STABILIZER = "antagonist_stabilizer", "Antagonist stabilizer"


ROLE_DEFINITIONS = {
    Role.TARGET: (
        "The primary mover: the muscle the exercise is chosen to work. It shortens "
        "under load and does most of the work."
    ),
    Role.SYNERGIST: (
        "A muscle that helps the target perform the movement, adding force to the "
        "same joint action."
    ),
    Role.STABILIZER: (
        "A muscle that contracts without much change in length to hold a bone or "
        "joint still, so the movers have a steady base to pull from."
    ),
    Role.DYNAMIC_STABILIZER: (
        "A muscle that shortens at one joint while lengthening at another, so its "
        "length stays about the same; it steadies a joint while the limb moves."
    ),
    Role.ANTAGONIST_STABILIZER: (
        "A muscle on the opposite side of the joint from the movers that contracts "
        "to keep the joint steady and centred during the movement."
    ),
}


class Mechanics(models.TextChoices):
    ISOLATION = "isolation", "Isolation"
    COMPOUND = "compound", "Compound"


class Equipment(models.TextChoices):
    BODY_ONLY = "body-only", "No equipment (body only)"
    BANDS = "bands", "Bands"
    BARBELL = "barbell", "Barbell"
    CABLE = "cable", "Cable"
    DUMBBELL = "dumbbell", "Dumbbell"
    EZ_CURL_BAR = "e-z-curl-bar", "E-Z curl bar"
    EXERCISE_BALL = "exercise-ball", "Exercise ball"
    FOAM_ROLL = "foam-roll", "Foam roll"
    KETTLEBELLS = "kettlebells", "Kettlebells"
    MACHINE = "machine", "Machine"
    MEDICINE_BALL = "medicine-ball", "Medicine ball"
    OTHER = "other", "Other"


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    EXPERT = "expert", "Expert"


class Force(models.TextChoices):
    PUSH = "push", "Push"
    PULL = "pull", "Pull"
    STATIC = "static", "Static"


class Category(models.TextChoices):
    STRENGTH = "strength", "Strength"
    STRETCHING = "stretching", "Stretching"
    CARDIO = "cardio", "Cardio"
    PLYOMETRICS = "plyometrics", "Plyometrics"
    POWERLIFTING = "powerlifting", "Powerlifting"
    OLYMPIC_WEIGHTLIFTING = "olympic-weightlifting", "Olympic weightlifting"
    STRONGMAN = "strongman", "Strongman"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Muscle(CheckedText, models.Model):
    """A muscle group (no parent) or a muscle inside a group."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
        help_text="The group this muscle belongs to; empty for a group.",
    )
    function = models.CharField(
        max_length=200, blank=True, help_text='Short, e.g. "hip extension".'
    )
    # Markdown fields are limited in length and markup (CheckedText): the
    # renderer must never be slow. A muscle's renders on every page naming it.
    description = MarkdownxField(blank=True, max_length=3_000)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        old_slug = saved_slug(self)
        super().save(*args, **kwargs)
        keep_redirect(MuscleRedirect, "muscle", self, old_slug)

    def get_absolute_url(self):
        return reverse("exercises:muscle_detail", args=[self.slug])

    def clean(self):
        # Two levels only: a group, and the muscles inside it.
        if self.parent_id and (self.parent_id == self.pk or self.parent.parent_id):
            raise ValidationError({"parent": "Choose a muscle group as the parent."})
        if self.parent_id and self.pk and self.children.exists():
            raise ValidationError(
                {"parent": "This group has muscles in it; it cannot have a parent."}
            )
        refuse_redirected_slug(MuscleRedirect, "muscle", self)

    @property
    def is_group(self):
        return self.parent_id is None


class ExerciseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Exercise(CheckedText, models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    aliases = models.CharField(
        max_length=300, blank=True, help_text="Other names, separated by commas."
    )
    summary = models.TextField(
        max_length=300,
        help_text="One or two plain sentences: the lead and the meta description.",
    )
    mechanics = models.CharField(max_length=20, choices=Mechanics, blank=True)
    equipment = models.CharField(max_length=20, choices=Equipment, blank=True)
    level = models.CharField(max_length=20, choices=Level, blank=True)
    force = models.CharField(max_length=20, choices=Force, blank=True)
    category = models.CharField(max_length=30, choices=Category, blank=True)
    explanation = MarkdownxField(blank=True, max_length=10_000)
    takeaway = MarkdownxField(blank=True, max_length=2_000)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Name, aliases and summary as search_words(), each word after "
        "a space; set on save.",
    )
    source_id = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="Id of the record this exercise was imported from, if any.",
    )
    published = models.DateTimeField(
        null=True, blank=True, help_text="Set when first published."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # The public list: published exercises by name.
        indexes = [models.Index(fields=["status", "name"], name="exercise_list")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="exercise_status_valid",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__in": [*choices.values, ""]}),
                    name=f"exercise_{field}_valid",
                )
                for field, choices in [
                    ("mechanics", Mechanics),
                    ("equipment", Equipment),
                    ("level", Level),
                    ("force", Force),
                    ("category", Category),
                ]
            ],
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and self.published is None:
            self.published = timezone.now()
        old_slug = saved_slug(self)
        super().save(*args, **kwargs)
        keep_redirect(ExerciseRedirect, "exercise", self, old_slug)

    def get_absolute_url(self):
        return reverse("exercises:exercise_detail", args=[self.slug])

    def clean(self):
        refuse_redirected_slug(ExerciseRedirect, "exercise", self)

    def build_search_text(self):
        # Each word after a space, so a query word matches the start of a word:
        # "kick" finds "kickback", "row" does not find "throw".
        words = search_words(f"{self.name} {self.aliases} {self.summary}")
        return "".join(f" {word}" for word in words)

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


class MuscleRole(CheckedText, models.Model):
    """One muscle (or group) working in one exercise, in one role."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="muscle_roles"
    )
    muscle = models.ForeignKey(
        Muscle, on_delete=models.PROTECT, related_name="exercise_roles"
    )
    role = models.CharField(max_length=30, choices=Role)
    note = models.CharField(max_length=100, blank=True, help_text='e.g. "isolation"')
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["exercise", "position", "id"]
        # Muscle pages and the muscle filter look rows up by muscle and role.
        indexes = [models.Index(fields=["muscle", "role"], name="role_by_muscle")]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "muscle"], name="unique_muscle_per_exercise"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="muscle_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.muscle} – {self.get_role_display()} in {self.exercise}"

    def get_absolute_url(self):
        return self.exercise.get_absolute_url()

    @property
    def role_order(self):
        return Role.values.index(self.role)


class Benefit(CheckedText, models.Model):
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="benefits"
    )
    title = models.CharField(max_length=120)
    text = models.TextField(help_text="A sentence or two of plain text.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["exercise", "position", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.exercise.get_absolute_url() + "#benefits"


class Step(CheckedText, models.Model):
    """One numbered step of an exercise's "How to do it" section."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="steps"
    )
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["exercise", "position", "id"]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return self.exercise.get_absolute_url() + "#how-to"


class ExerciseRedirect(models.Model):
    """An earlier slug of an exercise: its old address answers 301 to the new one."""

    old_slug = models.SlugField(max_length=150, unique=True)
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="redirects"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.exercise.slug}"

    def get_absolute_url(self):
        return self.exercise.get_absolute_url()


class MuscleRedirect(models.Model):
    """An earlier slug of a muscle or group."""

    old_slug = models.SlugField(max_length=100, unique=True)
    muscle = models.ForeignKey(
        Muscle, on_delete=models.CASCADE, related_name="redirects"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.muscle.slug}"

    def get_absolute_url(self):
        return self.muscle.get_absolute_url()


@receiver(pre_save, sender=Exercise)
def keep_search_text(sender, instance, **kwargs):
    # A signal rather than save(): loaddata fires it too (with raw=True).
    # Bulk writes fire nothing: they must set search_text themselves.
    instance.search_text = instance.build_search_text()
