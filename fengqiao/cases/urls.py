from django.urls import path

from fengqiao.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("bulk/", views.case_bulk, name="bulk"),
    path("<str:code>/", views.case_detail, name="detail"),
    path("<str:code>/reveal/", views.case_reveal, name="reveal"),
    path("<str:code>/act/<str:action>/", views.case_act, name="act"),
]
