"""Tokens, API keys, passwords, settings parsing, an older install's secret file and migration file names."""

import base64
import hashlib
import json
import re
import time
import uuid
from pathlib import Path

import jwt
import pytest

from services.auth.errors import BadToken
from services.auth.passwords import MAX_PASSWORD_BYTES, PasswordHasher, password_too_long
from services.auth.secret_key import SECRET_FILE_NAME, read_secret_file
from services.auth.settings import AuthSettings
from services.auth.tokens import (
    API_KEY_PREFIX,
    TokenIssuer,
    hash_api_key,
    mask_api_key,
    new_api_key,
    new_session_stamp,
)
from services.common import messages
from services.common.migrations import migration_files
from services.common.settings import load_settings, parse_duration

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SECRET = "secret"
AUTH_MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "auth" / "migrations"


# -- JWTs --------------------------------------------------------------------------------------


def test_claims_round_trip() -> None:
    issuer = TokenIssuer(SECRET, 3600)
    before = int(time.time())
    token, expires_at = issuer.issue("user-1", "stamp-1")
    claims = issuer.decode(token)
    assert claims.user_id == "user-1"
    assert claims.session_stamp == "stamp-1"
    assert claims.expires_at == expires_at
    assert expires_at is not None and before + 3600 <= expires_at <= int(time.time()) + 3600
    uuid.UUID(claims.jti)
    raw = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert raw["typ"] == "session"
    assert raw["id"] == "user-1"
    assert raw["exp"] == expires_at
    assert raw["iat"] == expires_at - 3600
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_each_token_gets_its_own_jti() -> None:
    issuer = TokenIssuer(SECRET, 3600)
    jtis = {issuer.decode(issuer.issue("u", "s")[0]).jti for _ in range(20)}
    assert len(jtis) == 20


def test_token_without_expiry() -> None:
    issuer = TokenIssuer(SECRET, None)
    token, expires_at = issuer.issue("user-1", "stamp")
    assert expires_at is None
    assert "exp" not in jwt.decode(token, SECRET, algorithms=["HS256"])
    assert issuer.decode(token).expires_at is None


def test_fractional_expiry_is_whole_seconds() -> None:
    token, expires_at = TokenIssuer(SECRET, 90.7).issue("u", "s")
    raw = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert expires_at == raw["exp"] == raw["iat"] + 90


def test_token_without_session_stamp_reads_as_empty_stamp() -> None:
    token = jwt.encode({"id": "u", "jti": "j", "iat": int(time.time())}, SECRET, algorithm="HS256")
    claims = TokenIssuer(SECRET, 3600).decode(token)
    assert claims.session_stamp == ""
    assert claims.expires_at is None


def _assert_bad(issuer: TokenIssuer, token: str) -> None:
    with pytest.raises(BadToken) as excinfo:
        issuer.decode(token)
    assert excinfo.value.detail == messages.UNAUTHORIZED


def test_forged_signature_is_bad_token() -> None:
    token, _ = TokenIssuer("some other secret", 3600).issue("user-1", "stamp")
    _assert_bad(TokenIssuer(SECRET, 3600), token)


def test_tampered_payload_is_bad_token() -> None:
    issuer = TokenIssuer(SECRET, 3600)
    token, _ = issuer.issue("user-1", "stamp")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["id"] = "admin"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    _assert_bad(issuer, f"{header}.{forged_payload}.{signature}")


def test_other_algorithms_are_refused() -> None:
    claims = {"id": "u", "jti": "j", "iat": int(time.time())}
    issuer = TokenIssuer(SECRET, 3600)
    _assert_bad(issuer, jwt.encode(claims, SECRET, algorithm="HS512"))
    unsigned = jwt.encode(claims, None, algorithm="none")
    _assert_bad(issuer, unsigned)


@pytest.mark.parametrize("missing", ["id", "jti", "iat"])
def test_required_claims(missing: str) -> None:
    claims = {"id": "u", "jti": "j", "iat": int(time.time())}
    del claims[missing]
    _assert_bad(TokenIssuer(SECRET, 3600), jwt.encode(claims, SECRET, algorithm="HS256"))


def test_expired_token_is_bad_token() -> None:
    token, expires_at = TokenIssuer(SECRET, -1).issue("u", "s")
    assert expires_at is not None and expires_at < time.time()
    _assert_bad(TokenIssuer(SECRET, 3600), token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "sk-abc"])
