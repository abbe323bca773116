from django.urls import path, re_path

from fengqiao.intake import views, views_account, views_qr, views_staff

app_name = "intake"
urlpatterns = [
    # residents
    path("report/", views.report, name="report"),
    path("report/done/<str:code>/", views.report_done, name="done"),
    path("report/area.geojson", views.served_area, name="area"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_case, name="track_case"),
    path("track/<str:code>/<str:action>/", views.track_act, name="track_act"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("my/", views_account.my_cases, name="my_cases"),
    path("my/signup/", views_account.signup, name="signup"),
    # staff
    path("intake/new/", views_staff.staff_new, name="staff_new"),
    path("intake/lookup/", views_staff.staff_lookup, name="staff_lookup"),
    path("grid/report/", views_staff.grid_report, name="grid_report"),
    path("grid/reports/", views_staff.grid_reports, name="grid_reports"),
    # QR codes
    re_path(r"^qr/(?P<kind>point|place)/(?P<token>[A-Za-z0-9_-]{1,24})\.(?P<fmt>svg|png)$", views_qr.qr_code,
            name="qr_code"),
    path("qr/", views_qr.qr_sheet, name="qr_sheet"),
    path("qr/sheet.pdf", views_qr.qr_sheet_pdf, name="qr_sheet_pdf"),
]
