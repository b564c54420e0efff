package io.hupwatch.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        // The held sockets this process really has (a JVM started by this one inherits the variable, not the fds).
        Map<Integer, Long> inodes = new HashMap<>();
        for (AgentSettings.Held h : settings.held()) {
            long inode = ProcFs.socketInode(h.fd());
            if (inode >= 0) {
                inodes.put(h.fd(), inode);
            }
        }
        if (inodes.isEmpty() && !settings.adopt()) {
            return;
        }
        JdkNatives.init(inst);
        List<AgentSettings.Held> present = new ArrayList<>();
        boolean unix = false;
        for (AgentSettings.Held h : settings.held()) {
            if (!inodes.containsKey(h.fd())) {
                continue;
            }
            // every holder shares one mode: non-blocking, so that no thread sits in a kernel accept
            JdkNatives.setBlocking(h.fd(), false);
            present.add(h);
            unix |= h.unix() != null;
        }
        settings = settings.withHeld(present);
        Set<Long> heldInodes = Set.copyOf(inodes.values());
        Drain drain = new Drain(settings, heldInodes, Math.max(0, settings.graceMillis()));
        HupwatchLink link = new HupwatchLink(settings.link(), settings.generation(), settings.stopSignal());
        Pause pause = new Pause(drain);
        drain.pause = pause;
        drain.onStopped = () -> link.send("STOPPING=1");
        link.pause = pause;
        // With --bind: ready when accepting on every held socket. Adopting (a release may drop a port):
        // on every socket this server claimed or handed over.
        ReportReady report = new ReportReady(link, settings);
        ReadinessWatch watch = new ReadinessWatch(settings.adopt() ? Set.of() : heldInodes, report);
        Claims claims = new Claims(settings, inodes, link, new OnClaim(watch, drain, settings.adopt() ? inodes : null));
        report.claims = claims;
        NettyHooks.install(claims);
        // ASM and the hook class are loaded on a thread of their own, while the server starts (unless a
        // target class is loaded already: then now, before the server can call it).
        HookSetup hooks = new HookSetup(inst, claims, unix);
        inst.addTransformer(new Transformer(unix, hooks), true);
        hooks.start();
        try {
            drain.install();
        } catch (IllegalArgumentException e) {
            AgentLog.info("cannot take over SIG" + settings.stopSignal() + " (" + e.getMessage()
                    + "): the server stops without draining first");
        }
        watch.start();
    }

    /**
     * Tells hupwatch, once, that this generation accepts on its sockets. When adopting, it then closes
     * its copies of the held sockets its server did not bind: a port this release no longer serves must
     * not stay open here (queueing connections nobody accepts) after hupwatch releases it.
     */
    private static final class ReportReady implements Runnable {
        private final HupwatchLink link;
        private final AgentSettings settings;
        volatile Claims claims;

        ReportReady(HupwatchLink link, AgentSettings settings) {
            this.link = link;
            this.settings = settings;
        }

        @Override
        public void run() {
            link.send("ACCEPTING=1");
            if (!settings.adopt() || claims == null) {
                return;
            }
            for (AgentSettings.Held h : settings.held()) {
                if (!claims.claimed().containsValue(h)) {
                    JdkNatives.close(h.fd());
                }
            }
        }
    }

    /** After a claim: sample readiness often again, and make the drain's stand-in socket before it is needed. */
    private static final class OnClaim implements Claims.Listener {
        private final ReadinessWatch watch;
        private final Drain drain;
        /** held fd -> inode when readiness counts only the sockets this server claims; else null. */
        private final Map<Integer, Long> claimedCount;

        OnClaim(ReadinessWatch watch, Drain drain, Map<Integer, Long> claimedCount) {
            this.watch = watch;
            this.drain = drain;
            this.claimedCount = claimedCount;
        }

        @Override
        public void claimed(AgentSettings.Held held, int fd) {
            if (claimedCount != null && claimedCount.containsKey(held.fd())) {
                watch.watch(claimedCount.get(held.fd()));
            } else {
                watch.kick();
            }
            prepareDrain();
        }

        @Override
        public void adopted(String address, int fd, long inode) {
            drain.shared(address, inode);
            watch.watch(inode);
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
