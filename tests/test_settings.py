"""Configuration comes from the environment; production refuses to start without its secret."""

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-1234567890-abcdefgh",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/undersigned",
    "SITE_URL": "https://petitions.example.org",
    "ALLOWED_HOSTS": "petitions.example.org",
    "ENCRYPTION_KEYS": "ItdrpV_DZj_hyBY4cWVh47vwPpGvtMfM-Y1kuA_y9bI=",
    "DIGEST_KEY": "a-digest-key-that-is-long-and-random-enough",
}


def run_manage(args, env, tmp_path):
    unset = {
        "SECRET_KEY",
        "DATABASE_URL",
        "DATABASE_REPLICA_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "ENCRYPTION_KEYS",
        "DIGEST_KEY",
    }
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(
        {"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "undersigned.settings"}
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "undersigned.manage", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_manage(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("name", ["ENCRYPTION_KEYS", "DIGEST_KEY"])
def test_production_refuses_to_start_without_its_data_keys(tmp_path, name):
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    result = run_manage(["check"], env, tmp_path)
    assert result.returncode != 0
    assert f"{name} is not set" in result.stderr


def test_embedded_default_generates_its_secrets_once_in_the_data_dir(tmp_path):
    for _ in range(2):
        result = run_manage(["check"], {}, tmp_path)
        assert result.returncode == 0, result.stderr
    for name in ["secret_key", "encryption_keys", "digest_key"]:
        assert len((tmp_path / name).read_text()) >= 40
        assert (tmp_path / name).stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_refused_with_its_name(tmp_path, value):
    result = run_manage(["check"], {"DEBUG": value}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize("value", ["ten per minute", "10", "10/10x", "-1/h"])
def test_a_malformed_rate_limit_is_refused_with_its_name(tmp_path, value):
    result = run_manage(["check"], {"RATE_LIMIT_SIGN_BURST": value}, tmp_path)
    assert result.returncode != 0
    assert "RATE_LIMIT_SIGN_BURST must look like 10/h or 10/10m" in result.stderr


def test_a_rate_limit_in_minutes_is_accepted(tmp_path):
    result = run_manage(["check"], {"RATE_LIMIT_SIGN_BURST": "20/15m"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_replica_needs_postgresql_as_its_primary(tmp_path):
    env = {"DATABASE_REPLICA_URL": "postgres://reader@127.0.0.1:5433/undersigned"}
    result = run_manage(["check"], env, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL" in result.stderr


def test_a_replica_url_adds_the_replica_database(tmp_path):
    env = {**PRODUCTION, "DATABASE_REPLICA_URL": "postgres://reader@db-replica:5432/undersigned"}
    show = "from django.conf import settings as s; r = s.DATABASES['replica']; "
    show += "print(r['HOST'], r['USER'], r['NAME'], r['TEST']['MIRROR'], s.REPLICA_MAX_LAG_SECONDS)"
    result = run_manage(["shell", "-c", show], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "db-replica reader undersigned default 30" in result.stdout
