"""deploy/ as a server runs it: Debian's nginx with deploy/nginx/dossier.conf (ports and paths
substituted, a self-signed certificate) in front of gunicorn with deploy/gunicorn.conf.py and
production settings (DEBUG off, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, collected static files),
on SQLite, or on PostgreSQL and Redis in the suite's PostgreSQL pass.

Checked through nginx: a public page, static files with far-future caching and gzip, the security
headers, X-Forwarded-Proto handling (HTTPS redirects, a client's own header ignored), media, the
request log (one JSON line per request), a bad Host header (one warning line, no traceback), and a
brief's PDF and card (#21): typeset with the print stylesheet under the manifest storage, handed out
by the app only for a live brief, never by nginx alone.
"""

import getpass
import gzip
import html
import http.client
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from tests.conftest import ROOT, require_tool

pytestmark = pytest.mark.server

SITE_CONF = ROOT / "deploy" / "nginx" / "dossier.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listening on {port} after {seconds} s:\n{log.read_text()[-3000:]}")


def substitute(text, replacements):
    """deploy/'s site config with this test's ports and paths; every placeholder must be there."""
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx/dossier.conf no longer has {old!r}: update this test with it"
        text = text.replace(old, new)
    return text


def stop(process):
    """End a process this test started (by its own process group) and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Stack:
    def __init__(self, *, tmp, https_port, http_port, app_port, certificate, gunicorn_log, manage):
        self.tmp, self.https_port, self.http_port, self.app_port = tmp, https_port, http_port, app_port
        self.tls = ssl.create_default_context(cafile=str(certificate))
        self.gunicorn_log = gunicorn_log
        self.manage = manage  # manage.py with the server's settings

    def request(self, path, *, method="GET", headers=None, scheme="https", port=None):
        if scheme == "https":
            conn = http.client.HTTPSConnection("127.0.0.1", port or self.https_port, context=self.tls, timeout=20)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port or self.http_port, timeout=20)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    def log_lines(self):
        return self.gunicorn_log.read_text().splitlines()


@pytest.fixture(scope="module")
def services():
    """The database and cache the server uses: on the PostgreSQL + Redis pass (DATABASE_URL,
    REDIS_URL set) a database and key prefix of its own, dropped after; otherwise SQLite and
    the per-process cache."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield {}
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_deploy_{os.getpid()}"[:63]
    admin = f"postgresql://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    prefix = f"{os.environ.get('CACHE_KEY_PREFIX', 'dossier')}-deploy-{os.getpid()}"
    if os.environ.get("REDIS_URL"):
        env |= {"REDIS_URL": os.environ["REDIS_URL"], "CACHE_KEY_PREFIX": prefix}
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if os.environ.get("REDIS_URL"):
            import redis

            client = redis.Redis.from_url(os.environ["REDIS_URL"])
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, services):
    require_tool(shutil.which("nginx"), "Debian's nginx is not installed")
    require_tool(shutil.which("openssl"), "openssl is not installed")
    tmp = tmp_path_factory.mktemp("deploy")
    static_root, media_root = tmp / "static", tmp / "media"
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"REDIS_URL", "DATABASE_URL", "CACHE_KEY_PREFIX", "CACHE_DIR", "DEBUG", "LOG_FORMAT"}
            and not k.startswith("PYTEST")
        },
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "SITE_URL": f"https://127.0.0.1:{https_port}",
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "CACHE_DIR": str(tmp / "cache"),  # the file cache without REDIS_URL: this server's own
        "WEB_CONCURRENCY": "2",
        "MEDIA_X_ACCEL_REDIRECT": "1",  # nginx sends a brief's PDF and card when the app says so (#21)
        **services,
    }

    def manage(*args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("load_demo")
    (media_root / "experts").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (10, 20, 30)).save(media_root / "experts" / "portrait.jpg", format="JPEG")
    (media_root / "experts" / "planted.html").write_text("<script>alert(1)</script>")

    certificate, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = substitute(
        SITE_CONF.read_text(),
        {
            "    listen [::]:80;\n": "",
            "    listen [::]:443 ssl http2;\n": "",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "server_name dossier.example.org;": "server_name 127.0.0.1;",
            "/etc/letsencrypt/live/dossier.example.org/fullchain.pem": str(certificate),
            "/etc/letsencrypt/live/dossier.example.org/privkey.pem": str(key),
            "/var/www/letsencrypt": str(tmp),
            "/srv/dossier/static/": f"{static_root}/",
            "/srv/dossier/media/": f"{media_root}/",
            "server 127.0.0.1:8000": f"server 127.0.0.1:{app_port}",
        },
    )
    (tmp / "site.conf").write_text(site)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir()
    # Run as the current user with its own prefix, pid and logs (as root, workers would otherwise
    # become "nobody", who cannot read the test's private folders).
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""
    )
    nginx_log, gunicorn_log = tmp / "nginx-stderr.log", tmp / "gunicorn.log"
    check = subprocess.run(
        ["nginx", "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    with gunicorn_log.open("w") as gunicorn_out, nginx_log.open("w") as nginx_out:
        gunicorn = subprocess.Popen(
            [str(GUNICORN), "-c", str(GUNICORN_CONF), "config.wsgi"],
            cwd=ROOT, env=env, stdout=gunicorn_out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        nginx = subprocess.Popen(
            ["nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
            stdout=nginx_out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for_port(app_port, gunicorn, gunicorn_log)
        wait_for_port(https_port, nginx, nginx_log)
        yield Stack(
            tmp=tmp,
            https_port=https_port,
            http_port=http_port,
            app_port=app_port,
            certificate=certificate,
            gunicorn_log=gunicorn_log,
            manage=manage,
        )
    finally:
        stop(nginx)
        stop(gunicorn)


SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def test_a_public_page_arrives_through_nginx_compressed_with_security_headers(stack):
    status, headers, body = stack.request("/briefs/", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    html = gzip.decompress(body).decode()
    assert "<h1" in html
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, name
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "server" not in headers or "nginx/" not in headers["server"]  # no version advertised

    brief = re.search(r'href="(/briefs/\d{4}/\d{2}/\d{2}/[^"/]+/)"', html)[1]
    status, _, body = stack.request(brief)
    assert status == 200 and b"Latest Developments" in body


def test_static_files_come_from_nginx_gzipped_and_cached_for_a_year(stack):
    _, _, body = stack.request("/")
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body.decode())[1]
    status, headers, body = stack.request(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-type"] == "text/css"
    assert headers["content-encoding"] == "gzip"
    assert "max-age=31536000" in headers["cache-control"] and "immutable" in headers["cache-control"]
    assert headers["x-content-type-options"] == "nosniff"
    assert b"{" in gzip.decompress(body)
    # nginx answered it alone: gunicorn's request log never saw the path.
    assert stylesheet not in stack.gunicorn_log.read_text()


def test_plain_http_is_redirected_to_https(stack):
    status, headers, _ = stack.request("/briefs/?page=2", scheme="http")
    assert status == 301
    assert headers["location"] == "https://127.0.0.1/briefs/?page=2"


def test_a_clients_own_forwarded_proto_is_replaced_by_nginx(stack):
    # Over HTTPS a client claiming "http" would get a redirect loop if nginx passed it on.
    status, _, _ = stack.request("/briefs/", headers={"X-Forwarded-Proto": "http"})
    assert status == 200
    # gunicorn itself, reached without nginx's header, sends the browser to HTTPS: Django relies on it.
    status, headers, _ = stack.request("/briefs/", scheme="http", port=stack.app_port, headers={"Host": "127.0.0.1"})
    assert status == 301 and headers["location"] == "https://127.0.0.1/briefs/"


def test_admin_cookies_are_secure_through_nginx(stack):
    status, headers, _ = stack.request("/admin/login/")
    assert status == 200
    assert "secure" in headers["set-cookie"].lower() and "csrftoken=" in headers["set-cookie"]


def test_media_photos_are_images_and_nothing_else_is_served(stack):
    status, headers, body = stack.request("/media/experts/portrait.jpg")
    assert status == 200 and headers["content-type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
    assert headers["x-content-type-options"] == "nosniff"
    assert stack.request("/media/experts/planted.html")[0] == 404


def test_each_request_is_one_json_log_line_with_nginxs_request_id(stack):
    status, headers, _ = stack.request("/experts/")
    assert status == 200
    request_id = headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, passed through
    entries = [json.loads(line) for line in stack.log_lines() if line.startswith("{")]
    (entry,) = [e for e in entries if e.get("request_id") == request_id]
    assert entry["logger"] == "dossier.request" and entry["level"] == "INFO"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/experts/", 200)
    assert isinstance(entry["duration_ms"], float)
    assert "user_id" not in entry  # anonymous


def test_a_bad_host_header_is_one_warning_line_without_traceback(stack):
    before = len(stack.log_lines())
    for _ in range(5):
        status, _, _ = stack.request("/", headers={"Host": "evil.example"})
        assert status == 400
    time.sleep(0.3)
    new = stack.log_lines()[before:]
    warnings = [json.loads(line) for line in new if "Invalid HTTP_HOST" in line]
    assert len(warnings) == 5
    assert {(w["level"], w["logger"]) for w in warnings} == {("WARNING", "django.security.DisallowedHost")}
    assert not [w for w in warnings if "traceback" in w]
    # Each warning names its request, as the request's own log line does.
    request_lines = {json.loads(line)["request_id"] for line in new if '"dossier.request"' in line}
    assert {w["request_id"] for w in warnings} == request_lines
    assert "Traceback" not in "\n".join(new)
    # Besides the warning, each refused request is one request-log line: ten lines for five requests.
    assert len([line for line in new if line.startswith("{")]) == 10
    assert all(line.startswith("{") for line in new)


def test_a_live_briefs_pdf_has_its_text_in_print_style_and_only_the_app_hands_it_out(stack):
    """Under production settings (DEBUG off, collected static files with hashed names) the PDF is
    typeset with the print stylesheet: no skip link, navigation, search box or footer. Until the
    worker has made it the app answers 503; then nginx sends the file the app names, and only then."""
    _, _, body = stack.request("/briefs/")
    url = re.search(r'href="(/briefs/\d{4}/\d{2}/\d{2}/([^"/]+)/)"', body.decode())
    brief, slug = url[1], url[2]
    page = stack.request(brief)[2].decode()
    title = html.unescape(re.search(r"<h1>([^<]+)</h1>", page)[1])
    developments = html.unescape(re.search(r'id="developments">Latest Developments</h2>\s*<p>([^<]{20,})', page)[1])

    status, headers, body = stack.request(brief + "pdf/")
    assert status == 503 and headers["retry-after"].isdigit() and b"being made" in body  # no worker ran yet

    stack.manage("make_brief_files", "--brief", slug)  # what the worker does when the version goes live
    status, headers, body = stack.request(brief + "pdf/")
    assert status == 200 and headers["content-type"] == "application/pdf", (status, headers)
    assert f'filename="{slug}.pdf"' in headers["content-disposition"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "x-accel-redirect" not in headers
    reader = pypdf.PdfReader(io.BytesIO(body))
    words = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert reader.metadata.title == title
    assert title in words and "Latest Developments" in words and "Expert Analysis" in words
    assert " ".join(developments.split())[:60] in words
    for absent in ("Skip to content", "Search briefs", "All briefs", "RSS feed", "Cite this brief"):
        assert absent not in words, absent
    # gunicorn sent no file: nginx did, on the app's word (X-Accel-Redirect).
    (pdf_name,) = [p.relative_to(stack.tmp) for p in (stack.tmp / "media" / "briefs" / "pdf").rglob("*.pdf")]
    assert len(body) == (stack.tmp / pdf_name).stat().st_size

    status, headers, card = stack.request(brief + "card.png")
    assert status == 200 and headers["content-type"] == "image/png" and card[:8] == b"\x89PNG\r\n\x1a\n"

    # The files' own addresses are not served to anyone: only the app's views, which start from live().
    cards = (stack.tmp / "media" / "cards").rglob("*.png")
    (card_name,) = [p.relative_to(stack.tmp) for p in cards if p.parent.name != "site"]
    for name in (pdf_name, card_name):
        assert stack.request("/" + str(name))[0] == 404, name


@pytest.mark.parametrize("unit", ["dossier.service", "dossier-tasks.service"])
def test_systemd_units_pass_systemds_own_check(unit, tmp_path):
    """deploy/'s units as systemd reads them (the program paths pointed at a binary that exists here)."""
    require_tool(shutil.which("systemd-analyze"), "systemd-analyze (Debian's systemd) is not installed")
    text = (ROOT / "deploy" / "systemd" / unit).read_text()
    assert "/srv/dossier/app/.venv/bin/" in text and "EnvironmentFile=/etc/dossier/env" in text
    (tmp_path / unit).write_text(re.sub(r"/srv/dossier/app/\.venv/bin/\w+", "/bin/true", text))
    check = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True)
    assert check.returncode == 0 and not check.stderr.strip(), check.stderr
