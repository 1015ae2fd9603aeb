#!/usr/bin/env bash
# The primary over cleartext HTTP/2 and over HTTP/1.1 side by side: one Jetty 12 server serving
# both (h2c with prior knowledge, and HTTP/1.1), driven by h2load (16 connections, 4 streams each
# for h2c; 16 connections with --h1), without and with MirrorFilter mirroring 100 % to NGINX
# shadows (a fast one answering 204, one answering after 0.5 s; bench/nginx-mirror.conf), all in
# one run on this machine, so a copy's cost is compared across the two protocols. Each setup is reported as a pair: its throughput and mean latency as ratios to the
# no-mirror run of its own round, and the share of copies delivered in the measured window, with
# the primary JVM's CPU per request and per delivered copy (as bench/load.sh does for HTTP/1.1).
#
# Usage: bash bench/h2-load.sh [seconds per run, default 8] [rounds, default 2]
#   LOAD_ONLY="a b" runs only the setups with these labels.
# Installs what it needs (Debian packages nghttp2-client, nginx-extras), builds mirror-bench, and
# stops every process and removes every temporary file it made when it ends. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-8}"
ROUNDS="${2:-2}"
WARMUP=20
. bench/lib.sh

if ! command -v h2load >/dev/null || [ ! -e /usr/lib/nginx/modules/ngx_http_echo_module.so ]; then
  echo "Installing nghttp2-client and nginx-extras..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client nginx-extras >/dev/null
fi
service nginx stop >/dev/null 2>&1 || true

build_bench

copies_now() { curl -s "http://127.0.0.1:18191/" | cut -d' ' -f1-2 || echo "0 0"; }

echo "Starting NGINX (bench/nginx-mirror.conf): fast shadow 18082 (204), 0.5 s shadow 18083"
mkdir -p "$WORK/nginx"
nginx -c "$PWD/bench/nginx-mirror.conf" -p "$WORK/nginx/" 2>/dev/null
wait_port 18082; wait_port 18083

# label | protocol | what | mirror.* arguments (none: filter off); "a" and "A" are each
# protocol's baseline
SETUPS=(
  "a|h2c|off|"
  "b|h2c|fast shadow (NGINX 204)|mirror.host=http://127.0.0.1:18082"
  "c|h2c|0.5 s shadow (NGINX echo_sleep)|mirror.host=http://127.0.0.1:18083"
  "A|h1|HTTP/1.1, off|"
  "B|h1|HTTP/1.1, fast shadow (NGINX 204)|mirror.host=http://127.0.0.1:18082"
  "C|h1|HTTP/1.1, 0.5 s shadow (NGINX echo_sleep)|mirror.host=http://127.0.0.1:18083"
)
# LOAD_ONLY="a b" runs only the setups with these labels (a quick check of one path).
if [[ -n "${LOAD_ONLY:-}" ]]; then
  KEPT=()
  for setup in "${SETUPS[@]}"; do
    [[ " $LOAD_ONLY " == *" ${setup%%|*} "* ]] && KEPT+=("$setup")
  done
  SETUPS=("${KEPT[@]}")
