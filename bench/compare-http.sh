#!/usr/bin/env bash
# Side-by-side HTTP load generators on loopback: wrk, Gatling and Grindstone's client against the same
# target (nginx with one worker returning a small 200; the demo service's /ping when nginx is missing),
# with the same number of keep-alive connections and the same measured duration.
#
# Usage: bench/compare-http.sh [--duration SECONDS] [--warmup SECONDS] [--connections N] [--rounds N] [--skip-gatling]
#
# wrk and Grindstone run --rounds times (default 3), alternating, then Gatling once (it takes a minute
# to start). Prints each run's requests/s and requests per generator CPU-second, the medians, and the
# ratios of the medians Grindstone/wrk and Grindstone/Gatling. CPU time comes from /proc/<pid>/stat of each generator:
#   wrk         whole process (it needs no warm-up), via the cutime/cstime of the shell that waited for it;
#   Grindstone  the JVM's own /proc/self/stat over the measured window, after --warmup seconds;
#   Gatling     its Maven process and all its descendants, sampled at Gatling's console reports, over the
#               window from the first report at or after --warmup to the last one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration=20
warmup=10
connections=50
rounds=3
skip_gatling=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --skip-gatling) skip_gatling=1; shift ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "compare-http: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$duration" "$warmup" "$connections" "$rounds"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "compare-http: '$v' must be a whole number" >&2; exit 2; }
done

# ---- what is installed ---------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=("wrk (apt-get install -y wrk)")
have_nginx=1
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { have_nginx=0; missing+=("nginx (apt-get install -y nginx); using the demo service instead"); }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

java_version() {
  local line
  line=$("$1" -version 2>&1 | grep -m1 -E 'version "' || true)
  line=${line#*version \"}; line=${line%%\"*}
  case "$line" in 1.*) line=${line#1.}; echo "${line%%.*}" ;; "") echo 0 ;; *) line=${line%%[.+-]*}; echo "${line:-0}" ;; esac
}
java=""
for c in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
  [ -x "$c" ] || continue
  if [ "$(java_version "$c")" -ge 21 ] 2>/dev/null; then java=$c; break; fi
done
[ -n "$java" ] || { echo "compare-http: needs a JDK 21 or newer (set JAVA_HOME)" >&2; exit 3; }
if [ ${#missing[@]} -gt 0 ]; then
  echo "Missing:"; for m in "${missing[@]}"; do echo "  - $m"; done
fi
command -v wrk >/dev/null || { echo "compare-http: wrk is required" >&2; exit 3; }

clk_tck=$(getconf CLK_TCK)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- build -----------------------------------------------------------------------------------------------
echo "Building bench/target/benchmarks.jar ..."
(cd "$root" && ./mvnw -B -q -pl bench -am package -DskipTests) >"$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log"; echo "compare-http: the build failed" >&2; exit 1; }
jar="$root/bench/target/benchmarks.jar"

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "compare-http: no free port found" >&2; exit 1
}
wait_for() { # $1 port
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "compare-http: the target did not start on port $1" >&2; exit 1
}

# ---- target ---------------------------------------------------------------------------------------------
if [ $have_nginx -eq 1 ]; then
  port=$(free_port)
  mkdir -p "$tmp/nginx"
  cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { default_type text/plain; return 200 "hello world\n"; }
  }
}
CONF
  "$nginx_bin" -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" >"$tmp/nginx/out.log" 2>&1 &
  pids+=($!)
  wait_for "$port"
  url="http://127.0.0.1:$port/"
  target="nginx $("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///'), 1 worker, 12-byte 200"
else
  "$java" -cp "$jar" dev.grindstone.demo.DemoService 0 1 >"$tmp/demo.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^http://' "$tmp/demo.out" && break; sleep 0.1; done
  url="$(grep -m1 '^http://' "$tmp/demo.out")/ping"
  target="Grindstone demo service /ping, 1 event loop"
fi
echo "Target: $target at $url; $connections connections, ${duration}s measured (JVM generators warm up ${warmup}s first)"

