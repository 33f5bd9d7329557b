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
            self.stdout.write("The database already has content; only articles loaded.")
        else:
            call_command("loaddata", *FIXTURES, **quiet)
            if have_catalogue:
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
