"""The optional error-tracking extra: with SENTRY_DSN set, production settings send errors to it."""

import gzip
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector():
    pytest.importorskip("sentry_sdk")
    _Collector.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Collector.received
    server.shutdown()
    server.server_close()


def _production(tmp_path, code: str, **extra: str) -> subprocess.CompletedProcess:
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-enough-1234567890",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sentry.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_logged_error_reaches_the_error_tracker(collector, tmp_path):
    port, received = collector

    result = _production(
        tmp_path,
        "import logging, sentry_sdk; logging.getLogger('reporting.tasks').error('Report request %s failed', 7);"
        "sentry_sdk.flush(timeout=10)",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{port}/1",
        SENTRY_ENVIRONMENT="staging",
    )

    assert result.returncode == 0, result.stderr
    events = [body for body in received if b'"type":"event"' in body]
    assert len(events) == 1
    assert b"Report request %s failed" in events[0] or b"Report request 7 failed" in events[0]
    assert b'"environment":"staging"' in events[0]


def test_without_the_extra_a_dsn_is_refused(tmp_path):
    # Importing sentry_sdk fails, as in an image built without the extra.
    (tmp_path / "sentry_sdk.py").write_text("raise ImportError('not installed')\n")
    result = _production(tmp_path, "pass", SENTRY_DSN="http://publickey@127.0.0.1:9/1", PYTHONPATH=str(tmp_path))

    assert result.returncode != 0
    assert "the `sentry` extra" in result.stderr
