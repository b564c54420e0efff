package io.hupwatch.it;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.hupwatch.testservers.GrpcServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC client as services run one: a few long-lived channels (each one HTTP/2 connection at a
 * time), shared by many threads making unary calls, each with a deadline of 10 s past its delay.
 */
final class GrpcCalls extends ConcurrentCalls {
    private final List<ManagedChannel> channels = new ArrayList<>();

    GrpcCalls(int port, int channelCount, int threadCount) {
        super(threadCount);
        for (int i = 0; i < channelCount; i++) {
            channels.add(Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create())
                    .build());
        }
    }

    @Override
    String call(int caller, long delayMs) {
        byte[] answer = ClientCalls.blockingUnaryCall(channels.get(caller % channels.size()), GrpcServer.WHICH,
                CallOptions.DEFAULT.withDeadlineAfter(10_000 + delayMs, TimeUnit.MILLISECONDS),
                (delayMs == 0 ? "" : Long.toString(delayMs)).getBytes(StandardCharsets.UTF_8));
        return new String(answer, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        super.close();
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
