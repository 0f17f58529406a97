package podnet.node.cluster;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import podnet.linux.ns.Netns;

/**
 * fabric8's JDK HTTP client with every exchange run on threads that live in the node's
 * namespace. java.net.http opens a connection's socket on its executor, and a thread's
 * namespace is the one of the thread that started it: so the pool's threads are all started,
 * up front, from a thread switched into the node's namespace, and never replaced from outside
 * it (a worker that dies is replaced by the dying worker itself). The API server connections
 * then leave through the node's links.
 */
final class NodeHttpClients extends JdkHttpClientFactory implements AutoCloseable {
    private static final int THREADS = 4;
    private final ExecutorService executor;

    NodeHttpClients(Netns netns) {
        AtomicInteger n = new AtomicInteger();
        this.executor = netns.call(() -> {
            ThreadPoolExecutor e = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> Thread.ofPlatform().name("podnet-kube-" + n.incrementAndGet()).daemon(true).unstarted(r));
            e.prestartAllCoreThreads();
            return e;
        });
    }

    @Override
    protected void additionalConfig(java.net.http.HttpClient.Builder builder) {
        builder.executor(executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
