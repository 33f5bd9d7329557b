from pathlib import Path

from django.core.management.base import BaseCommand

from exercises.importing import dumps, export_data


class Command(BaseCommand):
    help = (
        "Write every exercise, with its muscles, benefits and steps, as JSON that "
        "import_exercises reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", metavar="FILE", help="Write to FILE instead of stdout."
        )

    def handle(self, *args, output, **options):
        text = dumps(export_data())
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
