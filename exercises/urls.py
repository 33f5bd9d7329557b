from django.urls import path

from . import cards, printing, views
from .cache import cache_for_readers
from .feeds import NewExercisesFeed

app_name = "exercises"

urlpatterns = [
    path("", views.home, name="home"),
    path("exercises/", views.exercise_list, name="exercise_list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise_detail"),
    path(
        "exercises/<slug:slug>/card-<str:digest>.png",
        cards.exercise_card,
        name="exercise_card",
    ),
    path("muscles/", views.muscle_list, name="muscle_list"),
    path("muscles/<slug:slug>/", views.muscle_detail, name="muscle_detail"),
    path(
        "muscles/<slug:slug>/card-<str:digest>.png",
        cards.muscle_card,
        name="muscle_card",
    ),
    path("roles/", views.roles, name="roles"),
    path("feed/", cache_for_readers(NewExercisesFeed()), name="feed"),
    path("print.css", printing.print_stylesheet, name="print_css"),
]
