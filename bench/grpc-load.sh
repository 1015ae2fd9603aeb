#!/usr/bin/env bash
# Side-by-side load test of gRPC mirroring: a grpc-java Netty primary (SimpleService's unary
# echo) without and with MirrorServerInterceptor, mirroring 100 % to a fast gRPC shadow, one that
# answers in 0.5 s (each with the default sender and with mirror.grpc.sender=grpc-java, the
# former grpc-java channel), a black hole, a refused port and a shadow resetting every
# connection, all in one run on this machine. The fast and 0.5 s shadows are RawGrpcShadow (in
# their own JVM): HTTP/2 frames read without decoding a header and one pre-encoded answer per
# call, so that on 2 cores the throughput ratio measures mirror and not the shadow (a grpc-java
# shadow costs about what a call costs the primary; NGINX cannot stand in: answering with
# `return` before a call's DATA arrives makes grpc-java reset the stream and NGINX take the
# resets for a flood). One setup mirrors to a grpc-java shadow, for what a real server costs the
# same machine. Each setup is reported as a pair: its
# throughput and p99 as ratios to the no-mirror baseline of its own round, and the share of copies
# delivered in the measured window, with the primary JVM's CPU per call and per delivered copy,
# and the CPU of mirror's own threads (mirror-*) per delivered copy.
#
# Usage: bash bench/grpc-load.sh [seconds per run, default 8] [rounds, default 2]
# The driver (GrpcBench drive) keeps 16 unary calls of a 1 KiB message in flight on one channel,
# in its own JVM. Builds mirror-bench; stops every process and removes every temporary file it
# made when it ends. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-8}"
ROUNDS="${2:-2}"
IN_FLIGHT=16
WARMUP=20
. bench/lib.sh

build_bench


echo "Starting the shadows (own JVM): raw fast 18282, raw 0.5 s 18283, black hole 18284, resetting 18285"
java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.GrpcBench rawshadow 18282 18283 18284 18285 > "$WORK/shadows.log" 2>&1 &
PIDS+=($!)
echo "Starting grpc-java shadows (own JVM): fast 18287, 0.5 s 18288"
java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.GrpcBench shadow 18287 18288 > "$WORK/grpc-shadows.log" 2>&1 &
PIDS+=($!)
wait_port 18282; wait_port 18283; wait_port 18284; wait_port 18285; wait_port 18287
REFUSED=18286   # nothing listens there

mirror_ticks() { # the primary's threads named mirror-*
  local sum=0 t
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in mirror-*) sum=$((sum + $(awk '{ print $14 + $15 }' "$t/stat"))) ;; esac
  done
  echo "$sum"
}
copies_now() { curl -s "http://127.0.0.1:18291/" | cut -d' ' -f1-4 || echo "0 0 0 0"; }

SETUPS=(
  "a|off|"
  "b|fast shadow|mirror.host=grpc://127.0.0.1:18282"
  "B|fast shadow, mirror.grpc.sender=grpc-java|mirror.host=grpc://127.0.0.1:18282 mirror.grpc.sender=grpc-java"
  "g|fast grpc-java shadow|mirror.host=grpc://127.0.0.1:18287"
  "c|0.5 s shadow|mirror.host=grpc://127.0.0.1:18283"
  "C|0.5 s shadow, mirror.grpc.sender=grpc-java|mirror.host=grpc://127.0.0.1:18283 mirror.grpc.sender=grpc-java"
  "d|black-holed shadow|mirror.host=grpc://127.0.0.1:18284"
  "e|refused port|mirror.host=grpc://127.0.0.1:$REFUSED"
  "f|shadow resetting every connection|mirror.host=grpc://127.0.0.1:18285"
)
# LOAD_ONLY="a c" runs only the setups with these labels (a quick check of one path).
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
    IFS='|' read -r label what mirror <<< "$setup"
    # shellcheck disable=SC2206
    args=($mirror)
    java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.GrpcBench primary 18290 "${args[@]}" > "$WORK/primary-$label.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    wait_port 18290
    java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.GrpcBench drive 18290 "$WARMUP" 0 "$IN_FLIGHT" >/dev/null
    cpu0=$(cpu_ticks "$pid"); m0=$(mirror_ticks "$pid"); c0="0 0 0 0"; [ -n "$mirror" ] && c0=$(copies_now)
    line=$(java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.GrpcBench drive 18290 0 "$DURATION" "$IN_FLIGHT")
    sleep 1   # copies still in flight at the window's end get their answers
    cpu1=$(cpu_ticks "$pid"); m1=$(mirror_ticks "$pid"); c1="0 0 0 0"; [ -n "$mirror" ] && c1=$(copies_now)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$label" "$what" "$line" "$cpu0 $cpu1" "$c0" "$c1" "$m0 $m1" >> "$WORK/rows"
    echo "  ($label) $what: $line; $(grep -h '^copies:' "$WORK/primary-$label.log" || echo 'no mirroring')"
    grep -h -m2 'WARN' "$WORK/primary-$label.log" | cut -c1-240 | sed 's/^/    /' || true
  done
