package podnet.cri;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC channel to a runtime's Unix socket (containerd serves CRI and its own API on one),
 * over netty's epoll domain-socket transport with one event-loop thread, and unary calls with
 * a deadline that fail as {@link CriException} with the runtime's message.
 */
public final class UnixChannel implements AutoCloseable {
    private final Path socket;
    private final EventLoopGroup loop;
    private final ManagedChannel channel;

    private UnixChannel(Path socket, EventLoopGroup loop, ManagedChannel channel) {
        this.socket = socket;
        this.loop = loop;
        this.channel = channel;
    }

    /**
     * A channel to {@code socket}. Connecting is lazy; a socket file that is missing fails here,
     * with the same UNAVAILABLE code a dead runtime gives.
     */
    public static UnixChannel connect(Path socket) {
        if (!Files.exists(socket)) {
            throw new CriException(Status.Code.UNAVAILABLE, "connect", "no CRI socket at " + socket
                    + " (is containerd running?)", null);
        }
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(loop)
                .channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost")
                .usePlaintext()
                // grpc-netty asks for TCP keepalive on every channel; a Unix socket has none (netty warns)
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .maxInboundMessageSize(32 << 20) // ExecSync output is capped at 16 MiB per stream
                .build();
        return new UnixChannel(socket, loop, channel);
    }

    public Path socket() {
        return socket;
    }

    /** The channel as is. */
    public Channel channel() {
        return channel;
    }

    /** The channel with {@code headers} (gRPC metadata, e.g. containerd's namespace) on every call. */
    public Channel withHeaders(Map<String, String> headers) {
        Metadata md = new Metadata();
        headers.forEach((k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** One unary call on {@code on} (this channel, or one of {@link #withHeaders}) with a deadline. */
    public static <Q, R> R call(Channel on, MethodDescriptor<Q, R> method, Q request, Duration timeout) {
        try {
            return ClientCalls.blockingUnaryCall(on, method,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), request);
        } catch (StatusRuntimeException e) {
            throw CriException.of(method.getBareMethodName(), e);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
