"""The public pages that the accessibility and HTML checks cover: one of each type."""

from django.urls import reverse

PUBLIC_PAGES = {
    "home": lambda: reverse("exercises:home"),
    "exercise-list": lambda: reverse("exercises:exercise_list"),
    "exercise-search": lambda: reverse("exercises:exercise_list") + "?q=kick",
    "exercise": lambda: reverse("exercises:exercise_detail", args=["leg-kickbacks"]),
    "muscle-list": lambda: reverse("exercises:muscle_list"),
    "muscle": lambda: reverse("exercises:muscle_detail", args=["glutes"]),
    # A muscle whose exercises name only its group: the section shown apart.
    "muscle-in-group": lambda: reverse(
        "exercises:muscle_detail", args=["gluteus-medius"]
    ),
    "exercise-filter": lambda: (
        reverse("exercises:exercise_list") + "?muscle=glutes&exact=on&role=target"
    ),
    "roles": lambda: reverse("exercises:roles"),
    "not-found": lambda: "/exercises/no-such-exercise/",
}


def expected_status(name):
    return 404 if name == "not-found" else 200


def visit(page, site, name):
    """Open one of the public pages and check its status code.

    The browser logs a console error for a page that answers 404; for the page
    meant to answer 404 that is not a problem.
    """
    url = site + PUBLIC_PAGES[name]()
    if expected_status(name) == 404:
        page.errors.expected_failures.add(url)
    response = page.goto(url)
    assert response.status == expected_status(name), url


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"      {summary}")
    return "\n".join(lines)
