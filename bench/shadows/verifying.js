// A Node http shadow for bench/sender-load.sh that counts what it receives by the copy's
// X-Mirror-Request-Id: copies, distinct ones and duplicates, answered as text on GET /__stats.
// Usage: node verifying.js PORT [--slow-every N --slow-ms MS] [--body-bytes N] [--close-after N]
//   --slow-every N: one answer in N comes after --slow-ms (without holding anything)
//   --body-bytes N: every answer carries N bytes of body
//   --close-after N: a connection is closed (Connection: close) after N answers, as
//     keep-alive servers with a request cap do
'use strict';
const http = require('http');

const args = process.argv.slice(2);
const port = Number(args[0]);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const slowEvery = opt('--slow-every', 0);
const slowMs = opt('--slow-ms', 0);
const body = Buffer.alloc(opt('--body-bytes', 0), 'x');
const closeAfter = opt('--close-after', 0);

const seen = new Set();
let received = 0;
let duplicates = 0;
let slow = 0;

const server = http.createServer((req, res) => {
  if (req.url === '/__stats') {
    res.end(`received ${received} distinct ${seen.size} duplicates ${duplicates} slow ${slow}\n`);
    return;
  }
  received++;
  const id = req.headers['x-mirror-request-id'];
  if (id !== undefined) {
    if (seen.has(id)) {
      duplicates++;
    } else {
      seen.add(id);
    }
  }
  const socket = req.socket;
  socket.answers = (socket.answers || 0) + 1;
  const close = closeAfter > 0 && socket.answers >= closeAfter;
  const late = slowEvery > 0 && received % slowEvery === 0;
  req.resume();
  req.on('end', () => {
    const answer = () => {
      const headers = { 'Content-Length': body.length };
      if (close) {
        headers.Connection = 'close';
      }
      res.writeHead(200, headers);
      res.end(body);
    };
    if (late) {
      slow++;
      setTimeout(answer, slowMs);
    } else {
      answer();
    }
  });
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => console.log(`verifying shadow on ${port}`));
