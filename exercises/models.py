from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

# The definitions are content, not schema; re-exported for older imports.
from .roles import ROLE_DEFINITIONS  # noqa: F401
from .search import search_fields, search_words
from .validation import CheckedText


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


# Search looks terms up among the query's runs of up to this many words.
MAX_SYNONYM_TERM_WORDS = 3


class Role(models.TextChoices):
    """How a muscle works in an exercise.

    Reviewed pages use ExRx.net's five roles; rows imported and not yet reviewed
    keep what their source says, primary or secondary.
    """

    TARGET = "target", "Target"
    SYNERGIST = "synergist", "Synergist"
    STABILIZER = "stabilizer", "Stabilizer"
    DYNAMIC_STABILIZER = "dynamic_stabilizer", "Dynamic stabilizer"
    ANTAGONIST_STABILIZER = "antagonist_stabilizer", "Antagonist stabilizer"
    PRIMARY = "primary", "Primary (source)"
    SECONDARY = "secondary", "Secondary (source)"


REVIEWED_ROLES = [
    Role.TARGET,
    Role.SYNERGIST,
    Role.STABILIZER,
    Role.DYNAMIC_STABILIZER,
    Role.ANTAGONIST_STABILIZER,
]
SOURCE_ROLES = [Role.PRIMARY, Role.SECONDARY]


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


class VariationKind(models.TextChoices):
    """What the other exercise is, seen from the page the variation is on."""

    EASIER = "easier", "Easier"
    HARDER = "harder", "Harder"
    ALTERNATIVE = "alternative", "Alternative"


# Seen from the other page, an easier variation is a harder one.
INVERSE_KIND = {
    VariationKind.EASIER: VariationKind.HARDER,
    VariationKind.HARDER: VariationKind.EASIER,
    VariationKind.ALTERNATIVE: VariationKind.ALTERNATIVE,
}
MAX_MUSCLE_LEVELS = 3
MUSCLE_LEVELS = ["group", "muscle", "head"]


