import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")
application = get_wsgi_application()

from planner.runtime import garbage_collector_tune  # noqa: E402  (needs the settings loaded above)

garbage_collector_tune()
