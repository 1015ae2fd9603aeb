#!/usr/bin/env bash
# The mirror command line's throughput, from the repository's root:
#   bench/cli-replay.sh [RECORDS] [GATE_RECORDS]     (defaults 200000 and 30000)
# 1. replay from files: `mirror replay --speed max` of a capture of RECORDS bodiless GETs to a
#    JDK HttpServer shadow: records per second, and the replayer's CPU (user + system) per record;
# 2. replay from Kafka: the same records published to a KRaft broker in its own JVM
#    (BenchBroker, mirror-kafka's test class path), replayed by one replica
#    (`--max-records`): the same two numbers;
# 3. the gate: `mirror gate` of GATE_RECORDS records to a candidate, a baseline and a second
#    baseline (three shadows; the candidate differs in one field): milliseconds per thousand
#    requests, and the gate's CPU per request.
# Everything runs on this machine's cores: the shadows and the broker compete with the replayer,
# as they would on one CI runner. Builds mirror-cli/target/mirror.jar if it is missing (package,
# never install; MVN_FLAGS=-o for an offline Maven). Prints one Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RECORDS=${1:-200000}
GATE_RECORDS=${2:-30000}
JAR=mirror-cli/target/mirror.jar
if [ ! -f "$JAR" ]; then
  echo "Building $JAR..."
  mvn -B -q ${MVN_FLAGS:-} -pl mirror-cli -am package -DskipTests
fi
TICK=$(getconf CLK_TCK)

capture() { # file, records
  python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"time": "2026-12-01T10:00:00.%03dZ" % (i % 1000), "id": "r%d" % i,
            "policy": "default", "target": "capture", "method": "GET",
            "uri": "/api/items/%d" % (i % 5000), "headers": [["Host", "shop.example"]],
            "body": ""}) + "\n")
PY
}

measure() { # label, records, command...: runs it, prints a table row from its wall and CPU time
  local label=$1 records=$2
  shift 2
  local start end pid ticks
  start=$(date +%s%N)
  "$@" > "$WORK/out.txt" 2> "$WORK/err.txt" &
  pid=$!
  ticks=0
  while kill -0 "$pid" 2>/dev/null; do # the last reading before it ends
    ticks=$(cpu_ticks "$pid" 2>/dev/null || echo "$ticks")
    sleep 0.2
  done
  wait "$pid" || true
  end=$(date +%s%N)
  awk -v l="$label" -v n="$records" -v ns=$((end - start)) -v t="$ticks" -v hz="$TICK" 'BEGIN {
    s = ns / 1e9; printf "| %s | %d | %.1f | %.0f | %.1f | %.2f |\n", l, n, s, n / s,
      t / hz * 1e6 / n, s * 1000 / (n / 1000) }'
}

start_shadow() { # port, delta
  java -Xms128m -Xmx256m bench/shadows/JsonShadow.java "$1" "${2:-0}" > "$WORK/shadow-$1.log" 2>&1 &
  PIDS+=($!)
  wait_port "$1"
}

start_shadow 18301 0
start_shadow 18302 0
start_shadow 18303 1
capture "$WORK/replay.ndjson" "$RECORDS"
capture "$WORK/gate.ndjson" "$GATE_RECORDS"
MIRROR=(java "${JAVA_OPTS[@]}" -jar "$JAR")

echo "| run | records | seconds | records/s | replayer CPU µs/record | ms per 1,000 |"
echo "|---|---|---|---|---|---|"
measure "replay, files (--speed max)" "$RECORDS" \
  "${MIRROR[@]}" replay --from "$WORK/replay.ndjson" --to http://127.0.0.1:18301 --speed max --no-progress

# Kafka: a broker in its own JVM, from mirror-kafka's test class path (this tree's build output).
mvn -B -q ${MVN_FLAGS:-} -pl mirror-kafka dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/kafka-cp.txt" > "$WORK/kafka-cp.log" 2>&1 || { cat "$WORK/kafka-cp.log"; exit 1; }
KAFKA_CP="$(cat "$WORK/kafka-cp.txt"):mirror-kafka/target/classes:mirror-kafka/target/test-classes"
for module in mirror-api mirror-core; do
  KAFKA_CP=$(echo "$KAFKA_CP" | sed "s#[^:]*/dev/mirror/$module/[^:]*/$module-[^:]*\.jar#$PWD/$module/target/classes#g")
done
if [ -d mirror-kafka/target/test-classes/dev ]; then
  java -Xms512m -Xmx512m -cp "$KAFKA_CP" dev.mirror.kafka.BenchBroker "$WORK/kafka.txt" > "$WORK/kafka.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do [ -s "$WORK/kafka.txt" ] && break; sleep 0.1; done
  BOOTSTRAP=$(cat "$WORK/kafka.txt")
  java -cp "$JAR" bench/shadows/KafkaFill.java "$BOOTSTRAP" bench "$RECORDS" > "$WORK/fill.log" 2>&1
  measure "replay, Kafka (one replica)" "$RECORDS" \
    "${MIRROR[@]}" replay --from "kafka://$BOOTSTRAP/bench" --to http://127.0.0.1:18301 \
    --group bench --max-records "$RECORDS" --no-progress
else
  echo "| replay, Kafka | skipped: run mvn -B -q -pl mirror-kafka -am test-compile first | | | | |"
fi

measure "gate (candidate, baseline, baseline2)" "$GATE_RECORDS" \
  "${MIRROR[@]}" gate --from "$WORK/gate.ndjson" --candidate http://127.0.0.1:18303 \
  --baseline http://127.0.0.1:18301 --baseline2 http://127.0.0.1:18302 --no-progress
tail -3 "$WORK/out.txt" | sed 's/^/    /'
