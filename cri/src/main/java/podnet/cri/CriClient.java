package podnet.cri;

import io.grpc.MethodDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import podnet.cri.api.ContainerConfig;
import podnet.cri.api.ContainerStatus;
import podnet.cri.api.ContainerStatusRequest;
import podnet.cri.api.CreateContainerRequest;
import podnet.cri.api.ExecSyncRequest;
import podnet.cri.api.ExecSyncResponse;
import podnet.cri.api.Image;
import podnet.cri.api.ImageSpec;
import podnet.cri.api.ImageStatusRequest;
import podnet.cri.api.ImageStatusResponse;
import podnet.cri.api.ListPodSandboxRequest;
import podnet.cri.api.PodSandbox;
import podnet.cri.api.PodSandboxConfig;
import podnet.cri.api.PodSandboxStatusRequest;
import podnet.cri.api.PodSandboxStatusResponse;
import podnet.cri.api.RemoveContainerRequest;
import podnet.cri.api.RemovePodSandboxRequest;
import podnet.cri.api.RunPodSandboxRequest;
import podnet.cri.api.StartContainerRequest;
import podnet.cri.api.StopContainerRequest;
import podnet.cri.api.StopPodSandboxRequest;
import podnet.cri.api.VersionRequest;
import podnet.cri.api.VersionResponse;

/**
 * A CRI v1 client on the runtime's Unix socket (containerd: {@code /run/containerd/containerd.sock}),
 * gRPC over a {@link UnixChannel}. Every call has a deadline and fails with a
 * {@link CriException} carrying the runtime's message. One event-loop thread; safe to share.
 */
public final class CriClient implements AutoCloseable {
    public static final Path DEFAULT_SOCKET = Path.of("/run/containerd/containerd.sock");
    /** The CRI API version podnet speaks (VersionRequest.version). */
    public static final String API_VERSION = "v1";
    /** RunPodSandbox pulls nothing here, but a cold runc + CNI ADD can take seconds. */
    static final Duration LONG_CALL = Duration.ofMinutes(2);
    static final Duration SHORT_CALL = Duration.ofSeconds(30);

    private final UnixChannel channel;

    private CriClient(UnixChannel channel) {
        this.channel = channel;
    }

    /**
     * A client for the runtime listening on {@code socket}. Connecting is lazy; a socket file
     * that is missing fails here, with the same UNAVAILABLE code a dead runtime gives.
     */
    public static CriClient connect(Path socket) {
        return new CriClient(UnixChannel.connect(socket));
    }

    public Path socket() {
        return channel.socket();
    }

    public VersionResponse version() {
        return call(CriMethods.VERSION, VersionRequest.newBuilder().setVersion(API_VERSION).build(), SHORT_CALL);
    }

    /** Creates and starts the sandbox (pause container, netns, CNI ADD); returns its id. */
    public String runPodSandbox(PodSandboxConfig config) {
        return call(CriMethods.RUN_POD_SANDBOX, RunPodSandboxRequest.newBuilder().setConfig(config).build(), LONG_CALL)
                .getPodSandboxId();
    }

    public void stopPodSandbox(String id) {
        call(CriMethods.STOP_POD_SANDBOX, StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build(), LONG_CALL);
    }

    public void removePodSandbox(String id) {
        call(CriMethods.REMOVE_POD_SANDBOX, RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build(), LONG_CALL);
    }

    /** The sandbox's status; with {@code verbose} containerd adds its JSON "info" (pid, netns). */
    public PodSandboxStatusResponse podSandboxStatus(String id, boolean verbose) {
        return call(CriMethods.POD_SANDBOX_STATUS,
                PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).setVerbose(verbose).build(), SHORT_CALL);
    }

    public List<PodSandbox> listPodSandbox() {
        return call(CriMethods.LIST_POD_SANDBOX, ListPodSandboxRequest.getDefaultInstance(), SHORT_CALL).getItemsList();
    }

    public String createContainer(String sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig) {
        return call(CriMethods.CREATE_CONTAINER, CreateContainerRequest.newBuilder().setPodSandboxId(sandboxId)
                .setConfig(config).setSandboxConfig(sandboxConfig).build(), LONG_CALL).getContainerId();
    }

    public void startContainer(String id) {
        call(CriMethods.START_CONTAINER, StartContainerRequest.newBuilder().setContainerId(id).build(), LONG_CALL);
    }

    /** Stops with SIGTERM, then SIGKILL after {@code timeoutSeconds} (0: at once). */
    public void stopContainer(String id, long timeoutSeconds) {
        call(CriMethods.STOP_CONTAINER, StopContainerRequest.newBuilder().setContainerId(id)
                .setTimeout(timeoutSeconds).build(), LONG_CALL.plusSeconds(timeoutSeconds));
    }

    public void removeContainer(String id) {
        call(CriMethods.REMOVE_CONTAINER, RemoveContainerRequest.newBuilder().setContainerId(id).build(), LONG_CALL);
    }

    public ContainerStatus containerStatus(String id) {
        return call(CriMethods.CONTAINER_STATUS, ContainerStatusRequest.newBuilder().setContainerId(id).build(),
                SHORT_CALL).getStatus();
    }

    /** Runs {@code cmd} in the container and waits (at most {@code timeoutSeconds}; 0 = no limit). */
    public ExecSyncResponse execSync(String containerId, List<String> cmd, long timeoutSeconds) {
        Duration deadline = timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds + 30) : Duration.ofHours(24);
        return call(CriMethods.EXEC_SYNC, ExecSyncRequest.newBuilder().setContainerId(containerId).addAllCmd(cmd)
                .setTimeout(timeoutSeconds).build(), deadline);
    }

    /** The image, or empty when the runtime does not have it (CRI answers an unset image). */
    public Optional<Image> imageStatus(String image) {
        ImageStatusResponse r = call(CriMethods.IMAGE_STATUS,
                ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build(), SHORT_CALL);
        return r.hasImage() ? Optional.of(r.getImage()) : Optional.empty();
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request, Duration timeout) {
        return UnixChannel.call(channel.channel(), method, request, timeout);
    }

    @Override
    public void close() {
        channel.close();
    }
}
