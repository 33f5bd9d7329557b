import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, transaction
from django.utils import timezone

from exercises.importing import (
    Catalogue,
    ImportFailed,
    fold_duplicates,
    merge_duplicates,
    plan_import,
    planned_merges,
    read_duplicates,
    read_records,
    write_plan,
)

MAX_ERRORS_SHOWN = 20
DUPLICATES = settings.BASE_DIR / "fixtures" / "duplicates.json"


class ProgressBar:
    """One line redrawn in place; drawn only when the output is a terminal."""

    width = 30

    def __init__(self, out, label):
        self.out = out
        self.label = label
        self.shown = None

    def __call__(self, done, total):
        if not self.out.isatty():
            return
        filled = self.width * done // total
        if filled == self.shown and done != total:
            return
        self.shown = filled
        bar = "#" * filled + "." * (self.width - filled)
        self.out.write(f"\r{self.label} [{bar}] {done}/{total}", ending="")
        self.out.flush()

    def finish(self):
        if self.shown is not None:
            self.out.write("")


class Command(BaseCommand):
    help = (
        "Import exercises from free-exercise-db's exercises.json or from a file "
        "written by export_exercises. See docs/importing.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file to import.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new exercises from free-exercise-db instead of leaving "
            "them as drafts. (Our own format carries each exercise's status.)",
        )
        parser.add_argument(
            "--duplicates",
            default=None,
            help="A list of free-exercise-db records that repeat another one, "
            '[{"merge": id, "into": id}, ...]; each pair whose two exercises exist '
            "is merged after the import. Default: fixtures/duplicates.json. "
            'Pass "" for none.',
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, updated and left alone; write nothing.",
        )

    def handle(self, *args, file, publish, dry_run, duplicates, verbosity, **options):
        data = self.load(file)
        pairs = self.duplicate_pairs(duplicates) if isinstance(data, list) else []
        try:
            plan = self.run(data, file, publish, dry_run, verbosity, pairs)
        except OperationalError as error:
            # SQLite allows one writer at a time: a second import (or an admin
            # save) at the same moment fails here. The transaction rolled back.
            raise CommandError(
                f"{file}: nothing was imported: the database refused the "
                f"import ({error}). Another import or edit may be running; "
                "try again when it has finished."
            ) from None

        line = summary(
            created=len(plan.create),
            updated=len(plan.update) + len(plan.fill),
            unchanged=len(plan.unchanged),
            linked=len(plan.link),
            skipped=len(plan.skipped),
        )
        if dry_run:
            line = f"Dry run, nothing written. Would have: {line}"
        self.stdout.write(line)

    def run(self, data, file, publish, dry_run, verbosity, pairs):
        """Check, plan and (unless a dry run) write, in one transaction."""
        now = timezone.now()
        with transaction.atomic():
            catalogue = Catalogue()
            try:
                incoming, errors = read_records(
                    data, catalogue, publish=publish, now=now
                )
            except ImportFailed as error:
                raise CommandError(f"{file}: {error}") from None
            fold_duplicates(incoming, pairs)
            plan = plan_import(incoming, catalogue)
            errors += plan.errors
            if errors:
                self.stdout.write(summary(failed=len(errors)))
                shown = errors[:MAX_ERRORS_SHOWN]
                if len(errors) > len(shown):
                    shown.append(f"… and {len(errors) - len(shown)} more.")
                raise CommandError(
                    f"{file}: nothing was imported; {len(errors)} "
                    f"record{'s' if len(errors) != 1 else ''} failed:\n"
                    + "\n".join(shown)
                )
            self.report(plan, dry_run, verbosity)
            if dry_run:
                for merge_id, into_id in planned_merges(pairs, catalogue, plan):
                    self.stdout.write(f"would merge: {merge_id} into {into_id}")
            else:
                progress = ProgressBar(self.stdout, "Importing")
                write_plan(plan, progress)
                progress.finish()
                for source, target in merge_duplicates(pairs):
                    self.stdout.write(
                        f'merged: "{source.name}" ({source.slug}) into '
                        f'"{target.name}" ({target.slug}), a duplicate; its '
                        "address redirects there"
                    )

        return plan

    def duplicate_pairs(self, duplicates):
        if duplicates == "":
            return []
        if duplicates is None:
            if not DUPLICATES.exists():
                return []
            duplicates = DUPLICATES
        try:
            return read_duplicates(self.load(duplicates))
        except ImportFailed as error:
            raise CommandError(f"{duplicates}: {error}") from None

    def load(self, file):
        try:
            return json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{file}: cannot read: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{file}: not valid JSON: {error}") from None
        except RecursionError:
            raise CommandError(
                f"{file}: nested too deeply to read; neither format nests more "
                "than a few levels"
            ) from None

    def report(self, plan, dry_run, verbosity):
        # Links and skips always need a reader's eye; the rest on request.
        would = "would " if dry_run else ""
        lines = []
        if dry_run or verbosity >= 2:
            lines += [
                f'{would}create: {record.label} "{record.name}" as {record.slug}'
                for record in plan.create
            ]
            lines += [
                f'{would}update: {record.label} "{record.name}" '
                f"({', '.join(sorted(changes))})"
                for _, record, changes in plan.update
            ]
        lines += [
            f'{would}link: {record.label} "{record.name}" to the existing '
            f'exercise "{page["name"]}" ({page["slug"]}); its content is kept'
            for page, record in plan.link
        ]
        lines += [
            f'{would}fill: {record.label} "{record.name}" adds '
            f"{describe_fill(*plan.fills[page['id']])} to the exercise "
            f'"{page["name"]}" ({page["slug"]}), which editors own'
            for page, record in [*plan.link, *plan.fill]
            if any(plan.fills[page["id"]])
        ]
        lines += [
            f'{would}skip: {record.label} "{record.name}": {reason}'
            for record, reason in plan.skipped
        ]
        if verbosity >= 2:
            lines += [
                f'unchanged: {record.label} "{record.name}"'
                for record in plan.unchanged
            ]
        for line in lines:
            self.stdout.write(line)


def describe_fill(columns, steps):
    parts = [*columns]
    if steps:
        parts.append(f"{len(steps)} steps")
    return ", ".join(parts)


def summary(created=0, updated=0, unchanged=0, linked=0, skipped=0, failed=0):
    return (
        f"created {created}, updated {updated}, unchanged {unchanged}, "
        f"linked {linked}, skipped {skipped}, failed {failed}"
    )
