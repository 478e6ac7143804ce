"""gunicorn's settings for Dossier (``gunicorn -c deploy/gunicorn.conf.py config.wsgi``).

Everything a server may want to change is an environment variable (systemd's EnvironmentFile,
docs/deploy.md); the defaults suit one small server behind nginx on the same host.
"""

import multiprocessing
import os

# Where nginx reaches us: a port on the loopback interface (a unix socket works too: unix:/run/dossier/gunicorn.sock).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, two per core plus one, as gunicorn advises; WEB_CONCURRENCY overrides (it is the
# variable gunicorn itself and most hosting platforms use).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# A request past this is killed and logged: no page here should take more than a few seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Workers are replaced now and then, so a slow leak never grows into an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# Load the app before forking: a broken deploy fails at start, and workers share memory.
preload_app = True
# Only nginx on this host may tell us the scheme (X-Forwarded-Proto); Django trusts it through
# SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Django logs one JSON line per request itself (config/requestlog.py); gunicorn keeps to its own
# errors, on stderr, which systemd's journal collects.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The runtime control socket (gunicornc) is not used; systemd manages the process.
control_socket_disable = True
# Worker heartbeats in memory rather than on a disk that may be slow.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "dossier"
