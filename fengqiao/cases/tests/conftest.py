from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.tests.conftest import verify


@pytest.fixture
def client_for():
    """client_for(user) -> a test client signed in as `user`, second factor passed for staff."""

    def make(user) -> Client:
        client = Client()
        verify(client, user)
        return client

    return make
