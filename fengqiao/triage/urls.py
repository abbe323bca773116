from django.urls import path

from fengqiao.triage import views

app_name = "triage"
urlpatterns = [
    path("<str:code>/accept/<str:part>/", views.accept, name="accept"),
    path("<str:code>/correct/<str:part>/", views.correct, name="correct"),
    path("<str:code>/run/", views.run, name="run"),
    path("<str:code>/merge/", views.merge, name="merge"),
    path("<str:code>/link/", views.link, name="link"),
]
