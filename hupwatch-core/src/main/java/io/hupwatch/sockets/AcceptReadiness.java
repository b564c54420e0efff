package io.hupwatch.sockets;

import io.hupwatch.supervisor.BindAddress;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.Map;

/**
 * {@code --ready auto}: a generation is ready when it accepts on every socket the serving generation
 * serves (a port that opens late, like a management port, included), and on every one it claimed or
 * handed over itself; with {@code --bind}, on every held socket. The agent reports each socket its
 * server accepts on ({@code ACCEPTING ADDRESS}); this decides, and then says {@code ACCEPTING=1} for
 * the generation, once. Past the readiness timeout, a generation that accepts on some of them and
 * lacks only adopted ones has dropped those ports ({@link #dropped}).
 */
final class AcceptReadiness implements AgentMessages, BiConsumer<Integer, String> {
    private static final String ACCEPTING = "ACCEPTING ";

    private final AgentMessages next;
    private final Supplier<Set<String>> held;
    private final IntFunction<Set<String>> served;
    private final Predicate<String> adopted;
    private final BiConsumer<Integer, String> onMessage;
    private final Map<Integer, Set<String>> accepting = new ConcurrentHashMap<>();
    private final Set<Integer> reported = ConcurrentHashMap.newKeySet();
    private volatile int serving;

    /**
     * @param next      the other agent lines ({@code CLAIMED}, {@code ADOPT}) go there first
     * @param held      the addresses hupwatch holds now
     * @param served    generation -> the addresses it serves (claimed or handed over); null: every held one
     *                  is required ({@code --bind})
     * @param adopted   whether an address was adopted (so may be dropped by a release)
     * @param onMessage where {@code ACCEPTING=1} goes
     */
    AcceptReadiness(AgentMessages next, Supplier<Set<String>> held, IntFunction<Set<String>> served,
            Predicate<String> adopted, BiConsumer<Integer, String> onMessage) {
        this.next = next;
        this.held = held;
        this.served = served;
        this.adopted = adopted;
        this.onMessage = onMessage;
    }

    /** A line from a generation's handoff connection: {@code ACCEPTING ADDRESS} is taken here, the others pass on. */
    @Override
    public void accept(Integer generation, String line) {
        if (!line.startsWith(ACCEPTING) || !handle(generation, 0, line)) {
            onMessage.accept(generation, line);
        }
    }

    @Override
    public boolean handle(int generation, long pid, String line) {
        if (line.startsWith(ACCEPTING)) {
            accepting.computeIfAbsent(generation, g -> ConcurrentHashMap.newKeySet())
                    .add(normalized(line.substring(ACCEPTING.length())));
        } else if (!next.handle(generation, pid, line)) {
            return false;
        }
        if (missing(generation).isEmpty() && reported.add(generation)) {
            onMessage.accept(generation, "ACCEPTING=1");
        }
        return true;
    }

    /** What {@code generation} must still accept on; empty when ready (it accepts on at least one). */
    Set<String> missing(int generation) {
        Set<String> on = accepting.getOrDefault(generation, Set.of());
        Set<String> required = new TreeSet<>();
        if (served == null) {
            required.addAll(held.get());
        } else {
            if (serving != 0 && serving != generation) {
                required.addAll(served.apply(serving));
            }
            required.addAll(served.apply(generation));
        }
        required.removeAll(on);
        if (on.isEmpty() && required.isEmpty()) {
            required.add("(any socket)");
        }
        return required;
    }

    /**
     * At the readiness timeout: the adopted ports {@code generation} never bound, when it accepts on the
     * others (the swap goes on without them: the release dropped them); null when it is simply not ready.
     */
    String dropped(int generation) {
        Set<String> missing = missing(generation);
        boolean some = !accepting.getOrDefault(generation, Set.of()).isEmpty();
        if (!some || missing.isEmpty() || served == null || !missing.stream().allMatch(adopted)) {
            return null;
        }
        return String.join(", ", missing);
    }

    void serving(int generation) {
        serving = generation;
    }

    @Override
    public void starting(int generation) {
        next.starting(generation);
    }

    @Override
    public void exited(int generation) {
        accepting.remove(generation);
        reported.remove(generation);
        next.exited(generation);
    }

    private static String normalized(String address) {
        try {
            return BindAddress.parse(address, 0).display();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }
}
