package podnet.cri.containerd;

import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.BlockingClientCall;
import io.grpc.stub.ClientCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import podnet.cri.CriException;
import podnet.cri.UnixChannel;
import podnet.cri.containerd.api.content.AbortRequest;
import podnet.cri.containerd.api.content.Info;
import podnet.cri.containerd.api.content.InfoRequest;
import podnet.cri.containerd.api.content.StatusRequest;
import podnet.cri.containerd.api.content.UpdateRequest;
import podnet.cri.containerd.api.content.WriteAction;
import podnet.cri.containerd.api.content.WriteContentRequest;
import podnet.cri.containerd.api.content.WriteContentResponse;
import podnet.cri.containerd.api.images.CreateImageRequest;
import podnet.cri.containerd.api.images.GetImageRequest;
import podnet.cri.containerd.api.images.Image;
import podnet.cri.containerd.api.images.UpdateImageRequest;
import podnet.cri.containerd.api.leases.CreateRequest;
import podnet.cri.containerd.api.leases.DeleteRequest;
import podnet.cri.containerd.api.types.Descriptor;

/**
 * containerd's own API (not CRI) on its socket, in one containerd namespace: the content
 * store, the image store and leases, as an image importer needs them. The namespace travels
 * with every call as gRPC metadata ({@value #NAMESPACE_HEADER}); a {@link #leased} client adds
 * the lease ({@value #LEASE_HEADER}) so what it writes survives garbage collection until the
 * image points at it. Errors are {@link CriException}s with containerd's message.
 */
public final class ContainerdClient implements AutoCloseable {
    public static final String NAMESPACE_HEADER = "containerd-namespace";
    public static final String LEASE_HEADER = "containerd-lease";
    /** The namespace containerd's CRI plugin keeps its images, containers and sandboxes in. */
    public static final String CRI_NAMESPACE = "k8s.io";
    /** A lease's expiry label: the collector drops the lease (not what it holds) after this time. */
    public static final String EXPIRE_LABEL = "containerd.io/gc.expire";
    /** containerd takes messages up to 16 MiB; 1 MiB chunks stay far below that. */
    static final int CHUNK = 1 << 20;
    static final Duration CALL = Duration.ofSeconds(30);
    static final Duration WRITE = Duration.ofMinutes(2);

    private final UnixChannel unix;
    private final boolean owner;
    private final Channel channel;
    private final String namespace;

    private ContainerdClient(UnixChannel unix, boolean owner, String namespace, String lease) {
        this.unix = unix;
        this.owner = owner;
        this.namespace = namespace;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(NAMESPACE_HEADER, namespace);
        if (lease != null) {
            headers.put(LEASE_HEADER, lease);
        }
        this.channel = unix.withHeaders(headers);
    }

