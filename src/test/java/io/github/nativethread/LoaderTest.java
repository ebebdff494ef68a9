// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.nativethread.internal.Native;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's rules, each in a child JVM: -Dnativethread.library.path loads exactly that file,
 * the jar's library is extracted into -Dnativethread.tmpdir (default java.io.tmpdir),
 * java.library.path counts only when the jar has no library for the platform, the library's
 * version must be the jar's, and a failure says why (the OS loader's message) and what to do.
 *
 * <p>The stale library is this project's library built as version 0.0.0-stale (pom.xml,
 * cmake-compile-stale), in {@code -Dnativethread.test.staleNatives}. The noexec test needs a
 * directory on a noexec mount: {@code -Dnativethread.test.noexecDir=DIR}, else a private tmpfs
 * mounted noexec in a new mount namespace ({@code unshare -m}, as root), else a writable noexec
 * mount from /proc/mounts; without any it is skipped.
 */
class LoaderTest {
    static final String STALE = "0.0.0-stale";

    @TempDir
    Path temp;

    /** Runs LoaderChild with {@code jvmArgs}; returns its output line that starts with "loaded " or "error: ",
     *  with the lines after it (an error message spans several). */
    static String child(List<String> prefix, String... jvmArgs) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(jvmArgs));
        args.add(LoaderChild.class.getName());
        ChildJvm child = new ChildJvm(prefix, args.toArray(new String[0]));
        assertEquals(0, child.finish(), child.lines::toString);
        for (int i = 0; i < child.lines.size(); i++) {
            String l = child.lines.get(i);
            if (l.startsWith("loaded ") || l.startsWith("error: ")) {
                return String.join("\n", child.lines.subList(i, child.lines.size()));
            }
        }
        throw new AssertionError("no outcome: " + child.lines);
    }

    static String child(String... jvmArgs) throws Exception {
        return child(Collections.emptyList(), jvmArgs);
    }

    /** The stale library for this platform: the directory may hold the host's too (cross-test). */
    static Path staleLibrary() throws IOException {
        Path dir = Paths.get(System.getProperty("nativethread.test.staleNatives", "target/stale-natives"),
                Native.platformKey());
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("(lib)?nativethread\\.(so|dylib|dll)"))
                    .findFirst().orElseThrow(() -> new AssertionError("no stale library under " + dir));
        }
    }

    /** The library of this build for this platform, on the test class path (target/classes/natives/). */
    static Path realLibrary() throws Exception {
        String name = Paths.get(Native.libraryPath()).getFileName().toString();
        URL url = LoaderTest.class.getResource("/natives/" + Native.platformKey() + "/" + name);
        assertTrue(url != null && url.getProtocol().equals("file"), "no natives/ directory on the class path: " + url);
        return Paths.get(url.toURI()).toRealPath();
    }

    /** A java.io.tmpdir in which nothing can be created: a directory chmod 555, or, where that does not
     *  stop this user (root, Windows), a path under a regular file. */
    Path unwritableDir() throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Path ro = Files.createDirectory(temp.resolve("read-only"));
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
            try {
                Files.delete(Files.createTempDirectory(ro, "probe"));
            } catch (IOException expected) {
                return ro;
            }
        }
        return Files.createFile(temp.resolve("a-file")).resolve("tmp");
    }

    @Test
    void anUnwritableJavaIoTmpdirLoadsWithNativethreadTmpdir() throws Exception {
        Path ro = unwritableDir();
        Path writable = Files.createDirectory(temp.resolve("writable"));
        String out = child("-Djava.io.tmpdir=" + ro, "-Dnativethread.tmpdir=" + writable);
        assertTrue(out.startsWith("loaded " + NativeThread.version() + " from " + writable.toRealPath()), out);
        assertTrue(out.contains("extracted from the jar"), out);
        if (!System.getProperty("os.name").startsWith("Windows")) {  // the copy is gone once loaded
            assertTrue(out.contains("file still there: false"), out);
            try (Stream<Path> left = Files.list(writable)) {
                assertEquals(Collections.emptyList(), left.collect(Collectors.toList()));
            }
        }
    }

    @Test
    void anUnwritableJavaIoTmpdirIsNotTouchedWithNativethreadLibraryPath() throws Exception {
        Path ro = unwritableDir();
        Path lib = realLibrary();
        String out = child("-Djava.io.tmpdir=" + ro, "-Dnativethread.library.path=" + lib);
        assertTrue(out.startsWith("loaded " + NativeThread.version() + " from " + lib), out);
        assertTrue(out.contains("(-Dnativethread.library.path="), out);
        assertTrue(out.contains("file still there: true"), out);  // a library it was given is not deleted
    }

    @Test
    void anUnwritableJavaIoTmpdirAloneSaysWhyAndWhatToSet() throws Exception {
        Path ro = unwritableDir();
        String out = child("-Djava.io.tmpdir=" + ro);
        assertTrue(out.startsWith("error: nativethread: cannot load the native library"), out);
        assertTrue(out.contains("extract natives/"), out);
        assertTrue(out.contains(ro.toString()), out);
        assertTrue(out.contains("Exception: "), out);  // the IOException itself
        assertTrue(out.contains("likely fix: set -Dnativethread.tmpdir"), out);
    }

    @Test
    void aNoexecTmpdirFailsWithTheLoadersMessageAndTheFix() throws Exception {
        Assumptions.assumeTrue(Doctor.EMULATOR == null, () -> "under " + Doctor.EMULATOR + " noexec stops no"
                + " library: qemu-user maps the program's code readable, not executable, on the host");
        Path dir = temp.resolve("noexec");
        List<String> prefix = new ArrayList<>();
        String given = System.getProperty("nativethread.test.noexecDir", "");
        String how;
        if (!given.isEmpty()) {
            dir = Paths.get(given);
            how = "-Dnativethread.test.noexecDir";
        } else if (canMountNoexec(Files.createDirectory(dir))) {
            prefix.addAll(Arrays.asList("unshare", "-m", "sh", "-c",
                    "mount -t tmpfs -o noexec,mode=700 nativethread-noexec \"$0\" && exec \"$@\"", dir.toString()));
            how = "a tmpfs mounted noexec in a private mount namespace (unshare -m)";
        } else {
            dir = writableNoexecMount();
            Assumptions.assumeTrue(dir != null, "no noexec directory: not root with unshare and mount, no writable"
                    + " noexec mount in /proc/mounts, no -Dnativethread.test.noexecDir");
            how = "the noexec mount " + dir;
        }
        System.out.println("LoaderTest noexec: " + how);
        String out = child(prefix, "-Dnativethread.tmpdir=" + dir);
        assertTrue(out.startsWith("error: "), out);
        String lower = out.toLowerCase();
        assertTrue(lower.contains("failed to map segment from shared object")
                || lower.contains("operation not permitted"), out);  // dlopen's own words
        assertTrue(out.contains("likely fix: " + dir), out);
        assertTrue(out.contains("nativethread.tmpdir"), out);
    }

    /** Can this process mount a noexec tmpfs in a private mount namespace (root, Linux, unshare)? */
    static boolean canMountNoexec(Path dir) {
        if (!System.getProperty("os.name").startsWith("Linux")) return false;
        try {
            Process p = new ProcessBuilder("unshare", "-m", "sh", "-c",
                    "mount -t tmpfs -o noexec nativethread-probe \"$0\"", dir.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** A writable directory on a mount with noexec (e.g. /dev/shm in many containers), or null. */
    static Path writableNoexecMount() {
        Path mounts = Paths.get("/proc/mounts");
        if (!Files.isReadable(mounts)) return null;
        try {
            for (String line : Files.readAllLines(mounts, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length < 4 || !Arrays.asList(f[3].split(",")).contains("noexec")
                        || !Arrays.asList(f[3].split(",")).contains("rw")) continue;
                Path point = Paths.get(f[1].replace("\\040", " "));
                try {
                    Files.delete(Files.createTempDirectory(point, "nativethread-probe"));
                    return point;
                } catch (IOException | RuntimeException notWritable) {
                    // next one
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    @Test
    void aStaleLibraryFromNativethreadLibraryPathIsRefusedNamingFileAndVersions() throws Exception {
        Path stale = staleLibrary();
        String out = child("-Dnativethread.library.path=" + stale);
        assertTrue(out.startsWith("error: nativethread: " + stale.toAbsolutePath() + " is version " + STALE
                + ", but the Java side (this jar) is version " + NativeThread.version()), out);
    }

    @Test
    void aForeignLibraryOnJavaLibraryPathIsNotPickedWhenTheJarHasOne() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("lib"));
        Path foreign = Files.copy(staleLibrary(), dir.resolve(staleLibrary().getFileName()));
        String out = child("-Djava.library.path=" + dir);
        assertTrue(out.startsWith("loaded " + NativeThread.version() + " from "), out);
        assertFalse(out.contains(foreign.toString()), out);
        assertTrue(out.contains("extracted from the jar"), out);
    }

    @Test
    void javaLibraryPathCountsOnlyWithoutALibraryInTheJarAndIsVersionChecked() throws Exception {
        // -Dos.arch=riscv64: the jar has no library for the platform, so java.library.path is searched
        String fake = "-Dos.arch=riscv64";
        Path good = Files.createDirectory(temp.resolve("good"));
        Path lib = Files.copy(realLibrary(), good.resolve(realLibrary().getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        String out = child(fake, "-Djava.library.path=" + good);
        assertTrue(out.startsWith("loaded " + NativeThread.version() + " from " + lib.toRealPath()), out);
        assertTrue(out.contains("(java.library.path (the jar has no library for "), out);

        Path old = Files.createDirectory(temp.resolve("stale"));
        Path stale = Files.copy(staleLibrary(), old.resolve(staleLibrary().getFileName()));
        out = child(fake, "-Djava.library.path=" + old);
        assertTrue(out.startsWith("error: nativethread: " + stale.toRealPath() + " is version " + STALE), out);
        assertTrue(out.contains("is version " + NativeThread.version()), out);
    }

    @Test
    void debugPrintsEachStep() throws Exception {
        ChildJvm child = new ChildJvm("-Dnativethread.debug=true", LoaderChild.class.getName());
        assertEquals(0, child.finish(), child.lines::toString);
        List<String> steps = child.lines.stream().filter(l -> l.startsWith("nativethread: "))
                .collect(Collectors.toList());
        assertTrue(steps.stream().anyMatch(l -> l.matches("nativethread: trying extract natives/.*: ok")), steps::toString);
        assertTrue(steps.stream().anyMatch(l -> l.matches("nativethread: trying System.load\\(.*\\).*: ok")), steps::toString);
        assertTrue(steps.stream().anyMatch(l -> l.startsWith("nativethread: trying the version check: ok")), steps::toString);
    }

    @Test
    void withoutDebugTheLoaderIsSilent() throws Exception {
        ChildJvm child = new ChildJvm(LoaderChild.class.getName());
        assertEquals(0, child.finish(), child.lines::toString);
        assertTrue(child.lines.stream().noneMatch(l -> l.startsWith("nativethread: ")), child.lines::toString);
    }
}
