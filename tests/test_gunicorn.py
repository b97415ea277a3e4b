"""The app under gunicorn with production settings, as the Procfile runs it."""

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.conftest import ROOT, free_port, wait_for_port


def test_gunicorn_with_production_settings_sends_no_server_banner(database, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "FLASK_DEBUG": "0",
        "SECRET_KEY": "s" * 64,
        "DATABASE_URL": database,
        "WEB_CONCURRENCY": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        for path in ("/", "/no-such-page", "/static/css/site.css"):
            response = requests.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            assert response.status_code in (200, 404)
            assert "Server" not in response.headers, (path, response.headers.get("Server"))
            assert "gunicorn" not in str(response.headers).lower()
    finally:
        process.terminate()
        process.wait(timeout=10)
