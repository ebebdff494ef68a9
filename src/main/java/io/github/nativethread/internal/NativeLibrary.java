// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads libnativethread, by these rules, in this order:
 * <ol>
 * <li>{@code -Dnativethread.library.path=FILE}: exactly that file, nothing else.
 * <li>The jar's own library ({@code natives/<platform>/}), copied into a new owner-only directory
 *     {@code nativethread-<version>-*} under {@code -Dnativethread.tmpdir} (default
 *     {@code java.io.tmpdir}) and loaded from there.
 * <li>Only when the jar has no library for the platform: {@code System.loadLibrary}, which
 *     searches {@code java.library.path}.
 * </ol>
 * Nothing is written before it is needed. Then the library's version must be the Java side's.
 * Any failure is one {@link UnsatisfiedLinkError} listing every attempt with the OS loader's own
 * message and the likely fix. {@code -Dnativethread.debug=true} prints each step to stderr.
 *
 * <p>The platform keys are native-lib-loader's (which this project used before), so the jar layout
 * and CMake's output directories are unchanged.
 */
final class NativeLibrary {
    static final String NAME = "nativethread";
    /** The platforms this project builds (build.sh dist). */
    static final String[] PLATFORMS = {"linux_64", "linux_arm64", "linux_musl_64", "linux_musl_arm64", "osx_64",
        "osx_arm64", "windows_64", "windows_arm64"};
    /** The Java side's version: the project version, from version.properties (filtered by Maven). */
    static final String VERSION = readVersion();

    private static final boolean DEBUG = Boolean.getBoolean("nativethread.debug");
    private static final Pattern GLIBC = Pattern.compile("version `GLIBC_([0-9.]+)' not found");

    /** How the loaded library was found, for the doctor. */
    private static volatile String origin = "not loaded";

    private NativeLibrary() {}

    static String origin() {
        return origin;
    }

    /** Loads the library and checks its version, or throws one UnsatisfiedLinkError saying why. */
    static void load() {
        String osName = System.getProperty("os.name", "");
        String osArch = System.getProperty("os.arch", "");
        String platform = platform(osName, osArch, muslHost());
        Attempts attempts = new Attempts(osName, osArch, platform);
        debug("version " + VERSION + ", platform " + platform + " (os.name=" + osName + ", os.arch=" + osArch + ")");

        String explicit = System.getProperty("nativethread.library.path", "");
        if (!explicit.isEmpty()) {
            Path file = Paths.get(explicit).toAbsolutePath();
            if (!attempts.load(file, "-Dnativethread.library.path")) {
                if (!Files.isRegularFile(file)) {
                    attempts.fix(file + " is not a file: -Dnativethread.library.path names the library file itself");
                }
                throw attempts.failure();
            }
            checkVersion(file.toString());
            origin = "-Dnativethread.library.path=" + explicit;
            return;
        }

        String resource = "natives/" + platform + "/" + fileName(platform);
        if (NativeLibrary.class.getResource("/" + resource) != null) {
            String tmp = System.getProperty("nativethread.tmpdir", "");
            String property = tmp.isEmpty() ? "java.io.tmpdir" : "nativethread.tmpdir";
            Path base = Paths.get(tmp.isEmpty() ? System.getProperty("java.io.tmpdir", ".") : tmp).toAbsolutePath();
            Path file;
            try {
                file = extract(resource, base);
                attempts.ok("extract " + resource + " into " + base + " (-D" + property + ") as " + file);
            } catch (IOException | RuntimeException e) {
                attempts.failed("extract " + resource + " into " + base + " (-D" + property + ")", e.toString());
                attempts.fix("set -Dnativethread.tmpdir to a writable directory on a file system mounted with exec, "
                        + "or install the library and pass it with -Dnativethread.library.path=FILE");
                throw attempts.failure();
            }
            boolean loaded = attempts.load(file, "the jar's library");
            boolean deleted = deleteCopy(file);
            if (!loaded) throw attempts.failure();
            checkVersion(file.toString());
            origin = "extracted from the jar's " + resource + " into " + property + (deleted ? " (deleted once loaded)" : "");
            return;
        }

        attempts.note("this jar has no " + resource);
        try {
            System.loadLibrary(NAME);
            attempts.ok("System.loadLibrary(\"" + NAME + "\") (java.library.path)");
        } catch (UnsatisfiedLinkError e) {
            attempts.failed("System.loadLibrary(\"" + NAME + "\") (java.library.path)", e.getMessage());
            attempts.platformFix();
            throw attempts.failure();
        }
        String file;
        try {
            file = Native.libraryPath();
        } catch (UnsatisfiedLinkError e) {
            file = System.mapLibraryName(NAME) + " from java.library.path";
        }
        checkVersion(file);
        origin = "java.library.path (the jar has no library for " + platform + "): " + file;
    }

