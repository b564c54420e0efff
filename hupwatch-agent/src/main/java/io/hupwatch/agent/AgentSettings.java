package io.hupwatch.agent;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What hupwatch tells the agent of one generation, in the variable {@value #VARIABLE}: fields
 * separated by {@code ;}, each {@code key=value}, values percent-encoded ({@code %25}, {@code %3B}):
 * <pre>
 * v=1;generation=2;link=/run/hupwatch-1/generation-2.sock;stop=TERM;backlog=4096;grace=5000;ready=60000;held=3:8:41231@tcp:0.0.0.0:8080;held=4:8:41240@unix:/run/app.sock
 * </pre>
 * {@code held=FD:DEV:INO@ADDRESS} is a listening socket hupwatch holds, already open in this process on FD,
 * whose open file is DEV:INO (a claim checks that, never the fd number alone); {@code ready} is the
 * readiness timeout, past which the held sockets the server has not bound are a dropped port;
 * {@code link} is the generation's handoff socket, where the agent reports readiness; {@code adopt=1}
 * asks it to hand over the listening sockets the server opens on fixed ports; {@code client} is
 * hupwatch's own class path, where a JVM that lacks the held fds finds the handoff client to ask for them.
 *
 * @param generation this process's generation
 * @param link       hupwatch's handoff socket of this generation, or null
 * @param stopSignal the signal that asks this generation to drain ({@code TERM}, {@code INT}, ...)
 * @param backlog    the backlog hupwatch listens with; a server's own {@code listen} must not shrink it
 * @param graceMillis how long a draining JVM waits for the connections it accepted, at most
 * @param adopt      whether listening sockets the server opens on fixed ports are handed to hupwatch
 * @param readyMillis the readiness timeout, or 0 when not told
 * @param client     hupwatch's class path (absolute entries, {@code :}-separated), or null when not told
 * @param held       the sockets hupwatch holds
 */
record AgentSettings(int generation, Path link, String stopSignal, int backlog, long graceMillis, boolean adopt,
        long readyMillis, String client, List<Held> held) {
    static final String VARIABLE = "HUPWATCH_AGENT";
    static final int VERSION = 1;

    /**
     * One socket hupwatch holds.
     *
     * @param fd      where it is open in this process
     * @param identity {@code DEV:INO} of its open file, or null when hupwatch did not say
     * @param display as hupwatch shows it: {@code tcp:0.0.0.0:8080}, {@code unix:/run/app.sock}
     * @param tcp     its address when TCP (host as a literal), else null
     * @param unix    its path when a unix socket, else null
     */
    record Held(int fd, String identity, String display, InetSocketAddress tcp, Path unix) {
    }

    /** The same settings with {@code held} instead (the sockets really open here, with their real addresses). */
    AgentSettings withHeld(List<Held> present) {
        return new AgentSettings(generation, link, stopSignal, backlog, graceMillis, adopt, readyMillis, client,
                List.copyOf(present));
    }

    /** @throws IllegalArgumentException naming what is wrong, when {@code text} is not a descriptor of this version */
    static AgentSettings parse(String text) {
        int generation = 0;
        int version = -1;
        Path link = null;
        String stop = "TERM";
        int backlog = 4096;
        long grace = 5000;
        boolean adopt = false;
        long ready = 0;
        String client = null;
        List<Held> held = new ArrayList<>();
        for (String field : text.split(";")) {
            if (field.isEmpty()) {
                continue;
            }
            int eq = field.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + field + "' is not key=value");
            }
            String key = field.substring(0, eq);
            String value = decode(field.substring(eq + 1));
            switch (key) {
                case "v" -> version = Integer.parseInt(value);
                case "generation" -> generation = Integer.parseInt(value);
                case "link" -> link = Path.of(value);
                case "stop" -> stop = value;
                case "backlog" -> backlog = Integer.parseInt(value);
                case "grace" -> grace = Long.parseLong(value);
                case "adopt" -> adopt = value.equals("1");
                case "ready" -> ready = Long.parseLong(value);
                case "client" -> client = value;
                case "held" -> held.add(held(value));
                default -> {
                    // a newer hupwatch may say more; what this agent does not know it leaves alone
                }
            }
        }
        if (version != VERSION) {
            throw new IllegalArgumentException("version " + version + " (this agent speaks " + VERSION
                    + "): use the agent jar that came with this hupwatch");
        }
        return new AgentSettings(generation, link, stop, backlog, grace, adopt, ready, client, List.copyOf(held));
    }

    /** One {@code held} value: {@code FD[:DEV:INO]@ADDRESS}. */
    static Held held(String value) {
        int at = value.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("'held=" + value + "' is not FD:DEV:INO@ADDRESS");
        }
        String where = value.substring(0, at);
        int colon0 = where.indexOf(':');
        int fd = Integer.parseInt(colon0 < 0 ? where : where.substring(0, colon0));
        String identity = colon0 < 0 ? null : where.substring(colon0 + 1);
        String display = value.substring(at + 1);
        if (display.startsWith("unix:")) {
            return new Held(fd, identity, display, null, Path.of(display.substring(5)));
        }
        if (display.startsWith("tcp:")) {
            String hostPort = display.substring(4);
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            // never resolved here: the agent asks the socket itself for its address (getsockname)
            return new Held(fd, identity, display, InetSocketAddress.createUnresolved(host, port), null);
        }
        throw new IllegalArgumentException("'" + display + "' is neither tcp: nor unix:");
    }

    static String encode(String value) {
        return value.replace("%", "%25").replace(";", "%3B");
    }

    private static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        StringBuilder sb = new StringBuilder();
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length) {
                out.write(Integer.parseInt(new String(bytes, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        sb.append(out.toString(StandardCharsets.UTF_8));
        return sb.toString();
    }
}
