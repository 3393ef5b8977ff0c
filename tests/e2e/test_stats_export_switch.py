"""``GET /api/v1/chats/stats/export`` for users other than admins follows the admin config's
``ENABLE_COMMUNITY_SHARING`` as stored (``POST /api/v1/auths/admin/config``), live."""

import time

import requests

from tests.e2e.conftest import Account, Running
from tests.e2e.test_admin_config import get_config, post_config

EXPORT = "/api/v1/chats/stats/export"


def export_status(running: Running, account: Account) -> int:
    return requests.get(f"{running.url}{EXPORT}", headers=account.headers, timeout=10).status_code


def within(check, bound_s: float = 6.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_user_export_follows_the_stored_switch(running: Running, user: Account) -> None:
    before = get_config(running.url, running.admin.headers).json()
    try:
        off = post_config(running.url, running.admin.headers, {**before, "ENABLE_COMMUNITY_SHARING": False})
        assert off.status_code == 200, off.text
        assert within(lambda: export_status(running, user) == 401)
        # Admins export whatever the switch says.
        assert export_status(running, running.admin) == 200
        on = post_config(running.url, running.admin.headers, {**before, "ENABLE_COMMUNITY_SHARING": True})
        assert on.status_code == 200, on.text
        assert within(lambda: export_status(running, user) == 200)
    finally:
        restored = post_config(running.url, running.admin.headers, before)
        assert restored.status_code == 200, restored.text
