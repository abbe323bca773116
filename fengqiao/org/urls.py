from django.urls import path

from fengqiao.org import boundary_views, views

app_name = "org"
urlpatterns = [
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    path("grants/audit/", views.grant_audit, name="grant_audit"),
    path("regions/", boundary_views.region_tree, name="regions"),
    path("regions/<str:code>/boundary/", boundary_views.region_boundary, name="region_boundary"),
    path("regions/<str:code>/boundary/remove/", boundary_views.region_boundary_remove, name="region_boundary_remove"),
]