def test_garbage_is_bad_token(token: str) -> None:
    _assert_bad(TokenIssuer(SECRET, 3600), token)


# -- API keys and stamps -----------------------------------------------------------------------


def test_new_api_key_format_and_uniqueness() -> None:
    keys = {new_api_key() for _ in range(50)}
    assert len(keys) == 50
    for key in keys:
        assert key.startswith(API_KEY_PREFIX)
        assert re.fullmatch(r"sk-[0-9a-f]{32}", key)


def test_hash_api_key() -> None:
    key = new_api_key()
    digest = hash_api_key(key)
    assert digest == hash_api_key(key)
    assert digest != key
    assert key not in digest
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == hashlib.sha256(key.encode()).hexdigest()
    assert hash_api_key(new_api_key()) != digest


def test_mask_api_key() -> None:
    assert mask_api_key("abcd") == "sk-…abcd"
    key = new_api_key()
    assert mask_api_key(key[-4:]) == "sk-…" + key[-4:]


def test_new_session_stamp() -> None:
    stamps = {new_session_stamp() for _ in range(50)}
    assert len(stamps) == 50
    assert all(re.fullmatch(r"[0-9a-f]{16}", s) for s in stamps)


# -- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "too_long"),
    [
        ("", False),
        ("x" * 72, False),
        ("x" * 73, True),
        ("é" * 36, False),
        ("é" * 37, True),
        ("😀" * 18, False),
    ],
)
def test_password_too_long_counts_bytes(password: str, too_long: bool) -> None:
    assert MAX_PASSWORD_BYTES == 72
    assert password_too_long(password) is too_long


def test_password_hasher() -> None:
    hasher = PasswordHasher(rounds=4)
    hashed = hasher.hash("pässwörd")
    assert hashed.startswith("$2b$04$")
    assert hasher.hash("pässwörd") != hashed  # salted
    assert hasher.verify("pässwörd", hashed)
    assert not hasher.verify("passwörd", hashed)
    assert not hasher.verify("pässwörd", None)
    assert not hasher.verify("x" * 73, hasher.hash("x" * 72))