done

python3 - "$WORK/rows" "$DURATION" "$ROUNDS" "$WARMUP" "$IN_FLIGHT" "$(getconf CLK_TCK)" <<'PY'
import sys, statistics
sys.path.insert(0, "bench")
import figures
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
duration, rounds, warm, in_flight, tck = sys.argv[2:7]
base, by = {}, {}
order = []
for rnd, label, what, line, cpu, c0, c1, mt in rows:
    rps, p50, p99, errors, calls = line.split()
    cpu0, cpu1 = (int(x) for x in cpu.split())
    c0 = [int(x) for x in c0.split()]
    c1 = [int(x) for x in c1.split()]
    m0, m1 = (int(x) for x in mt.split())
    r = dict(rps=float(rps), p99=float(p99), errors=int(errors), calls=int(calls),
             cpu_us=(cpu1 - cpu0) * 1e6 / int(tck), sub=c1[0] - c0[0], sent=c1[1] - c0[1],
             mirror_us=(m1 - m0) * 1e6 / int(tck))
    if label == "a":
        base[rnd] = r
    key = f"({label}) {what}"
    if key not in by:
        order.append(key)
        by[key] = []
    b = base[rnd]
    cpu_call = r["cpu_us"] / r["calls"] if r["calls"] else 0
    b_cpu_call = b["cpu_us"] / b["calls"] if b["calls"] else 0
    share = r["sent"] / r["sub"] if r["sub"] else None
    per_copy = figures.per_copy(cpu_call, b_cpu_call, r["calls"], r["sub"], r["sent"])
    own = r["mirror_us"] / r["sent"] if share is not None and share >= 0.5 else None
    by[key].append(dict(ratio=r["rps"] / b["rps"], p99r=r["p99"] / b["p99"], rps=r["rps"],
                        p99=r["p99"], errors=r["errors"], share=share, cpu_call=cpu_call,
                        per_copy=per_copy, own=own))
print(f"GrpcBench drive: {in_flight} unary calls (1 KiB) in flight on one channel, {duration} s"
      f" after a {warm} s warm-up, {rounds} rounds; mean [min, max] over rounds")
print()
print("| setup | calls/s | throughput vs off | p99 ms | p99 vs off | errors | copies delivered"
      " | primary CPU per call | per delivered copy | mirror-* threads per copy |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
span = figures.spread
for key in order:
    rs = by[key]
    shares = [r["share"] for r in rs if r["share"] is not None]
    copies = [r["per_copy"] for r in rs if r["per_copy"] is not None]
    owns = [r["own"] for r in rs if r["own"] is not None]
    print("| " + " | ".join([
        key, f"{statistics.mean(r['rps'] for r in rs):,.0f}",
        span([r["ratio"] for r in rs], "{:.3f}"),
        f"{statistics.mean(r['p99'] for r in rs):.2f}",
        span([r["p99r"] for r in rs], "{:.2f}"),
        str(sum(r["errors"] for r in rs)),
        f"{100 * statistics.mean(shares):.1f} %" if shares else "—",
        f"{statistics.mean(r['cpu_call'] for r in rs):.1f} µs",
        f"{statistics.mean(copies):.1f} µs" if copies else "—",
        f"{statistics.mean(owns):.1f} µs" if owns else "—"]) + " |")
PY
