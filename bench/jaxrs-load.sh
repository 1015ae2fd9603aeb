#!/usr/bin/env bash
# The JAX-RS entry point under load, as issue 37 measured it: Jersey 3.1 on the JDK HTTP server
# (TCP_NODELAY, 16 worker threads; dev.mirror.bench.BenchJaxrsPrimary), a @Mirrored resource at
# /m beside a plain one at /n, MirrorFeature configured from flat keys (mirror.host only, no JVM
# flag for mirror), wrk -t1 -c16 alternating /n and /m in pairs on the same primary, against the
# NGINX shadows of bench/nginx-mirror.conf: the fast one (return 204) and the 0.5 s one
# (echo_sleep), at whose cap almost every copy is turned away.
#
# Each pair is reported as /m against /n of the same pair: throughput ratio, p99 ratio, the share
# of /m's copies delivered in the window (the primary's engine stats), the primary JVM's CPU per
# request for /n and /m (utime + stime from /proc), and per delivered copy ((CPU per /m request -
# per /n request) x /m requests / copies delivered). The tables give the median of the pairs and
# their spread; the issue's goals are checked on the medians.
#
# Usage: bash bench/jaxrs-load.sh [seconds per run, default 4] [pairs, default 5]
#   JAXRS_SHADOWS="slow" runs one shadow only (fast, slow; both by default).
# Installs what it needs (Debian packages wrk, nginx-extras), builds mirror-bench, and stops
# every process and removes every temporary file it made when it ends (bench/lib.sh). Writes the
# tables to bench/jaxrs-load-latest.md. Not part of CI; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-4}"
PAIRS="${2:-5}"
WARMUP=10   # per path, before the first pair: Jersey's and mirror's code compiled
PORT=18190  # the primary; its engine's counts on PORT + 1
declare -A SHADOW_PORT=([fast]=18082 [slow]=18083)
declare -A SHADOW_NAME=([fast]="fast shadow (NGINX 204)" [slow]="0.5 s shadow (NGINX echo_sleep)")
# shellcheck disable=SC2206
SHADOWS=(${JAXRS_SHADOWS:-fast slow})
. bench/lib.sh

if ! command -v wrk >/dev/null || [ ! -e /usr/lib/nginx/modules/ngx_http_echo_module.so ]; then
  echo "Installing wrk and nginx-extras..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-extras >/dev/null
fi
# Debian starts an nginx service on install; it is not ours and would hold ports.
service nginx stop >/dev/null 2>&1 || true

build_bench mirror-jaxrs

echo "Starting NGINX (bench/nginx-mirror.conf): fast shadow 18082 (204), 0.5 s shadow 18083"
mkdir -p "$WORK/nginx"
nginx -c "$PWD/bench/nginx-mirror.conf" -p "$WORK/nginx/" 2>/dev/null
wait_port 18082
wait_port 18083

copies_now() { # submitted sent, from the primary's stats port
  curl -s "http://127.0.0.1:$((PORT + 1))/" | cut -d' ' -f1-2 || echo "0 0"
}