# -- parse_duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4w", 2_419_200),
        ("30m", 1800),
        ("1.5h", 5400),
        ("12h", 43_200),
        ("1d", 86_400),
        ("45s", 45),
        ("500ms", 0.5),
        (" 2h ", 7200),
        ("-1", None),
        ("0", None),
        ("-5m", None),
        ("0s", None),
        ("-1h", None),
    ],
)
def test_parse_duration(text: str, seconds: float | None) -> None:
    result = parse_duration(text)
    if seconds is None:
        assert result is None
    else:
        assert result == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["abc", "", "4", "1.5", "4 w", "4W", "w", "-1.5", "1e3s", "4w4d", "--1"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


# -- load_settings -----------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No AuthSettings variable set, whatever the shell running the tests has."""
    for field in AuthSettings.model_fields.values():
        if field.alias:
            monkeypatch.delenv(field.alias, raising=False)
            monkeypatch.delenv(field.alias.lower(), raising=False)
    return monkeypatch


def _exit_message(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as excinfo:
        load_settings(AuthSettings, "auth")
    assert excinfo.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("auth: invalid configuration: ")
    return lines[0]


def test_load_settings_missing_database_url(clean_env, capsys) -> None:
    line = _exit_message(capsys)
    assert "DATABASE_URL is required" in line


def test_load_settings_bad_integer(clean_env, capsys) -> None:
    clean_env.setenv("DATABASE_URL", "postgresql://localhost/db")
    clean_env.setenv("BCRYPT_ROUNDS", "abc")
    line = _exit_message(capsys)
    assert "BCRYPT_ROUNDS" in line
    assert "DATABASE_URL" not in line


def test_load_settings_names_every_bad_variable(clean_env, capsys) -> None:
    clean_env.setenv("BCRYPT_ROUNDS", "3")
    clean_env.setenv("JWT_EXPIRES_IN", "forever")
    clean_env.setenv("LOG_LEVEL", "verbose")
    line = _exit_message(capsys)
    for name in ("DATABASE_URL is required", "BCRYPT_ROUNDS", "JWT_EXPIRES_IN", "LOG_LEVEL"):
        assert name in line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ENABLE_SIGNUP", "perhaps"),
        ("DEFAULT_USER_ROLE", "superuser"),
        ("SIGNIN_RATE_LIMIT", "0"),
        ("SIGNIN_SOURCE_RATE_LIMIT", "0"),
        ("AUTH_TRUSTED_NETWORKS", "10.0.0.0/33"),
        ("DB_POOL_MAX", "0"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_load_settings_refuses_bad_value(clean_env, capsys, name: str, value: str) -> None:
    clean_env.setenv("DATABASE_URL", "postgresql://localhost/db")
    clean_env.setenv(name, value)
    assert name in _exit_message(capsys)


def test_load_settings_ok_with_defaults(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("DATABASE_URL", "postgresql://localhost/db")
    clean_env.setenv("DATA_DIR", str(tmp_path))
    settings = load_settings(AuthSettings, "auth")
    assert settings.database_url == "postgresql://localhost/db"
    assert settings.jwt_expires_in_s == 2_419_200
    assert settings.default_user_role == "pending"
    assert settings.enable_signup is True
    assert settings.bcrypt_rounds == 12
    assert (settings.signin_rate_limit, settings.signin_rate_window_s) == (15, 180)
    assert settings.signin_source_rate_limit == 30
    assert [str(n) for n in settings.trusted_networks] == [
        "127.0.0.0/8",
        "::1/128",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "fc00::/7",
    ]


def test_load_settings_reads_values(clean_env) -> None:
    clean_env.setenv("DATABASE_URL", "postgresql://localhost/db")
    clean_env.setenv("JWT_EXPIRES_IN", "-1")
    clean_env.setenv("ENABLE_SIGNUP", "false")
    clean_env.setenv("DEFAULT_USER_ROLE", "user")
    clean_env.setenv("BCRYPT_ROUNDS", "4")
    settings = load_settings(AuthSettings, "auth")
    assert settings.jwt_expires_in_s is None
    assert settings.enable_signup is False
    assert settings.default_user_role == "user"
    assert settings.bcrypt_rounds == 4


# -- the secret key file -----------------------------------------------------------------------


def test_read_secret_file_reads_an_older_installs_key(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE_NAME
    path.write_text("  kept-secret\n")
    assert read_secret_file(path) == "kept-secret"
    assert path.read_text() == "  kept-secret\n"


def test_read_secret_file_missing_or_empty_is_none(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE_NAME
    assert read_secret_file(path) is None
    path.write_text(" \n")
    assert read_secret_file(path) is None


def test_secret_key_from_the_environment(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("DATABASE_URL", "postgresql://localhost/db")
    clean_env.setenv("WEBUI_SECRET_KEY", "from-env")
    assert AuthSettings().webui_secret_key == "from-env"
    clean_env.delenv("WEBUI_SECRET_KEY")
    assert AuthSettings().webui_secret_key == ""


# -- migration file names ----------------------------------------------------------------------


def test_migration_files_in_order(tmp_path: Path) -> None:
    for name in ("0010_later.sql", "0002_second.sql", "0001_first.sql"):
        (tmp_path / name).write_text("SELECT 1;")
    (tmp_path / "README.md").write_text("not a migration")
    (tmp_path / "0003_notes.txt").write_text("not a migration either")
    found = migration_files(tmp_path)
    assert found == [
        (1, tmp_path / "0001_first.sql"),
        (2, tmp_path / "0002_second.sql"),
        (10, tmp_path / "0010_later.sql"),
    ]


def test_migration_files_empty_directory(tmp_path: Path) -> None:
    assert migration_files(tmp_path) == []


@pytest.mark.parametrize(
    "name",
    [
        "1_init.sql",
        "0001-init.sql",
        "0001_Init.sql",
        "init.sql",
        "00001_init.sql",
        "0001_.sql",
        "0001_a b.sql",
    ],
)
def test_migration_files_bad_name(tmp_path: Path, name: str) -> None:
    (tmp_path / "0001_ok.sql").write_text("SELECT 1;")
    (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(ValueError, match=re.escape("0001_name.sql")):
        migration_files(tmp_path)


def test_migration_files_duplicate_numbers(tmp_path: Path) -> None:
    (tmp_path / "0001_users.sql").write_text("SELECT 1;")
    (tmp_path / "0001_keys.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="duplicate"):
        migration_files(tmp_path)


def test_auth_service_migrations_are_well_named() -> None:
    found = migration_files(AUTH_MIGRATIONS)
    assert [v for v, _ in found] == list(range(1, len(found) + 1))
