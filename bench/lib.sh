# Sourced by the load scripts (load.sh, h2-load.sh, grpc-load.sh), from the repository's root:
# a temporary directory, every process started stopped (and NGINX, if one was started in
# $WORK/nginx) when the script ends, and the helpers they share.
WORK=$(mktemp -d)
PIDS=()
JAVA_OPTS=(-Xms512m -Xmx512m)   # the defaults users run: no -D flags

cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  if [ -f "$WORK/nginx/nginx.pid" ]; then kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Builds mirror-bench (and the modules named, comma-separated) and sets CP to its class path.
build_bench() {
  echo "Building mirror-bench..."
  mvn -B -q -DskipTests install -pl "mirror-bench${1:+,$1}" -am
  mvn -B -q -pl mirror-bench dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
  # This tree's own modules from their build output, never from ~/.m2: another checkout's
  # install must not change what is measured here.
  local module
  for module in mirror-*/; do
    module=${module%/}
    sed -i "s#[^:]*/dev/mirror/$module/[^:]*/$module-[^:]*\.jar#$PWD/$module/target/classes#" "$WORK/cp.txt"
  done
  CP="$(cat "$WORK/cp.txt"):mirror-bench/target/classes"
}

wait_port() { # port, deadline 30 s
  for _ in $(seq 1 300); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for port $1" >&2
  return 1
}

cpu_ticks() { # utime + stime of a process, in clock ticks (from /proc/<pid>/stat)
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

copies_now() { # submitted sent failed dropped, from the stats port of a primary on 18190
  curl -s "http://127.0.0.1:18191/" | cut -d' ' -f1-4 || echo "0 0 0 0"
}