# shadow pair path pid -> appends one row to $WORK/rows:
# shadow pair path req/s requests p99-ms cpu-ticks submitted sent non-2xx
measure() {
  local shadow=$1 pair=$2 path=$3 pid=$4
  local cpu0 cpu1 c0 c1
  cpu0=$(cpu_ticks "$pid"); c0=$(copies_now)
  wrk -t1 -c16 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/$path" > "$WORK/wrk.txt" 2>&1
  sleep 1   # copies still in flight at the window's end get their answers (or their timeout)
  cpu1=$(cpu_ticks "$pid"); c1=$(copies_now)
  python3 - "$WORK/wrk.txt" "$shadow" "$pair" "$path" "$((cpu1 - cpu0))" $c0 $c1 >> "$WORK/rows" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
shadow, pair, path, ticks = sys.argv[2:6]
s0, t0, s1, t1 = (int(x) for x in sys.argv[6:10])
def millis(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
requests = re.search(r"(\d+) requests in", text).group(1)
p99 = millis(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print("\t".join([shadow, pair, path, rps, requests, f"{p99:.3f}", ticks, str(s1 - s0),
                 str(t1 - t0), bad.group(1) if bad else "0"]))
PY
  echo "  pair $pair /$path: $(tail -1 "$WORK/rows" | cut -f4-10 | tr '\t' ' ')"
}

: > "$WORK/rows"
: > "$WORK/copies"
for shadow in "${SHADOWS[@]}"; do
  echo "JAX-RS primary (Jersey, JDK HTTP server) mirroring /m to the ${SHADOW_NAME[$shadow]}"
  java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.BenchJaxrsPrimary "$PORT" \
    "mirror.host=http://127.0.0.1:${SHADOW_PORT[$shadow]}" > "$WORK/primary-$shadow.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_port "$PORT"
  wait_port $((PORT + 1))
  for path in n m; do   # warm-up (JIT), not measured
    wrk -t1 -c16 -d"${WARMUP}s" "http://127.0.0.1:$PORT/$path" > /dev/null 2>&1 || true
  done
  for pair in $(seq 1 "$PAIRS"); do
    # Alternate which runs first, so neither side always follows the other's leftovers.
    if (( pair % 2 )); then order=(n m); else order=(m n); fi
    for path in "${order[@]}"; do
      measure "$shadow" "$pair" "$path" "$pid"
    done
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$shadow $(grep -h '^copies:' "$WORK/primary-$shadow.log" || echo 'copies: (none printed)')" >> "$WORK/copies"
done

python3 - "$WORK/rows" "$WORK/copies" "$DURATION" "$PAIRS" "$WARMUP" "$(getconf CLK_TCK)" \
  > "$WORK/table.md" <<'PY'
import statistics, sys
sys.path.insert(0, "bench")
import figures
rows_path, copies_path, duration, pairs, warmup, tck = sys.argv[1:7]
runs = {}
for line in open(rows_path):
    if not line.strip():
        continue
    shadow, pair, path, rps, requests, p99, ticks, submitted, sent, bad = line.rstrip("\n").split("\t")
    runs[(shadow, pair, path)] = dict(rps=float(rps), requests=int(requests), p99=float(p99),
        cpu=int(ticks) * 1e6 / int(tck), submitted=int(submitted), sent=int(sent), bad=int(bad))
names = {"fast": "fast shadow (NGINX 204)", "slow": "0.5 s shadow (NGINX echo_sleep)"}
def median_spread(values, fmt, suffix=""):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return (f"{fmt.format(statistics.median(values))}{suffix}"
            f" [{fmt.format(min(values))}, {fmt.format(max(values))}]")
out = [f"wrk -t1 -c16 -d{duration}s --latency, {pairs} pairs alternating /n and /m on one primary"
       f" per shadow after a {warmup} s warm-up of each path; median of the pairs [lowest,"
       " highest]. Delivered = copies the shadow answered / copies submitted in the /m windows"
       " (engine stats). CPU = the primary JVM's utime + stime in the window (/proc/<pid>/stat);"
       " per delivered copy = (CPU per /m request - per /n request) x /m requests / copies"
       " delivered (only where at least half were delivered).", "",
       "| shadow | /n req/s | /m req/s | throughput m/n | p99 m/n | copies delivered |"
       " CPU per request /n → /m (µs) | CPU per delivered copy (µs) | non-2xx |",
       "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
verdicts = []
for shadow in ("fast", "slow"):
    keys = sorted({p for (s, p, _) in runs if s == shadow}, key=int)
    if not keys:
        continue
    pairs_ = [(runs[(shadow, p, "n")], runs[(shadow, p, "m")]) for p in keys]
    ratio = [m["rps"] / n["rps"] for n, m in pairs_]
    p99 = [m["p99"] / n["p99"] for n, m in pairs_]
    share = [m["sent"] / m["submitted"] if m["submitted"] else None for _, m in pairs_]
    cpu_n = [n["cpu"] / n["requests"] for n, _ in pairs_]
    cpu_m = [m["cpu"] / m["requests"] for _, m in pairs_]
    per_copy = [figures.per_copy(cm, cn, m["requests"], m["submitted"], m["sent"])
                for (n, m), cn, cm in zip(pairs_, cpu_n, cpu_m)]
    out.append(" | ".join([f"| {names[shadow]}",
        f"{statistics.median(n['rps'] for n, _ in pairs_):,.0f}",
        f"{statistics.median(m['rps'] for _, m in pairs_):,.0f}",
        median_spread(ratio, "{:.3f}"), median_spread(p99, "{:.2f}", "x"),
        median_spread(share, "{:.1%}"),
        f"{statistics.median(cpu_n):.1f} → {statistics.median(cpu_m):.1f}",
        median_spread(per_copy, "{:.1f}"),
        str(sum(n["bad"] + m["bad"] for n, m in pairs_))]) + " |")
    if shadow == "slow":
        ok = statistics.median(ratio) >= 0.95 and statistics.median(p99) <= 1.2
        verdicts.append(f"- 0.5 s shadow: throughput m/n ≥ 0.95 and p99 ≤ 1.2x (medians):"
                        f" {statistics.median(ratio):.3f}, {statistics.median(p99):.2f}x —"
                        f" {'met' if ok else 'not met'}")
    else:
        shares = [s for s in share if s is not None]
        copies = [c for c in per_copy if c is not None]
        ok = bool(shares and copies) and statistics.median(shares) >= 0.99 \
            and statistics.median(copies) <= 15
        verdicts.append(f"- fast shadow: ≥ 99 % delivered with ≤ 15 µs of CPU per delivered copy"
                        f" (medians): {statistics.median(shares) if shares else 0:.1%},"
                        f" {statistics.median(copies) if copies else float('nan'):.1f} µs —"
                        f" {'met' if ok else 'not met'}")
out += ["", "Against issue 37's goals:", ""] + verdicts
out += ["", "Copies counted by each primary's engine over its life (warm-up included):", ""]
out += [f"- {line}" for line in open(copies_path).read().strip().splitlines()]
print("\n".join(out))
PY
echo
cat "$WORK/table.md"
{
  echo "## JAX-RS load: $(date -u +%Y-%m-%d), command \`bash bench/jaxrs-load.sh $DURATION $PAIRS\`"
  echo
  cat "$WORK/table.md"
} > bench/jaxrs-load-latest.md
echo
echo "Written to bench/jaxrs-load-latest.md (copy it into bench/RESULTS.md to keep it)."
