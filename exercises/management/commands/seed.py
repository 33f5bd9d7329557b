from django.core.management import call_command
from django.core.management.base import BaseCommand

from exercises.models import Exercise, Muscle, SearchSynonym

CONTENT_FIXTURES = ["fixtures/muscles.json", "fixtures/leg-kickbacks.json"]
SYNONYM_FIXTURES = ["fixtures/search_synonyms.json"]
FIXTURES = CONTENT_FIXTURES + SYNONYM_FIXTURES


class Command(BaseCommand):
    help = "Load the fixtures into an empty database; leave existing content alone."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if Muscle.objects.exists() or Exercise.objects.exists():
            self.stdout.write("The database already has content; fixtures not loaded.")
        else:
            call_command("loaddata", *CONTENT_FIXTURES, verbosity=verbosity)
        # Separately, so a site seeded before search synonyms existed gets them.
        if SearchSynonym.objects.exists():
            self.stdout.write("Search synonyms already there; not loaded.")
        else:
            call_command("loaddata", *SYNONYM_FIXTURES, verbosity=verbosity)