    /** The Java and native sides must be the same build: a stale library on a path must not run. */
    private static void checkVersion(String file) {
        String nativeVersion;
        try {
            nativeVersion = Native.version();
        } catch (UnsatisfiedLinkError e) {  // a library from before the version was compiled in
            nativeVersion = null;
        }
        if (VERSION.equals(nativeVersion)) {
            debug("trying the version check: ok, " + file + " is version " + nativeVersion);
            return;
        }
        String message = "nativethread: " + file + " is version "
                + (nativeVersion == null ? "unknown (it has no Native.version(): older than 0.1.0)" : nativeVersion)
                + ", but the Java side (this jar) is version " + VERSION
                + ": use the library of the same build (the jar's own: do not set -Dnativethread.library.path,"
                + " or point it at the library of version " + VERSION + ")";
        debug("trying the version check: failed: " + message);
        throw new UnsatisfiedLinkError(message);
    }

    /** Copies the resource into a new directory under {@code base}, readable by the owner only. */
    private static Path extract(String resource, Path base) throws IOException {
        String prefix = "nativethread-" + VERSION.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
        Path dir = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempDirectory(base, prefix, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")))
                : Files.createTempDirectory(base, prefix);
        dir.toFile().deleteOnExit();  // deleted after the file (reverse order of registration)
        Path file = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try (InputStream in = NativeLibrary.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IOException("cannot read " + resource + " from the jar");
            Files.copy(in, file);
        }
        file.toFile().deleteOnExit();  // Windows keeps a loaded DLL: there it stays
        return file;
    }

    /**
     * Deletes the copy and its directory once loaded (or not), where the OS lets a loaded library go
     * (not Windows: there deleteOnExit tries at exit): nothing is left behind, even by a JVM that is
     * killed. Returns whether it is gone.
     */
    private static boolean deleteCopy(Path file) {
        if (System.getProperty("os.name", "").startsWith("Windows")) return false;
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
            debug("deleted the copy " + file + " (the library stays loaded)");
            return true;
        } catch (IOException | RuntimeException e) {
            debug("could not delete the copy " + file + ": " + e);
            return false;
        }
    }

