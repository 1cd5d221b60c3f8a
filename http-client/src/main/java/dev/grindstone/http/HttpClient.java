package dev.grindstone.http;

import dev.grindstone.http.internal.Exchange;
import dev.grindstone.http.internal.Transport;
import dev.grindstone.livecheck.http.LiveCheckHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A blocking HTTP/1.1 client for load tests, built on Netty and meant to be called from many virtual threads.
 * Keeps a bounded pool of keep-alive connections per scheme, host and port, measures every request's DNS,
 * connect, TLS, send, first-byte and last-byte times, and reports each request to an
 * {@link HttpRequestListener}.
 *
 * <pre>{@code
 * try (HttpClient client = HttpClient.builder().requestTimeout(Duration.ofSeconds(5)).build()) {
 *     HttpSession user = client.newSession();            // one per virtual user: its own cookies
 *     HttpResponse r = user.get("http://127.0.0.1:8080/ping");
 *     long firstByteMicros = r.timings().firstByteMicros();
 * }
 * }</pre>
 *
 * <p>Thread-safe. Network failures are thrown as {@link HttpFailure} with a {@link FailureKind}; nothing else a
 * target does can break the calling thread. One event loop is enough for tens of thousands of requests per
 * second; close the client to release its threads and connections.
 */
public final class HttpClient implements HttpOperations, AutoCloseable {
    private static final String[] NO_BODY_HEADERS = {"content-length", "content-type", "transfer-encoding"};

    private final Transport transport;
    private final long requestTimeoutNanos;
    private final RedirectPolicy redirects;
    private final String userAgent;
    private final HttpRequestListener listener;
    private final boolean retryStale;