# ---- wrk and Grindstone, alternating ------------------------------------------------------------------
wrk_rps_all=(); wrk_pc_all=(); gs_rps_all=(); gs_pc_all=(); gs_err_all=(); gs_lat_all=()
per_cpu() { awk -v n="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print "-" }'; }
for round in $(seq 1 "$rounds"); do
  echo "Round $round of $rounds: wrk ..."
  bash -c 'wrk -t1 -c'"$connections"' -d'"$duration"'s "$1" > "$2"; read -r s < /proc/$$/stat; echo "$s" > "$3"' \
    _ "$url" "$tmp/wrk.out" "$tmp/wrk.stat"
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
  wrk_req=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  # The shell's cutime/cstime hold wrk's CPU time: only wrk has finished under it.
  wrk_cpu=$(sed 's/.*) //' "$tmp/wrk.stat" | awk -v t="$clk_tck" '{printf "%.2f", ($14 + $15) / t}')
  wrk_rps_all+=("$wrk_rps"); wrk_pc_all+=("$(per_cpu "$wrk_req" "$wrk_cpu")")

  echo "Round $round of $rounds: Grindstone ..."
  "$java" -cp "$jar" dev.grindstone.bench.http.HttpLoad "$url" "$connections" "$duration" "$warmup" 1 >"$tmp/gs.out" 2>&1
  res=$(grep '^RESULT' "$tmp/gs.out") || { cat "$tmp/gs.out"; exit 1; }
  kv() { echo "$res" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
  gs_rps_all+=("$(kv rps)"); gs_pc_all+=("$(per_cpu "$(kv requests)" "$(kv cpuSeconds)")")
  gs_err_all+=("$(kv errors)"); gs_lat_all+=("$(echo "$res" | tr ' ' '\n' | grep -E '^p(50|99)us' | tr '\n' ' ')")
done

# ---- Gatling --------------------------------------------------------------------------------------------
tree_cpu_ticks() { # $1 root pid: utime+stime of it and all its descendants
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { pid=$1; sub(/.*\) /, ""); ppid[pid]=$2; ticks[pid]=$12+$13 }
    END {
      for (p in ticks) { q=p; n=0; while (q != "" && q != root && q > 1 && n++ < 64) q=ppid[q]; if (q == root) t+=ticks[p] }
      print t+0
    }'
}
g_rps=""; g_cpu=""; g_req=""
if [ $skip_gatling -eq 0 ]; then
  echo "Running Gatling (Maven resolves and compiles it first) ..."
  mkfifo "$tmp/g.fifo"
  (cd "$root/bench/gatling" && exec "$root/mvnw" -B gatling:test -Durl="$url" -Dusers="$connections" \
      -Dseconds=$((duration + warmup)) >"$tmp/g.fifo" 2>&1) &
  mvn_pid=$!
  pids+=($mvn_pid)
  elapsed=""; stamp=""; cpu=""
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
  wait "$mvn_pid" || { tail -40 "$tmp/gatling.log"; echo "compare-http: Gatling failed (see above)" >&2; }
  if [ "$(wc -l <"$tmp/g.samples")" -ge 2 ]; then
    read -r g_req g_rps g_cpu < <(awk -v w="$warmup" -v t="$clk_tck" '
      $1 >= w && !first { e0=$1; t0=$2; c0=$3; n0=$4; first=1 }
      { t1=$2; c1=$3; n1=$4 }
      END { if (!first || t1 <= t0) exit 1; printf "%d %.0f %.2f\n", n1-n0, (n1-n0)/(t1-t0), (c1-c0)/t }' "$tmp/g.samples") \
      || echo "compare-http: too few Gatling reports after the warm-up" >&2
  fi
fi

# ---- report ---------------------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{v[NR]=$1} END { if (NR == 0) print "-"; else if (NR % 2) printf "%.0f\n", v[(NR+1)/2]; else printf "%.0f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "" && a != "-") printf "%.2f", a / b; else print "-" }'; }
g_pc=$( [ -n "$g_req" ] && per_cpu "$g_req" "$g_cpu" || echo "-")
echo
echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-12s %12s %18s %10s\n' round generator "requests/s" "requests/CPU-s" "errors"
for i in $(seq 0 $((rounds - 1))); do
  printf '%-8s %-12s %12.0f %18s %10s\n' $((i + 1)) wrk "${wrk_rps_all[$i]}" "${wrk_pc_all[$i]}" "-"
  printf '%-8s %-12s %12.0f %18s %10s   %s\n' $((i + 1)) Grindstone "${gs_rps_all[$i]}" "${gs_pc_all[$i]}" \
    "${gs_err_all[$i]}" "${gs_lat_all[$i]}"
done
if [ -n "$g_req" ]; then
  printf '%-8s %-12s %12.0f %18s %10s\n' 1 Gatling "$g_rps" "$g_pc" "-"
else
  printf '%-8s %-12s %12s\n' - Gatling "not run"
fi
wrk_rps_med=$(median "${wrk_rps_all[@]}"); wrk_pc_med=$(median "${wrk_pc_all[@]}")
gs_rps_med=$(median "${gs_rps_all[@]}"); gs_pc_med=$(median "${gs_pc_all[@]}")
echo
printf 'Medians of %d rounds: wrk %s requests/s (%s per CPU-s), Grindstone %s requests/s (%s per CPU-s)\n' \
  "$rounds" "$wrk_rps_med" "$wrk_pc_med" "$gs_rps_med" "$gs_pc_med"
echo "Grindstone/wrk:     requests/s $(ratio "$gs_rps_med" "$wrk_rps_med"), requests per CPU-second $(ratio "$gs_pc_med" "$wrk_pc_med")"
echo "Grindstone/Gatling: requests/s $(ratio "$gs_rps_med" "$g_rps"), requests per CPU-second $(ratio "$gs_pc_med" "$g_pc")"
