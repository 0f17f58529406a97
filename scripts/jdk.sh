# Sourced by ./podnet and ./run-tests: finds a JDK >= 25 and exports JAVA_HOME and JAVA.
# JAVA_HOME wins if it is 25 or newer; else the newest JDK >= 25 under /usr/lib/jvm.

podnet_java_major() { # prints the major version of the JDK at $1, or nothing
  local rel="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$rel" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
}

podnet_find_jdk() {
  local best="" best_major=0 d m
  if [ -n "${JAVA_HOME:-}" ]; then
    m=$(podnet_java_major "$JAVA_HOME")
    if [ -n "$m" ] && [ "$m" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for d in /usr/lib/jvm/*; do
    [ -d "$d" ] || continue
    m=$(podnet_java_major "$d")
    if [ -n "$m" ] && [ "$m" -ge 25 ] && [ "$m" -gt "$best_major" ]; then best="$d"; best_major=$m; fi
  done
  [ -n "$best" ] && echo "$best"
}

PODNET_JDK=$(podnet_find_jdk || true)
if [ -z "$PODNET_JDK" ]; then
  echo "podnet: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm has: $(ls /usr/lib/jvm 2>/dev/null | tr '\n' ' '))." >&2
  echo "podnet: install one, e.g. Temurin 25 into /usr/lib/jvm/temurin-25-jdk-amd64, or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME="$PODNET_JDK"
JAVA="$JAVA_HOME/bin/java"
