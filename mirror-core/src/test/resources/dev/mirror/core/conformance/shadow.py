# A Python http.server shadow for SenderConformanceTest, following ShadowServer.Rules, speaking
# HTTP/1.0: one request per connection, the answer's body ended by closing the connection.
# Arguments: slow millis, big bytes. Prints "PORT n" once listening and "RECV <X-Copy>" for each
# request it reads, before answering. Exits when its standard input closes.
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW = int(sys.argv[1]) / 1000.0
BIG = b'x' * int(sys.argv[2])
OUT = threading.Lock()


class Shadow(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'

    def answer(self):
        copy = self.headers.get('X-Copy', '')
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            self.rfile.read(length)
        with OUT:
            sys.stdout.write('RECV %s\n' % copy)
            sys.stdout.flush()
        path = self.path.split('?')[0]
        if path == '/slow':
            time.sleep(SLOW)
        self.send_response(200)
        self.send_header('X-Copy', copy)
        self.end_headers()
        self.wfile.write(BIG if path == '/big' else b'ok\n')

    do_GET = do_POST = do_PUT = answer

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


server = Server(('127.0.0.1', 0), Shadow)
threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
with OUT:
    sys.stdout.write('PORT %d\n' % server.server_address[1])
    sys.stdout.flush()
server.serve_forever()
