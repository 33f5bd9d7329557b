from django.core.management.base import BaseCommand, CommandError

from exercises.articles import ARTICLES_DIR, ArticleErrors, article_paths, load


class Command(BaseCommand):
    help = (
        "Load the articles in fixtures/articles/ (or the named ones) into the "
        "database. Every file is checked first; nothing is written if one is "
        "wrong. A page changed in the admin since it was last loaded or "
        "imported is left alone. See docs/writing.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slugs",
            nargs="*",
            help="Load only these articles (file names without .md).",
        )
        parser.add_argument(
            "--directory", default=ARTICLES_DIR, help="Where the .md files are."
        )
        parser.add_argument(
            "--take-back",
            action="append",
            default=[],
            metavar="SLUG",
            help="Write this article even though its page was changed in the admin "
            "since the last load (the file wins this once). Repeatable.",
        )
        parser.add_argument(
            "--skip-missing-variations",
            action="store_true",
            help="Leave out, with a warning, variations whose page is not in the "
            "database, instead of failing: for a database without the imported "
            "catalogue.",
        )

    def handle(
        self, *args, slugs, directory, skip_missing_variations, take_back, **options
    ):
        paths = article_paths(slugs, directory)
        try:
            report = load(
                paths,
                skip_missing_variations=skip_missing_variations,
                take_back=set(take_back),
            )
        except ArticleErrors as error:
            raise CommandError(
                f"No article was loaded; {len(error.errors)} problem"
                f"{'s' if len(error.errors) != 1 else ''}:\n"
                + "\n".join(
                    f"{file}: {field}: {msg}" for file, field, msg in error.errors
                )
            ) from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["verbosity"] == 0:
            return
        verbose = options["verbosity"] > 1
        for label, slugs_done in [
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged if verbose else []),
            ("skipped (changed in the admin since the last load)", report.skipped),
        ]:
            for slug in slugs_done:
                self.stdout.write(f"{label}: {slug}")
        self.stdout.write(
            f"articles: created {len(report.created)}, updated {len(report.updated)}, "
            f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}"
        )
