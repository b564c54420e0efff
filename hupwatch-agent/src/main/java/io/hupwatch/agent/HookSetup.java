package io.hupwatch.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes the JDK hooks ready on a thread of its own, so that loading ASM and defining the hook class
 * overlap the server's own start instead of delaying it: defines {@code sun.nio.ch.HupwatchHooks}
 * (the agent's entry points in the JDK) and retransforms the target classes the JVM had loaded before
 * premain. A JDK class is transformed only once the hook class exists ({@link #await}), so no
 * transformed method can call a class that is not there yet.
 */
final class HookSetup implements Runnable {
    private static final String HOOK_SOURCE = "io/hupwatch/agent/boot/JdkHooks";

    private final Instrumentation inst;
    private final Claims claims;
    private final boolean unix;
    private final CountDownLatch defined = new CountDownLatch(1);
    private volatile boolean ok;

    HookSetup(Instrumentation inst, Claims claims, boolean unix) {
        this.inst = inst;
        this.claims = claims;
        this.unix = unix;
    }

    /** On a thread of its own; here and now when a target class is loaded already (it may run any moment). */
    void start() {
        if (!loadedTargets().isEmpty()) {
            run();
            return;
        }
        Thread t = new Thread(this, "hupwatch-agent-setup");
        t.setDaemon(true);
        t.start();
    }

    /** Whether the hook class is defined (waits for it); false when it could not be. */
    boolean await() {
        try {
            return defined.await(30, TimeUnit.SECONDS) && ok;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void run() {
        try {
            defineJdkHooks();
            ok = true;
        } catch (Throwable t) {
            AgentLog.info("not attached to the JDK's sockets (" + t + "); the server binds as it would without"
                    + " hupwatch's agent");
        } finally {
            defined.countDown();
        }
        if (ok) {
            try {
                retransformLoaded();
            } catch (Throwable t) {
                AgentLog.info("cannot change the socket classes loaded before the agent (" + t + ")");
            }
        }
    }

    /** Defines the hook class in {@code sun.nio.ch} (bootstrap loader) and plugs the claims into it. */
    private void defineJdkHooks() throws Exception {
        byte[] bytes;
        try (InputStream in = HookSetup.class.getClassLoader().getResourceAsStream(HOOK_SOURCE + ".class")) {
            if (in == null) {
                throw new IOException(HOOK_SOURCE + ".class is missing from the agent jar");
            }
            bytes = in.readAllBytes();
        }
        Class<?> hooks = JdkNatives.sunNioCh().defineClass(Instrumenter.renamedHooks(bytes, HOOK_SOURCE));
        hooks.getField("handler").set(null, claims);
    }

    private void retransformLoaded() throws Exception {
        List<Class<?>> loaded = loadedTargets();
        if (!loaded.isEmpty()) {
            inst.retransformClasses(loaded.toArray(Class<?>[]::new));
        }
    }

    /** The target classes the JVM loaded before the transformer was there. */
    private List<Class<?>> loadedTargets() {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (Transformer.isJdkTarget(c.getName().replace('.', '/'), unix)) {
                loaded.add(c);
            }
        }
        return loaded;
    }
}
