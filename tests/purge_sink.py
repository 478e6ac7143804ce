"""A real HTTP server on 127.0.0.1 that records the purges it receives (as Varnish would take them).
No Django imports: the real-server tests use it from the test process."""

import http.server
import threading
import time


class PurgeSink:
    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                received.append((self.command, self.path, self.headers.get("xkey-purge")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tags(self):
        """The tags of each purge received, in order."""
        return [set(value.split(" ")) for _method, _path, value in self.received]

    def wait_for(self, count, timeout):
        """Wait until ``count`` purges have arrived (at most ``timeout`` seconds); whether they did."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(self.received) >= count

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
