"""Debian's varnishd with deploy/varnish/default.vcl, in front of a test's gunicorn (issue #14).

It runs in the foreground (``-F``) as the current user (``-j none``), with its own working
directory, on a free port of 127.0.0.1; only this process (and the child it starts) is stopped.
"""

import glob
import re
import shutil

from tests.server.harness import ROOT, HttpProcess, free_port

VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def available():
    return shutil.which("varnishd") and glob.glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so")


class Varnish(HttpProcess):
    name = "varnishd"

    def __init__(self, tmp, backend_port, port=None):
        self.tmp = tmp / "varnish"
        self.backend_port = backend_port
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def start(self):
        self.tmp.mkdir(parents=True, exist_ok=True)
        vcl = self.tmp / "default.vcl"
        text, found = re.subn(r'\.port = "\d+";', f'.port = "{self.backend_port}";', VCL.read_text())
        assert found == 1, "deploy/varnish/default.vcl: no backend port to point at the test's gunicorn"
        vcl.write_text(text)
        command = [
            "varnishd", "-F", "-j", "none", "-n", str(self.tmp / "work"), "-a", f"127.0.0.1:{self.port}",
            "-T", "none", "-f", str(vcl), "-s", "malloc,64m",
        ]  # fmt: skip
        return self._spawn(command, self.tmp / "varnishd.out", 60)

    def log(self):
        out = self.tmp / "varnishd.out"
        return out.read_text() if out.exists() else ""


def is_hit(response):
    """Varnish names two transactions in ``X-Varnish`` when it served a stored object."""
    return len(response.header("X-Varnish").split()) == 2
