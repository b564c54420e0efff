package io.hupwatch.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control socket protocol as the README documents it "for scripts without hupwatch at hand":
 * connect, write {@code reload}, {@code status} or {@code status json} and a newline, read the
 * answer to end-of-file. Used where starting a {@code hupwatch reload} JVM per request would be too
 * slow (hundreds of reloads, sampling the status many times a second).
 */
final class ControlRequest {
    private static final Pattern STATE = Pattern.compile("\"generation\":(\\d+),\"pid\":(\\d+),\"state\":\"(\\w+)\"");

    private ControlRequest() {
    }

    static String send(Path control, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(control));
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (buf.hasRemaining() && c.read(buf) >= 0) {
                // to end of stream
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).trim();
        }
    }

    /** One live generation in {@code status json}. */
    record Gen(int generation, long pid, String state) {
    }

    /** The generations listed by a {@code status json} answer, in order. */
    static List<Gen> generations(String json) {
        List<Gen> gens = new ArrayList<>();
        Matcher m = STATE.matcher(json);
        while (m.find()) {
            gens.add(new Gen(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), m.group(3)));
        }
        return gens;
    }

    static long count(List<Gen> gens, String state) {
        return gens.stream().filter(g -> g.state().equals(state)).count();
    }
}
