#!/usr/bin/env bash
# The sender against shadows we did not write, as a user runs it: the filter at 100 % on Jetty
# (no JVM flag), paced load from 8 connections (hey -q), one primary JVM per setup. Shadows: Node's
# http server (keep-alive, closes after 100 answers), the same behind NGINX and behind HAProxy,
# Node with a slow tail (1 answer in 200 takes 2.5 s, over the 2 s read timeout), Python's
# http.server (HTTP/1.0, one request per connection; also with the Jetty client as the sender, to
# tell the shadow's capacity from the sender's), Node answering 256 KiB. Every shadow counts
# what it receives by the copy's X-Mirror-Request-Id, so each row says how many copies reached it,
# how many twice, and what the engine counted (answered, failed, dropped, with reasons).
#
# Usage: bash bench/sender-load.sh [seconds per run, default 10] [requests/s per connection,
#   default 250] [rounds, default 1]
# Installs what it needs (Debian packages hey, nginx-extras, haproxy; node and python3 are on the
# machine), stops everything it started when it ends. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
RATE="${2:-250}"
ROUNDS="${3:-1}"
CONNECTIONS=8
WARMUP=10
. bench/lib.sh

need_install=0
for tool in hey nginx haproxy node python3; do command -v "$tool" >/dev/null || need_install=1; done
if [ "$need_install" = 1 ]; then
  echo "Installing hey, nginx-extras, haproxy..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey nginx-extras haproxy nodejs >/dev/null
fi
service nginx stop >/dev/null 2>&1 || true
service haproxy stop >/dev/null 2>&1 || true

build_bench

