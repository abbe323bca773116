from django.urls import path

from fengqiao.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/start/", views.batch_start, name="start"),
    path("<int:pk>/resume/", views.batch_resume, name="resume"),
    path("<int:pk>/report.<str:fmt>", views.batch_report, name="report"),
]
