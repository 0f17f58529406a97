#!/usr/bin/env bash
# Builds the podnet image (deploy/Containerfile, FROM scratch) with podman or buildah, offline:
#   deploy/build-image.sh [--tag podnet:0.1.0] [--context-only]
# after `mvn -B -DskipTests package`. It stages deploy/target/context/rootfs:
#   /opt/podnet/runtime   a jlink'd Java runtime with only the modules podnet uses (MODULES below),
#                         cached in deploy/target/runtime-<key> (key: the JDK's release file + MODULES)
#   /opt/podnet/lib       the CLI jar and its dependencies, and podnet-shim (static)
#   /opt/podnet/bin/podnet the launcher (static C, deploy/image/podnet-launcher.c): no shell in the image
#   /lib*, /lib/x86_64-linux-gnu  the C library the runtime links against (ldd of the runtime)
#   /etc/passwd, /etc/group, /tmp, /run, /var/lib/cni, /etc/cni/net.d, /opt/cni/bin
# podman reads CONTAINERS_CONF / CONTAINERS_STORAGE_CONF as usual (the tests point them at a
# private vfs store). Prints the timings of its steps on stderr.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$root/scripts/jdk.sh"

# jdeps --print-module-deps over the jars (it takes a minute here, so it is not run on every
# build): java.desktop, which jackson-databind names for java.beans, is left out — fabric8's
# (de)serialisation works without it.
MODULES=java.base,java.logging,java.naming,java.net.http,java.sql,jdk.httpserver,jdk.jfr,jdk.unsupported

tag=podnet:0.1.0
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --context-only) build=0; shift ;;
    *) echo "build-image: unknown argument $1" >&2
       echo "build-image: hint: deploy/build-image.sh [--tag NAME:TAG] [--context-only]" >&2; exit 2 ;;
  esac
done

jar="$root/cli/target/podnet-cli.jar"
if [ ! -f "$jar" ] || [ ! -d "$root/cli/target/lib" ]; then
  echo "build-image: $jar or cli/target/lib is missing" >&2
  echo "build-image: hint: run 'mvn -B -DskipTests package' in $root first" >&2
  exit 1
fi
command -v cc >/dev/null || { echo "build-image: cc is needed (apt-get install gcc libc6-dev)" >&2; exit 1; }

out="$root/deploy/target"
ctx="$out/context"
fs="$ctx/rootfs"
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# 1. The runtime, cached by JDK build and module list.
key=$( (cat "$JAVA_HOME/release"; echo "$MODULES") | sha256sum | cut -c1-16)
runtime="$out/runtime-$key"
if [ ! -x "$runtime/bin/java" ]; then
  rm -rf "$out"/runtime-*
  mkdir -p "$out"
  "$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --output "$runtime.tmp"
  mv "$runtime.tmp" "$runtime"
  echo "build-image: jlink $MODULES: $(ms "$t0") ms" >&2
else
  echo "build-image: runtime cached ($runtime)" >&2
fi

# 2. The root filesystem.
t1=$(date +%s%N)
rm -rf "$ctx"
mkdir -p "$fs/opt/podnet/bin" "$fs/opt/podnet/lib" "$fs/etc" "$fs/tmp" "$fs/run" "$fs/var/lib/cni" \
  "$fs/etc/cni/net.d" "$fs/opt/cni/bin"
chmod 1777 "$fs/tmp"
cp -a "$runtime" "$fs/opt/podnet/runtime"
cp "$jar" "$root"/cli/target/lib/*.jar "$fs/opt/podnet/lib/"
# Static: the shim is copied to the host's /opt/cni/bin, whose C library may be older than ours.
# With musl where musl-gcc is installed: half the CPU per exec of static glibc (cni/pom.xml).
shim_cc=cc
command -v musl-gcc >/dev/null && shim_cc=musl-gcc
"$shim_cc" -O2 -Wall -Wextra -static -o "$fs/opt/podnet/lib/podnet-shim" "$root/cni/src/main/c/podnet-shim.c"
cc -O2 -Wall -Wextra -static -o "$fs/opt/podnet/bin/podnet" "$root/deploy/image/podnet-launcher.c"
# The C library and loader the runtime needs, at the paths ldd resolves them to.
find "$fs/opt/podnet/runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | grep -v "^$fs" | sort -u \
  | while read -r lib; do
      mkdir -p "$fs$(dirname "$lib")"
      cp -L "$lib" "$fs$lib"
    done
# user.name must be root for the installer to train its AOT caches.
printf 'root:x:0:0:root:/root:/nonexistent\n' > "$fs/etc/passwd"
printf 'root:x:0:\n' > "$fs/etc/group"
cp "$root/deploy/Containerfile" "$ctx/Containerfile"
echo "build-image: context $(du -sh "$fs" | cut -f1) in $(ms "$t1") ms" >&2
[ "$build" = 1 ] || { echo "$ctx"; exit 0; }

# 3. The image.
t2=$(date +%s%N)
if command -v podman >/dev/null; then
  podman build --quiet --tag "$tag" --file "$ctx/Containerfile" "$ctx"
elif command -v buildah >/dev/null; then
  buildah bud --quiet --tag "$tag" --file "$ctx/Containerfile" "$ctx"
else
  echo "build-image: neither podman nor buildah is installed (apt-get install podman)" >&2; exit 1
fi
echo "build-image: podman build: $(ms "$t2") ms; total $(ms "$t0") ms" >&2