class Muscle(CheckedText, models.Model):
    """A muscle group, a muscle in a group, or a head or part of a muscle."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="For a muscle, its group; for a head or part, its muscle; "
        "empty for a group.",
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
        # Three levels at most: group, muscle, head or part.
        if self.parent_id:
            ancestors = self.parent.ancestor_ids()
            if self.pk is not None and (
                self.parent_id == self.pk or self.pk in ancestors
            ):
                raise ValidationError({"parent": "A muscle cannot be inside itself."})
            depth = len(ancestors) + 2  # the parent's ancestors, the parent, this
            if depth + self.height() > MAX_MUSCLE_LEVELS:
                raise ValidationError(
                    {
                        "parent": "Three levels at most: a group, a muscle in it, "
                        "and a head or part of that muscle."
                    }
                )
        refuse_redirected_slug(MuscleRedirect, "muscle", self)

    def ancestor_ids(self):
        """Ids of the parent, its parent and so on, nearest first."""
        ids, parent_id = [], self.parent_id
        while parent_id is not None and parent_id not in ids:
            ids.append(parent_id)
            parent_id = (
                Muscle.objects.filter(pk=parent_id)
                .values_list("parent_id", flat=True)
                .first()
            )
        return ids

    def height(self):
        """Levels below this one in the database: 0 without children."""
        if self.pk is None:
            return 0
        if Muscle.objects.filter(parent__parent=self).exists():
            return 2
        return 1 if Muscle.objects.filter(parent=self).exists() else 0

    def descendant_ids(self):
        """Ids of this muscle, its children and their children."""
        ids = [self.pk]
        level = [self.pk]
        for _ in range(MAX_MUSCLE_LEVELS - 1):
            level = list(
                Muscle.objects.filter(parent__in=level).values_list("pk", flat=True)
            )
            ids += level
        return ids

    @property
    def is_group(self):
        return self.parent_id is None

    @property
    def level(self):
        """ "group", "muscle" or "head" (a head or part of a muscle)."""
        if self.parent_id is None:
            return MUSCLE_LEVELS[0]
        return MUSCLE_LEVELS[1] if self.parent.parent_id is None else MUSCLE_LEVELS[2]


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
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Name and aliases as search_words(), for ranking results; "
        "set on save.",
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
    reviewed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When an editor last checked the muscle roles against the "
        "glossary; empty while the roles are as the source gave them.",
    )
    reviewed_by = models.CharField(
        max_length=100, blank=True, help_text="Who reviewed the roles."
    )
    references = models.ManyToManyField(
        "Reference", through="ExerciseReference", related_name="exercises", blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The public list by name, and reviewed articles first (SQLite reads
            # "DESC" as nulls last, as the list orders them).
            models.Index(fields=["status", "name"], name="exercise_list"),
            models.Index(
                fields=["status", "-reviewed_on", "name"], name="exercise_list_reviewed"
            ),
            # Search's "has anything changed?" (latest update of a published page).
            models.Index(fields=["status", "updated"], name="exercise_updated"),
        ]
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

    def set_search_fields(self):
        # Each word after a space, so a query word matches the start of a word:
        # "kick" finds "kickback", "row" does not find "throw".
        self.search_text, self.search_names = search_fields(
            self.name, self.aliases, self.summary
        )

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_reviewed(self):
        return self.reviewed_on is not None

    @property
    def is_stretch(self):
        return self.category == Category.STRETCHING

    def variation_links(self, *, published_only=True):
        """[(kind as seen from this page, other exercise), ...].

        A variation is stored once, on the page it was entered on; the other
        page shows it inversely (easier there is harder here) or, for an
        alternative, the same. Rows entered here come first, by position.
        A view may prefetch "variations_from__to_exercise" and
        "variations_to__from_exercise" to read them in two queries.
        """
        own = self._rows("variations_from", "to_exercise")
        other = self._rows("variations_to", "from_exercise")
        links, seen = [], set()
        for variation in own:
            links.append((VariationKind(variation.kind), variation.to_exercise))
            seen.add(variation.to_exercise_id)
        for variation in other:
            if variation.from_exercise_id not in seen:
                kind = INVERSE_KIND[VariationKind(variation.kind)]
                links.append((kind, variation.from_exercise))
                seen.add(variation.from_exercise_id)
        if published_only:
            links = [(kind, page) for kind, page in links if page.is_published]
        return links

    def numbered_references(self):
        """[(number, reference), ...] in the page's order, numbered from 1.

        Benefits and mistakes cite a reference by this number.
        """
        rows = self._rows("exercise_references", "reference")
        return [(number, row.reference) for number, row in enumerate(rows, start=1)]

    def _rows(self, relation, related):
        """The rows of a relation, prefetched if the view did, else one query."""
        if relation in getattr(self, "_prefetched_objects_cache", {}):
            return getattr(self, relation).all()
        return getattr(self, relation).select_related(related)


class MuscleRoleQuerySet(models.QuerySet):
    def published(self):
        """Rows of published exercises (ExerciseQuerySet.published()'s rule,
        through a join)."""
        return self.filter(exercise__status=Status.PUBLISHED)


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

    objects = MuscleRoleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
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
    references = models.ManyToManyField(
        "Reference", related_name="benefits", blank=True
    )

    class Meta:
        ordering = ["position", "id"]

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
        ordering = ["position", "id"]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return self.exercise.get_absolute_url() + "#how-to"


class Mistake(CheckedText, models.Model):
    """One entry of an exercise's "Common mistakes" section."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="mistakes"
    )
    title = models.CharField(max_length=120)
    text = models.TextField(help_text="A sentence or two of plain text.")
    position = models.PositiveSmallIntegerField(default=0)
    references = models.ManyToManyField(
        "Reference", related_name="mistakes", blank=True
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.exercise.get_absolute_url() + "#mistakes"


class Variation(models.Model):
    """to_exercise is an easier, harder or alternative form of from_exercise."""

    from_exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="variations_from"
    )
    to_exercise = models.ForeignKey(
        Exercise,
        on_delete=models.CASCADE,
        related_name="variations_to",
        verbose_name="variation",
    )
    kind = models.CharField(
        max_length=20,
        choices=VariationKind,
        help_text="What the variation is compared with this exercise; the other "
        "page shows the inverse (easier ↔ harder).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_exercise", "to_exercise"], name="unique_variation_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=VariationKind.values),
                name="variation_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_exercise=models.F("to_exercise")),
                name="variation_not_itself",
            ),
        ]

    def __str__(self):
        return (
            f"{self.to_exercise} ({self.get_kind_display().lower()} than "
            f"{self.from_exercise})"
        )

    def get_absolute_url(self):
        return self.from_exercise.get_absolute_url() + "#variations"

    def clean(self):
        if self.from_exercise_id and self.from_exercise_id == self.to_exercise_id:
            raise ValidationError(
                {"to_exercise": "An exercise is not a variation of itself."}
            )
        if (
            self.from_exercise_id
            and self.to_exercise_id
            and Variation.objects.filter(
                from_exercise_id=self.to_exercise_id,
                to_exercise_id=self.from_exercise_id,
            ).exists()
        ):
            raise ValidationError(
                {
                    "to_exercise": "The other page already lists this exercise as "
                    "a variation; it shows on both pages from there."
                }
            )


