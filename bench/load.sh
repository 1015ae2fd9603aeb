#!/usr/bin/env bash
# Side-by-side load test: the primary's throughput and latency with mirror's filter off / on
# (fast, 0.5 s and black-holed shadows), next to NGINX `mirror` (no mirror, fast, 0.5 s), all in
# one run on this machine, each setup's figures as a ratio to its own no-mirror baseline.
#
# Usage: bash bench/load.sh [seconds per run, default 8] [rounds, default 2]
# Every setup runs once per round, in the same order each round; each ratio is taken against the
# baseline of its own round, and the table shows the mean of the rounds and their spread.
# Installs what it needs (Debian packages wrk, nginx-extras), builds mirror-bench, and stops
# every process and removes every temporary file it made when it ends. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-8}"
ROUNDS="${2:-2}"
CONNECTIONS=16
WORK=$(mktemp -d)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  if [ -f "$WORK/nginx/nginx.pid" ]; then kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

need_install=0
command -v wrk >/dev/null || need_install=1
[ -e /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need_install=1
if [ "$need_install" = 1 ]; then
  echo "Installing wrk and nginx-extras..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-extras >/dev/null
fi
# Debian starts an nginx service on install; it is not ours and would hold ports.
service nginx stop >/dev/null 2>&1 || true

echo "Building mirror-bench..."
mvn -B -q -DskipTests install -pl mirror-bench -am
mvn -B -q -pl mirror-bench dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="$(cat "$WORK/cp.txt"):mirror-bench/target/classes"
JAVA_OPTS=(-Xms512m -Xmx512m -Djdk.httpclient.allowRestrictedHeaders=host)

wait_for() { # url, deadline 30 s
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

run_wrk() { # name url round -> appends a row to $WORK/rows
  local name=$1 url=$2 round=$3
  wrk -t1 -c"$CONNECTIONS" -d2s "$url" >/dev/null 2>&1 || true   # warm-up
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" > "$WORK/wrk.txt" 2>&1
  python3 - "$name" "$WORK/wrk.txt" "$round" >> "$WORK/rows" <<'PY'
import re, sys
name, path, rnd = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n * 1000 if u == "s" else n
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\n\s+50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\n\s+99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
timeouts = re.search(r"timeout (\d+)", text)
print(f"{rnd}\t{name}\t{rps:.0f}\t{p50:.3f}\t{p99:.3f}\t{errors.group(1) if errors else 0}\t{timeouts.group(1) if timeouts else 0}")
PY
  echo "  $(tail -1 "$WORK/rows" | cut -f2-5)"
}

echo "Starting shadows (own JVM): fast 18182, slow 0.5 s 18183, black hole 18184"
java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.BenchShadows 18182 18183 18184 > "$WORK/shadows.log" 2>&1 &
PIDS+=($!)
sleep 0.5
wait_for http://127.0.0.1:18182/

: > "$WORK/rows"
: > "$WORK/copies"
# label | what | extra JVM options | mirror.* arguments (none: filter off)
SETUPS=(
  "a|off||"
  "b|fast shadow||mirror.host=http://127.0.0.1:18182"
  "c|0.5 s shadow||mirror.host=http://127.0.0.1:18183"
  "d|black-holed shadow||mirror.host=http://127.0.0.1:18184"
  "e|fast shadow, mirror.rate-limit=1000||mirror.host=http://127.0.0.1:18182 mirror.rate-limit=1000"
  "f|fast shadow, common pool parallelism 2|-Djava.util.concurrent.ForkJoinPool.common.parallelism=2|mirror.host=http://127.0.0.1:18182"
  "g|fast shadow, mirror.transport=jetty||mirror.host=http://127.0.0.1:18182 mirror.transport=jetty"
  "h|0.5 s shadow, mirror.transport=jetty||mirror.host=http://127.0.0.1:18183 mirror.transport=jetty"
  "i|fast shadow, jetty, rate-limit=1000||mirror.host=http://127.0.0.1:18182 mirror.transport=jetty mirror.rate-limit=1000"
)
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  for setup in "${SETUPS[@]}"; do
    IFS='|' read -r label what jvm mirror <<< "$setup"
    # shellcheck disable=SC2206
    extra=($jvm)
    # shellcheck disable=SC2206
    args=($mirror)
    java "${JAVA_OPTS[@]}" "${extra[@]}" -cp "$CP" dev.mirror.bench.BenchPrimary 18190 "${args[@]}" > "$WORK/primary-$label.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    wait_for http://127.0.0.1:18190/
    echo "($label) Jetty + MirrorFilter: $what"
    run_wrk "($label) Jetty + MirrorFilter: $what" "http://127.0.0.1:18190/x" "$round"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "round $round ($label) $(grep -h '^copies:' "$WORK/primary-$label.log" || echo 'copies: none (filter off)')" >> "$WORK/copies"
  done

  if [ "$round" = 1 ]; then
    echo "Starting NGINX (bench/nginx-mirror.conf)"
    mkdir -p "$WORK/nginx"
    nginx -c "$PWD/bench/nginx-mirror.conf" -p "$WORK/nginx/" 2>/dev/null
    wait_for http://127.0.0.1:18080/nomirror/x
  fi
  for setup in "a'|nomirror|no mirror" "b'|fast|fast mirror" "c'|slow|0.5 s mirror"; do
    IFS='|' read -r label location what <<< "$setup"
    echo "($label) NGINX: $what"
    run_wrk "($label) NGINX: $what" "http://127.0.0.1:18080/$location/x" "$round"
  done
done
kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true

python3 - "$WORK/rows" "$WORK/copies" "$DURATION" "$CONNECTIONS" "$ROUNDS" > "$WORK/table.md" <<'PY'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
copies = open(sys.argv[2]).read().strip().splitlines()
base = {}
for rnd, name, rps, p50, p99, errs, tos in rows:
    family = "nginx" if "NGINX" in name else "jetty"
    base.setdefault((rnd, family), (float(rps), float(p99)))
order, by_name = [], {}
for rnd, name, rps, p50, p99, errs, tos in rows:
    family = "nginx" if "NGINX" in name else "jetty"
    b = base[(rnd, family)]
    if name not in by_name:
        order.append(name)
        by_name[name] = []
    by_name[name].append((float(rps), float(p50), float(p99), int(errs), int(tos),
                          float(rps) / b[0], float(p99) / b[1]))
out = [f"wrk -t1 -c{sys.argv[4]} -d{sys.argv[3]}s --latency after a 2 s warm-up, {sys.argv[5]} rounds;"
       " each ratio against its own round's baseline; mean of the rounds, [lowest, highest].\n",
       "| setup | req/s | p50 (ms) | p99 (ms) | non-2xx | timeouts | req/s vs its baseline | p99 vs its baseline |",
       "|---|---:|---:|---:|---:|---:|---:|---:|"]
for name in order:
    r = by_name[name]
    m = lambda i: statistics.mean(x[i] for x in r)
    span = lambda i, f: f"[{f.format(min(x[i] for x in r))}, {f.format(max(x[i] for x in r))}]"
    out.append(f"| {name} | {m(0):,.0f} | {m(1):.2f} | {m(2):.2f} | {sum(x[3] for x in r)} |"
               f" {sum(x[4] for x in r)} | {m(5):.3f} {span(5, '{:.3f}')} | {m(6):.2f}x {span(6, '{:.2f}')} |")
out += ["", "Copies counted by the primary's engine, per setup and round:", ""]
out += [f"- {c}" for c in copies]
print("\n".join(out))
PY
echo
cat "$WORK/table.md"
{
  echo "## Load: $(date -u +%Y-%m-%d), command \`bash bench/load.sh $DURATION $ROUNDS\`"
  echo
  cat "$WORK/table.md"
} > bench/load-latest.md
echo
echo "Written to bench/load-latest.md (copy it into bench/RESULTS.md to keep it)."
