package podnet.cri.containerd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cri.containerd.api.content.WriteAction;
import podnet.cri.containerd.api.content.WriteContentRequest;
import podnet.cri.containerd.api.content.WriteContentResponse;
import podnet.cri.containerd.api.leases.CreateResponse;
import podnet.cri.containerd.api.leases.Lease;

/**
 * The client against a fake containerd content and leases service that keeps containerd's
 * rules (the first Write message names the ref; a WRITE or COMMIT at offset 0 truncates; an
 * expected digest that exists is AlreadyExists; the commit is answered twice): a blob larger
 * than one chunk arrives whole with its labels, the namespace and lease headers travel with
 * the calls, and an existing blob is reported as such.
 */
class ContainerdClientTest {
    @TempDir
    Path dir;

    private EventLoopGroup loop;
    private Server server;
    private Path socket;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> labels = new ConcurrentHashMap<>();
    private final List<String> headers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startFake() throws Exception {
        socket = dir.resolve("containerd.sock");
        loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ServerServiceDefinition content = ServerServiceDefinition.builder(ContainerdMethods.CONTENT)
                .addMethod(ContainerdMethods.CONTENT_WRITE, ServerCalls.asyncBidiStreamingCall(this::write)).build();
        ServerServiceDefinition leases = ServerServiceDefinition.builder(ContainerdMethods.LEASES)
                .addMethod(ContainerdMethods.LEASE_CREATE, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(CreateResponse.newBuilder().setLease(Lease.newBuilder().setId(req.getId())
                            .putAllLabels(req.getLabelsMap())).build());
                    out.onCompleted();
                })).build();
        ServerInterceptor recordHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata md,
                    io.grpc.ServerCallHandler<Q, R> next) {
                headers.add(call.getMethodDescriptor().getBareMethodName() + " ns="
                        + md.get(Metadata.Key.of(ContainerdClient.NAMESPACE_HEADER, Metadata.ASCII_STRING_MARSHALLER))
                        + " lease=" + md.get(Metadata.Key.of(ContainerdClient.LEASE_HEADER, Metadata.ASCII_STRING_MARSHALLER)));
                return Contexts.interceptCall(io.grpc.Context.current(), call, md, next);
            }
        };
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                .addService(ServerInterceptors.intercept(content, recordHeaders))
                .addService(ServerInterceptors.intercept(leases, recordHeaders)).build().start();
    }

    /** containerd's Write rules, in small. */
    private StreamObserver<WriteContentRequest> write(StreamObserver<WriteContentResponse> out) {
        return new StreamObserver<>() {
            final ByteArrayOutputStream data = new ByteArrayOutputStream();
            String ref;

            @Override
            public void onNext(WriteContentRequest req) {
                if (ref == null) {
                    ref = req.getRef();
                }
                if (!req.getExpected().isEmpty() && blobs.containsKey(req.getExpected())) {
                    out.onError(Status.ALREADY_EXISTS.withDescription("blob exists").asRuntimeException());
                    return;
                }
                if (req.getAction() != WriteAction.STAT) {
                    if (req.getOffset() == 0 && data.size() > 0) {
                        data.reset(); // offset 0: truncate
                    } else if (req.getOffset() > 0 && req.getOffset() != data.size()) {
                        out.onError(Status.OUT_OF_RANGE.asRuntimeException());
                        return;
                    }
                    data.writeBytes(req.getData().toByteArray());
                }
                WriteContentResponse r = WriteContentResponse.newBuilder().setAction(req.getAction()).setOffset(data.size()).build();
                if (req.getAction() == WriteAction.COMMIT) {
                    if (data.size() != req.getTotal()) {
                        out.onError(Status.FAILED_PRECONDITION.withDescription("failed size validation: " + data.size()
                                + " != " + req.getTotal()).asRuntimeException());
                        return;
                    }
                    blobs.put(req.getExpected(), data.toByteArray());
                    labels.put(req.getExpected(), req.getLabelsMap());
                    r = r.toBuilder().setDigest(req.getExpected()).build();
                    out.onNext(r);
                    out.onNext(r); // containerd answers a commit twice
                    out.onCompleted();
                    return;
                }
                out.onNext(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    @AfterEach
    void stopFake() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void writesABlobInChunksWithItsLabelsUnderTheLease() {
        byte[] big = new byte[ContainerdClient.CHUNK * 2 + 123];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (ContainerdClient c = ContainerdClient.connect(socket, "k8s.io")) {
            c.createLease("l1", Duration.ofMinutes(5));
            try (ContainerdClient leased = c.leased("l1")) {
                assertThat(leased.write("ref-1", "sha256:big", big, Map.of("a", "b"))).isTrue();
                assertThat(leased.write("ref-1", "sha256:big", big, Map.of())).as("already there").isFalse();
            }
        }
        assertThat(blobs.get("sha256:big")).isEqualTo(big);
        assertThat(labels.get("sha256:big")).containsEntry("a", "b");
        assertThat(headers).containsExactly("Create ns=k8s.io lease=null", "Write ns=k8s.io lease=l1", "Write ns=k8s.io lease=l1");
    }
}
