#!/usr/bin/env bash
# Side-by-side HTTP load generators on loopback: wrk, Gatling and Grindstone's client against the same
# target (nginx with one worker returning a small 200; the demo service's /ping when nginx is missing),
# with the same number of keep-alive connections and the same measured duration.
#
# Usage: bench/compare-http.sh [--duration SECONDS] [--warmup SECONDS] [--connections N] [--rounds N] [--skip-gatling]
#                              [--async] [--flow]
#
# wrk and Grindstone run --rounds times (default 3), alternating, then Gatling once (it takes a minute
# to start). Prints each run's requests/s and requests per generator CPU-second, the medians, and the
# ratios of the medians Grindstone/wrk and Grindstone/Gatling. Grindstone runs HttpLoad's virtual-thread
# mode (a virtual thread per user calling send); with --async each round also runs its async mode (no
# thread per user: each completion sends the user's next sendAsync on the event loop); with --flow each
# round also runs FlowLoad, the load engine running a run file's HTTP flow (GET checked for 200) with
# --connections virtual users, as `grindstone run flow.yaml` does. The Grindstone modes' order rotates
# every round. CPU time comes from /proc/<pid>/stat of each generator:
#   wrk         whole process (it needs no warm-up), via the cutime/cstime of the shell that waited for it;
#   Grindstone  the JVM's own /proc/self/stat over the measured window, after --warmup seconds (FlowLoad:
#               sampled at the engine's interval snapshots, over the intervals of the window);
#   Gatling     its Maven process and all its descendants, sampled at Gatling's console reports, over the
#               window from the first report at or after --warmup to the last one.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration=20
warmup=10
connections=50
rounds=3
skip_gatling=0
async=0
flow=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --skip-gatling) skip_gatling=1; shift ;;
    --async) async=1; shift ;;
    --flow) flow=1; shift ;;
    -h|--help) sed -n 2,21p "$0"; exit 0 ;;
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