    /** A client for containerd's namespace {@code namespace} on {@code socket}. */
    public static ContainerdClient connect(Path socket, String namespace) {
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalArgumentException("a containerd namespace is needed, e.g. " + CRI_NAMESPACE);
        }
        return new ContainerdClient(UnixChannel.connect(socket), true, namespace, null);
    }

    public String namespace() {
        return namespace;
    }

    public Path socket() {
        return unix.socket();
    }

    // ---- leases -----------------------------------------------------------------------

    /** Creates lease {@code id}, which expires by itself after {@code expiry} if it is never deleted. */
    public void createLease(String id, Duration expiry) {
        String at = Instant.now().plus(expiry).truncatedTo(ChronoUnit.SECONDS).toString();
        UnixChannel.call(channel, ContainerdMethods.LEASE_CREATE,
                CreateRequest.newBuilder().setId(id).putLabels(EXPIRE_LABEL, at).build(), CALL);
    }

    /** Deletes lease {@code id}; what only it held becomes garbage (collected before the answer with {@code sync}). */
    public void deleteLease(String id, boolean sync) {
        UnixChannel.call(channel, ContainerdMethods.LEASE_DELETE, DeleteRequest.newBuilder().setId(id).setSync(sync).build(),
                CALL);
    }

    /** This client's connection, with every call made under lease {@code id}; closing it closes nothing. */
    public ContainerdClient leased(String id) {
        return new ContainerdClient(unix, false, namespace, id);
    }

    // ---- content ----------------------------------------------------------------------

    /** The blob's info, or empty when this namespace has no blob {@code digest}. */
    public Optional<Info> info(String digest) {
        try {
            return Optional.of(UnixChannel.call(channel, ContainerdMethods.CONTENT_INFO,
                    InfoRequest.newBuilder().setDigest(digest).build(), CALL).getInfo());
        } catch (CriException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sets (adds or replaces) {@code labels} on blob {@code digest}, leaving its other labels. */
    public Info setLabels(String digest, Map<String, String> labels) {
        FieldMask.Builder mask = FieldMask.newBuilder();
        labels.keySet().forEach(k -> mask.addPaths("labels." + k));
        return UnixChannel.call(channel, ContainerdMethods.CONTENT_UPDATE, UpdateRequest.newBuilder()
                .setInfo(Info.newBuilder().setDigest(digest).putAllLabels(labels)).setUpdateMask(mask).build(), CALL)
                .getInfo();
    }

    /** The ingest (an unfinished write) under {@code ref}, or empty when there is none. */
    public Optional<podnet.cri.containerd.api.content.Status> ingest(String ref) {
        try {
            return Optional.of(UnixChannel.call(channel, ContainerdMethods.CONTENT_STATUS,
                    StatusRequest.newBuilder().setRef(ref).build(), CALL).getStatus());
        } catch (CriException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Drops the ingest under {@code ref} and its data. */
    public void abort(String ref) {
        UnixChannel.call(channel, ContainerdMethods.CONTENT_ABORT, AbortRequest.newBuilder().setRef(ref).build(), CALL);
    }

    /**
     * Writes {@code data} as blob {@code digest} under the ingest {@code ref} and commits it with
     * {@code labels}: the Write stream in lock step (STAT, WRITE per chunk, COMMIT), as
     * containerd's own clients do; containerd checks size and digest at the commit. Returns
     * false when the namespace had the blob already (nothing written, labels untouched).
     */
    public boolean write(String ref, String digest, byte[] data, Map<String, String> labels) {
        BlockingClientCall<WriteContentRequest, WriteContentResponse> call = ClientCalls.blockingBidiStreamingCall(
                channel, ContainerdMethods.CONTENT_WRITE,
                CallOptions.DEFAULT.withDeadlineAfter(WRITE.toMillis(), TimeUnit.MILLISECONDS));
        try {
            exchange(call, WriteContentRequest.newBuilder().setAction(WriteAction.STAT).setRef(ref)
                    .setTotal(data.length).setExpected(digest).build());
            // From offset 0 whatever an earlier, broken write left: containerd truncates.
            for (int off = 0; off < data.length; off += CHUNK) {
                int n = Math.min(CHUNK, data.length - off);
                WriteContentResponse r = exchange(call, WriteContentRequest.newBuilder().setAction(WriteAction.WRITE)
                        .setRef(ref).setOffset(off).setData(ByteString.copyFrom(data, off, n)).build());
                if (r.getOffset() != off + n) {
                    throw new CriException(Status.Code.DATA_LOSS, "Write", "containerd is at offset " + r.getOffset()
                            + " of " + ref + " after writing up to " + (off + n), null);
                }
            }
            // The commit names the end as its offset: offset 0 would mean "truncate and start over".
            WriteContentResponse done = exchange(call, WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT)
                    .setRef(ref).setOffset(data.length).setTotal(data.length).setExpected(digest).putAllLabels(labels).build());
            if (!done.getDigest().isEmpty() && !done.getDigest().equals(digest)) {
                throw new CriException(Status.Code.DATA_LOSS, "Write", "containerd committed " + ref + " as "
                        + done.getDigest() + ", not " + digest, null);
            }
            call.halfClose();
            while (call.read() != null) {
                // containerd sends the commit's answer twice; the stream then ends
            }
            return true;
        } catch (StatusException e) {
            if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
                return false;
            }
            throw CriException.of("Write", e.getStatus().asRuntimeException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel("interrupted", e);
            throw new CriException(Status.Code.CANCELLED, "Write", "interrupted while writing " + ref, e);
        } catch (RuntimeException e) {
            call.cancel("failed", e);
            throw e;
        }
    }

    private static WriteContentResponse exchange(BlockingClientCall<WriteContentRequest, WriteContentResponse> call,
            WriteContentRequest request) throws StatusException, InterruptedException {
        call.write(request); // false when the call is over: read() then throws its status
        WriteContentResponse r = call.read();
        if (r == null) {
            throw Status.UNKNOWN.withDescription("containerd ended the write of " + request.getRef()
                    + " without an answer").asException();
        }
        return r;
    }

    // ---- images -----------------------------------------------------------------------

    /** The image named {@code name}, or empty. */
    public Optional<Image> image(String name) {
        try {
            return Optional.of(UnixChannel.call(channel, ContainerdMethods.IMAGE_GET,
                    GetImageRequest.newBuilder().setName(name).build(), CALL).getImage());
        } catch (CriException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Points image {@code name} at {@code target}: Create, or when the name exists, Update of
     * its target only (labels others put there, like CRI's, stay). Returns the stored image.
     */
    public Image putImage(String name, Descriptor target) {
        Image image = Image.newBuilder().setName(name).setTarget(target).build();
        try {
            return UnixChannel.call(channel, ContainerdMethods.IMAGE_CREATE,
                    CreateImageRequest.newBuilder().setImage(image).build(), CALL).getImage();
        } catch (CriException e) {
            if (e.code() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
        }
        return UnixChannel.call(channel, ContainerdMethods.IMAGE_UPDATE, UpdateImageRequest.newBuilder().setImage(image)
                .setUpdateMask(FieldMask.newBuilder().addPaths("target")).build(), CALL).getImage();
    }

    @Override
    public void close() {
        if (owner) {
            unix.close();
        }
    }
}
