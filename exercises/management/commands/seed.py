from django.core.management import call_command
from django.core.management.base import BaseCommand

from exercises.models import Exercise, Muscle

FIXTURES = ["fixtures/muscles.json", "fixtures/leg-kickbacks.json"]


class Command(BaseCommand):
    help = "Load the fixtures into an empty database; leave existing content alone."

    def handle(self, *args, **options):
        if Muscle.objects.exists() or Exercise.objects.exists():
            self.stdout.write("The database already has content; fixtures not loaded.")
            return
        call_command("loaddata", *FIXTURES, verbosity=options["verbosity"])
