from django.urls import path

from . import views
from .cache import cache_for_readers
from .feeds import NewExercisesFeed

app_name = "exercises"

urlpatterns = [
    path("", views.home, name="home"),
    path("exercises/", views.exercise_list, name="exercise_list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise_detail"),
    path("muscles/", views.muscle_list, name="muscle_list"),
    path("muscles/<slug:slug>/", views.muscle_detail, name="muscle_detail"),
    path("roles/", views.roles, name="roles"),
    path("feed/", cache_for_readers(NewExercisesFeed()), name="feed"),
]
