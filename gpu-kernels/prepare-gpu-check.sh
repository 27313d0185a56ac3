#!/usr/bin/env bash
# Prepares, on a build machine with JDK 25 and Maven, everything gpu-check-java.sh needs on a GPU host that has
# neither (nor network): a jlink-ed Java 25 runtime (tar.xz), the test classpath as jars and class folders, the
# JUnit console launcher, the JVM flags, and the shaded pinsage.jar for the quickstart. Run from anywhere:
#   gpu-kernels/prepare-gpu-check.sh [DEST]      DEST defaults to .device/gpu-check (git-ignored)
# The .so inside is the one this machine built (nvcc when present: sm_80, sm_90 and PTX); the GPU host prefers
# it and rebuilds with its own nvcc only if it fails there. Fails when the folder would exceed 60 MB.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/.device/gpu-check}"
jdk="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -x "$jdk/bin/jlink" ]] || { echo "prepare-gpu-check: no jlink under JAVA_HOME=$jdk (need a JDK 25)" >&2; exit 1; }
export JAVA_HOME="$jdk"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
limit_mb=60

rm -rf "$dest"
mkdir -p "$dest/lib" "$dest/classes" "$dest/test-classes"

echo "prepare-gpu-check: building gpu-kernels and collecting its test classpath"
(cd "$root" && mvn -B -ntp -q -pl gpu-kernels -am -DskipTests clean package \
    dependency:copy-dependencies -DincludeScope=test -DexcludeTypes=pom \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian \
    -DoutputDirectory="$dest/lib")
# the reactor's own modules travel as jars; gpu-kernels as folders, so the GPU host can swap in a rebuilt .so
rm -f "$dest"/lib/pinsage-gpu-kernels-*.jar
cp -r "$root/gpu-kernels/target/classes" "$dest/classes/gpu-kernels"
cp -r "$root/gpu-kernels/target/test-classes" "$dest/test-classes/gpu-kernels"

echo "prepare-gpu-check: building the shaded pinsage.jar (the quickstart's GPU run)"
(cd "$root" && mvn -B -ntp -q -pl engine-cli -am -DskipTests package)
cp "$root/engine-cli/target/pinsage.jar" "$dest/pinsage.jar"

junit="$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' "$root/pom.xml")"
platform="1.${junit#5.}"
echo "prepare-gpu-check: JUnit $junit -> junit-platform-console-standalone $platform"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && mvn -B -ntp -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" -DoutputDirectory="$dest")

echo "prepare-gpu-check: jlink a Java $("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p') runtime"
"$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,jdk.incubator.vector,java.management,jdk.management,jdk.jfr \
    --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$tmp/jdk"
tar -cJf "$dest/jdk.tar.xz" -C "$tmp" jdk

# the parent pom's JVM flags, minus those naming modules the small runtime leaves out
flags="$(sed -n 's:.*<pinsage.jvm.flags>\(.*\)</pinsage.jvm.flags>.*:\1:p' "$root/pom.xml")"
kept=()
for f in $flags; do
    [[ "$f" == *jdk.compiler/* ]] || kept+=("$f")
done
printf '%s\n' "${kept[*]}" > "$dest/jvm-flags.txt"

{
    echo "prepared $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n) from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "native build: $(cat "$root/native/build/.build-mode" 2>/dev/null || echo unknown)"
    echo "junit-platform-console-standalone $platform"
} > "$dest/PREPARED.txt"

size_mb=$(( $(du -sb "$dest" | cut -f1) / 1000000 ))
echo "prepare-gpu-check: $dest holds ${size_mb} MB:"
du -sh "$dest"/* | sed 's/^/  /'
cat "$dest/PREPARED.txt" | sed 's/^/  /'
if (( size_mb > limit_mb )); then
    echo "prepare-gpu-check: ${size_mb} MB exceeds ${limit_mb} MB" >&2
    exit 1
fi
