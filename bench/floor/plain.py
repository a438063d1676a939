"""The lowest floor: a plain WSGI app and psycopg, no framework. Serve with
`gunicorn bench.floor.plain:application` (or granian --interface wsgi).

POST /insert with the sync's body: the first event in one INSERT, in a
transaction, on a connection kept per thread (as Django's CONN_MAX_AGE does).
GET /json answers a constant JSON document. DATABASE_URL names the database.
"""

import json
import os
import threading

import psycopg
from psycopg.types.json import Jsonb

_local = threading.local()
SQL = (
    "INSERT INTO bench_floor_row (client_id, session_id, kind, payload, device_time)"
    " VALUES (%s, %s, %s, %s, %s) RETURNING id"
)


def _connection() -> psycopg.Connection:
    connection = getattr(_local, "connection", None)
    if connection is None or connection.closed:
        connection = psycopg.connect(
            os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True
        )
        _local.connection = connection
    return connection


def application(environ, start_response):  # type: ignore[no-untyped-def]
    path = environ.get("PATH_INFO", "")
    if path.endswith("/json"):
        body = b'{"ok": true}'
    elif path.endswith("/insert") and environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        event = json.loads(environ["wsgi.input"].read(length))["events"][0]
        connection = _connection()
        with connection.transaction():
            connection.execute(
                SQL, (event["id"], event["session"], event["kind"], Jsonb(event["payload"]), event["at"])
            )
        body = json.dumps({"results": [{"id": event["id"], "status": "accepted"}]}).encode()
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
