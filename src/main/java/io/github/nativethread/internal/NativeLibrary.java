package io.github.nativethread.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.scijava.nativelib.DefaultJniExtractor;
import org.scijava.nativelib.NativeLoader;

/**
 * Loads libnativethread with native-lib-loader: first from {@code java.library.path}, else
 * extracted from this jar's {@code natives/<platform>/} to a temporary directory.
 */
final class NativeLibrary {
    static final String NAME = "nativethread";
    /** The platforms native-lib-loader knows and this project builds. */
    private static final String[] PLATFORMS = {"linux_64", "linux_arm64", "osx_64", "osx_arm64", "windows_64"};

    private NativeLibrary() {}

    static void load() {
        try {
            NativeLoader.setJniExtractor(new ModuleResourceExtractor());
            NativeLoader.loadLibrary(NAME);
        } catch (IOException | UnsatisfiedLinkError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError("nativethread: cannot load the native library for os.name="
                    + System.getProperty("os.name") + ", os.arch=" + System.getProperty("os.arch")
                    + "; this jar carries natives for: " + String.join(", ", carried())
                    + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : " (" + e.getMessage() + ")"));
            error.initCause(e);
            throw error;
        }
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

    /**
     * native-lib-loader's default extractor looks resources up through the class loader, which
     * cannot see a named module's resources; this one reads them through a class of this module,
     * so loading works on the class path and on the module path alike.
     */
    private static final class ModuleResourceExtractor extends DefaultJniExtractor {
        ModuleResourceExtractor() throws IOException {
            super(null);
        }

        @Override
        public File extractJni(String libPath, String libName) throws IOException {
            String file = System.mapLibraryName(libName);
            try (InputStream in = NativeLibrary.class.getResourceAsStream("/" + libPath + file)) {
                if (in == null) return null;
                File out = new File(getJniDir(), file);
                out.deleteOnExit();
                Files.copy(in, out.toPath(), StandardCopyOption.REPLACE_EXISTING);
                return out;
            }
        }
    }
}
