package podnet.node.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.remote.http.Contents;
import org.openqa.selenium.remote.http.HttpClient;
import org.openqa.selenium.remote.http.HttpRequest;
import org.openqa.selenium.remote.http.HttpResponse;
import org.openqa.selenium.remote.http.WebSocket;
import podnet.linux.ns.Netns;

/**
 * Selenium's WebDriver calls made from inside a test namespace, where chromedriver listens:
 * each request's connection is opened on a thread that joined it, so nothing of the test
 * touches the root namespace's loopback.
 */
final class NetnsHttpClient implements HttpClient {
    private final Netns netns;
    private final URL base;

    NetnsHttpClient(Netns netns, URL base) {
        this.netns = netns;
        this.base = base;
    }

    @Override
    public HttpResponse execute(HttpRequest req) {
        return netns.call(() -> send(req));
    }

    private HttpResponse send(HttpRequest req) {
        try {
            String q = req.getQueryString();
            URL url = URI.create(base.toString().replaceAll("/$", "") + req.getUri() + (q == null || q.isEmpty() ? "" : "?" + q)).toURL();
            HttpURLConnection c = (HttpURLConnection) url.openConnection(java.net.Proxy.NO_PROXY);
            c.setRequestMethod(req.getMethod().name());
            c.setConnectTimeout(10_000);
            c.setReadTimeout(120_000);
            for (String h : req.getHeaderNames()) {
                for (String v : req.getHeaders(h)) {
                    c.addRequestProperty(h, v);
                }
            }
            byte[] body = Contents.bytes(req.getContent());
            if (body.length > 0 || "POST".equals(req.getMethod().name())) {
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            HttpResponse r = new HttpResponse().setStatus(c.getResponseCode());
            for (Map.Entry<String, List<String>> h : c.getHeaderFields().entrySet()) {
                if (h.getKey() != null) {
                    h.getValue().forEach(v -> r.addHeader(h.getKey(), v));
                }
            }
            InputStream in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
            r.setContent(Contents.bytes(in == null ? new byte[0] : in.readAllBytes()));
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public WebSocket openSocket(HttpRequest request, WebSocket.Listener listener) {
        throw new UnsupportedOperationException("no BiDi/CDP: classic WebDriver only");
    }
}
