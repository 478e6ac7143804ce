"""Real processes for the tests of what must hold on a real server: gunicorn with production
settings, a Redis of our own, a TCP proxy in front of PostgreSQL that can play an outage.

Everything listens on 127.0.0.1 on a free port, and only processes started here are stopped, by PID.
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PG_URL = "postgres://postgres@127.0.0.1:5432"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def postgres_reachable():
    try:
        return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def psql(sql):
    subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True, capture_output=True)


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    seconds: float

    def header(self, name):
        return self.headers.get(name.lower())


def request(port, path, *, method="GET", body=None, headers=None, timeout=30):
    """One request on a new connection (so gunicorn's workers take turns accepting them)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        raw = connection.getresponse()
        payload = raw.read().decode("utf-8", "replace")
        headers = {}
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                headers.setdefault("set-cookie", []).append(value)
            else:
                headers[name.lower()] = value
        return Response(raw.status, headers, payload, time.monotonic() - started)
    finally:
        connection.close()


class AdminSession:
    """A signed-in editor, cookies kept by hand (production settings mark them Secure; the test
    talks plain HTTP to 127.0.0.1)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def _send(self, path, method="GET", data=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        response = request(self.port, path, method=method, body=body, headers=headers)
        for line in response.headers.get("set-cookie", []):
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path):
        return self._send(path)

    def post(self, path, data):
        return self._send(path, "POST", data)

    def login(self, username, password):
        form = self.get("/admin/login/")
        token = lxml.html.fromstring(form.body).forms[0].fields["csrfmiddlewaretoken"]
        done = self.post(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"},
        )
        assert done.status == 302, f"login failed: {done.status}"
        return self

    def submit_form(self, path, changes, *, submit="_save"):
        """GET the admin change form at ``path``, change some fields, POST it back as a browser would."""
        page = self.get(path)
        assert page.status == 200, f"{path}: {page.status}"
        form = next(f for f in lxml.html.fromstring(page.body).forms if (f.get("id") or "").endswith("_form"))
        values = [(name, value) for name, value in form.form_values() if name not in changes]
        values += list(changes.items()) + [(submit, "1")]
        return self.post(urlsplit(form.action or path).path or path, values)

    def csrf_token(self):
        return self.cookies["csrftoken"]


def production_env(tmp, *, database_url, redis_url=None, static_root):
    """The environment of a production deploy on this machine (DEBUG off, a real SECRET_KEY)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO", "DATABASE_URL", "REDIS_URL", "CACHE_", "DEBUG"))
    }
    env.update(
        SECRET_KEY=uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp / "media"),
        CACHE_DIR=str(tmp / "cache"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env, *args, code=None, timeout=120):
    """``manage.py ARGS`` (or ``manage.py shell -c CODE``) in a process of its own."""
    command = (
        [PYTHON, "manage.py", *args] if code is None else [PYTHON, "manage.py", "shell", "--no-imports", "-c", code]
    )
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class HttpProcess:
    """A server the test starts on ``self.port`` and stops by its PID: the shared start, readiness
    check (``/robots.txt`` answers 200), requests and stop of Gunicorn and Varnish. A subclass has
    ``process``, ``port`` and ``log()``, and names itself in ``name``."""

    name = "server"

    def _spawn(self, command, out, timeout, **popen):
        with open(out, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
        wait_for(self._answers, timeout, f"{self.name} on port {self.port}")
        return self

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited: {self.log()}")
        try:
            return request(self.port, "/robots.txt", timeout=2).status == 200
        except OSError:
            return False

    def get(self, path, **kwargs):
        return request(self.port, path, **kwargs)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@dataclass
class Gunicorn(HttpProcess):
    name = "gunicorn"
    env: dict
    tmp: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self):
        return self.tmp / "access.log"

    @property
    def error_log(self):
        return self.tmp / "error.log"

    def start(self):
        command = [
            PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--timeout", "30",
            "--access-logfile", str(self.access_log), "--access-logformat", '%(p)s "%(r)s" %(s)s',
            "--error-logfile", str(self.error_log),
        ]  # fmt: skip
        env = {**self.env, "SITE_URL": self.url}
        return self._spawn(command, self.tmp / "gunicorn.out", 30, cwd=ROOT, env=env)

    def log(self):
        return "".join(p.read_text() for p in (self.tmp / "gunicorn.out", self.error_log) if p.exists())

    def worker_pids_serving(self):
        """The PIDs of the workers that answered requests so far (from the access log)."""
        return {line.split()[0] for line in self.access_log.read_text().splitlines() if line.strip()}


class RedisServer:
    """A Redis of our own on a free port, keeping nothing on disk."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: self.cli("PING") == "PONG", 10, "redis-server")
        return self

    def cli(self, *args):
        result = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args], capture_output=True, text=True, timeout=5
        )
        return result.stdout.strip()

    def keys(self):
        out = self.cli("DBSIZE")
        return int(out) if out.isdigit() else 0

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class TcpProxy:
    """A TCP proxy to PostgreSQL that can play an outage: ``up`` forwards; ``down`` refuses new
    connections and cuts open ones (a stopped or crashed server); ``stall`` accepts connections and
    never answers (an overloaded or half-reachable one)."""

    def __init__(self, target_port=5432):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.mode = "up"
        self._sockets = set()
        self._listener = None
        self._lock = threading.Lock()
        self._thread = None

    def start(self):
        self._listen()
        return self

    def _listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._track(client)
            if self.mode == "stall":
                continue  # keep it open, say nothing
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)  # an idle pooled connection must not be cut by the proxy
            self._track(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _track(self, sock):
        with self._lock:
            self._sockets.add(sock)

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _cut_all(self):
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.close()  # linger 0: a reset, as when the server process dies
            except OSError:
                pass

    def down(self):
        self.mode = "down"
        if self._listener:
            self._listener.close()
            self._listener = None
        self._cut_all()

    def stall(self):
        self._cut_all()
        self.mode = "stall"
        if self._listener is None:
            self._listen()

    def up(self):
        self.mode = "up"
        if self._listener is None:
            self._listen()

    def stop(self):
        self.down()


def copy_static(static_root):
    """collectstatic with production storage (hashed, compressed names), once per test session."""
    if not (static_root / "staticfiles.json").exists():
        env = production_env(static_root.parent, database_url="sqlite:///:memory:", static_root=static_root)
        manage(env, "collectstatic", "--noinput", "-v0")
    return static_root


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)
