package io.hupwatch.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --env-file}: {@code KEY=VALUE} lines, read anew for every generation. Blank lines and
 * {@code #} comments are skipped, an {@code export } prefix is allowed, and a value wholly in single
 * or double quotes loses them. Errors name the file and line, never a value (values may be secrets).
 */
public final class EnvFile {
    private static final Pattern LINE = Pattern.compile("(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)");

    private EnvFile() {
    }

    public static Map<String, String> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot read --env-file " + file + ": " + describe(e));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IOException("--env-file " + file + " line " + (i + 1)
                        + " is not KEY=VALUE (KEY: letters, digits and _, not starting with a digit)");
            }
            env.put(m.group(1), unquote(m.group(2)));
        }
        return env;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** An I/O failure in words, without the exception's class: "no such file", "permission denied", ... */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.charset.MalformedInputException) {
            return "it is not UTF-8 text";
        }
        return e.getMessage();
    }
}
