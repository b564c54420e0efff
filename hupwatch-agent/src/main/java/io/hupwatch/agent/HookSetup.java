package io.hupwatch.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes the JDK hooks ready on a thread of its own, so that this work overlaps the server's own start
 * instead of delaying it: defines {@code sun.nio.ch.HupwatchHooks} (the agent's entry points in the
 * JDK), loads ASM by changing a throwaway copy of a JDK class, and retransforms the target classes the
 * JVM had loaded before premain. A JDK class is transformed only once the hook class exists ({@link #await}), so no
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
            warmUp();
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
        Class<?> hooks = JdkNatives.sunNioCh().defineClass(renamed(bytes, HOOK_SOURCE, Instrumenter.JDK_HOOKS));
        hooks.getField("handler").set(null, claims);
        ConnectionClose.jdkHooks(hooks);
        // the JDK HttpServer (module jdk.httpserver) calls the hook class from its response path
        ModuleLayer.boot().findModule("jdk.httpserver").ifPresent(m -> inst.redefineModule(Object.class.getModule(),
                java.util.Set.of(), java.util.Map.of("sun.nio.ch", java.util.Set.of(m)), java.util.Map.of(),
                java.util.Set.of(), java.util.Map.of()));
    }

    /**
     * The class renamed by rewriting the one constant-pool string that names it (its references to
     * itself point there too): no bytecode library needed, so the hook class is there in a few
     * milliseconds. Nothing in a class file refers to constant-pool entries by their byte offset.
     */
    static byte[] renamed(byte[] bytes, String from, String to) {
        byte[] old = utf8Entry(from);
        byte[] now = utf8Entry(to);
        int at = indexOf(bytes, old);
        if (at < 0 || indexOf(java.util.Arrays.copyOfRange(bytes, at + 1, bytes.length), old) >= 0) {
            throw new IllegalStateException(from + " is not named exactly once in its class file");
        }
        byte[] out = new byte[bytes.length - old.length + now.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(now, 0, out, at, now.length);
        System.arraycopy(bytes, at + old.length, out, at + now.length, bytes.length - at - old.length);
        return out;
    }

    private static byte[] utf8Entry(String name) {
        byte[] text = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] entry = new byte[3 + text.length];
        entry[0] = 1; // CONSTANT_Utf8
        entry[1] = (byte) (text.length >> 8);
        entry[2] = (byte) text.length;
        System.arraycopy(text, 0, entry, 3, text.length);
        return entry;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Loads ASM and its paths now, on this thread, by changing a copy of the JDK's Net (then dropped). */
    private static void warmUp() {
        try (InputStream in = Object.class.getModule().getResourceAsStream("sun/nio/ch/Net.class")) {
            if (in != null) {
                Instrumenter.transform("sun/nio/ch/Net", in.readAllBytes());
            }
        } catch (IOException | RuntimeException e) {
            // only a warm-up
        }
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
