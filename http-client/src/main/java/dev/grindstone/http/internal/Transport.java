package dev.grindstone.http.internal;

import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpFailure;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The Netty side of the client: the event loops, the connection pools, and one request/response
 * exchange at a time per connection. Thread-safe; meant to be called from many virtual threads.
 *
 * <p>IMPLEMENTATION NOTES: the calling thread resolves the name, connects and writes the request
 * itself (on a plain connection straight to the socket, see {@link Connection}), then parks; the
 * event loop decodes the response into the {@link Exchange} and unparks it. An asynchronous
 * exchange ({@link #executeAsync}) has no thread to unpark: the event loop that completes it
 * releases the connection and tells the caller's {@link AsyncRequest} itself. One periodic task per
 * client enforces request deadlines (so parking needs no timer) and evicts idle connections.
 */
public final class Transport implements AutoCloseable {
  /** How often deadlines are checked: the precision of request timeouts. */
  static final long TICK_MILLIS = 10;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final SslContext ssl;
  private final int maxConnectionsPerHost;
  private final long idleTimeoutNanos;
  private final long connectTimeoutNanos;
  private final int maxBodyBytes;
  private final ConcurrentHashMap<PoolKey, HostPool> pools = new ConcurrentHashMap<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Set<WebSocketConnection> webSockets = ConcurrentHashMap.newKeySet();
  private final ScheduledFuture<?> ticker;
  private volatile boolean closed;
  private long lastIdleScan;

  public Transport(
      int eventLoops,
      int maxConnectionsPerHost,
      long idleTimeoutNanos,
      long connectTimeoutNanos,
      int maxBodyBytes,
      SslContext ssl) {
    this(
        eventLoops,
        maxConnectionsPerHost,
        idleTimeoutNanos,
        connectTimeoutNanos,
        maxBodyBytes,
        ssl,
        0);
  }

  /**
   * As above, with a fixed socket send buffer of {@code sendBufferBytes} (0: the system's,
   * auto-tuned).
   */
  Transport(
      int eventLoops,
      int maxConnectionsPerHost,
      long idleTimeoutNanos,
      long connectTimeoutNanos,
      int maxBodyBytes,
      SslContext ssl,
      int sendBufferBytes) {
    this.group =
        new MultiThreadIoEventLoopGroup(
            eventLoops,
            new DefaultThreadFactory("grindstone-http", true),
            NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channelFactory(DirectWriteChannel::new)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            // Netty 4.2's default (adaptive) allocator makes a new NIO view of its buffer for every
            // socket read; the pooled one keeps it: about 170 bytes less garbage per request.
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    if (sendBufferBytes > 0) {
      bootstrap.option(ChannelOption.SO_SNDBUF, sendBufferBytes);
    }
    this.ssl = ssl;
    this.maxConnectionsPerHost = maxConnectionsPerHost;
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.connectTimeoutNanos = connectTimeoutNanos;
    this.maxBodyBytes = maxBodyBytes;
    this.ticker =
        group
            .next()
            .scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Sends one request and waits for the complete response.
   *
   * @param retryStale whether to resend once on a fresh connection when a reused one turns out
   *     closed before any response byte (the target closed an idle keep-alive connection)
   * @return the completed exchange
   * @throws HttpFailure with the exchange's timings when no response arrived
   */
  public Exchange execute(
      boolean tls,
      String host,
      int port,
      byte[] head,
      byte[] body,
      boolean headRequest,
      long startNanos,
      long timeoutNanos,
      boolean retryStale) {
    HostPool pool = pool(tls, host, port);
    long deadline = startNanos + timeoutNanos;
    Exchange ex = new Exchange(startNanos, deadline, maxBodyBytes, headRequest);
    Connection conn = acquire(pool, ex, deadline);
    boolean reusable = false;
    try {
      start(conn, ex, head, body);
      ex.await();
      if (ex.isDone()) {
        reusable = ex.keepAlive;
        return ex;
      }
    } finally {
      release(conn, reusable);
    }
    if (retries(ex, retryStale)) {
      return execute(tls, host, port, head, body, headRequest, startNanos, timeoutNanos, false);
    }
    throw failure(ex);
  }

  /**
   * One request sent with {@link #executeAsync}: what the transport needs to send it again (a stale
   * connection's retry) and whom it tells how it ended. The caller subclasses it, one object per
   * request, which the transport reuses for each of its tries and the caller may reuse for its next
   * hop once told; so a request in flight costs the transport no object of its own.
   */
  public abstract static class AsyncRequest implements Exchange.Ending {
    private static final VarHandle STEPS;

    static {
      try {
        STEPS = MethodHandles.lookup().findVarHandle(AsyncRequest.class, "steps", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private Transport transport;
    private byte[] head;
    private byte[] body;
    private boolean retryStale;

    /**
     * How many of the two steps of a try are over: its writer has returned, and its exchange has
     * ended. Whichever comes second ends the try. The response may well complete before the thread
     * that wrote the request has returned from the write; until it has, the connection is still
     * that thread's (its direct buffer, its queued loop write), and must not go back to the pool.
     */
    @SuppressWarnings("unused") // accessed through STEPS
    private volatile int steps;

    /**
     * The response is complete, and its connection back in the pool. Called once per request, on
     * the event loop that read the response.
     */
    protected abstract void completed(Exchange ex);

    /**
     * No response: an {@link HttpFailure} with the exchange's timings (or, after a defect, any
     * other exception). Called once per request, on one of the client's event loops (on the calling
     * thread when the client is closed and its loops take no more tasks).
     */
    protected abstract void failed(Throwable cause);

    @Override
    public final void ended(Exchange ex) {
      if ((int) STEPS.getAndAdd(this, 1) == 1) { // the writer has returned already
        finish(ex);
      }
    }

    /**
     * Writes {@code ex}'s request on {@code conn}, then counts the write's step; a defect in the
     * write fails the exchange rather than leaving it in flight for ever.
     */
    private void write(Connection conn, Exchange ex) {
      try {
        start(conn, ex, head, body);
      } catch (RuntimeException e) {
        conn.failCurrent(
            ex, FailureKind.IO, "cannot write the request: " + Failures.describe(e), e);
      }
      written(ex);
    }

    /** Called by the thread that wrote {@code ex}'s request once the write has returned. */
    private void written(Exchange ex) {
      if ((int) STEPS.getAndAdd(this, 1) == 1) { // the exchange ended first: rare
        onLoop(ex.connection.channel.eventLoop(), () -> finish(ex));
      }
    }

    /** Ends a try the way {@link #execute} does after {@link Exchange#await()}. */
    private void finish(Exchange ex) {
      Connection conn = ex.connection;
      if (ex.isDone()) { // on the event loop
        transport.release(conn, ex.keepAlive);
        completed(ex);
      } else {
        // A failure may come from the thread writing the request, which may be a caller's stage
        // running on the event loop: a task of its own keeps a retry or the caller's next request
        // from nesting in that call.
        onLoop(conn.channel.eventLoop(), () -> failedOnLoop(ex));
      }
    }

    private void failedOnLoop(Exchange ex) {
      Connection conn = ex.connection;
      transport.release(conn, false);
      if (retries(ex, retryStale)) {
        PoolKey key = conn.pool.key;
        transport.executeAsync(
            key.tls(),
            key.host(),
            key.port(),
            head,
            body,
            ex.headRequest,
            ex.startNanos,
            ex.deadlineNanos - ex.startNanos,
            false,
            this);
      } else {
        failed(failure(ex));
      }
    }

    /** On a virtual thread: waits for a connection or opens one, and writes the request. */
    private void acquireAndStart(HostPool pool, Exchange ex, boolean permitHeld) {
      Connection conn;
      try {
        conn =
            permitHeld
                ? transport.idleOrConnect(pool, ex, ex.deadlineNanos)
                : transport.acquire(pool, ex, ex.deadlineNanos);
      } catch (RuntimeException | Error e) {
        onLoop(transport.group.next(), () -> failed(e));
        return;
      }
      write(conn, ex);
    }
  }

  /**
   * Sends one request as {@link #execute} does, with the same pool, timeouts and stale-connection
   * retry, but returns at once and tells {@code request} on an event loop when the response is
   * complete or has failed. No thread waits for the response: the event loop that reads it tells
   * {@code request}.
   *
   * <p>A pooled idle connection is used on the calling thread, which writes the request. Waiting
   * for a free connection and opening a new one (DNS, connect, TLS: blocking steps, once per
   * connection) run on a virtual thread of their own, through the same code as {@link #execute}.
   * Only a client already closed fails at once, on the calling thread.
   */
  public void executeAsync(
      boolean tls,
      String host,
      int port,
      byte[] head,
      byte[] body,
      boolean headRequest,
      long startNanos,
      long timeoutNanos,
      boolean retryStale,
      AsyncRequest request) {
    HostPool pool;
    try {
      pool = pool(tls, host, port);
    } catch (HttpFailure f) {
      request.failed(f);
      return;
    }
    request.transport = this;
    request.head = head;
    request.body = body;
    request.retryStale = retryStale;
    request.steps = 0;
    Exchange ex =
        new Exchange(startNanos, startNanos + timeoutNanos, maxBodyBytes, headRequest, request);
    boolean permit = pool.permits.tryAcquire();
    if (permit) {
      Connection conn = pollIdle(pool);
      if (conn != null) {
        request.write(conn, ex);
        return;
      }
    }
    Thread.startVirtualThread(() -> request.acquireAndStart(pool, ex, permit));
  }

  /**
   * Runs {@code task} on {@code loop}, or on this thread when the loop no longer takes tasks (the
   * client was closed).
   */
  private static void onLoop(EventExecutor loop, Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** The pool for a scheme, host and port; throws {@code CLIENT_CLOSED} once closed. */
  private HostPool pool(boolean tls, String host, int port) {
    if (closed) {
      throw new HttpFailure(FailureKind.CLIENT_CLOSED, "the HTTP client is closed", null, null);
    }
    PoolKey key = new PoolKey(tls, host, port);
    HostPool pool = pools.get(key);
    if (pool == null) {
      pool = pools.computeIfAbsent(key, k -> new HostPool(k, maxConnectionsPerHost));
    }
    return pool;
  }

  /** Makes {@code ex} the connection's exchange and writes its request. */
  private static void start(Connection conn, Exchange ex, byte[] head, byte[] body) {
    ex.connection = conn;
    conn.current = ex;
    conn.write(ex, head, body);
  }

  /**
   * Whether a failed exchange is sent again: a reused connection closed before any response byte
   * (the target closed it while idle), and time left.
   */
  private static boolean retries(Exchange ex, boolean retryStale) {
    return retryStale
        && !ex.newConnection
        && ex.firstByteAtNanos == 0
        && ex.failureKind == FailureKind.RESET
        && System.nanoTime() < ex.deadlineNanos;
  }

  private static HttpFailure failure(Exchange ex) {
    return new HttpFailure(ex.failureKind, ex.failureMessage, ex.timings(), ex.failureCause);
  }

  /**
   * Opens the connection for a WebSocket: a new TCP (and TLS) connection of its own, never pooled,
   * ready for the opening handshake ({@link WebSocketConnection#handshake}).
   *
   * @param uri the {@code ws} or {@code wss} URI
   * @param headers headers for the upgrade request (cookies, user agent, the caller's own)
   * @param subprotocols the offered subprotocols, comma-separated, or null
   * @return the connection, its DNS, connect and TLS times measured
   * @throws HttpFailure with those timings when the connection could not be made
   */
  public WebSocketConnection openWebSocket(
      URI uri,
      HttpHeaders headers,
      String subprotocols,
      int maxMessageBytes,
      long startNanos,
      long timeoutNanos) {
    if (closed) {
      throw new HttpFailure(FailureKind.CLIENT_CLOSED, "the HTTP client is closed", null, null);
    }
    boolean tls = "wss".equalsIgnoreCase(uri.getScheme());
    String h = uri.getHost();
    String host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    PoolKey key = new PoolKey(tls, host, uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort());
    long deadline = startNanos + timeoutNanos;
    Exchange ex = new Exchange(startNanos, deadline, 64 * 1024, false);
    WebSocketClientHandshaker handshaker =
        WebSocketClientHandshakerFactory.newHandshaker(
            uri,
            WebSocketVersion.V13,
            subprotocols,
            false,
            headers,
            maxMessageBytes,
            true,
            false,
            -1,
            false,
            false);
    WebSocketConnection ws = new WebSocketConnection(this, key, ex, handshaker, maxMessageBytes);
    Channel ch = dial(key, ex, deadline, ws::install);
    webSockets.add(ws);
    ch.closeFuture().addListener(f -> webSockets.remove(ws));
    return ws;
  }

  boolean isClosed() {
    return closed;
  }

  /** Waits for a permit of the pool until {@code deadline}, then as {@link #idleOrConnect}. */
  private Connection acquire(HostPool pool, Exchange ex, long deadline) {
    if (!pool.permits.tryAcquire()) {
      long remaining = deadline - System.nanoTime();
      boolean got = false;
      try {
        got = remaining > 0 && pool.permits.tryAcquire(remaining, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!got) {
        throw new HttpFailure(
            FailureKind.POOL_TIMEOUT,
            "no connection to "
                + pool.key.authority()
                + " became free within the request timeout ("
                + pool.max
                + " connections per host are allowed; raise maxConnectionsPerHost)",
            ex.timings(),
            null);
      }
    }
    return idleOrConnect(pool, ex, deadline);
  }

  /**
   * With a permit held: an idle connection, else a new one; gives the permit back when it throws.
   */
  private Connection idleOrConnect(HostPool pool, Exchange ex, long deadline) {
    try {
      Connection c = pollIdle(pool);
      return c != null ? c : connect(pool, ex, deadline);
    } catch (RuntimeException | Error e) {
      pool.permits.release();
      throw e;
    }
  }

  /** The most recently used idle connection that is still open, or null; closes dead ones. */
  private static Connection pollIdle(HostPool pool) {
    Connection c;
    while ((c = pool.idle.pollFirst()) != null) {
      Channel ch = c.channel;
      if (ch.isActive()) {
        return c;
      }
      ch.close();
    }
    return null;
  }

  private void release(Connection conn, boolean reusable) {
    HostPool pool = conn.pool;
    Channel ch = conn.channel;
    if (reusable && !closed && ch.isActive() && pool.open.get() <= pool.max) {
      conn.idleSinceNanos = System.nanoTime();
      pool.idle.offerFirst(conn);
    } else {
      conn.current = null;
      ch.close();
    }
    pool.permits.release();
  }

  private Connection connect(HostPool pool, Exchange ex, long deadline) {
    Connection conn = new Connection(pool);
    Channel ch = dial(pool.key, ex, deadline, conn::install);
    pool.open.incrementAndGet();
    connections.add(conn);
    ch.closeFuture()
        .addListener(
            f -> {
              connections.remove(conn);
              pool.open.decrementAndGet();
              pool.idle.remove(conn);
            });
    return conn;
  }

  /**
   * Opens a new channel to {@code key}: resolves the host, connects and completes TLS, filling the
   * exchange's DNS, connect and TLS times. {@code handlers} adds the protocol's handlers (after the
   * TLS handler, if any) when the channel is registered, before it connects.
   *
   * @throws HttpFailure {@code DNS}, {@code REFUSED}, {@code CONNECT_TIMEOUT}, {@code TLS}, {@code
   *     IO} or {@code CLIENT_CLOSED}, with the exchange's timings; the channel is then closed
   */
  Channel dial(PoolKey key, Exchange ex, long deadline, Consumer<Channel> handlers) {
    ex.newConnection = true;
    long t0 = System.nanoTime();
    InetAddress address;
    try {
      address = InetAddress.getByName(key.host());
    } catch (UnknownHostException e) {
      ex.dnsNanos = System.nanoTime() - t0;
      throw new HttpFailure(
          FailureKind.DNS,
          "cannot resolve host '" + key.host() + "': " + Failures.describe(e),
          ex.timings(),
          e);
    }
    ex.dnsNanos = System.nanoTime() - t0;
    long remaining = deadline - System.nanoTime();
    long connectMillis =
        Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(connectTimeoutNanos, remaining)));
    long handshakeMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.max(0, remaining)));
    ChannelFuture cf =
        bootstrap
            .clone()
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectMillis))
            .handler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (key.tls()) {
                      SslHandler tls = ssl.newHandler(ch.alloc(), key.host(), key.port());
                      tls.setHandshakeTimeoutMillis(handshakeMillis);
                      ch.pipeline().addLast(tls);
                    }
                    handlers.accept(ch);
                  }
                })
            .connect(new InetSocketAddress(address, key.port()));
    await(cf, deadline + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS * 10));
    if (!cf.isSuccess()) {
      cf.channel().close();
      Throwable cause = cf.cause();
      FailureKind kind = cause == null ? FailureKind.CONNECT_TIMEOUT : Failures.kindOf(cause);
      if (kind == FailureKind.RESET) {
        kind = FailureKind.IO;
      }
      String why =
          switch (kind) {
            case REFUSED ->
                "connection refused by " + key.authority() + " (is the target running?)";
            case CONNECT_TIMEOUT ->
                "no connection to " + key.authority() + " within " + connectMillis + " ms";
            default ->
                "cannot connect to "
                    + key.authority()
                    + ": "
                    + (cause == null ? "unknown cause" : Failures.describe(cause));
          };
      throw new HttpFailure(kind, why, ex.timings(), cause);
    }
    ex.connectedAtNanos = System.nanoTime();
    Channel ch = cf.channel();
    SslHandler tls = ch.pipeline().get(SslHandler.class);
    if (tls != null) {
      Future<Channel> hs = tls.handshakeFuture();
      await(hs, deadline + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS * 10));
      ex.tlsNanos = System.nanoTime() - ex.connectedAtNanos;
      if (!hs.isSuccess()) {
        ch.close();
        Throwable cause = hs.cause();
        throw new HttpFailure(
            FailureKind.TLS,
            "TLS handshake with "
                + key.authority()
                + " failed: "
                + (cause == null ? "timed out" : Failures.describe(cause)),
            ex.timings(),
            cause);
      }
    }
    if (closed) {
      ch.close();
      throw new HttpFailure(
          FailureKind.CLIENT_CLOSED, "the HTTP client is closed", ex.timings(), null);
    }
    return ch;
  }

  /** Waits for a Netty future until {@code deadline}; cancels it when it is not done by then. */
  private static void await(Future<?> future, long deadline) {
    if (!awaitDone(future, deadline)) {
      future.cancel(false);
    }
  }

  /**
   * Parks until {@code future} is done or {@code deadline} ({@link System#nanoTime()}) has passed;
   * returns whether it is done. Unlike Netty's own monitor-based await, it never pins a virtual
   * thread to its carrier. An interrupt ends the wait early and stays set.
   */
  static boolean awaitDone(Future<?> future, long deadline) {
    if (future.isDone()) {
      return true;
    }
    Thread waiter = Thread.currentThread();
    future.addListener(f -> LockSupport.unpark(waiter));
    while (!future.isDone()) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0 || waiter.isInterrupted()) {
        return future.isDone();
      }
      LockSupport.parkNanos(future, remaining);
    }
    return true;
  }

  /**
   * On an event loop every {@link #TICK_MILLIS}: fails overdue exchanges and evicts idle
   * connections.
   */
  private void tick() {
    long now = System.nanoTime();
    for (Connection c : connections) {
      Exchange ex = c.current;
      if (ex != null && now - ex.deadlineNanos > 0 && ex.isPending()) {
        Channel ch = c.channel;
        ch.eventLoop()
            .execute(
                () -> {
                  if (c.current == ex) {
                    c.failCurrent(
                        ex,
                        FailureKind.READ_TIMEOUT,
                        "no complete response from "
                            + c.pool.key.authority()
                            + " within the request timeout of "
                            + TimeUnit.NANOSECONDS.toMillis(ex.deadlineNanos - ex.startNanos)
                            + " ms"
                            + (ex.firstByteAtNanos == 0
                                ? " (no byte received)"
                                : " (response incomplete)"),
                        null);
                  }
                });
      }
    }
    if (now - lastIdleScan > Math.min(idleTimeoutNanos / 2, TimeUnit.SECONDS.toNanos(1))) {
      lastIdleScan = now;
      for (HostPool pool : pools.values()) {
        for (Connection c : pool.idle) {
          if (now - c.idleSinceNanos > idleTimeoutNanos && pool.idle.remove(c)) {
            c.channel.close();
          }
        }
      }
    }
  }

  /**
   * How many direct writes the socket took only in part, leaving the rest to the event loop
   * (diagnostics).
   */
  long partialWrites() {
    long n = 0;
    for (HostPool pool : pools.values()) {
      n += pool.partialWrites.sum();
    }
    return n;
  }

  /** How many connections are open now (idle or in use), for tests and diagnostics. */
  public int openConnections() {
    return connections.size();
  }

  /**
   * Fails every request in flight with {@link FailureKind#CLIENT_CLOSED}, closes connections and
   * event loops.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ticker.cancel(false);
    for (WebSocketConnection ws : webSockets) {
      ws.abort();
    }
    for (Connection c : connections) {
      Exchange ex = c.current;
      if (ex != null) {
        c.channel
            .eventLoop()
            .execute(
                () ->
                    c.failCurrent(
                        ex,
                        FailureKind.CLIENT_CLOSED,
                        "the HTTP client was closed while the request was in flight",
                        null));
      } else {
        c.channel.close();
      }
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
