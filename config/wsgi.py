import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from exercises.cache import PageCacheApplication  # noqa: E402 (needs settings)

# Page cache hits are answered before Django's handler: see exercises/cache.py.
application = PageCacheApplication(get_wsgi_application())
