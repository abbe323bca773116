"""Browser tests: a live server over the demo organisation, driven by Debian's Chromium through Playwright.

The demo (fengqiao.core.demo.seed_demo) is loaded once per module inside one transaction
that is rolled back at the end, so this xdist worker's test database is left exactly as
the other tests expect it (no flush, no lost migration data). The live server thread is
handed the test thread's database connection (as pytest-django's LiveServer does for
in-memory SQLite), so it sees the uncommitted demo; each test runs in its own savepoint
(the `django_db` mark), so what one person's session writes is gone before the next.

We start pytest-django's LiveServer ourselves rather than through the `live_server`
fixture, because that fixture makes every test transactional (a flush after each test),
which would mean seeding the demo again for every role.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in this thread

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _is_test_database(connection) -> bool:
    if connection.vendor == "sqlite":
        return connection.is_in_memory_db() or Path(str(connection.settings_dict["NAME"])).name.startswith("test")
    return str(connection.settings_dict["NAME"]).startswith("test")


@contextmanager
def _keep_shared_connection_open():
    """The live server shares this thread's connection (and its open transaction); Django would close
    it after each request, which on PostgreSQL ends the transaction. Keep it open while the server runs."""
    from django.core import signals
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.db import close_old_connections

    original = ThreadedWSGIServer._close_connections
    ThreadedWSGIServer._close_connections = lambda self: None
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        ThreadedWSGIServer._close_connections = original
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _wait_for_requests_in_flight(timeout: float = 5.0) -> None:
    """Let the live server finish the requests a closed page left running: once the server stops, the shared
    connection may no longer be used from its threads, and a request still running would fail noisily."""
    import threading

    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and "process_request_thread" in thread.name:
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The URL of a live server with the demo loaded (20 cases), rolled back after the module."""
    from pytest_django.live_server_helper import LiveServer

    from fengqiao.core.demo import seed_demo

    with django_db_blocker.unblock(), _keep_shared_connection_open():
        connection = connections[DEFAULT_DB_ALIAS]
        assert _is_test_database(connection), "refusing to load the demo outside the test database"
        with transaction.atomic():
            seed_demo(cases=20)
            server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"), start=False)
            server.thread.connections_override.setdefault(DEFAULT_DB_ALIAS, connection)
            server._live_server_modified_settings.enable()
            server.start()
            try:
                yield server.url
            finally:
                _wait_for_requests_in_flight()
                server.stop()
                server._live_server_modified_settings.disable()
                transaction.set_rollback(True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("FQ_CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, demo_site):
    """new_page(**context_options) -> a page in a fresh browser context (own cookies), closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("base_url", demo_site)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def fresh_token(username: str) -> str:
    """A code the user's demo device will accept now: codes are single-use, so skip a step already used."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from fengqiao.accounts.otp import current_token

    device = TOTPDevice.objects.get(user__username=username, name="demo")
    for _attempt in range(3):
        now = time.time()
        t_now = int((now - device.t0) // device.step) + device.drift
        for ahead in range(device.tolerance + 1):
            if t_now + ahead > device.last_t:
                return current_token(device, at=now + ahead * device.step)
        time.sleep(device.step / 2)
        device.refresh_from_db()
    raise AssertionError(f"no usable TOTP step for {username}")


def staff_sign_in(page, base: str, username: str) -> None:
    """Through the real forms, in whatever language the page is in: password, then the current TOTP code."""
    from fengqiao.core.demo import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button.primary").click()
    page.wait_for_url("**/accounts/2fa/**")
    page.fill("#id_token", fresh_token(username))
    page.locator("main form button.primary").click()
    page.wait_for_url(f"{base}/")
