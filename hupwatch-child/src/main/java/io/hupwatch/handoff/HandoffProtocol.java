package io.hupwatch.handoff;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The handoff wire format, version 1 (the README documents it for servers in other languages).
 *
 * <p>The child connects to {@code $HUPWATCH_SOCKET} (a unix stream socket). hupwatch answers with
 * one block of UTF-8 lines, sent with a single {@code sendmsg} whose SCM_RIGHTS control message
 * carries the listening fds, in the order of the {@code socket} lines:
 * <pre>
 * HUPWATCH 1
 * generation 3
 * socket web tcp:0.0.0.0:8080
 * socket admin unix:/run/app/admin.sock
 * end
 * </pre>
 * A client must refuse a first line with another major version, and skip lines whose first word
 * it does not know. The connection then stays open: the child may send newline-terminated
 * messages, and end-of-file tells it that hupwatch is gone.
 *
 * <p>hupwatch's Java agent says {@link #AGENT_HELLO} first on its connection; on that connection only,
 * hupwatch then sends lines too: {@link #PAUSE} (stop accepting on the held sockets, keep running:
 * the previous generation during a probation) and {@link #RESUME} (accept again, at once), which the
 * agent answers with {@link #RESUMED} once it accepts again (not when it is draining: then it stays
 * silent, and hupwatch does not roll back to it). Every agent of a generation that serves the held
 * sockets gets them: one that said {@link #servesSockets one of the lines} that show it (a launcher JVM
 * that only started the server's JVM never does, and is neither paused nor counted on to answer).
 *
 * <p>Any connection may write {@link #SOCKETS}: hupwatch answers with another header, the fds with it.
 * The agent's own socket (made for it when the pass mode is not {@code handoff}) sends a first header
 * that names no socket and carries no fd: only a process that asks gets the sockets there (a JVM that
 * a launcher started without hupwatch's fds).
 */
public final class HandoffProtocol {
    public static final int VERSION = 1;
    public static final String MAGIC = "HUPWATCH";
    public static final String END = "end";
    /** The most fds one SCM_RIGHTS message may carry on Linux. */
    public static final int MAX_FDS = 253;
    public static final int MAX_HEADER = 64 * 1024;
    /** The agent's first line: this connection is the agent's link, and it takes the lines below. */
    public static final String AGENT_HELLO = "AGENT 1";
    /** hupwatch to the agent: stop accepting on the shared sockets, stay warm. */
    public static final String PAUSE = "PAUSE";
    /** hupwatch to the agent: accept on the shared sockets again. */
    public static final String RESUME = "RESUME";
    /** The agent to hupwatch, after RESUME: it accepts on the shared sockets again. */
    public static final String RESUMED = "RESUMED";
    /** To hupwatch, on any connection: send the sockets (again), as a header with the fds. */
    public static final String SOCKETS = "SOCKETS";
    /**
     * The agent to hupwatch: its JVM serves the held sockets, having claimed one at the server's bind
     * ({@code CLAIMED ADDRESS}), offered one it listens on ({@code ADOPT FD ADDRESS}), or waiting to accept on one
     * ({@code ACCEPTING ADDRESS}).
     */
    private static final List<String> SERVING_LINES = List.of("CLAIMED ", "ADOPT ", "ACCEPTING ");

    /** One socket of the header: its name and the address as hupwatch's --bind displays it. */
    public record Entry(String name, String address) {
    }

    public record Header(int generation, List<Entry> sockets) {
    }

    private HandoffProtocol() {
    }

    public static byte[] encode(Header header) {
        StringBuilder sb = new StringBuilder();
        sb.append(MAGIC).append(' ').append(VERSION).append('\n');
        sb.append("generation ").append(header.generation()).append('\n');
        for (Entry e : header.sockets()) {
            sb.append("socket ").append(e.name()).append(' ').append(e.address()).append('\n');
        }
        sb.append(END).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether the agent's {@code line} shows that its JVM serves the held sockets: only such a JVM is paused,
     * resumed, and answers {@link #RESUMED}.
     */
    public static boolean servesSockets(String line) {
        for (String start : SERVING_LINES) { // no lambda: the agent calls this at the server's first bind
            if (line.startsWith(start)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} holds a whole header yet. */
    public static boolean complete(String text) {
        return text.startsWith(END + "\n") || text.contains("\n" + END + "\n");
    }

    public static Header decode(String text) throws java.io.IOException {
        String[] lines = text.split("\n");
        String[] first = lines[0].split(" ");
        if (first.length != 2 || !first[0].equals(MAGIC)) {
            throw new java.io.IOException("not a hupwatch handoff: '" + lines[0] + "'");
        }
        if (!first[1].equals(Integer.toString(VERSION))) {
            throw new java.io.IOException("hupwatch handoff version " + first[1] + " is not supported (this library speaks "
                    + VERSION + "): use a hupwatch-child as new as the hupwatch running it");
        }
        int generation = 0;
        List<Entry> sockets = new ArrayList<>();
        for (int i = 1; i < lines.length && !lines[i].equals(END); i++) {
            String[] words = lines[i].split(" ", 3);
            if (words[0].equals("generation") && words.length > 1) {
                generation = Integer.parseInt(words[1]);
            } else if (words[0].equals("socket") && words.length == 3) {
                sockets.add(new Entry(words[1], words[2]));
            }
        }
        return new Header(generation, sockets);
    }
}
