from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from exercises import views

urlpatterns = [
    path("admin/", admin.site.urls),
    # The markdownx widget posts here (MARKDOWNX_URLS_PATH / _UPLOAD_URLS_PATH).
    # Our own staff-only views, not markdownx.urls, which answer anyone.
    path(
        "markdownx/markdownify/", views.markdown_preview, name="markdownx_markdownify"
    ),
    path("markdownx/upload/", views.markdown_upload, name="markdownx_upload"),
    path("", include("exercises.urls")),
]

if settings.DEBUG:
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
