# Helpers shared by bench/compare-http.sh and bench/compare-websocket.sh; source it, do not run it.
# Expects $root (the repository) and `set -euo pipefail`. Sourcing makes a scratch folder $tmp and kills
# the processes listed in $pids and removes $tmp when the script exits.

clk_tck=$(getconf CLK_TCK)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

java_version() {
  local line
  line=$("$1" -version 2>&1 | grep -m1 -E 'version "' || true)
  line=${line#*version \"}; line=${line%%\"*}
  case "$line" in 1.*) line=${line#1.}; echo "${line%%.*}" ;; "") echo 0 ;; *) line=${line%%[.+-]*}; echo "${line:-0}" ;; esac
}

# Sets $java to a JDK 21 or newer, or exits.
find_java() {
  java=""
  for c in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -x "$c" ] || continue
    if [ "$(java_version "$c")" -ge 21 ] 2>/dev/null; then java=$c; break; fi
  done
  [ -n "$java" ] || { echo "$(basename "$0"): needs a JDK 21 or newer (set JAVA_HOME)" >&2; exit 3; }
}

# What the grindstone launcher's jar gives Netty (its manifest's Add-Opens and Main's property): the event
# loops' own selected-key set.
netty_opts="--add-opens=java.base/sun.nio.ch=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true"

# Builds bench/target/benchmarks.jar and sets $jar.
build_benchmarks() {
  echo "Building bench/target/benchmarks.jar ..."
  (cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests) >"$tmp/build.log" 2>&1 \
    || { cat "$tmp/build.log"; echo "$(basename "$0"): the build failed" >&2; exit 1; }
  jar="$root/bench/target/benchmarks.jar"
}

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2; exit 1
}

wait_for() { # $1 port
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the target did not start on port $1" >&2; exit 1
}

# Starts the demo service from benchmarks.jar with $1 event loops; sets $demo_url (http://127.0.0.1:PORT).
start_demo() {
  "$java" -cp "$jar" dev.grindstone.demo.DemoService 0 "$1" >"$tmp/demo.out" 2>&1 &
  pids+=($!)
  demo_pid=$!
  for _ in $(seq 1 100); do grep -q '^http://' "$tmp/demo.out" && break; sleep 0.1; done
  demo_url="$(grep -m1 '^http://' "$tmp/demo.out")"
}

tree_cpu_ticks() { # $1 root pid: utime+stime of it and all its descendants
  # A process may end between the glob and the read: never let that fail the caller under pipefail.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { pid=$1; sub(/.*\) /, ""); ppid[pid]=$2; ticks[pid]=$12+$13 }
    END {
      for (p in ticks) { q=p; n=0; while (q != "" && q != root && q > 1 && n++ < 64) q=ppid[q]; if (q == root) t+=ticks[p] }
      print t+0
    }'
}

# Runs a Gatling simulation of bench/gatling: $1 class, $2 url, $3 users, $4 measured seconds, $5 warm-up
# seconds. Sets $g_req, $g_rps and $g_cpu (CPU seconds of Maven and its forked JVM) over the window from the
# first console report at or after the warm-up to the last one; all empty when it could not measure.
run_gatling() {
  g_rps=""; g_cpu=""; g_req=""
  local elapsed="" stamp="" cpu="" line mvn_pid
  rm -f "$tmp/g.fifo"; mkfifo "$tmp/g.fifo"
  (cd "$root/bench/gatling" && exec "$root/mvnw" -B gatling:test -Dgatling.simulationClass="$1" -Durl="$2" \
      -Dusers="$3" -Dseconds=$(($4 + $5)) >"$tmp/g.fifo" 2>&1) &
  mvn_pid=$!
  pids+=($mvn_pid)
  : >"$tmp/g.samples"
  while IFS= read -r line; do
    echo "$line" >>"$tmp/gatling.log"
    if [[ $line =~ ([0-9]+)s\ elapsed ]]; then
      elapsed=${BASH_REMATCH[1]}; stamp=$(date +%s.%N); cpu=$(tree_cpu_ticks "$mvn_pid")
    elif [[ $line =~ ^\>\ Global[^0-9]*([0-9,]+) ]] && [ -n "$elapsed" ]; then
      echo "$elapsed $stamp $cpu ${BASH_REMATCH[1]//,/}" >>"$tmp/g.samples"
      elapsed=""
    fi
  done <"$tmp/g.fifo"
  wait "$mvn_pid" || { tail -40 "$tmp/gatling.log"; echo "Gatling failed (see above)" >&2; }
  if [ "$(wc -l <"$tmp/g.samples")" -ge 2 ]; then
    read -r g_req g_rps g_cpu < <(awk -v w="$5" -v t="$clk_tck" '
      $1 >= w && !first { e0=$1; t0=$2; c0=$3; n0=$4; first=1 }
      { t1=$2; c1=$3; n1=$4 }
      END { if (!first || t1 <= t0) exit 1; printf "%d %.0f %.2f\n", n1-n0, (n1-n0)/(t1-t0), (c1-c0)/t }' "$tmp/g.samples") \
      || echo "too few Gatling reports after the warm-up" >&2
  fi
}

per_cpu() { awk -v n="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "-" }'; }
median() { printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{v[NR]=$1} END { if (NR == 0) print "-"; else if (NR % 2) printf "%.0f\n", v[(NR+1)/2]; else printf "%.0f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "" && a != "-") printf "%.2f", a / b; else print "-" }'; }
machine() { echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
