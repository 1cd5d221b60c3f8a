#!/usr/bin/env bash
# Times `grindstone analyze` on a generated Grinder data log of 10 million lines (with the HTTP
# plug-in's columns, about 600 MB) and reports lines per second and peak memory (RSS).
# Usage: bench/analyze-10m.sh [ROWS]   (the file goes to a temporary folder, removed at the end)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log="$work/bench-0-data.log"

# A small heap shows that memory does not grow with the file (override with GRINDSTONE_JAVA_OPTS).
export GRINDSTONE_JAVA_OPTS="${GRINDSTONE_JAVA_OPTS:--Xmx32m}"

# Build the jar first so the timing below covers the analysis only.
"$root/grindstone" --version >/dev/null

echo "Generating $rows lines in $log ..." >&2
gen_start=$(date +%s.%N)
awk -v rows="$rows" 'BEGIN {
  print "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, HTTP response code, HTTP response length, HTTP response errors, Time to resolve host, Time to establish connection, Time to first byte, New connections";
  srand(42); t = 1700000000000;
  for (i = 0; i < rows; i++) {
    # 50 threads, 12 tests, 10 calls per ms, times of 5 to 205 ms, 1% errors,
    # a new connection every 50 calls.
    time = int(5 + rand() * 200); err = (rand() < 0.01) ? 1 : 0; fresh = (i % 50 == 0);
    printf "%d, %d, %d, %.0f, %d, %d, %d, %d, %d, %s, %s, %d, %d\n", i % 50, int(i / 50), 1 + i % 12,
      t + int(i / 10), time, err, err ? 500 : 200, 1000 + i % 4000, err, fresh ? 1.25 : 0,
      fresh ? 3.5 : 0, int(time / 2), fresh;
  }
}' > "$log"
gen_end=$(date +%s.%N)
bytes=$(stat -c %s "$log")
echo "Generated $((bytes / 1000000)) MB in $(awk -v a="$gen_start" -v b="$gen_end" 'BEGIN { printf "%.1f", b - a }') s" >&2

# Read the file once so the page cache holds it and the timing measures parsing, not the disk.
cat "$log" > /dev/null

timing="$work/time.txt"
start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v -o "$timing" "$root/grindstone" analyze "$log" > "$work/out.txt"
else
  "$root/grindstone" analyze "$log" > "$work/out.txt"
fi
end=$(date +%s.%N)

seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
rate=$(awk -v n="$rows" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
echo
sed -n '/^Totals/p' "$work/out.txt" | head -1
echo
echo "lines:          $rows ($((bytes / 1000000)) MB)"
echo "wall time:      $seconds s (JVM start included; java options: $GRINDSTONE_JAVA_OPTS)"
echo "lines per s:    $rate"
if [ -f "$timing" ]; then
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$timing")
  cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$timing")
  user=$(sed -n 's/.*User time (seconds): //p' "$timing")
  sys=$(sed -n 's/.*System time (seconds): //p' "$timing")
  cpu_s=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  echo "CPU time:       $cpu_s s ($cpu of one core over the wall time)"
  echo "lines per CPU s: $(awk -v n="$rows" -v c="$cpu_s" 'BEGIN { printf "%.0f", n / c }')"
  echo "peak RSS:       $((rss_kb / 1024)) MB"
fi
echo "machine:        $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
