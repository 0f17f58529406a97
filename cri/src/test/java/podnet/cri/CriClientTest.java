package podnet.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cri.api.ExecSyncResponse;
import podnet.cri.api.Image;
import podnet.cri.api.ImageStatusResponse;
import podnet.cri.api.PodSandboxConfig;
import podnet.cri.api.PodSandboxMetadata;
import podnet.cri.api.PortMapping;
import podnet.cri.api.Protocol;
import podnet.cri.api.RunPodSandboxRequest;
import podnet.cri.api.RunPodSandboxResponse;
import podnet.cri.api.VersionResponse;

/**
 * The client against a fake CRI server on a Unix socket of the test's (the same netty epoll
 * transport as containerd's socket): the method names and messages reach the server, replies
 * come back, and a failure carries the server's own message and code.
 */
class CriClientTest {
    @TempDir
    Path dir;

    private EventLoopGroup loop;
    private Server server;
    private Path socket;
    private final AtomicReference<RunPodSandboxRequest> seen = new AtomicReference<>();

    @BeforeEach
    void startFake() throws Exception {
        socket = dir.resolve("cri.sock");
        loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ServerServiceDefinition runtime = ServerServiceDefinition.builder(CriMethods.RUNTIME)
                .addMethod(CriMethods.VERSION, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(VersionResponse.newBuilder().setVersion("0.1.0").setRuntimeName("fake")
                            .setRuntimeVersion("v9").setRuntimeApiVersion(req.getVersion()).build());
                    out.onCompleted();
                }))
                .addMethod(CriMethods.RUN_POD_SANDBOX, ServerCalls.asyncUnaryCall((req, out) -> {
                    seen.set(req);
                    if (req.getConfig().getMetadata().getName().equals("bad")) {
                        out.onError(Status.NOT_FOUND.withDescription(
                                "failed to get sandbox image \"localhost/podnet/pause:0.1.0\": not found").asRuntimeException());
                        return;
                    }
                    out.onNext(RunPodSandboxResponse.newBuilder().setPodSandboxId("sb-1").build());
                    out.onCompleted();
                }))
                .addMethod(CriMethods.EXEC_SYNC, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(ExecSyncResponse.newBuilder()
                            .setStdout(com.google.protobuf.ByteString.copyFromUtf8(String.join(" ", req.getCmdList())))
                            .setExitCode(3).build());
                    out.onCompleted();
                }))
                .build();
        ServerServiceDefinition images = ServerServiceDefinition.builder(CriMethods.IMAGES)
                .addMethod(CriMethods.IMAGE_STATUS, ServerCalls.asyncUnaryCall((req, out) -> {
                    ImageStatusResponse.Builder r = ImageStatusResponse.newBuilder();
                    if (req.getImage().getImage().equals("present")) {
                        r.setImage(Image.newBuilder().setId("sha256:abc").addRepoTags("present").setSize(42));
                    }
                    out.onNext(r.build());
                    out.onCompleted();
                }))
                .build();
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                .channelType(EpollServerDomainSocketChannel.class)
                .withChildOption(io.netty.channel.ChannelOption.SO_KEEPALIVE, null)
                .addService(runtime).addService(images).build().start();
    }

    @AfterEach
    void stopFake() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void versionRoundTrip() {
        try (CriClient c = CriClient.connect(socket)) {
            VersionResponse v = c.version();
            assertThat(v.getRuntimeName()).isEqualTo("fake");
            assertThat(v.getRuntimeApiVersion()).isEqualTo(CriClient.API_VERSION);
        }
    }

    @Test
    void sandboxConfigReachesTheRuntime() {
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("default").setUid("u-1"))
                .setHostname("web")
                .addPortMappings(PortMapping.newBuilder().setProtocol(Protocol.UDP).setHostPort(8053).setContainerPort(53))
                .build();
        try (CriClient c = CriClient.connect(socket)) {
            assertThat(c.runPodSandbox(config)).isEqualTo("sb-1");
        }
        assertThat(seen.get().getConfig()).isEqualTo(config);
    }

    @Test
    void runtimeErrorKeepsItsMessageAndCode() {
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("bad")).build();
        try (CriClient c = CriClient.connect(socket)) {
            assertThatThrownBy(() -> c.runPodSandbox(config))
                    .isInstanceOfSatisfying(CriException.class, e -> {
                        assertThat(e.notFound()).isTrue();
                        assertThat(e.method()).isEqualTo("RunPodSandbox");
                        assertThat(e.getMessage()).isEqualTo(
                                "failed to get sandbox image \"localhost/podnet/pause:0.1.0\": not found");
                    });
        }
    }

    @Test
    void execSyncAndImageStatus() {
        try (CriClient c = CriClient.connect(socket)) {
            ExecSyncResponse r = c.execSync("c1", List.of("echo", "hi"), 5);
            assertThat(r.getStdout().toStringUtf8()).isEqualTo("echo hi");
            assertThat(r.getExitCode()).isEqualTo(3);
            assertThat(c.imageStatus("present")).map(Image::getSize).contains(42L);
            assertThat(c.imageStatus("absent")).isEmpty();
        }
    }

    @Test
    void unimplementedMethodIsACriError() {
        try (CriClient c = CriClient.connect(socket)) {
            assertThatThrownBy(() -> c.listPodSandbox()).isInstanceOfSatisfying(CriException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.UNIMPLEMENTED));
        }
    }

    @Test
    void missingSocketIsUnavailable() {
        assertThatThrownBy(() -> CriClient.connect(dir.resolve("nope.sock")))
                .isInstanceOfSatisfying(CriException.class, e -> {
                    assertThat(e.unavailable()).isTrue();
                    assertThat(e.getMessage()).contains("no CRI socket at").contains("nope.sock");
                });
    }

    @Test
    void deadSocketIsUnavailable() throws Exception {
        Path stale = Files.createFile(dir.resolve("stale.sock")); // a file nobody listens on
        try (CriClient c = CriClient.connect(stale)) {
            assertThatThrownBy(c::version).isInstanceOfSatisfying(CriException.class,
                    e -> assertThat(e.unavailable()).isTrue());
        }
    }
}