. "$root/bench/compare-lib.sh"
find_java
if [ ${#missing[@]} -gt 0 ]; then
  echo "Missing:"; for m in "${missing[@]}"; do echo "  - $m"; done
fi
command -v wrk >/dev/null || { echo "compare-http: wrk is required" >&2; exit 3; }

# ---- build -----------------------------------------------------------------------------------------------
build_benchmarks

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
  start_demo 1
  url="$demo_url/ping"
  target="Grindstone demo service /ping, 1 event loop"
fi
echo "Target: $target at $url; $connections connections, ${duration}s measured (JVM generators warm up ${warmup}s first)"

# ---- wrk and Grindstone, alternating ------------------------------------------------------------------
wrk_rps_all=(); wrk_pc_all=(); gs_rps_all=(); gs_pc_all=(); gs_err_all=(); gs_lat_all=()
ga_rps_all=(); ga_pc_all=(); ga_err_all=(); ga_lat_all=()
gf_rps_all=(); gf_pc_all=(); gf_err_all=(); gf_lat_all=()
# Runs HttpLoad in mode $1 (threads or async), or FlowLoad for flow; sets $g_out_rps, $g_out_pc, $g_out_err
# and $g_out_lat.
run_grindstone() {
  if [ "$1" = flow ]; then
    "$java" $netty_opts -cp "$jar" dev.grindstone.bench.http.FlowLoad "$url" "$connections" "$duration" "$warmup" \
      >"$tmp/gs.out" 2>&1
  else
    "$java" $netty_opts -cp "$jar" dev.grindstone.bench.http.HttpLoad "$url" "$connections" "$duration" "$warmup" 1 "$1" \
      >"$tmp/gs.out" 2>&1
  fi
  res=$(grep '^RESULT' "$tmp/gs.out") || { cat "$tmp/gs.out"; exit 1; }
  kv() { echo "$res" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
  g_out_rps=$(kv rps); g_out_pc=$(per_cpu "$(kv requests)" "$(kv cpuSeconds)"); g_out_err=$(kv errors)
  g_out_lat=$(echo "$res" | tr ' ' '\n' | grep -E '^p(50|99)us|^allocBytesPer' | tr '\n' ' ')
  echo "  Grindstone ($1) $g_out_rps requests/s ($g_out_pc per CPU-s), errors $g_out_err, $g_out_lat; load average $(cut -d' ' -f1 /proc/loadavg)"
}
for round in $(seq 1 "$rounds"); do
  echo "Round $round of $rounds: load average $(cut -d' ' -f1-3 /proc/loadavg) at the start; wrk ..."
  bash -c 'wrk -t1 -c'"$connections"' -d'"$duration"'s "$1" > "$2"; read -r s < /proc/$$/stat; echo "$s" > "$3"' \
    _ "$url" "$tmp/wrk.out" "$tmp/wrk.stat"
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
  wrk_req=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  # The shell's cutime/cstime hold wrk's CPU time: only wrk has finished under it.
  wrk_cpu=$(sed 's/.*) //' "$tmp/wrk.stat" | awk -v t="$clk_tck" '{printf "%.2f", ($14 + $15) / t}')
  wrk_rps_all+=("$wrk_rps"); wrk_pc_all+=("$(per_cpu "$wrk_req" "$wrk_cpu")")
  echo "  wrk ${wrk_rps_all[-1]} requests/s (${wrk_pc_all[-1]} per CPU-s); load average $(cut -d' ' -f1 /proc/loadavg)"

  # The modes' order rotates by one every round, so that none always runs first or last.
  all_modes=(threads)
  if [ $async -eq 1 ]; then all_modes+=(async); fi
  if [ $flow -eq 1 ]; then all_modes+=(flow); fi
  modes=()
  for k in $(seq 0 $((${#all_modes[@]} - 1))); do
    modes+=("${all_modes[$(((k + round - 1) % ${#all_modes[@]}))]}")
  done
  for mode in "${modes[@]}"; do
    echo "Round $round of $rounds: Grindstone ($mode) ..."
    run_grindstone "$mode"
    case "$mode" in
      threads) gs_rps_all+=("$g_out_rps"); gs_pc_all+=("$g_out_pc"); gs_err_all+=("$g_out_err"); gs_lat_all+=("$g_out_lat") ;;
      async) ga_rps_all+=("$g_out_rps"); ga_pc_all+=("$g_out_pc"); ga_err_all+=("$g_out_err"); ga_lat_all+=("$g_out_lat") ;;
      flow) gf_rps_all+=("$g_out_rps"); gf_pc_all+=("$g_out_pc"); gf_err_all+=("$g_out_err"); gf_lat_all+=("$g_out_lat") ;;
    esac
  done
done

# ---- Gatling --------------------------------------------------------------------------------------------
g_rps=""; g_cpu=""; g_req=""
if [ $skip_gatling -eq 0 ]; then
  echo "Running Gatling (Maven resolves and compiles it first) ..."
  run_gatling dev.grindstone.bench.gatling.PingSimulation "$url" "$connections" "$duration" "$warmup"
fi

# ---- report ---------------------------------------------------------------------------------------------
g_pc=$( [ -n "$g_req" ] && per_cpu "$g_req" "$g_cpu" || echo "-")
echo
machine
printf '%-8s %-18s %12s %18s %10s\n' round generator "requests/s" "requests/CPU-s" "errors"
for i in $(seq 0 $((rounds - 1))); do
  printf '%-8s %-18s %12.0f %18s %10s\n' $((i + 1)) wrk "${wrk_rps_all[$i]}" "${wrk_pc_all[$i]}" "-"
  printf '%-8s %-18s %12.0f %18s %10s   %s\n' $((i + 1)) Grindstone "${gs_rps_all[$i]}" "${gs_pc_all[$i]}" \
    "${gs_err_all[$i]}" "${gs_lat_all[$i]}"
  if [ $async -eq 1 ]; then
    printf '%-8s %-18s %12.0f %18s %10s   %s\n' $((i + 1)) "Grindstone async" "${ga_rps_all[$i]}" "${ga_pc_all[$i]}" \
      "${ga_err_all[$i]}" "${ga_lat_all[$i]}"
  fi
  if [ $flow -eq 1 ]; then
    printf '%-8s %-18s %12.0f %18s %10s   %s\n' $((i + 1)) "Grindstone flow" "${gf_rps_all[$i]}" "${gf_pc_all[$i]}" \
      "${gf_err_all[$i]}" "${gf_lat_all[$i]}"
  fi
done
if [ -n "$g_req" ]; then
  printf '%-8s %-18s %12.0f %18s %10s\n' 1 Gatling "$g_rps" "$g_pc" "-"
else
  printf '%-8s %-18s %12s\n' - Gatling "not run"
fi
wrk_rps_med=$(median "${wrk_rps_all[@]}"); wrk_pc_med=$(median "${wrk_pc_all[@]}")
gs_rps_med=$(median "${gs_rps_all[@]}"); gs_pc_med=$(median "${gs_pc_all[@]}")
echo
printf 'Medians of %d rounds: wrk %s requests/s (%s per CPU-s), Grindstone %s requests/s (%s per CPU-s)\n' \
  "$rounds" "$wrk_rps_med" "$wrk_pc_med" "$gs_rps_med" "$gs_pc_med"
echo "Grindstone/wrk:     requests/s $(ratio "$gs_rps_med" "$wrk_rps_med"), requests per CPU-second $(ratio "$gs_pc_med" "$wrk_pc_med")"
echo "Grindstone/Gatling: requests/s $(ratio "$gs_rps_med" "$g_rps"), requests per CPU-second $(ratio "$gs_pc_med" "$g_pc")"
# Prints another Grindstone mode's medians and their ratios to wrk's, Gatling's and HttpLoad's threads mode:
# $1 its name, $2 its median requests/s, $3 its median requests per CPU-second.
mode_ratios() {
  echo "$1: medians $2 requests/s ($3 per CPU-s)"
  printf '%-28s requests/s %s, requests per CPU-second %s\n' \
    "$1/wrk:" "$(ratio "$2" "$wrk_rps_med")" "$(ratio "$3" "$wrk_pc_med")" \
    "$1/Gatling:" "$(ratio "$2" "$g_rps")" "$(ratio "$3" "$g_pc")" \
    "$1/Grindstone:" "$(ratio "$2" "$gs_rps_med")" "$(ratio "$3" "$gs_pc_med")"
}
if [ $async -eq 1 ]; then
  mode_ratios "Grindstone async" "$(median "${ga_rps_all[@]}")" "$(median "${ga_pc_all[@]}")"
fi
if [ $flow -eq 1 ]; then
  mode_ratios "Grindstone flow" "$(median "${gf_rps_all[@]}")" "$(median "${gf_pc_all[@]}")"
fi
