"""Stopping and starting the whole stack on the same DATA_DIR keeps users and keys."""

from pathlib import Path

import requests

from tests.e2e.conftest import make_stack, signup


def test_users_and_keys_survive_a_restart(tmp_path: Path) -> None:
    stack = make_stack(tmp_path / "data")
    stack.start()
    try:
        url = stack.gateway_url
        keeper = signup(url, "keeper@example.com", "kept password", "Keeper")
        headers = keeper.headers
        key = requests.post(f"{url}/api/v1/auths/api_key", headers=headers, timeout=10).json()["api_key"]
    finally:
        stack.stop()

    again = make_stack(tmp_path / "data")
    again.start()
    try:
        url = again.gateway_url
        signin = requests.post(
            f"{url}/api/v1/auths/signin",
            json={"email": "keeper@example.com", "password": "kept password"},
            timeout=10,
        )
        assert signin.status_code == 200 and signin.json()["role"] == "admin"
        # The JWT from before the restart is still valid: the secret key was kept in DATA_DIR.
        assert requests.get(f"{url}/api/v1/auths/", headers=headers, timeout=10).status_code == 200
        by_key = requests.get(
            f"{url}/api/v1/auths/api_key", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        assert by_key.status_code == 200 and by_key.json()["api_key"].endswith(key[-4:])
        config = requests.get(f"{url}/api/config", timeout=10).json()
        assert "onboarding" not in config
    finally:
        again.stop()