fi
: > "$WORK/rows"
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  for setup in "${SETUPS[@]}"; do
    IFS='|' read -r label protocol what mirror <<< "$setup"
    # shellcheck disable=SC2206
    args=($mirror)
    H2LOAD=(h2load -c 16 -m 4 -t 1)
    [ "$protocol" = h1 ] && H2LOAD=(h2load --h1 -c 16 -m 1 -t 1)
    java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.BenchPrimary 18190 h2c "${args[@]}" > "$WORK/primary-$label.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    wait_port 18190
    "${H2LOAD[@]}" -D "$WARMUP" http://127.0.0.1:18190/x > /dev/null 2>&1 || true   # warm-up (JIT)
    cpu0=$(cpu_ticks "$pid"); c0="0 0"; [ -n "$mirror" ] && c0=$(copies_now)
    "${H2LOAD[@]}" -D "$DURATION" http://127.0.0.1:18190/x > "$WORK/h2load.txt" 2>&1
    sleep 1   # copies still in flight at the window's end get their answers
    cpu1=$(cpu_ticks "$pid"); c1="0 0"; [ -n "$mirror" ] && c1=$(copies_now)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rps=$(grep -oP 'finished in [\d.]+s, \K[\d.]+(?= req/s)' "$WORK/h2load.txt")
    done_n=$(grep -oP 'requests: \d+ total, \d+ started, \K\d+(?= done)' "$WORK/h2load.txt")
    failed=$(grep -oP '\d+ succeeded, \K\d+(?= failed)' "$WORK/h2load.txt")
    mean=$(grep -P '^time for request:' "$WORK/h2load.txt" | awk '{print $6}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$label" "$what" "$rps" "$done_n" \
      "$failed" "$mean" "$cpu0 $cpu1" "$c0 $c1" >> "$WORK/rows"
    echo "  ($label) $what: $rps req/s, $done_n requests, $failed failed, mean $mean"
    # The engine's counts since start (warm-up included), with the reasons copies were dropped.
    grep -h '^copies:' "$WORK/primary-$label.log" | sed 's/^/      /' || true
  done
done

python3 - "$WORK/rows" "$DURATION" "$ROUNDS" "$WARMUP" "$(getconf CLK_TCK)" <<'PY'
import re, statistics, sys
sys.path.insert(0, "bench")
import figures
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
duration, rounds, warm, tck = sys.argv[2:6]
def micros(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    n, unit = float(m.group(1)), m.group(2)
    return n if unit == "us" else n * 1000 if unit == "ms" else n * 1e6
base, by, order = {}, {}, []
for rnd, label, what, rps, done, failed, mean, cpu, copies in rows:
    cpu0, cpu1 = (int(x) for x in cpu.split())
    s0, t0, s1, t1 = (int(x) for x in copies.split())
    r = dict(rps=float(rps), done=int(done), failed=int(failed), mean=micros(mean),
             cpu=(cpu1 - cpu0) * 1e6 / int(tck), sub=s1 - s0, sent=t1 - t0)
    if label in ("a", "A"):
        base[(rnd, label)] = r
    key = f"({label}) {what}"
    if key not in by:
        order.append(key)
        by[key] = []
    b = base[(rnd, "a" if label.islower() else "A")]
    cpu_req, b_cpu_req = r["cpu"] / r["done"], b["cpu"] / b["done"]
    share = r["sent"] / r["sub"] if r["sub"] else None
    per_copy = figures.per_copy(cpu_req, b_cpu_req, r["done"], r["sub"], r["sent"])
    by[key].append(dict(ratio=r["rps"] / b["rps"], lat=r["mean"] / b["mean"], rps=r["rps"],
                        failed=r["failed"], share=share, cpu_req=cpu_req, per_copy=per_copy))
print(f"h2load -c 16 -m 4 -t 1 -D {duration} (h2c, prior knowledge; HTTP/1.1 rows: --h1 -m 1)"
      f" after a {warm} s warm-up, {rounds} rounds; each ratio against its own protocol's"
      " baseline of its round; mean [min, max] over rounds")
print()
print("| setup | req/s | vs off | mean latency vs off | failed | copies delivered |"
      " primary CPU per request | per delivered copy |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
span = figures.spread
for key in order:
    rs = by[key]
    shares = [r["share"] for r in rs if r["share"] is not None]
    copies = [r["per_copy"] for r in rs if r["per_copy"] is not None]
    print("| " + " | ".join([key, f"{statistics.mean(r['rps'] for r in rs):,.0f}",
        span([r["ratio"] for r in rs], "{:.3f}"), span([r["lat"] for r in rs], "{:.2f}x"),
        str(sum(r["failed"] for r in rs)),
        f"{100 * statistics.mean(shares):.1f} %" if shares else "—",
        f"{statistics.mean(r['cpu_req'] for r in rs):.1f} µs",
        f"{statistics.mean(copies):.1f} µs" if copies else "—"]) + " |")
PY
