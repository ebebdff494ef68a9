#!/usr/bin/env bash
# nativethread build entry point. Everything goes through the Maven wrapper (Maven 3.9.9, fetched
# from Maven Central on first use), which also fetches CMake through cmake-maven-plugin.
#
#   ./build.sh              build the jar (C library + Java), then run the doctor
#   ./build.sh test         every test: C unit tests (ctest) and Java tests (JUnit)
#   ./build.sh bench        JMH benchmarks against the anchors, one table
#   ./build.sh sanitize     C unit tests under AddressSanitizer+UBSan and ThreadSanitizer
#   ./build.sh doctor       run the doctor of the built jar
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

cmd=${1:-build}
case "$cmd" in
    build)
        "${MVN[@]}" clean package -DskipTests
        doctor
        ;;
    test)
        "${MVN[@]}" clean verify
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
    *)
        echo "usage: $0 [build|test|bench|sanitize|doctor]" >&2
        exit 2
        ;;
esac
