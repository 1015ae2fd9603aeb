#!/usr/bin/env bash
# Like-for-like HTTP/1.1 senders (issue 27): mirror's own (nio), Netty with HttpClientCodec and
# HttpClient 5's minimal client, against one NGINX shadow that answers 204, each configuration in a
# fresh JVM (no JVM flag but the class path), alternating: the same 16 connections, pipelining on
# (64 requests out) and off (one request out per connection), for a bodiless GET, a 1 KiB POST and
# the GET over TLS (a self-signed certificate made here, trusted by every candidate). Each run
# reports req/s and the sender JVM's CPU per request (dev.mirror.bench.SenderComparison, which
# also says what each candidate does); the table gives the mean of the runs [lowest, highest], and
# each configuration's req/s and CPU as ratios to nio without pipelining, same shape, same runs.
#
# Usage: bash bench/sender-compare.sh [runs, default 5] [seconds measured, default 10]
#   [warm-up seconds, default 20]
# Each run goes through the shapes in turn and, within a shape, through the six configurations,
# starting one further along each run so that none always comes first. Needs nginx and openssl
# (bench/load.sh installs nginx); builds mirror-bench, stops what it started and removes its
# temporary files when it ends (bench/lib.sh). Writes the table to bench/sender-compare-latest.md.
# Not part of CI; run it on a quiet machine: 5 runs x 3 shapes x 6 configurations x (warm-up +
# measured + start-up) is about 45 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
DURATION="${2:-10}"
WARMUP="${3:-20}"
CONNECTIONS=16
IN_FLIGHT=64
HTTP_PORT=18220
HTTPS_PORT=18221
# SHAPES="get tls" CONFIGS="nio:off nio:on netty:on" bash bench/sender-compare.sh: a subset.
read -r -a SHAPES <<< "${SHAPES:-get post1k tls}"
read -r -a CONFIGS <<< "${CONFIGS:-nio:off nio:on netty:off netty:on apache:off apache:on}"
. bench/lib.sh

for tool in nginx openssl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (Debian: nginx-extras, openssl)" >&2; exit 1; }
done

build_bench

echo "Starting NGINX: 204 on http://127.0.0.1:$HTTP_PORT and https://127.0.0.1:$HTTPS_PORT"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
  -keyout "$WORK/shadow.key" -out "$WORK/shadow.pem" 2>/dev/null
mkdir -p "$WORK/nginx"
# Connections are never closed by the shadow during a run (keepalive_requests, keepalive_timeout):
# Netty's and HttpClient's fixed connections are never replaced, and no pipelined request is lost.
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 600s;
  server { listen 127.0.0.1:$HTTP_PORT; location / { return 204; } }
  server {
    listen 127.0.0.1:$HTTPS_PORT ssl;
    ssl_certificate $WORK/shadow.pem;
    ssl_certificate_key $WORK/shadow.key;
    location / { return 204; }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx/"
wait_port "$HTTP_PORT"
wait_port "$HTTPS_PORT"

: > "$WORK/rows"
for run in $(seq 1 "$RUNS"); do
  echo "Run $run of $RUNS"
  for shape in "${SHAPES[@]}"; do
    for k in "${!CONFIGS[@]}"; do
      config=${CONFIGS[$(( (k + run - 1) % ${#CONFIGS[@]} ))]}
      if ! java -cp "$CP" dev.mirror.bench.SenderComparison "candidate=${config%:*}" \
          "pipelining=${config#*:}" "shape=$shape" "connections=$CONNECTIONS" \
          "in-flight=$IN_FLIGHT" "warm-up=$WARMUP" "seconds=$DURATION" \
          "http=http://127.0.0.1:$HTTP_PORT" "https=https://127.0.0.1:$HTTPS_PORT" \
          "trust=$WORK/shadow.pem" > "$WORK/run.log" 2>&1; then
        cat "$WORK/run.log" >&2
        exit 1
      fi
      line=$(grep '^result ' "$WORK/run.log")
      echo "  $line"
      echo "run=$run ${line#result }" >> "$WORK/rows"
    done
  done
done

python3 - "$WORK/rows" "$RUNS" "$DURATION" "$WARMUP" "$CONNECTIONS" "$IN_FLIGHT" \
  "${SHAPES[*]}" "${CONFIGS[*]}" > "$WORK/table.md" <<'PY'
import sys, statistics
sys.path.insert(0, "bench")
import figures
path, runs, duration, warm, conns, in_flight, shapes, configs = sys.argv[1:9]
rows = [dict(kv.split("=", 1) for kv in l.split()) for l in open(path) if l.strip()]
def runs_of(candidate, pipelining, shape):
    return {r["run"]: r for r in rows if (r["candidate"], r["pipelining"], r["shape"])
            == (candidate, pipelining, shape)}
out = [f"{runs} runs, each configuration in a fresh JVM (no JVM flag), alternating; {warm} s"
       f" warm-up, then {duration} s measured. {conns} connections; pipelining on: {in_flight}"
       " requests out, off: one per connection. NGINX (1 worker) answers 204 and keeps every"
       " connection. CPU = the sender JVM's process CPU time per answered request. Ratios: to"
       " nio with pipelining off, same shape, run by run. Open connections: to the shadow, at the"
       " end of the window (lowest–highest over the runs). Mean of the runs [lowest, highest]."
       " Not alike: nio pipelines idempotent requests only (never the POST: with pipelining on,"
       " its POSTs wait for one of its connections as without); HttpClient's requests carry"
       " Connection and User-Agent fields the others' do not (about 70 bytes).\n",
       "| shape | candidate | pipelining | req/s | CPU per request (µs) | req/s vs nio off |"
       " CPU vs nio off | open connections | failed |",
       "|---|---|---|---:|---:|---:|---:|---:|---:|"]
for shape in shapes.split():
    base = runs_of("nio", "off", shape)
    for config in configs.split():
        candidate, pipelining = config.split(":")
        mine = runs_of(candidate, pipelining, shape)
        if not mine:
            continue
        rps = [float(r["req/s"]) for r in mine.values()]
        cpu = [float(r["cpu-us-per-request"]) for r in mine.values()]
        rps_ratio = [float(r["req/s"]) / float(base[n]["req/s"]) for n, r in mine.items() if n in base]
        cpu_ratio = [float(r["cpu-us-per-request"]) / float(base[n]["cpu-us-per-request"])
                     for n, r in mine.items() if n in base]
        conn = [int(r["open-connections"]) for r in mine.values()]
        failed = sum(int(r["failed"]) for r in mine.values())
        out.append(f"| {shape} | {candidate} | {pipelining} | {figures.spread(rps, '{:,.0f}')} |"
                   f" {figures.spread(cpu, '{:.1f}')} | {figures.spread(rps_ratio, '{:.2f}')} |"
                   f" {figures.spread(cpu_ratio, '{:.2f}')} |"
                   f" {min(conn)}{'' if min(conn) == max(conn) else f'–{max(conn)}'} | {failed} |")
print("\n".join(out))
PY
echo
cat "$WORK/table.md"
{
  echo "## Senders like for like: $(date -u +%Y-%m-%d), command \`bash bench/sender-compare.sh $RUNS $DURATION $WARMUP\`"
  echo
  cat "$WORK/table.md"
} > bench/sender-compare-latest.md
echo
echo "Written to bench/sender-compare-latest.md (copy it into bench/RESULTS.md to keep it)."
