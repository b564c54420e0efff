package io.hupwatch.agent;

import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The held sockets, for a JVM that does not have them: a launcher ({@code mvn spring-boot:run}, an
 * IDE, a build tool's run task) started it without hupwatch's fds. The agent asks hupwatch on the
 * generation's link ({@code SOCKETS}) and receives them with SCM_RIGHTS, which no JDK API can do. The
 * agent carries no native code, so hupwatch's own handoff client does it (hupwatch-child, with jnr),
 * loaded from hupwatch's class path into a module layer of its own whose parent loader is the platform
 * loader: none of its classes meets the application's. Its module may load native code (so a JDK 24+
 * JVM prints no warning about it, and nothing changes for the application's own modules). A JVM that
 * lacks held sockets loads the client in the background from its start ({@link #preload}), and asks
 * hupwatch only when its server binds one of their addresses.
 */
final class SocketFetch {
    /** hupwatch's own class (the agent's build leaves this name out of its relocation of the handoff package). */
    private static final String CLIENT = "io.hupwatch.handoff.HandoffClient";
    /** The client class, once loading has begun (at most once per JVM). */
    private static CompletableFuture<Class<?>> loading;

    /** One socket received: the address as hupwatch names it, and its fd in this process (close-on-exec). */
    record Received(String address, int fd) {
    }

    private SocketFetch() {
    }

    /**
     * Asks hupwatch for the held sockets {@code missing} and keeps those that are what hupwatch named
     * (address and identity), non-blocking like every holder's; says in one line what came of it.
     *
     * @return each socket kept, with its fd here, and its inode
     */
    static Map<AgentSettings.Held, Long> held(AgentSettings settings, List<AgentSettings.Held> missing) {
        long t0 = System.nanoTime();
        List<Received> got;
        try {
            got = fetch(settings.link(), settings.client());
        } catch (IOException e) {
            AgentLog.info("this JVM was started without hupwatch's sockets, and asking hupwatch for them failed ("
                    + e.getMessage() + "); the server binds them itself, which fails while another generation serves"
                    + " them: run the server's JVM directly, or exec it from the start script");
            return Map.of();
        }
        Map<AgentSettings.Held, Long> kept = new LinkedHashMap<>();
        for (Received r : got) {
            AgentSettings.Held wanted = missing.stream().filter(h -> h.display().equals(r.address())).findFirst()
                    .orElse(null);
            long inode = ProcFs.socketInode(r.fd());
            try {
                if (wanted == null || !ProcFs.isFile(r.fd(), wanted.identity(), inode)) {
                    throw new IOException("not a socket this generation's settings name");
                }
                JdkNatives.setBlocking(r.fd(), false);
            } catch (IOException e) {
                JdkNatives.close(r.fd());
                continue;
            }
            kept.put(new AgentSettings.Held(r.fd(), wanted.identity(), wanted.display(), wanted.tcp(), wanted.unix()),
                    inode);
        }
        AgentLog.info("started without hupwatch's sockets (a launcher did not pass them down): got " + kept.size()
                + " of " + missing.size() + " over the link in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return kept;
    }

    /**
     * @param link      the generation's link
     * @param classPath hupwatch's class path ({@code :}-separated), from its settings
     * @throws IOException naming what failed, when the sockets could not be had
     */
    static List<Received> fetch(Path link, String classPath) throws IOException {
        if (link == null) {
            throw new IOException("hupwatch named no link to ask on");
        }
        if (classPath == null || classPath.isEmpty()) {
            throw new IOException("hupwatch did not say where its handoff client is (an older hupwatch?)");
        }
        try {
            Class<?> client = client(classPath);
            Object connection = client.getMethod("connect", String.class).invoke(null, link.toString());
            try {
                List<?> sockets = (List<?>) client.getMethod("sockets").invoke(connection);
                if (sockets.isEmpty()) {
                    sockets = (List<?>) client.getMethod("requestSockets").invoke(connection);
                }
                List<Received> received = new ArrayList<>();
                for (Object s : sockets) {
                    Method address = s.getClass().getMethod("address");
                    Method fd = s.getClass().getMethod("fd");
                    received.add(new Received((String) address.invoke(s), (Integer) fd.invoke(s)));
                }
                return received;
            } finally {
                client.getMethod("close").invoke(connection);
            }
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw new IOException("cannot load hupwatch's handoff client from " + classPath + ": " + e, e);
        }
    }

    /**
     * Starts loading hupwatch's handoff client, jnr's start included, on a thread of its own: a JVM that lacks
     * held sockets is, as a rule, a server that will bind them, and its start-up hides the few hundred
     * milliseconds that would otherwise delay that bind. It asks hupwatch for nothing.
     */
    static void preload(String classPath) {
        loading(classPath);
    }

    private static synchronized CompletableFuture<Class<?>> loading(String classPath) {
        if (loading == null) {
            CompletableFuture<Class<?>> f = new CompletableFuture<>();
            loading = f;
            Thread t = new Thread(() -> {
                try {
                    Class<?> client = clientClass(classPath);
                    client.getMethod("prepare").invoke(null);
                    f.complete(client);
                } catch (InvocationTargetException e) {
                    f.completeExceptionally(e.getCause());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, "hupwatch-agent-handoff-client");
            t.setDaemon(true);
            t.start();
        }
        return loading;
    }

    /** The handoff client, loaded and prepared (waits for a preload under way). */
    private static Class<?> client(String classPath) throws IOException {
        try {
            return loading(classPath).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot load hupwatch's handoff client from " + classPath + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading hupwatch's handoff client", e);
        }
    }

    /**
     * hupwatch's handoff client, from a loader that sees nothing of the application: a module layer of
     * hupwatch's jars (automatic modules), else, where they cannot be modules or do not hold it as such (a
     * manifest Class-Path), a plain class loader over them.
     */
    private static Class<?> clientClass(String classPath) throws IOException, ClassNotFoundException {
        List<Path> entries = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e));
            }
        }
        if (entries.stream().allMatch(Files::isRegularFile)) {
            try {
                ModuleFinder finder = ModuleFinder.of(entries.toArray(Path[]::new));
                Set<String> names = finder.findAll().stream().map(r -> r.descriptor().name())
                        .collect(Collectors.toSet());
                Configuration cf = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), names);
                ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf,
                        ClassLoader.getPlatformClassLoader());
                layer.modules().forEach(JdkNatives::enableNativeAccess); // before jnr loads its library
                return Class.forName(CLIENT, true, layer.findLoader(names.iterator().next()));
            } catch (RuntimeException | LinkageError | ClassNotFoundException e) {
                // a jar that cannot be a module (split packages, an odd name), or without the class itself
            }
        }
        URL[] urls = new URL[entries.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = entries.get(i).toUri().toURL();
        }
        return Class.forName(CLIENT, true, new URLClassLoader("hupwatch-handoff", urls,
                ClassLoader.getPlatformClassLoader()));
    }
}