echo "Starting the shadows"
node bench/shadows/verifying.js 18201 --close-after 100 > "$WORK/node.log" 2>&1 &
PIDS+=($!)
node bench/shadows/verifying.js 18204 --slow-every 200 --slow-ms 2500 > "$WORK/node-slow.log" 2>&1 &
PIDS+=($!)
node bench/shadows/verifying.js 18206 --body-bytes 262144 > "$WORK/node-big.log" 2>&1 &
PIDS+=($!)
python3 bench/shadows/http10.py 18205 > "$WORK/python.log" 2>&1 &
PIDS+=($!)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream node { server 127.0.0.1:18201; keepalive 64; }
  server {
    listen 127.0.0.1:18202;
    location / { proxy_pass http://node; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/"
cat > "$WORK/haproxy.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend in
  bind 127.0.0.1:18203
  default_backend node
backend node
  server node 127.0.0.1:18201
CONF
haproxy -f "$WORK/haproxy.cfg" -D -p "$WORK/haproxy.pid"
for port in 18201 18202 18203 18204 18205 18206; do wait_port "$port"; done

shadow_stats() { # url -> "received distinct duplicates slow"
  curl -s "$1" | awk '{ print $2, $4, $6, $8 }'
}
# label | what | shape | mirror.* arguments (none: filter off) | the shadow's stats URL
SETUPS=(
  "a|off|get||"
  "A|off, 1 KiB POST|post||"
  "n|Node, keep-alive, closes after 100 answers|get|mirror.host=http://127.0.0.1:18201|http://127.0.0.1:18201/__stats"
  "N|Node, closes after 100 answers, 1 KiB POST|post|mirror.host=http://127.0.0.1:18201|http://127.0.0.1:18201/__stats"
  "x|NGINX in front of Node|get|mirror.host=http://127.0.0.1:18202|http://127.0.0.1:18201/__stats"
  "y|HAProxy in front of Node|get|mirror.host=http://127.0.0.1:18203|http://127.0.0.1:18201/__stats"
  "s|Node, 1 answer in 200 takes 2.5 s (read timeout 2 s)|get|mirror.host=http://127.0.0.1:18204|http://127.0.0.1:18204/__stats"
  "S|slow tail, 1 KiB POST|post|mirror.host=http://127.0.0.1:18204|http://127.0.0.1:18204/__stats"
  "j|slow tail, mirror.transport=jetty|get|mirror.host=http://127.0.0.1:18204 mirror.transport=jetty|http://127.0.0.1:18204/__stats"
  "p|Python http.server (HTTP/1.0, one request per connection)|get|mirror.host=http://127.0.0.1:18205|http://127.0.0.1:18205/__stats"
  "P|Python HTTP/1.0, 1 KiB POST|post|mirror.host=http://127.0.0.1:18205|http://127.0.0.1:18205/__stats"
  "q|Python HTTP/1.0, mirror.transport=jetty|get|mirror.host=http://127.0.0.1:18205 mirror.transport=jetty|http://127.0.0.1:18205/__stats"
  "b|Node answering 256 KiB|get|mirror.host=http://127.0.0.1:18206|http://127.0.0.1:18206/__stats"
)
if [[ -n "${LOAD_ONLY:-}" ]]; then
  KEPT=()
  for setup in "${SETUPS[@]}"; do
    [[ " $LOAD_ONLY " == *" ${setup%%|*} "* ]] && KEPT+=("$setup")
  done
  SETUPS=("${KEPT[@]}")
fi

head -c 1024 /dev/zero | tr '\0' x > "$WORK/body"
: > "$WORK/rows"
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  for setup in "${SETUPS[@]}"; do
    IFS='|' read -r label what shape mirror stats <<< "$setup"
    # shellcheck disable=SC2206
    args=($mirror)
    s0="0 0 0 0"; [ -n "$stats" ] && s0=$(shadow_stats "$stats")
    java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.BenchPrimary 18190 "${args[@]}" > "$WORK/primary-$label.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    wait_port 18190
    load=(-c "$CONNECTIONS" -q "$RATE")
    [ "$shape" = post ] && load+=(-m POST -D "$WORK/body" -T application/octet-stream)
    echo "($label) $what"
    hey -z "${WARMUP}s" "${load[@]}" http://127.0.0.1:18190/x > /dev/null 2>&1 || true
    c0="0 0 0 0"; [ -n "$mirror" ] && c0=$(copies_now)
    cpu0=$(cpu_ticks "$pid")
    hey -z "${DURATION}s" "${load[@]}" http://127.0.0.1:18190/x > "$WORK/hey.txt" 2>&1
    cpu1=$(cpu_ticks "$pid")
    c1="0 0 0 0"; [ -n "$mirror" ] && c1=$(copies_now)
    # Copies still out (a slow answer: 2.5 s) end before the primary stops and counts.
    [ -n "$mirror" ] && for _ in $(seq 1 60); do
      [ "$(curl -s http://127.0.0.1:18191/ | cut -d' ' -f5)" = 0 ] && break; sleep 0.1; done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    s1="0 0 0 0"; [ -n "$stats" ] && s1=$(shadow_stats "$stats")
    engine=$(grep -h '^copies:' "$WORK/primary-$label.log" || echo "copies: none")
    python3 - "$round" "$label" "$what" "$shape" "$WORK/hey.txt" "$cpu0" "$cpu1" \
      "$(getconf CLK_TCK)" "$c0" "$c1" "$s0" "$s1" "$engine" >> "$WORK/rows" <<'PY'
import json, re, sys
rnd, label, what, shape, path, cpu0, cpu1, tck, c0, c1, s0, s1, engine = sys.argv[1:14]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p99 = re.search(r"99% in ([\d.]+) secs", text)
total = sum(int(n) for n in re.findall(r"\[\d{3}\]\s+(\d+) responses", text))
c0, c1 = [int(x) for x in c0.split()], [int(x) for x in c1.split()]
s0, s1 = [int(x) for x in s0.split()], [int(x) for x in s1.split()]
print(json.dumps(dict(round=rnd, label=label, what=what, shape=shape, rps=rps,
    p99=float(p99.group(1)) * 1000 if p99 else None, total=total,
    cpu_us=(int(cpu1) - int(cpu0)) * 1e6 / int(tck),
    window=[c1[i] - c0[i] for i in range(4)],
    shadow=[s1[i] - s0[i] for i in range(4)], engine=engine)))
PY
    echo "  $(tail -1 "$WORK/rows")"
  done
done
kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true

python3 - "$WORK/rows" "$DURATION" "$RATE" "$CONNECTIONS" "$WARMUP" > "$WORK/table.md" <<'PY'
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
duration, rate, conns, warm = sys.argv[2:6]
base = {}
for r in rows:
    if r["label"] in ("a", "A"):
        base[(r["round"], r["shape"])] = r
out = [f"hey -z {duration}s -c {conns} -q {rate} (paced: {int(conns) * int(rate)} req/s offered)"
       f" after a {warm} s warm-up, one primary JVM per setup, the filter at 100 %, no JVM flag."
       " Over the primary's whole life (warm-up included): copies the engine took (submitted),"
       " answered (sent), failed and dropped, with the reasons; copies that reached the shadow"
       " (counted by X-Mirror-Request-Id) and how many of them twice. Delivered = reached /"
       " submitted. CPU per delivered copy = (the primary's CPU per request - the baseline's)"
       " x requests / copies answered in the measured window.\n",
       "| setup | req/s vs off | p99 (ms) | submitted | reached the shadow | delivered | twice | engine: failed, dropped | CPU per delivered copy (µs) |",
       "|---|---:|---:|---:|---:|---:|---:|---|---:|"]
for r in rows:
    if r["label"] in ("a", "A"):
        out.append(f"| {r['what']} | 1.000 | {r['p99']:.2f} | | | | | | |")
        continue
    b = base.get((r["round"], r["shape"]))
    m = re.search(r"submitted=(\d+) sent=(\d+) failed=(\d+) dropped=(\d+) (\{.*?\}) (\{.*?\})", r["engine"])
    submitted, sent, failed, dropped = (int(m.group(i)) for i in range(1, 5))
    reasons = ", ".join(f"{k} {v}" for k, v in re.findall(r"(\w+)=(\d+)", m.group(6) + m.group(5)) if v != "0")
    reached, distinct, twice = r["shadow"][0], r["shadow"][1], r["shadow"][2]
    per_copy = ""
    if b and r["window"][1] > 0 and r["total"] and b["total"]:
        extra = r["cpu_us"] / r["total"] - b["cpu_us"] / b["total"]
        per_copy = f"{extra * r['total'] / r['window'][1]:.1f}"
    ratio = f"{r['rps'] / b['rps']:.3f}" if b else "—"
    out.append(f"| {r['what']} | {ratio} | {r['p99']:.2f} | {submitted:,} |"
               f" {distinct:,} | {distinct / submitted:.1%} | {twice} |"
               f" {failed:,}, {dropped:,}{' (' + reasons + ')' if reasons else ''} | {per_copy} |")
print("\n".join(out))
PY
echo
cat "$WORK/table.md"
{
  echo "## Sender against shadows we did not write: $(date -u +%Y-%m-%d), \`bash bench/sender-load.sh $DURATION $RATE $ROUNDS\`"
  echo
  cat "$WORK/table.md"
} > bench/sender-load-latest.md
echo
echo "Written to bench/sender-load-latest.md (copy it into bench/RESULTS.md to keep it)."
