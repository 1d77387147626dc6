"""`make demo` runs the production set-up (DEBUG off, its own secret key, gunicorn, static files served by the
app) over plain HTTP on 127.0.0.1; HTTPS=false only lifts what plain HTTP cannot carry, and nothing else."""

import json
import re
import subprocess
import sys
from pathlib import Path

SETTINGS_SHOWN = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "ALLOWED_HOSTS",
]


def production_settings(tmp_path: Path, **extra: str) -> dict:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TWINNING_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        **extra,
    }
    script = (
        "import json, twinning.settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SETTINGS_SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_https_on_unless_told(tmp_path):
    settings = production_settings(tmp_path)
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31536000


def test_https_false_serves_plain_http_with_debug_still_off(tmp_path):
    settings = production_settings(tmp_path, HTTPS="false")
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["CSRF_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0


def test_make_demo_runs_with_debug_off_under_gunicorn():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    demo_env = re.search(r"^DEMO_ENV = (.*?[^\\])$", makefile, re.M | re.S)
    assert demo_env
    assert "DEBUG=false" in demo_env.group(1)
    assert "HTTPS=false" in demo_env.group(1)
    assert "var/secret_key" in demo_env.group(1)
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "collectstatic" in recipe
    assert "gunicorn" in recipe
    assert "runserver" not in recipe


def test_commands_beside_the_demo_read_its_secret_key_file(tmp_path):
    # `make demo` writes var/secret_key; `twinning token create ...` run in another terminal, with no SECRET_KEY in
    # its environment, must start (and sign with the same key) rather than refuse.
    (tmp_path / "secret_key").write_text("a-key-made-by-make-demo-0123456789-abcdefghijklmnopqrstuvwxyz\n")
    env = {"DEBUG": "false", "TWINNING_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    script = "import twinning.settings as s; print(s.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "a-key-made-by-make-demo-0123456789-abcdefghijklmnopqrstuvwxyz"


def test_debug_off_without_any_key_refuses_to_start(tmp_path):
    env = {"DEBUG": "false", "TWINNING_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import twinning.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
