package io.hupwatch.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's entry point ({@code -javaagent:hupwatch-agent.jar}). It does little and fails soft: it
 * reads what hupwatch told it ({@code HUPWATCH_AGENT}), defines its hook class in the JDK, registers a
 * transformer that changes only the few socket classes it must, takes over the stop signal, and
 * starts the readiness watch. Any failure is one line on stderr and the server runs as it would
 * without hupwatch. Outside hupwatch (no {@code HUPWATCH_AGENT}) it does nothing at all.
 */
public final class HupwatchAgent {

    private HupwatchAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        String text = System.getenv(AgentSettings.VARIABLE);
        if (text == null || text.isEmpty()) {
            return;
        }
        try {
            long t0 = System.nanoTime();
            start(AgentSettings.parse(text), inst);
            if (System.getenv("HUPWATCH_AGENT_TRACE") != null) {
                AgentLog.info("premain took " + (System.nanoTime() - t0) / 1000 + " us");
            }
        } catch (Throwable t) {
            AgentLog.info("not attached (" + t + "); the server runs without hupwatch's agent");
        }
    }

    private static void start(AgentSettings settings, Instrumentation inst) throws Exception {
        AgentLog.generation(settings.generation());
        // The held sockets this process really has, and are what hupwatch said (a JVM started by this one
        // inherits the variable, not the fds; an fd number may be something else here).
        Map<Integer, Long> inodes = new ConcurrentHashMap<>();
        List<AgentSettings.Held> missing = new ArrayList<>();
        for (AgentSettings.Held h : settings.held()) {
            long inode = ProcFs.socketInode(h.fd());
            if (inode >= 0 && (h.identity() == null || h.identity().endsWith(":" + inode))) {
                inodes.put(h.fd(), inode);
            } else {
                missing.add(h); // asked for over the link if this JVM binds its address
            }
        }
        if (settings.held().isEmpty() && !settings.adopt()) {
            return;
        }
        JdkNatives.init(inst);
        List<AgentSettings.Held> present = new ArrayList<>();
        Map<Long, String> watched = new HashMap<>();
        boolean unix = false;
        for (AgentSettings.Held h : settings.held()) {
            // a unix socket this JVM may ask for later is protected from the server's delete as well
            unix |= h.unix() != null;
            if (!inodes.containsKey(h.fd())) {
                continue;
            }
            // every holder shares one mode: non-blocking, so that no thread sits in a kernel accept
            JdkNatives.setBlocking(h.fd(), false);
            present.add(h);
            watched.put(inodes.get(h.fd()), h.display());
        }
        settings = settings.withHeld(present);
        Set<Long> heldInodes = Set.copyOf(inodes.values());
        Drain drain = new Drain(settings, heldInodes, Math.max(0, settings.graceMillis()));
        HupwatchLink link = new HupwatchLink(settings.link(), settings.generation(), settings.stopSignal());
        drain.reportTo(link);
        Pause pause = new Pause(drain);
        drain.pause = pause;
        drain.onStopped = () -> link.send("STOPPING=1");
        link.pause = pause;
        Claims[] claims = new Claims[1];
        boolean adopting = settings.adopt();
        // hupwatch decides readiness from these reports; past the readiness timeout, a held socket the server
        // never bound is a port this release dropped: when adopting, hupwatch releases it, so this JVM must
        // not keep it open (queueing connections nobody accepts).
        ReadinessWatch watch = new ReadinessWatch(watched, address -> {
                    ConnectionClose.accepts();
                    link.send("ACCEPTING " + address);
                },
                settings.readyMillis(), never -> {
                    if (adopting && claims[0] != null) {
                        claims[0].dropUnbound(never);
                    }
                });
        claims[0] = new Claims(settings, missing, inodes, link, new OnClaim(watch, drain));
        NettyHooks.install(claims[0]);
        // ASM and the hook class are loaded on a thread of their own, while the server starts (unless a
        // target class is loaded already: then now, before the server can call it).
        HookSetup hooks = new HookSetup(inst, claims[0], unix);
        inst.addTransformer(new Transformer(unix, hooks), true);
        hooks.start();
        try {
            drain.install();
        } catch (IllegalArgumentException e) {
            AgentLog.info("cannot take over SIG" + settings.stopSignal() + " (" + e.getMessage()
                    + "): the server stops without draining first");
        }
        watch.start();
        if (!missing.isEmpty() && settings.link() != null && settings.client() != null) {
            // a launcher started this JVM without hupwatch's sockets: its server asks for them at its bind
            SocketFetch.preload(settings.client());
        }
    }

    /** After a claim: sample readiness often again, and make the drain's stand-in socket before it is needed. */
    private static final class OnClaim implements Claims.Listener {
        private final ReadinessWatch watch;
        private final Drain drain;

        OnClaim(ReadinessWatch watch, Drain drain) {
            this.watch = watch;
            this.drain = drain;
        }

        @Override
        public void claimed(AgentSettings.Held held, int fd) {
            watch.kick();
            prepareDrain();
        }

        @Override
        public void adopted(String address, int fd, long inode) {
            received(address, inode);
        }

        @Override
        public void received(String address, long inode) {
            drain.shared(address, inode);
            watch.watch(inode, address);
            prepareDrain();
        }

        private void prepareDrain() {
            try {
                drain.prepare();
            } catch (IOException e) {
                AgentLog.info("cannot prepare the drain: " + e.getMessage());
            }
        }
    }
}