    private HttpClient(Builder b, SslContext ssl) {
        this.transport = new Transport(b.eventLoops, b.maxConnectionsPerHost, b.idleTimeout.toNanos(),
                b.connectTimeout.toNanos(), b.maxResponseBytes, ssl);
        this.requestTimeoutNanos = b.requestTimeout.toNanos();
        this.redirects = b.redirects;
        this.userAgent = b.userAgent;
        this.listener = b.listener;
        this.retryStale = b.retryStaleConnections;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client with the defaults. */
    public static HttpClient create() {
        return builder().build();
    }

    /** A session with a fresh cookie jar, for one virtual user. */
    public HttpSession newSession() {
        return new HttpSession(this, CookieJar.create());
    }

    /** A session over the given cookie jar. */
    public HttpSession newSession(CookieJar cookies) {
        return new HttpSession(this, cookies);
    }

    /** Sends without cookies. */
    @Override
    public HttpResponse send(HttpRequest request) {
        return send(request, null);
    }

    /**
     * Sends {@code request}, following redirects as its policy (or the client's) says, sending and storing
     * cookies in {@code cookies} when it is not null.
     *
     * @throws HttpFailure when no response arrived (the listener has been told first)
     */
    public HttpResponse send(HttpRequest request, CookieJar cookies) {
        Objects.requireNonNull(request, "request");
        request = withLiveCheckContext(request);
        RedirectPolicy policy = request.redirects() != null ? request.redirects() : redirects;
        HttpRequest hop = request;
        int followed = 0;
        while (true) {
            HttpResponse response = sendOnce(hop, cookies, followed);
            int s = response.status();
            String location = response.header("Location");
            if (!policy.follows() || location == null || !(s == 301 || s == 302 || s == 303 || s == 307 || s == 308)) {
                return response;
            }
            if (followed == policy.maxRedirects()) {
                throw new HttpFailure(FailureKind.TOO_MANY_REDIRECTS, "more than " + policy.maxRedirects()
                        + " redirects, starting at " + request + "; the last one was " + s + " to " + location,
                        response.timings(), null);
            }
            hop = redirect(hop, s, location);
            followed++;
        }
    }

    /**
     * Inside a LiveCheck test, the request also carries the test's context ({@code LiveCheck-Test-Id},
     * {@code -Name}, {@code -Timestamp}, {@code -Expires}, W3C {@code traceparent} and {@code baggage}) so
     * the service under test can tell live-test traffic apart; headers the caller set win. Outside a test
     * this costs one thread-local read.
     */
    private static HttpRequest withLiveCheckContext(HttpRequest request) {
        Map<String, String> live = LiveCheckHeaders.current();
        if (live.isEmpty()) {
            return request;
        }
        HttpRequest.Builder b = request.toBuilder();
        live.forEach((name, value) -> {
            if (request.header(name) == null) {
                b.header(name, value);
            }
        });
        return b.build();
    }

    private static HttpRequest redirect(HttpRequest from, int status, String location) {
        URI target;
        try {
            target = from.uri().resolve(location.trim());
        } catch (IllegalArgumentException e) {
            throw new HttpFailure(FailureKind.PROTOCOL, "redirect " + status + " from " + from
                    + " has an invalid Location '" + location + "'", null, e);
        }
        String method = from.method();
        boolean toGet = (status == 303 && !method.equals("HEAD") && !method.equals("GET"))
                || ((status == 301 || status == 302) && method.equals("POST"));
        boolean sameOrigin = target.getHost() != null && target.getHost().equalsIgnoreCase(from.uri().getHost())
                && from.port() == portOf(target) && Objects.equals(target.getScheme(), from.uri().getScheme());
        String fragmentless = target.getRawFragment() == null ? target.toString()
                : target.toString().substring(0, target.toString().indexOf('#'));
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(toGet ? "GET" : method, fragmentless);
        } catch (IllegalArgumentException e) {
            throw new HttpFailure(FailureKind.PROTOCOL, "redirect " + status + " from " + from
                    + " points to an unusable URL '" + location + "'", null, e);
        }
        for (Map.Entry<String, String> h : from.headers()) {
            String n = h.getKey();
            if (toGet && isBodyHeader(n)) {
                continue;
            }
            if (!sameOrigin && (n.equalsIgnoreCase("Authorization") || n.equalsIgnoreCase("Cookie"))) {
                continue;
            }
            b.header(n, h.getValue());
        }
        if (!toGet) {
            b.body(from.body());
        }
        if (from.timeout() != null) {
            b.timeout(from.timeout());
        }
        b.redirects(RedirectPolicy.none());
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new HttpFailure(FailureKind.PROTOCOL, "redirect " + status + " from " + from
                    + " points to an unusable URL '" + location + "': " + e.getMessage(), null, e);
        }
    }

    private static int portOf(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static boolean isBodyHeader(String name) {
        for (String h : NO_BODY_HEADERS) {
            if (h.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private HttpResponse sendOnce(HttpRequest request, CookieJar cookies, int followed) {
        long start = System.nanoTime();
        Object[] wire = request.wireHead(userAgent);
        byte[] head = (byte[]) wire[2];
        String cookie = (String) wire[3];
        if (cookies != null) {
            String jar = cookies.cookieHeader(request.uri());
            if (jar != null) {
                cookie = cookie == null ? jar : cookie + "; " + jar;
            }
        }
        if (cookie != null) {
            byte[] prefix = (byte[]) wire[1];
            byte[] line = ("Cookie: " + cookie + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
            head = Arrays.copyOf(prefix, prefix.length + line.length);
            System.arraycopy(line, 0, head, prefix.length, line.length);
        }
        long timeout = request.timeout() != null ? request.timeout().toNanos() : requestTimeoutNanos;
        Exchange ex;
        try {
            ex = transport.execute(request.isHttps(), request.host(), request.port(), head,
                    request.body().unsafeBytes(), request.method().equals("HEAD"), start, timeout, retryStale);
        } catch (HttpFailure f) {
            notify(request, 0, 0, f.timings(), f.timings().connectMicros() > 0 || f.timings().dnsMicros() > 0,
                    f.kind());
            throw f;
        }
        Timings timings = ex.timings();
        HttpHeaders responseHeaders = ex.headers();
        if (cookies != null) {
            List<String> setCookies = responseHeaders.getAll("Set-Cookie");
            if (!setCookies.isEmpty()) {
                cookies.receive(request.uri(), setCookies);
            }
        }
        notify(request, ex.status(), ex.bodyLength(), timings, ex.isNewConnection(), null);
        return new HttpResponse(request, ex.status(), responseHeaders, ex.bodyBytes(), timings,
                ex.isNewConnection(), followed);
    }

    private void notify(HttpRequest request, int status, long length, Timings timings, boolean newConnection,
                        FailureKind failure) {
        try {
            listener.requestCompleted(request, status, length, timings, newConnection, failure);
        } catch (RuntimeException ignored) {
            // A listener must never break a request (see HttpRequestListener).
        }
    }

    /** Connections open now, idle or in use (for diagnostics and tests). */
    public int openConnections() {
        return transport.openConnections();
    }

    /** Fails requests in flight with {@link FailureKind#CLIENT_CLOSED} and releases threads and connections. */
    @Override
    public void close() {
        transport.close();
    }

    /** Configures an {@link HttpClient}; every setting is validated when set. Not thread-safe. */
    public static final class Builder {
        private int eventLoops = 1;
        private int maxConnectionsPerHost = 1024;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private RedirectPolicy redirects = RedirectPolicy.none();
        private String userAgent = "Grindstone";
        private int maxResponseBytes = 64 * 1024 * 1024;
        private HttpRequestListener listener = HttpRequestListener.NONE;
        private boolean insecure;
        private KeyStore trustStore;
        private boolean retryStaleConnections = true;

        private Builder() {
        }

        /** Event-loop threads for all connections (default 1, enough for one generator process). */
        public Builder eventLoops(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("eventLoops must be between 1 and 64, was " + n);
            }
            this.eventLoops = n;
            return this;
        }

        /** Connections per scheme, host and port, in use at once (default 1024). */
        public Builder maxConnectionsPerHost(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnectionsPerHost must be at least 1, was " + n);
            }
            this.maxConnectionsPerHost = n;
            return this;
        }

        /** How long an unused keep-alive connection is kept (default 60 s). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive("idleTimeout", d);
            return this;
        }

        /** How long a TCP connect may take (default 10 s; never longer than the request timeout). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        /** Default whole-request timeout, pool wait and connect included (default 60 s; precision 10 ms). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive("requestTimeout", d);
            return this;
        }

        /** Default redirect policy (default: none, as in The Grinder). */
        public Builder redirects(RedirectPolicy policy) {
            this.redirects = Objects.requireNonNull(policy, "redirects");
            return this;
        }

        public Builder userAgent(String userAgent) {
            if (userAgent == null || userAgent.isBlank() || userAgent.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("userAgent must be a non-blank single line, was '" + userAgent + "'");
            }
            this.userAgent = userAgent;
            return this;
        }

        /** Largest response body accepted (default 64 MiB); a larger one fails with {@link FailureKind#PROTOCOL}. */
        public Builder maxResponseBytes(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxResponseBytes must not be negative, was " + n);
            }
            this.maxResponseBytes = n;
            return this;
        }

        /** Told about every request (see {@link HttpRequestListener}). */
        public Builder listener(HttpRequestListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Trusts every server certificate and skips host name verification: for self-signed test targets only.
         */
        public Builder insecure() {
            this.insecure = true;
            return this;
        }

        /** Trusts the certificates in this key store (PKCS12 or JKS) instead of the JDK's default trust store. */
        public Builder trustStore(Path file, String password) {
            Objects.requireNonNull(file, "trustStore file");
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("trustStore '" + file + "' does not exist or is not readable");
            }
            try {
                this.trustStore = KeyStore.getInstance(file.toFile(), password == null ? null : password.toCharArray());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("trustStore '" + file + "' cannot be read (wrong password or"
                        + " not a PKCS12/JKS key store): " + e.getMessage(), e);
            }
            return this;
        }

        /** Resend once on a fresh connection when a reused keep-alive connection was closed (default true). */
        public Builder retryStaleConnections(boolean retry) {
            this.retryStaleConnections = retry;
            return this;
        }

        public HttpClient build() {
            SslContextBuilder ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            try {
                if (insecure) {
                    ssl.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
                } else {
                    if (trustStore != null) {
                        TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                                TrustManagerFactory.getDefaultAlgorithm());
                        tmf.init(trustStore);
                        ssl.trustManager(tmf);
                    }
                    ssl.endpointIdentificationAlgorithm("HTTPS");
                }
                return new HttpClient(this, ssl.build());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
            }
        }

        private static Duration positive(String field, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(field + " must be a positive duration, was " + d);
            }
            return d;
        }
    }
}
