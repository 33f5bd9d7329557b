from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from exercises import editor, health, media, views
from exercises.cache import cache_for_readers
from exercises.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    # The markdownx widget posts here (MARKDOWNX_URLS_PATH / _UPLOAD_URLS_PATH).
    # Our own staff-only views, not markdownx.urls, which answer anyone.
    path(
        "markdownx/markdownify/", editor.markdown_preview, name="markdownx_markdownify"
    ),
    path("markdownx/upload/", editor.markdown_upload, name="markdownx_upload"),
    path(
        "sitemap.xml",
        # Django's view reads ?p= (the page of a long sitemap).
        cache_for_readers(sitemap, query=["p"]),
        {"sitemaps": SITEMAPS},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Not marked cache_for_readers: answered afresh every time.
    path("healthz", health.healthz, name="healthz"),
    path("", include("exercises.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.media, name="media")
    )
