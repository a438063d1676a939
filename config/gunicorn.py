"""gunicorn's settings for the container (`gunicorn --config python:config.gunicorn`).

Each can be changed from the environment, e.g. GUNICORN_WORKERS=4.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# workers x threads x web replicas, plus Celery concurrency, stays below
# PostgreSQL's max_connections: connections are persistent (CONN_MAX_AGE).
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Tablets pause 1-3 s between requests; with gunicorn's 2 s default the
# connection was closed as it was reused (bench/README.md, "Servers").
keepalive = 75
# A worker is replaced after this many requests, a guard against slow leaks.
# Not fewer: at 1,000 tablets (100 requests/s) 2,000 replaced each worker every
# 40 s; a replacement boots in about 1.5 s of CPU while the other worker carries
# the load (bench/README.md, "Capacity").
max_requests = 20000
max_requests_jitter = 2000
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The root file system is read-only: heartbeats go to memory.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - a tmpfs in every container
# Nothing manages gunicorn at run time (a restart is the container's); the
# control socket would be written to the read-only working directory.
control_socket_disable = True
accesslog = "-"
# The proxy's address is REMOTE_ADDR; the client's is the last X-Forwarded-For entry.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
