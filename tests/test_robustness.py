"""Malformed, oversized and unexpected requests to every public URL: never a 5xx."""

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from exercises import urls as exercise_urls

pytestmark = pytest.mark.django_db

# A real object for each route that takes a slug; other slug routes get this.
SAMPLE_SLUGS = {
    "exercise_detail": "leg-kickbacks",
    "muscle_detail": "glutes",
    "exercise_card": "leg-kickbacks",
    "muscle_card": "glutes",
}
# Link-preview cards: an out-of-date digest, answered with a redirect.
SAMPLE_DIGEST = "0123456789abcdef"


def slug_kwargs(url_name, slug):
    kwargs = {"slug": slug}
    if url_name.removeprefix("exercises:").endswith("_card"):
        kwargs["digest"] = SAMPLE_DIGEST
    return kwargs


DEFAULT_SLUG = "leg-kickbacks"
SITE_ROUTES = ["sitemap", "robots_txt", "healthz"]

LONG = "x" * 10_000
BAD_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=99999",
    "page=1e9",
    "page=" + "9" * 400,
    "page=1&page=2&page=abc",
    f"q={LONG}",
    "q=a&q=b&q=c",
    "q=%00",
    "q=a%00b&page=%00",
    "q=%ff%fe",
    "q=%c0%af",
    "q=%e2%82",
    "q=%",
    "q=%zz",
    "q=%25%32%35",
    "q=" + quote("Préssé ☃ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e"),
    "q=<script>alert(1)</script>",
    "q='%20OR%201=1--",
    "q=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "q[]=1&q[x]=2",
    "muscle=no-such-muscle&role=no-such-role",
    "muscle=%00&role=%ff&mechanics=x&equipment=x&level=x&force=x&category=x",
    "muscle=glutes&role=target&muscle=core",
    f"muscle={LONG}&role={LONG}",
    "&&&==&=&;;",
    f"{LONG}={LONG}",
    "%ff%fe=%ff%fe",
    # More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS allows.
    "&".join(f"f{n}=1" for n in range(1500)),
]
BAD_SLUGS = [
    "does-not-exist",
    "a" * 10_000,
    "-",
    "_",
    "LEG-KICKBACKS",
    "%00",
    "%ff%fe",
    "%c0%af",
    "..%2f..%2fetc%2fpasswd",
    "%3Cscript%3E",
    quote("préssé"),
]
BAD_HEADERS = [
    {"User-Agent": "x" * 8192},
    {"Referer": "x" * 8192},
    {"Cookie": "; ".join(f"c{n}={'v' * 20}" for n in range(300))},
    {"Cookie": '=;;;==;\x7f;sessionid;csrftoken=\x01; a=b=c; "q"="u"'},
    {"Cookie": "sessionid=" + "0" * 4000},
    {"Cookie": "sessionid=not-a-session; csrftoken=short"},
    {"Cookie": "messages=garbage:bad-signature"},
    {"Accept-Language": "xx-!!!;q=abc, *;q=2, en;q=-1, ;;;, zz-ZZZZZZZZZZ"},
    {"Accept-Language": "en," * 2000},
    {"Accept": "garbage/*;q=x"},
    {"Accept-Encoding": "br;q=2, gzip;q=abc, *"},
    {"If-None-Match": 'garbage, "unterminated, *, W/'},
    {"If-None-Match": '"x"' * 1000},
    {"If-Modified-Since": "not a date"},
    {"If-Modified-Since": "Tue, 99 Foo 99999 99:99:99 GMT"},
    {"Range": "bytes=9999999-1, -, abc"},
    {"X-Forwarded-For": "not-an-ip, ::::, 999.999.999.999"},
    {"X-Forwarded-Proto": "gopher"},
    {"Host": "evil.example"},
    {"Host": "localhost:99999999"},
    {"Host": "x" * 1000},
]
BODY = b"\xff\xfe\x00=%ff&a=" * 1000
BODY_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=nope",
    "multipart/form-data",
    "application/json",
]
WRONG_METHODS = ["post", "put", "patch", "delete", "options", "trace"]


# Every route of the public app, so a new one is covered without editing this.
PUBLIC_ROUTES = [
    f"exercises:{pattern.name}" for pattern in exercise_urls.urlpatterns
] + SITE_ROUTES


def url_for(route):
    pattern = next(
        (p for p in exercise_urls.urlpatterns if f"exercises:{p.name}" == route), None
    )
    if pattern and "slug" in pattern.pattern.converters:
        slug = SAMPLE_SLUGS.get(pattern.name, DEFAULT_SLUG)
        return reverse(route, kwargs=slug_kwargs(route, slug))
    return reverse(route)


def slug_route_variants(url_name):
    """The URL with each bad slug in place of the real one."""
    if url_name.removeprefix("exercises:") not in SAMPLE_SLUGS:
        return []
    real = reverse(url_name, kwargs=slug_kwargs(url_name, "SLUG"))
    return [real.replace("SLUG", slug) for slug in BAD_SLUGS]


def attempts(url_name, url):
    """(description, request callable) for each malformed request."""
    yield "GET", lambda c: c.get(url)
    yield "HEAD", lambda c: c.head(url)
    for query in BAD_QUERIES:
        yield f"GET ?{query[:60]}", lambda c, q=query: c.generic("GET", f"{url}?{q}")
    for path in slug_route_variants(url_name):
        yield f"GET {path[:60]}", lambda c, p=path: c.generic("GET", p)
    for headers in BAD_HEADERS:
        label = ", ".join(f"{k}: {v[:40]!r}" for k, v in headers.items())
        yield f"GET with {label}", lambda c, h=headers: c.get(url, headers=h)
    for method in WRONG_METHODS:
        yield method.upper(), lambda c, m=method: getattr(c, m)(url)
        for content_type in BODY_TYPES:
            yield (
                f"{method.upper()} with a bad {content_type[:20]} body",
                lambda c, m=method, t=content_type: c.generic(m.upper(), url, BODY, t),
            )


@pytest.mark.parametrize("route", PUBLIC_ROUTES)
def test_malformed_requests_never_get_a_server_error(route, fixtures_loaded):
    url = url_for(route)
    clients = [
        Client(raise_request_exception=False),
        Client(raise_request_exception=False, enforce_csrf_checks=True),
    ]
    failures = []
    count = 0
    for description, send in attempts(route, url):
        # The second client gets GETs from the page cache the first one filled.
        for client in clients:
            count += 1
            response = send(client)
            if response.status_code >= 500:
                failures.append(f"{description}: {response.status_code}")
    assert count > 100
    assert not failures, "\n".join(failures)


def test_unknown_pages_are_404(client, fixtures_loaded):
    for path in ["/no-such-page/", "/exercises/no-such-exercise/", "/muscles/x/"]:
        assert client.get(path).status_code == 404, path


def test_wrong_methods_are_refused(fixtures_loaded):
    plain = Client()
    csrf = Client(enforce_csrf_checks=True)
    url = url_for("exercises:exercise_detail")
    assert plain.post(url).status_code == 405
    assert csrf.post(url).status_code == 403
    assert plain.delete(url).status_code == 405
