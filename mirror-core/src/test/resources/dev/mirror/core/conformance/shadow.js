// A Node http.createServer shadow for SenderConformanceTest, following ShadowServer.Rules.
// Arguments: slow millis, big bytes, close every N, keepAliveTimeout millis.
// Prints "IDLE ms" (how long a connection stays idle before this server closes it), then "PORT n"
// once listening, then "RECV <X-Copy>" for each request it reads, before answering.
// Exits when its standard input closes, so it never outlives the JVM that started it.
'use strict';
const http = require('http');

const [slowMillis, bigBytes, closeEvery, keepAliveMillis] = process.argv.slice(2).map(Number);
const OK = Buffer.from('ok\n');
const BIG = Buffer.alloc(bigBytes, 'x');
let closing = 0;

const server = http.createServer((req, res) => {
  // A server that answered Connection: close processes nothing more on that connection.
  if (req.socket.closing) {
    req.resume();
    return;
  }
  const id = req.headers['x-copy'] || '';
  process.stdout.write('RECV ' + id + '\n');
  const path = req.url.split('?')[0];
  const close = path === '/close-every-5' && ++closing % closeEvery === 0;
  if (close) {
    req.socket.closing = true;
  }
  req.resume();
  req.on('end', () => {
    const answer = () => {
      const body = path === '/big' ? BIG : OK;
      const headers = { 'Content-Length': body.length, 'X-Copy': id };
      if (close) {
        headers.Connection = 'close';
      }
      res.writeHead(200, headers);
      res.end(body);
    };
    if (path === '/slow') {
      setTimeout(answer, slowMillis);
    } else {
      answer();
    }
  });
});
server.keepAliveTimeout = keepAliveMillis;
// Node closes an idle connection keepAliveTimeoutBuffer after keepAliveTimeout: a fixed 1000 ms
// before Node 24 made it configurable (then set to 0 here).
let idleMillis = keepAliveMillis + 1000;
if ('keepAliveTimeoutBuffer' in server) {
  server.keepAliveTimeoutBuffer = 0;
  idleMillis = keepAliveMillis;
}
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('IDLE ' + idleMillis + '\nPORT ' + server.address().port + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
