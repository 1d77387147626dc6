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
    # Threaded workers: idle spare connections from browsers must not hold every worker (fresh tester, issue 10).
    assert re.search(r"gunicorn .*--threads [2-9]", recipe)
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


def test_sqlite_waits_for_a_busy_database_instead_of_failing_at_once():
    # Python's default of 5 s made the task worker die with "database is locked" while web requests wrote.
    script = "import json, twinning.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    env = {
        "DEBUG": "true",
        "TWINNING_VAR_DIR": "/tmp",
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1])["timeout"] >= 20


def test_make_demo_keeps_the_task_worker_running():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "scripts/keep-running $(BIN)/twinning db_worker &" in makefile


def test_keep_running_starts_a_command_again_and_leaves_nothing_behind_when_stopped(tmp_path):
    script = Path(__file__).resolve().parents[2] / "scripts" / "keep-running"
    pids = tmp_path / "pids"
    # The first run exits (as a dead worker does); the second stays up until keep-running is stopped.
    command = f'echo $$ >> {pids}; [ "$(wc -l < {pids})" -ge 2 ] && exec sleep 300; exit 3'
    runner = subprocess.Popen(
        [str(script), "sh", "-c", command],
        env={"PATH": "/usr/bin:/bin", "KEEP_RUNNING_DELAY": "0"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert runner.stderr is not None
        assert "exited with status 3; starting it again" in runner.stderr.readline()
        for _ in range(600):
            lines = pids.read_text().split() if pids.exists() else []
            if len(lines) == 2:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert len(lines) == 2
    finally:
        runner.terminate()
        runner.wait(timeout=30)
    second = int(lines[1])
    # The command still running when keep-running was stopped was stopped with it (no orphan left).
    for _ in range(600):
        if not Path(f"/proc/{second}").exists() or "Z" in Path(f"/proc/{second}/stat").read_text().split()[2]:
            break
        subprocess.run(["sleep", "0.05"], check=True)
    assert not Path(f"/proc/{second}").exists() or Path(f"/proc/{second}/stat").read_text().split()[2] == "Z"
