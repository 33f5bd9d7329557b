import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from exercises.models import Exercise, Muscle, SearchSynonym

# muscle-redirects.json sends /muscles/core/ to Abdominals in a new database; an
# older one gets that redirect from migration 0007 instead.
FIXTURES = [
    str(settings.BASE_DIR / "fixtures" / name)
    for name in ["muscles.json", "muscle-redirects.json"]
]
# Beside the project, not in it (see ../shared/data/free-exercise-db/README.md).
CATALOGUE = (
    settings.BASE_DIR.parent / "shared" / "data" / "free-exercise-db" / "exercises.json"
)
SYNONYM_FIXTURES = [str(settings.BASE_DIR / "fixtures" / "search_synonyms.json")]


class Command(BaseCommand):
    help = (
        "Fill an empty database: the muscles, free-exercise-db's catalogue when it "
        "is beside the project (published), then the articles. On a database "
        "with content, only load the articles (editors' changes are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--catalogue",
            default=str(CATALOGUE),
            help="free-exercise-db's exercises.json; skipped if missing.",
        )

    def handle(self, *args, catalogue, verbosity, **options):
        quiet = {"verbosity": verbosity, "stdout": self.stdout, "stderr": self.stderr}
        have_catalogue = (
            bool(catalogue) and settings.BASE_DIR.joinpath(catalogue).is_file()
        )
        if Muscle.objects.exists() or Exercise.objects.exists():
            # An older database: add the muscles it lacks, change none it has;
            # the import and the articles below keep editors' changes too.
            added = add_missing_muscles(FIXTURES[0])
            self.stdout.write(
                f"The database already has content; {added} missing muscles added."
            )
        else:
            call_command("loaddata", *FIXTURES, **quiet)
        if have_catalogue:
            # Idempotent: records already imported, or edited since, are left.
            call_command("import_exercises", catalogue, publish=True, **quiet)
        else:
            self.stdout.write(f"No catalogue at {catalogue}; not imported.")
        # Without the catalogue, variations to imported pages have nowhere to go.
        call_command(
            "load_articles", skip_missing_variations=not have_catalogue, **quiet
        )
        # Separately, so a site seeded before search synonyms existed gets them.
        if SearchSynonym.objects.exists():
            self.stdout.write("Search synonyms already there; not loaded.")
        else:
            call_command("loaddata", *SYNONYM_FIXTURES, **quiet)


def add_missing_muscles(fixture):
    """Create the fixture's muscles whose slug the database lacks, under their
    parent (matched by slug); the number created. Existing muscles, edited or
    not, stay as they are."""
    rows = json.loads(Path(fixture).read_text())
    slug_of = {row["pk"]: row["fields"]["slug"] for row in rows}
    existing = set(Muscle.objects.values_list("slug", flat=True))
    names = set(Muscle.objects.values_list("name", flat=True))
    added = 0
    # Groups first, then muscles, then heads: each parent exists before its parts.
    for _ in range(3):
        for row in rows:
            fields = row["fields"]
            parent_slug = slug_of.get(fields["parent"])
            if fields["slug"] in existing or fields["name"] in names:
                continue
            if parent_slug and parent_slug not in existing:
                continue
            Muscle.objects.create(
                name=fields["name"],
                slug=fields["slug"],
                function=fields["function"],
                description=fields["description"],
                parent=Muscle.objects.get(slug=parent_slug) if parent_slug else None,
            )
            existing.add(fields["slug"])
            names.add(fields["name"])
            added += 1
    return added
