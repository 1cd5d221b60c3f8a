# Sourced by the benchmark scripts: sets $java to a JDK 21 or newer (JAVA_HOME first, then the
# PATH, then /usr/lib/jvm), or exits with 3 saying so.
java_version() {
  local line
  line=$("$1" -version 2>&1 | grep -m1 -E 'version "' || true)
  line=${line#*version \"}; line=${line%%\"*}; line=${line%%[.+-]*}
  echo "${line:-0}"
}
java=""
for candidate in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
  if [ -x "$candidate" ] && [ "$(java_version "$candidate")" -ge 21 ] 2>/dev/null; then java="$candidate"; break; fi
done
[ -n "$java" ] || { echo "$(basename "$0"): needs a JDK 21 or newer (set JAVA_HOME)" >&2; exit 3; }
