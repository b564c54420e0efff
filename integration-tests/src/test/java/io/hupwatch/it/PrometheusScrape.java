package io.hupwatch.it;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} from hupwatch, parsed by a real Prometheus text-format parser: the Python
 * {@code prometheus_client} of Debian's {@code python3-prometheus-client} (importable from
 * {@code /usr/bin/python3} only). A response the parser rejects fails the test.
 *
 * @param contentType the response's Content-Type
 * @param samples     "name{label="value",...}" (labels sorted; "name{}" without) to the sample's value
 * @param types       metric family name to its type (counter, gauge, histogram)
 */
record PrometheusScrape(String contentType, Map<String, Double> samples, Map<String, String> types) {
    private static final String PARSER = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                print("TYPE", family.name, family.type)
                for s in family.samples:
                    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
                    print("SAMPLE", "%s{%s}" % (s.name, labels), repr(float(s.value)))
            """;

    static PrometheusScrape tcp(SocketAddress address) throws IOException, InterruptedException {
        return parse(get(address, StandardProtocolFamily.INET));
    }

    static PrometheusScrape unix(java.nio.file.Path path) throws IOException, InterruptedException {
        return parse(get(UnixDomainSocketAddress.of(path), StandardProtocolFamily.UNIX));
    }

    /** A sample's value; fails when the scrape has no such sample. */
    double value(String sample) {
        Double v = samples.get(sample);
        if (v == null) {
            throw new AssertionError("no sample " + sample + " in " + samples.keySet());
        }
        return v;
    }

    private static String get(SocketAddress address, StandardProtocolFamily family) throws IOException {
        try (SocketChannel ch = SocketChannel.open(family)) {
            ch.connect(address);
            ch.write(ByteBuffer.wrap("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // to the end of the response: hupwatch closes after it
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    private static PrometheusScrape parse(String response) throws IOException, InterruptedException {
        int split = response.indexOf("\r\n\r\n");
        if (!response.startsWith("HTTP/1.0 200 ") || split < 0) {
            throw new AssertionError("not a 200 response: " + response);
        }
        String contentType = response.substring(0, split).lines().filter(l -> l.startsWith("Content-Type: "))
                .map(l -> l.substring("Content-Type: ".length())).findFirst().orElse(null);
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", PARSER).redirectErrorStream(true).start();
        p.getOutputStream().write(response.substring(split + 4).getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("the Prometheus parser rejected the scrape: " + out + "\n" + response);
        }
        Map<String, Double> samples = new HashMap<>();
        Map<String, String> types = new HashMap<>();
        for (String line : out.split("\n")) {
            List<String> f = List.of(line.split(" "));
            if (f.get(0).equals("TYPE")) {
                types.put(f.get(1), f.get(2));
            } else if (f.get(0).equals("SAMPLE")) {
                samples.put(line.substring(7, line.lastIndexOf(' ')), Double.parseDouble(f.get(f.size() - 1)));
            }
        }
        return new PrometheusScrape(contentType, samples, types);
    }
}
