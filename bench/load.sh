#!/usr/bin/env bash
# Side-by-side load test: the primary's throughput and latency with mirror's filter off / on
# (fast, 0.5 s, black-holed, refusing and resetting shadows; bodiless GET and 1 KiB POST), next
# to NGINX `mirror` (no mirror, fast, 0.5 s) sending to the same NGINX shadows, all in one run on
# this machine. Each setup is reported as a pair: its throughput and p99 as ratios to its own
# no-mirror baseline, and the share of copies actually delivered in the measured window, with
# the primary JVM's CPU per request and per delivered copy.
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
WARMUP=20   # JIT: at 5 s the C2 compiler still took a quarter of the CPU (perf)
. bench/lib.sh

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

build_bench mirror-kafka

wait_for() { # url, deadline 30 s
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

echo "Starting NGINX (bench/nginx-mirror.conf): the fast (204) and 0.5 s shadows, and NGINX mirror"
mkdir -p "$WORK/nginx"
nginx -c "$PWD/bench/nginx-mirror.conf" -p "$WORK/nginx/" 2>/dev/null
wait_for http://127.0.0.1:18080/nomirror/x
echo "Starting the other shadows (own JVM): black hole 18184, resetting 18185, slow tail 18187, 256 KiB 18188"
java "${JAVA_OPTS[@]}" -cp "$CP" dev.mirror.bench.BenchShadows 18182 18183 18184 18185 18187 18188 > "$WORK/shadows.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do (echo > /dev/tcp/127.0.0.1/18185) 2>/dev/null && break; sleep 0.1; done
REFUSED=18186   # nothing listens there

cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

# name url round shape pid(or empty) -> appends a row to $WORK/rows
run_wrk() {
  local name=$1 url=$2 round=$3 shape=$4 pid=${5:-}
  local script=()
  [ "$shape" = post ] && script=(-s "$WORK/post.lua")
  wrk -t1 -c"$CONNECTIONS" -d"$WARMUP"s "${script[@]}" "$url" >/dev/null 2>&1 || true   # warm-up (JIT)
  local cpu0=0 cpu1=0 c0="0 0 0 0" c1="0 0 0 0"
  if [ -n "$pid" ]; then cpu0=$(cpu_ticks "$pid"); c0=$(copies_now); fi
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${script[@]}" "$url" > "$WORK/wrk.txt" 2>&1
  if [ -n "$pid" ]; then
    # copies still in flight at the window's end get their answers (fast shadow: well under 1 s)
    sleep 1; c1=$(copies_now); cpu1=$(cpu_ticks "$pid")
  fi
  python3 - "$name" "$WORK/wrk.txt" "$round" "$shape" "$cpu0" "$cpu1" "$(getconf CLK_TCK)" $c0 $c1 >> "$WORK/rows" <<'PY'
import re, sys
name, path, rnd, shape, cpu0, cpu1, tck = sys.argv[1:8]
c0 = [int(x) for x in sys.argv[8:12]]
c1 = [int(x) for x in sys.argv[12:16]]
text = open(path).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    n, u = float(m.group(1)), m.group(2)
    return n / 1000 if u == "us" else n * 1000 if u == "s" else n
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
p50 = ms(re.search(r"\n\s+50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\n\s+99%\s+(\S+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
timeouts = re.search(r"timeout (\d+)", text)
cpu_us = (int(cpu1) - int(cpu0)) * 1e6 / int(tck)
submitted, sent, failed, dropped = (c1[i] - c0[i] for i in range(4))
print("\t".join(str(x) for x in [rnd, name, shape, f"{rps:.0f}", f"{p50:.3f}", f"{p99:.3f}",
      errors.group(1) if errors else 0, timeouts.group(1) if timeouts else 0, total,
      f"{cpu_us:.0f}", submitted, sent, failed, dropped]))
PY
  echo "  $(tail -1 "$WORK/rows" | cut -f2,4-6,10-14)"
}

: > "$WORK/rows"
: > "$WORK/copies"
# label | what | request shape | extra JVM options | mirror.* arguments (none: filter off)
SETUPS=(
  "a|off|get||"
  "b|fast shadow (NGINX 204)|get||mirror.host=http://127.0.0.1:18082"
  "A|off, 1 KiB POST|post||"
  "B|fast shadow, 1 KiB POST|post||mirror.host=http://127.0.0.1:18082"
  "c|0.5 s shadow (NGINX echo_sleep)|get||mirror.host=http://127.0.0.1:18083"
  "d|black-holed shadow|get||mirror.host=http://127.0.0.1:18184"
  "e|refused port|get||mirror.host=http://127.0.0.1:$REFUSED"
  "f|shadow resetting every connection|get||mirror.host=http://127.0.0.1:18185"
  "t|slow tail: 1 answer in 200 after 2.5 s (read timeout 2 s)|get||mirror.host=http://127.0.0.1:18187"
  "T|slow tail, 1 KiB POST|post||mirror.host=http://127.0.0.1:18187"
  "l|shadow answering 256 KiB|get||mirror.host=http://127.0.0.1:18188"
  "g|fast shadow, mirror.transport=jdk|get||mirror.host=http://127.0.0.1:18082 mirror.transport=jdk"
  "h|fast shadow, mirror.transport=jetty|get||mirror.host=http://127.0.0.1:18082 mirror.transport=jetty"
  "i|0.5 s shadow, mirror.transport=jdk|get||mirror.host=http://127.0.0.1:18083 mirror.transport=jdk"
  "k|capture to files (file://), GET|get||mirror.host=file://$WORK/capture mirror.file.max-total-bytes=268435456"
  "K|capture to files (file://), 1 KiB POST|post||mirror.host=file://$WORK/capture mirror.file.max-total-bytes=268435456"
  "m|publish to Kafka (kafka://, a broker in its own JVM), GET|get||mirror.host=kafka://@KAFKA@ mirror.kafka.topic=bench"
  "M|publish to Kafka (kafka://), 1 KiB POST|post||mirror.host=kafka://@KAFKA@ mirror.kafka.topic=bench"
)
# LOAD_ONLY="a c" runs only the setups with these labels (a quick check of one path); NGINX's
# runs only if their labels are listed too (LOAD_ONLY="a b a' b'").
if [[ -n "${LOAD_ONLY:-}" ]]; then
  KEPT=()
  for setup in "${SETUPS[@]}"; do
    [[ " $LOAD_ONLY " == *" ${setup%%|*} "* ]] && KEPT+=("$setup")
  done
  SETUPS=("${KEPT[@]}")
fi
KAFKA=""
if printf '%s\n' "${SETUPS[@]}" | grep -q '@KAFKA@'; then
  echo "Starting a Kafka broker (own JVM, KafkaClusterTestKit, topic 'bench')"
  mvn -B -q -pl mirror-kafka test-compile exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=dev.mirror.kafka.BenchBroker -Dexec.args="$WORK/kafka.txt" > "$WORK/kafka.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 1200); do [ -s "$WORK/kafka.txt" ] && break; sleep 0.1; done
  KAFKA=$(cat "$WORK/kafka.txt")
fi
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  for setup in "${SETUPS[@]}"; do
    IFS='|' read -r label what shape jvm mirror <<< "$setup"
    mirror=${mirror//@KAFKA@/$KAFKA}
    # shellcheck disable=SC2206
    extra=($jvm)
    # shellcheck disable=SC2206
    args=($mirror)
    java "${JAVA_OPTS[@]}" "${extra[@]}" -cp "$CP" dev.mirror.bench.BenchPrimary 18190 "${args[@]}" > "$WORK/primary-$label.log" 2>&1 &
    pid=$!
    PIDS+=($pid)
    wait_for http://127.0.0.1:18190/
    echo "($label) Jetty + MirrorFilter: $what"
    run_wrk "($label) Jetty + MirrorFilter: $what" "http://127.0.0.1:18190/x" "$round" "$shape" "$pid"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    shadow=""
    case "$mirror" in
      *18187*|*18188*) shadow=" shadow: $(curl -s "http://127.0.0.1:${mirror##*127.0.0.1:}/__stats")" ;;
    esac
    echo "round $round ($label) $(grep -h '^copies:' "$WORK/primary-$label.log" || echo 'copies: none (filter off)')$shadow" >> "$WORK/copies"
  done
  for setup in "a'|nomirror|no mirror|get" "b'|fast|fast mirror|get" "A'|nomirror|no mirror, 1 KiB POST|post" "B'|fast|fast mirror, 1 KiB POST|post" "c'|slow|0.5 s mirror|get"; do
    IFS='|' read -r label location what shape <<< "$setup"
    # With LOAD_ONLY, NGINX runs only where its labels (a' b' ...) are listed too.
    [[ -n "${LOAD_ONLY:-}" && " $LOAD_ONLY " != *" $label "* ]] && continue
    echo "($label) NGINX: $what"
    run_wrk "($label) NGINX: $what" "http://127.0.0.1:18080/$location/x" "$round" "$shape" ""
  done
done
kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true

python3 - "$WORK/rows" "$WORK/copies" "$DURATION" "$CONNECTIONS" "$ROUNDS" "$WARMUP" > "$WORK/table.md" <<'PY'
import sys, statistics
sys.path.insert(0, "bench")
import figures
WARM = sys.argv[6]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
copies = open(sys.argv[2]).read().strip().splitlines()
def is_nginx(name):
    return ") NGINX:" in name
def family(name, shape):
    return ("nginx" if is_nginx(name) else "jetty", shape)
base = {}
for r in rows:
    rnd, name, shape = r[0], r[1], r[2]
    base.setdefault((rnd,) + family(name, shape), r)
order, by_name = [], {}
for r in rows:
    rnd, name, shape, rps, p50, p99, errs, tos, total, cpu, sub, sent, failed, dropped = r
    b = base[(rnd,) + family(name, shape)]
    rps, p50, p99, total, cpu = float(rps), float(p50), float(p99), int(total), float(cpu)
    sub, sent = int(sub), int(sent)
    b_cpu_per_req = float(b[9]) / int(b[8]) if int(b[8]) else 0
    cpu_per_req = cpu / total if total else 0
    share = sent / sub if sub else None
    per_copy = figures.per_copy(cpu_per_req, b_cpu_per_req, total, sub, sent)
    if name not in by_name:
        order.append(name)
        by_name[name] = []
    by_name[name].append(dict(rps=rps, p50=p50, p99=p99, errs=int(errs), tos=int(tos),
        ratio=rps / float(b[3]), p99r=p99 / float(b[5]), share=share,
        cpu_req=cpu_per_req if not is_nginx(name) else None, per_copy=per_copy))
out = [f"wrk -t1 -c{sys.argv[4]} -d{sys.argv[3]}s --latency after a {WARM} s warm-up, {sys.argv[5]} rounds;"
       " each ratio against its own round's baseline of the same request shape; mean of the"
       " rounds, [lowest, highest]. Delivered = copies the shadow answered / copies submitted in"
       " the measured window (engine stats). CPU = the primary JVM's utime+stime"
       " (/proc/<pid>/stat) in the window; per delivered copy = (CPU per request - the"
       " baseline's) x requests / copies delivered.\n",
       "| setup | req/s | p99 (ms) | non-2xx / timeouts | req/s vs baseline | p99 vs baseline | copies delivered | primary CPU per request (µs) | primary CPU per delivered copy (µs) |",
       "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
def stat(r, key, fmt, suffix=""):
    return figures.spread([x[key] for x in r], fmt, suffix)
for name in order:
    r = by_name[name]
    out.append(f"| {name} | {statistics.mean(x['rps'] for x in r):,.0f} |"
               f" {statistics.mean(x['p99'] for x in r):.2f} |"
               f" {sum(x['errs'] for x in r)} / {sum(x['tos'] for x in r)} |"
               f" {stat(r, 'ratio', '{:.3f}')} | {stat(r, 'p99r', '{:.2f}', 'x')} |"
               f" {stat(r, 'share', '{:.1%}')} | {stat(r, 'cpu_req', '{:.1f}')} |"
               f" {stat(r, 'per_copy', '{:.1f}')} |")
out += ["", "Copies counted by the primary's engine over its whole life (warm-up included), per setup and round:", ""]
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
