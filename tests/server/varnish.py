"""Debian's varnishd with deploy/varnish/default.vcl, in front of a test's gunicorn (issue #14).

It runs in the foreground (``-F``) as the current user (``-j none``), with its own working
directory, on a free port of 127.0.0.1; only this process (and the child it starts) is stopped.
"""

import glob
import re
import shutil
import signal
import subprocess

from tests.server.harness import ROOT, free_port, request, wait_for

VCL = ROOT / "deploy" / "varnish" / "default.vcl"


def available():
    return shutil.which("varnishd") and glob.glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so")


class Varnish:
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
        with open(self.tmp / "varnishd.out", "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        wait_for(self._answers, 60, f"varnishd on port {self.port}")
        return self

    def _answers(self):
        if self.process.poll() is not None:
            raise AssertionError(f"varnishd exited: {self.log()}")
        try:
            return request(self.port, "/robots.txt", timeout=2).status == 200
        except OSError:
            return False

    def get(self, path, **kwargs):
        return request(self.port, path, **kwargs)

    def log(self):
        out = self.tmp / "varnishd.out"
        return out.read_text() if out.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def is_hit(response):
    """Varnish names two transactions in ``X-Varnish`` when it served a stored object."""
    return len(response.header("X-Varnish").split()) == 2
