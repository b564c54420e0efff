package io.hupwatch.testservers;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A plain gRPC server on {@code grpc-netty-shaded}, stopped the usual way (a shutdown hook calling
 * {@code shutdown()} and waiting). One unary method, {@link #WHICH}: the request is a delay in
 * milliseconds as text (empty: none), the answer {@code generation G pid P}. Usage: {@code PORT}.
 */
public final class GrpcServer {
    /** {@code hupwatch.Test/Which}, with plain bytes for request and answer (no protoc needed). */
    public static final MethodDescriptor<byte[], byte[]> WHICH = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("hupwatch.Test/Which")
            .setRequestMarshaller(new Bytes())
            .setResponseMarshaller(new Bytes())
            .build();

    private GrpcServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] answer = ("generation " + generation + " pid " + pid).getBytes(StandardCharsets.UTF_8);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ServerServiceDefinition service = ServerServiceDefinition.builder("hupwatch.Test")
                .addMethod(WHICH, ServerCalls.asyncUnaryCall((request, reply) -> {
                    String text = new String(request, StandardCharsets.UTF_8).trim();
                    long delay = text.isEmpty() ? 0 : Long.parseLong(text);
                    timer.schedule(() -> {
                        reply.onNext(answer);
                        reply.onCompleted();
                    }, delay, TimeUnit.MILLISECONDS);
                }))
                .build();
        Server server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(service).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "grpc-stop"));
        System.err.println("grpc generation " + generation + " pid " + pid + " listening on " + server.getListenSockets());
        server.awaitTermination();
    }

    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
