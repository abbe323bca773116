"""The project's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.urls import path

from fengqiao.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request):
    raise RuntimeError("the kind of failure a 500 page is for")


urlpatterns = [*urlpatterns, path("boom/", boom)]
