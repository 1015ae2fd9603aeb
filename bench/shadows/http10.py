"""An HTTP/1.0 shadow for bench/sender-load.sh, Python's http.server as is: one request per
connection, the answer ends when the connection closes. Counts what it receives by the copy's
X-Mirror-Request-Id (copies, distinct ones, duplicates), answered as text on GET /__stats.

Usage: python3 http10.py PORT
"""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
seen = set()
counts = {"received": 0, "duplicates": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def answer(self):
        if self.path == "/__stats":
            with lock:
                text = "received %d distinct %d duplicates %d slow 0\n" % (
                    counts["received"], len(seen), counts["duplicates"])
            self.send_response(200)
            self.end_headers()
            self.wfile.write(text.encode())
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        copy = self.headers.get("X-Mirror-Request-Id")
        with lock:
            counts["received"] += 1
            if copy is not None:
                if copy in seen:
                    counts["duplicates"] += 1
                seen.add(copy)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok\n")

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


if __name__ == "__main__":
    Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
