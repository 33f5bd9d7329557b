from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"

    def ready(self):
        from .cache import connect_signals

        connect_signals(self)
