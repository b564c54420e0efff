package io.hupwatch.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Unix datagram sockets through libc, for the sd_notify protocol (the JDK has unix stream sockets
 * only): a receiver bound to a path, and sending one datagram to a path or an {@code @abstract} name.
 */
public final class UnixDatagram {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SUN_PATH = 108;
    private static final int SHUT_RDWR = 2;

    private UnixDatagram() {
    }

    /** A datagram socket bound to {@code path}; returns its fd. */
    public static int bind(Path path) throws IOException {
        LibC libc = Native.libc();
        int fd = socket();
        Pointer sa = address(path.toString());
        if (libc.bind(fd, sa, (int) sa.size()) != 0) {
            String err = Native.lastError();
            libc.close(fd);
            throw new IOException("bind(" + path + ") failed: " + err);
        }
        return fd;
    }

    /**
     * Hands each datagram that arrives on {@code fd} to {@code each}, received into one buffer, for as long
     * as {@code open} says so before each wait, and until the socket is shut down ({@link #close}).
     */
    public static void receiveWhile(int fd, BooleanSupplier open, Consumer<String> each) {
        Pointer buffer = buffer();
        String message;
        while (open.getAsBoolean() && (message = receive(fd, buffer)) != null) {
            each.accept(message);
        }
    }

    /** Blocks for one datagram; null once the socket is shut down. */
    private static String receive(int fd, Pointer buffer) {
        long n = Native.libc().recv(fd, buffer, buffer.size(), 0);
        if (n <= 0) {
            return null;
        }
        byte[] bytes = new byte[(int) n];
        buffer.get(0, bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Pointer buffer() {
        return Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(Native.libc()), 4096);
    }

    /** Wakes a thread blocked in {@link #receive} and closes the socket. */
    public static void close(int fd) {
        Native.libc().shutdown(fd, SHUT_RDWR);
        Native.libc().close(fd);
    }

    /** Sends {@code message} to the socket at {@code address} (a path, or {@code @name} for the abstract namespace). */
    public static void send(String address, String message) throws IOException {
        LibC libc = Native.libc();
        int fd = socket();
        try {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            Pointer data = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(libc), Math.max(1, bytes.length));
            data.put(0, bytes, 0, bytes.length);
            Pointer sa = address(address);
            if (libc.sendto(fd, data, bytes.length, 0, sa, (int) sa.size()) < 0) {
                throw new IOException("sendto(" + address + ") failed: " + Native.lastError());
            }
        } finally {
            libc.close(fd);
        }
    }

    private static int socket() throws IOException {
        int fd = Native.libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: " + Native.lastError());
        }
        return fd;
    }

    /** struct sockaddr_un, sized to what it holds; "@name" is the abstract name "\0name". */
    private static Pointer address(String address) throws IOException {
        boolean abstractName = address.startsWith("@");
        byte[] path = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        int length = abstractName ? 1 + path.length : path.length + 1;
        if (length > SUN_PATH) {
            throw new IOException("unix socket address too long (" + path.length + " bytes): " + address);
        }
        Pointer sa = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(Native.libc()), 2 + length, true);
        sa.putShort(0, (short) AF_UNIX);
        sa.put(abstractName ? 3 : 2, path, 0, path.length);
        return sa;
    }
}