    /** This JVM's platform key (see {@link #platform(String, String, boolean)}). */
    static String platform() {
        return platform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), muslHost());
    }

    /**
     * native-lib-loader's platform key: linux_64, linux_arm64, osx_64, osx_arm64, windows_64, ...; on a
     * Linux whose C library is musl (Alpine), linux_musl_64, linux_musl_arm64, ...
     */
    static String platform(String osName, String osArch, boolean musl) {
        String name = osName.toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux") ? "linux"
                : name.startsWith("mac") || name.startsWith("darwin") ? "osx"
                : name.startsWith("windows") ? "windows"
                : name.replaceAll("[^a-z0-9]", "");
        String arch = osArch.toLowerCase(Locale.ROOT);
        String bits = arch.equals("amd64") || arch.equals("x86_64") ? "64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "arm64"
                : arch.replaceAll("[^a-z0-9_]", "");
        return os + (musl && os.equals("linux") ? "_musl_" : "_") + bits;
    }

    private static String fileName(String platform) {
        return platform.startsWith("windows") ? NAME + ".dll"
                : platform.startsWith("osx") ? "lib" + NAME + ".dylib" : "lib" + NAME + ".so";
    }

    private static List<String> carried() {
        List<String> found = new ArrayList<>();
        for (String p : PLATFORMS) {
            if (NativeLibrary.class.getResource("/natives/" + p + "/" + fileName(p)) != null) found.add(p);
        }
        if (found.isEmpty()) found.add("none");
        return found;
    }

    private static String readVersion() {
        try (InputStream in = NativeLibrary.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown (no version.properties: not built by Maven)";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown (" + e + ")";
        }
    }

    private static void debug(String line) {
        if (DEBUG) System.err.println("nativethread: " + line);
    }

    /**
     * Is this JVM running on musl libc (Alpine)? The C library this process has mapped says
     * (/proc/self/maps), not the files on disk: a glibc system may have a musl loader installed, an
     * Alpine one a glibc shim (gcompat), and only the libc the JVM runs on decides which library loads.
     */
    private static boolean muslHost() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) return false;
        try {
            return isMusl(Files.readAllLines(Paths.get("/proc/self/maps"), StandardCharsets.ISO_8859_1));
        } catch (IOException | RuntimeException e) {
            debug("cannot read /proc/self/maps (" + e + "): taken as glibc");
            return false;
        }
    }

    /**
     * Whether lines of /proc/self/maps show a musl process: one maps musl's loader, which is also its
     * libc ({@code /lib/ld-musl-x86_64.so.1}, or Alpine's link to it, {@code libc.musl-x86_64.so.1}).
     */
    static boolean isMusl(List<String> maps) {
        for (String line : maps) {
            String file = line.substring(line.lastIndexOf('/') + 1);
            if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) return true;
        }
        return false;
    }

    /** Does the library need glibc (its DT_NEEDED names libc.so.6)? */
    private static boolean needsGlibc(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("libc.so.6");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The attempts of one load, for the debug output and the one error. */
    private static final class Attempts {
        private final String osName, osArch, platform;
        private final List<String> lines = new ArrayList<>();
        private final List<String> fixes = new ArrayList<>();

        Attempts(String osName, String osArch, String platform) {
            this.osName = osName;
            this.osArch = osArch;
            this.platform = platform;
        }

        void ok(String what) {
            debug("trying " + what + ": ok");
            lines.add(what + ": ok");
        }

        void failed(String what, String cause) {
            debug("trying " + what + ": failed: " + cause);
            lines.add(what + ": failed: " + cause);
        }

        void note(String what) {
            debug(what);
            lines.add(what);
        }

        void fix(String fix) {
            fixes.add(fix);
        }

        /** System.load(file); on failure records the loader's message and the fixes it suggests. */
        boolean load(Path file, String how) {
            String what = "System.load(" + file + ") [" + how + "]";
            try {
                System.load(file.toString());
                ok(what);
                return true;
            } catch (UnsatisfiedLinkError e) {
                String cause = e.getMessage();
                failed(what, cause);
                String lower = cause == null ? "" : cause.toLowerCase(Locale.ROOT);
                if (lower.contains("failed to map segment from shared object") || lower.contains("operation not permitted")) {
                    fix(file.getParent() + " is probably on a file system mounted noexec: " + (how.startsWith("-D")
                            ? "put the library on a file system mounted with exec"
                            : "set -Dnativethread.tmpdir to a writable directory on a file system mounted with exec"
                                    + " (or install the library on one and pass -Dnativethread.library.path=FILE)"));
                }
                Matcher glibc = GLIBC.matcher(cause == null ? "" : cause);
                if (glibc.find()) {
                    fix("the library needs glibc " + glibc.group(1) + " or newer (symbol version GLIBC_" + glibc.group(1)
                            + " is missing here): run on a system with glibc " + glibc.group(1)
                            + " or newer, or pass a library built against this system's glibc with -Dnativethread.library.path=FILE");
                }
                if (platform.startsWith("linux_musl_") && needsGlibc(file)) {
                    fix("this JVM runs on musl libc (Alpine) and " + file.getFileName() + " is built for glibc"
                            + " (it needs libc.so.6): use the jar's natives/" + platform + " library (do not set"
                            + " -Dnativethread.library.path), or pass one built for musl with -Dnativethread.library.path=FILE");
                }
                return false;
            }
        }

        /** The fix when the jar has no library for this platform and java.library.path had none either. */
        void platformFix() {
            boolean supported = false;
            for (String p : PLATFORMS) supported |= p.equals(platform);
            fix(supported
                    ? "this jar was built without " + platform + ": build the jar with the libraries of all eight"
                            + " platforms (./build.sh dist, see the README, Platforms), or pass a library built for "
                            + platform + " with -Dnativethread.library.path=FILE"
                    : "nativethread builds no library for " + platform + " (it builds " + String.join(", ", PLATFORMS)
                            + "): build one on this platform from the sources (CMakeLists.txt, see the README) and pass it"
                            + " with -Dnativethread.library.path=FILE or put it on java.library.path");
        }

        UnsatisfiedLinkError failure() {
            StringBuilder m = new StringBuilder("nativethread: cannot load the native library, version ").append(VERSION)
                    .append(", for platform ").append(platform).append(" (os.name=").append(osName)
                    .append(", os.arch=").append(osArch).append("; this jar carries natives for: ")
                    .append(String.join(", ", carried())).append(")");
            for (String line : lines) m.append("\n  - ").append(line);
            for (String fix : fixes) m.append("\n  likely fix: ").append(fix);
            return new UnsatisfiedLinkError(m.toString());
        }
    }
}
