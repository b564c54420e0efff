package io.hupwatch.supervisor;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listening socket hupwatch holds for every generation, as {@code --bind} writes it:
 * {@code [NAME=]unix:/abs/path}, {@code [NAME=]tcp:HOST:PORT} or {@code [NAME=]tcp:[v6addr]:PORT}.
 *
 * @param name a name the children see (handoff header, LISTEN_FDNAMES); default {@code tcp0}, {@code unix1}...:
 *             the kind and the position of the {@code --bind} among all of them, counting from 0
 * @param kind TCP or UNIX
 * @param host the TCP host (name or literal, without brackets); null for UNIX
 * @param port the TCP port (0: any free port); -1 for UNIX
 * @param path the socket file of a UNIX socket; null for TCP
 */
public record BindAddress(String name, Kind kind, String host, int port, Path path) {

    public enum Kind { TCP, UNIX }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern TCP6 = Pattern.compile("\\[([0-9A-Fa-f:.%a-zA-Z]+)\\]:(\\d+)");
    private static final Pattern TCP = Pattern.compile("([^:\\[\\]]+):(\\d+)");
    private static final String FORMS = "use unix:/abs/path, tcp:HOST:PORT or tcp:[v6addr]:PORT,"
            + " optionally with a NAME= prefix";

    /** "tcp:127.0.0.1:8080", "tcp:[::1]:8080", "unix:/run/app.sock". */
    public String display() {
        if (kind == Kind.UNIX) {
            return "unix:" + path;
        }
        return host.contains(":") ? "tcp:[" + host + "]:" + port : "tcp:" + host + ":" + port;
    }

    /** This address with the port a TCP bind to port 0 got. */
    public BindAddress withPort(int actualPort) {
        return new BindAddress(name, kind, host, actualPort, path);
    }

    /**
     * @param position where this {@code --bind} stands among all of them, for the default name
     * @throws IllegalArgumentException naming what is wrong and the accepted forms
     */
    public static BindAddress parse(String text, int position) {
        String spec = text.trim();
        String name = null;
        int eq = spec.indexOf('=');
        int colon = spec.indexOf(':');
        if (eq >= 0 && (colon < 0 || eq < colon)) {
            name = spec.substring(0, eq);
            spec = spec.substring(eq + 1);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + text + "': the name '" + name
                        + "' may only use letters, digits, '_', '.' and '-' (at most 64)");
            }
        }
        if (spec.startsWith("unix:")) {
            String p = spec.substring("unix:".length());
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("'" + text + "': a unix socket path must be absolute (unix:/run/app.sock)");
            }
            if (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
                throw new IllegalArgumentException("'" + text + "': a unix socket path may have at most 107 bytes");
            }
            return new BindAddress(name != null ? name : "unix" + position, Kind.UNIX, null, -1, Path.of(p).normalize());
        }
        if (spec.startsWith("tcp:")) {
            String hp = spec.substring("tcp:".length());
            Matcher m6 = TCP6.matcher(hp);
            Matcher m4 = TCP.matcher(hp);
            Matcher m = m6.matches() ? m6 : m4.matches() ? m4 : null;
            if (m == null) {
                throw new IllegalArgumentException("'" + text + "' is not a TCP address: " + FORMS);
            }
            int port;
            try {
                port = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("'" + text + "': the port must be from 0 to 65535");
            }
            return new BindAddress(name != null ? name : "tcp" + position, Kind.TCP, m.group(1), port, null);
        }
        throw new IllegalArgumentException("'" + text + "' is not an address: " + FORMS);
    }

    /** @throws IllegalArgumentException when two sockets share a name or an address */
    public static void checkDistinct(List<BindAddress> binds) {
        for (int i = 0; i < binds.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (binds.get(i).name.equals(binds.get(j).name)) {
                    throw new IllegalArgumentException("two --bind sockets are named '" + binds.get(i).name
                            + "': give each its own NAME=");
                }
                if (binds.get(i).kind == Kind.UNIX && binds.get(i).path.equals(binds.get(j).path)) {
                    throw new IllegalArgumentException("--bind " + binds.get(i).display() + " is given twice");
                }
            }
        }
    }
}