class Reference(CheckedText, models.Model):
    """A source someone has opened; one row per source, shared by exercises."""

    authors = models.CharField(max_length=500, help_text="As the source lists them.")
    title = models.CharField(max_length=500)
    publication = models.CharField(
        max_length=300, blank=True, help_text="Journal or book."
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    doi = models.CharField(
        "DOI", max_length=200, blank=True, help_text='e.g. "10.1519/JSC.0000..."'
    )
    pmid = models.CharField("PubMed id", max_length=20, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)

    class Meta:
        ordering = ["authors", "year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["doi"],
                condition=~models.Q(doi=""),
                name="unique_reference_doi",
            ),
            models.UniqueConstraint(
                fields=["pmid"],
                condition=~models.Q(pmid=""),
                name="unique_reference_pmid",
            ),
            models.CheckConstraint(
                condition=~models.Q(doi="", pmid="", url=""),
                name="reference_has_locator",
            ),
        ]

    def __str__(self):
        year = f" ({self.year})" if self.year else ""
        return f"{self.authors}{year}. {self.title}"

    def clean(self):
        if not (self.doi or self.pmid or self.url):
            raise ValidationError("Give a DOI, a PubMed id or a URL.")

    @property
    def link(self):
        """Where a reader can open the source: the DOI first, then PubMed."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url


class ExerciseReference(models.Model):
    """A reference in an exercise's numbered list."""

    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="exercise_references"
    )
    reference = models.ForeignKey(
        Reference, on_delete=models.PROTECT, related_name="exercise_links"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "reference"], name="unique_reference_per_exercise"
            ),
        ]

    def __str__(self):
        return f"{self.reference} in {self.exercise}"

    def get_absolute_url(self):
        return self.exercise.get_absolute_url() + "#references"


class Redirect(models.Model):
    """An earlier slug of a page: its old address answers 301 to the page.

    Subclasses add old_slug and a foreign key named by page_field.
    """

    page_field = None
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.page.slug}"

    def get_absolute_url(self):
        return self.page.get_absolute_url()

    @property
    def page(self):
        return getattr(self, self.page_field)


class ExerciseRedirect(Redirect):
    """An earlier slug of an exercise."""

    page_field = "exercise"
    old_slug = models.SlugField(max_length=150, unique=True)
    exercise = models.ForeignKey(
        Exercise, on_delete=models.CASCADE, related_name="redirects"
    )
    source_id = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="Source record of an exercise merged into this one: a re-import "
        "does not bring it back.",
    )

    class Meta(Redirect.Meta):
        pass


class MuscleRedirect(Redirect):
    """An earlier slug of a muscle or group."""

    page_field = "muscle"
    old_slug = models.SlugField(max_length=100, unique=True)
    muscle = models.ForeignKey(
        Muscle, on_delete=models.CASCADE, related_name="redirects"
    )

    class Meta(Redirect.Meta):
        pass


def name_clashes(exercise):
    """[(alias, other exercise), ...]: aliases that are another page's name or alias.

    Names compare as search words (case, accents and plurals ignored), as the
    importer compares them when it links a record to a page.
    """
    wanted = {}
    for alias in exercise.alias_list:
        key = tuple(search_words(alias))
        if key:
            wanted.setdefault(key, alias)
    if not wanted:
        return []
    # The words of a name or alias stand side by side in the search text.
    candidates = models.Q()
    for key in wanted:
        candidates |= models.Q(search_text__contains="".join(f" {w}" for w in key))
    clashes = []
    for other in Exercise.objects.filter(candidates).exclude(pk=exercise.pk):
        for name in [other.name, *other.alias_list]:
            key = tuple(search_words(name))
            if key in wanted:
                clashes.append((wanted[key], other))
                break
    return clashes


class SearchSynonym(CheckedText, models.Model):
    """A word readers search for, and the words our names use for it."""

    term = models.CharField(
        max_length=60, help_text='What readers type, e.g. "RDL" or "abs".'
    )
    meaning = models.CharField(
        max_length=100,
        help_text='What it stands for, e.g. "Romanian deadlift" or "abdominals". '
        "A term may have several meanings: results for each are shown.",
    )

    class Meta:
        ordering = ["term", "meaning"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "meaning"], name="unique_search_synonym"
            )
        ]

    def __str__(self):
        return f"{self.term} → {self.meaning}"

    def get_absolute_url(self):
        # What a reader searching for the term now finds.
        query = urlencode({"q": self.term})
        return f"{reverse('exercises:exercise_list')}?{query}"

    def clean(self):
        errors = {}
        words = search_words(self.term)
        if not words or len(words) > MAX_SYNONYM_TERM_WORDS:
            errors["term"] = (
                f"Give one to {MAX_SYNONYM_TERM_WORDS} words of letters or digits."
            )
        if not search_words(self.meaning):
            errors["meaning"] = "Give at least one word of letters or digits."
        elif search_words(self.meaning) == words:
            errors["meaning"] = "The meaning is the term itself."
        if errors:
            raise ValidationError(errors)


@receiver(pre_save, sender=Exercise)
def keep_search_text(sender, instance, **kwargs):
    # A signal rather than save(): loaddata fires it too (with raw=True).
    # Bulk writes fire nothing: they must set search_text themselves.
    instance.set_search_fields()
