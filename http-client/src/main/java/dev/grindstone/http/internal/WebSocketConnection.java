package dev.grindstone.http.internal;

import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One WebSocket connection (RFC 6455) of one virtual user: the opening handshake, an inbox of
 * complete messages, pings and the closing handshake. Netty's codec frames, masks and validates;
 * continuation frames are joined into one message before they reach the inbox.
 *
 * <p>IMPLEMENTATION NOTES: the event loop decodes frames, answers the server's pings, stamps each
 * message's arrival and queues it; the owning thread takes messages with a timed poll. When the
 * owner falls {@link #PAUSE_AT} messages behind, the connection stops reading from the socket (TCP
 * pushes back on the server) until it has caught up to {@link #RESUME_AT}: a server that floods a
 * slow reader cannot exhaust memory, and no message is dropped. On a plain connection the owner
 * frames and masks a message of up to 64 KiB itself and writes it straight to the non-blocking
 * socket, as the HTTP client writes requests: an echo then crosses threads once (the event loop
 * handing the reply over) instead of three times. Everything else (TLS, larger messages, control
 * frames, the rest of a partial write, and any write queued behind one) goes through the event loop
 * and is awaited, so a server that stops reading stops the sender instead of filling the heap; one
 * lock keeps the two kinds of write from interleaving on the socket. Methods other than the
 * handlers are for the one thread that owns the connection; the close status and the failure are
 * published through volatile fields.
 */
public final class WebSocketConnection {
  /** Messages up to this size are framed and written by the calling thread on plain connections. */
  static final int MAX_DIRECT_WRITE = 64 * 1024;

  static final int PAUSE_AT = 4096;
  static final int RESUME_AT = 1024;
  private static final Inbound END = new Inbound(false, new byte[0], 0);

  /** A complete message, text (UTF-8) or binary, and when its last frame arrived. */
  public record Inbound(boolean text, byte[] data, long arrivedAtNanos) {}

  /**
   * How the connection ended: the close code and reason (1006 when it dropped without a close
   * frame), whether the server started the closing handshake, and the failure kind for a caller.
   */
  public record Ended(int code, String reason, boolean byServer, FailureKind kind) {}

  private final Transport transport;
  private final PoolKey key;
  private final Exchange handshake;
  private final WebSocketClientHandshaker handshaker;
  private final int maxMessageBytes;
  private final LinkedBlockingQueue<Inbound> inbox = new LinkedBlockingQueue<>();
  private volatile Channel channel;
  private volatile Ended ended;
  private volatile boolean closeSent;
  private volatile boolean paused;
  private volatile long firstMessageAtNanos;
  private volatile Thread pingWaiter;
  private volatile long pingPayload;
  private volatile long pongAtNanos;
  private long pings;
  private volatile long pingsAnswered;

  /**
   * Serialises the owner's direct writes with every write handed to the event loop (the owner's
   * control frames and large messages, and the event loop's own pongs and close frames), so that
   * frames never interleave on the socket.
   */
  private final ReentrantLock writeLock = new ReentrantLock();

  /** Writes handed to the event loop and not finished yet; guarded by {@code writeLock}. */
  private int loopWrites;

  /**
   * The frame bytes of a direct write, grown to the largest frame; guarded by {@code writeLock}.
   */
  private ByteBuffer out;

  WebSocketConnection(
      Transport transport,
      PoolKey key,
      Exchange handshake,
      WebSocketClientHandshaker handshaker,
      int maxMessageBytes) {
    this.transport = transport;
    this.key = key;
    this.handshake = handshake;
    this.handshaker = handshaker;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Adds the handshake's HTTP codec and this connection's handler, after any TLS handler. */
  void install(Channel ch) {
    channel = ch;
    ch.pipeline()
        .addLast(
            new FirstByte(),
            new HttpClientCodec(4096, 16384, 65536),
            new HttpObjectAggregator(64 * 1024),
            new Handler());
  }

  /**
   * Sends the upgrade request and waits for the answer.
   *
   * @throws HttpFailure with the handshake's timings; the connection is then closed
   */
  public void handshake(long deadline) {
    Channel ch = channel;
    // On the event loop: the handshaker installs its frame encoder in a listener on the request's
    // write, which must be registered before the answer can be read (from another thread, the whole
    // handshake can complete before the listener is added, and frames would then go out unencoded).
    ch.eventLoop().execute(() -> handshaker.handshake(ch).addListener(this::handshakeSent));
    if (handshake.awaitUntil(deadline)) {
      handshake.fail(
          FailureKind.READ_TIMEOUT,
          "no answer to the WebSocket handshake from "
              + key.authority()
              + " within "
              + TimeUnit.NANOSECONDS.toMillis(deadline - handshake.startNanos)
              + " ms"
              + (handshake.firstByteAtNanos == 0 ? " (no byte received)" : ""),
          null);
    }
    if (!handshake.isDone()) {
      ch.close();
      throw new HttpFailure(
          handshake.failureKind,
          handshake.failureMessage,
          handshake.timings(),
          handshake.failureCause);
    }
  }

  private void handshakeSent(io.netty.util.concurrent.Future<? super Void> f) {
    if (f.isSuccess()) {
      handshake.sentAtNanos = System.nanoTime();
    } else {
      handshake.fail(
          Failures.kindOf(f.cause()),
          "cannot send the WebSocket handshake to "
              + key.authority()
              + ": "
              + Failures.describe(f.cause()),
          f.cause());
    }
  }

  /** The handshake's exchange: status, headers and timings. */
  public Exchange handshakeExchange() {
    return handshake;
  }

  /** The subprotocol the server chose, or null. */
  public String subprotocol() {
    String p = handshaker.actualSubprotocol();
    return p == null || p.isEmpty() ? null : p;
  }

  /** When the first message arrived ({@link System#nanoTime()}), or 0. */
  public long firstMessageAtNanos() {
    return firstMessageAtNanos;
  }

  /** How the connection ended, or null while it is open. */
  public Ended ended() {
    return ended;
  }

  /** Pings from the server that were answered with a pong. */
  public long pingsAnswered() {
    return pingsAnswered;
  }

  /**
   * The next message, waiting until {@code deadline} at most.
   *
   * @throws HttpFailure {@code READ_TIMEOUT} when none arrived in time; {@code CLOSED} (or {@code
   *     PROTOCOL}, {@code CLIENT_CLOSED}) once the connection ended and every message that arrived
   *     before has been taken
   */
  public Inbound receive(long deadline, long timeoutNanos) {
    Inbound m = inbox.poll();
    if (m == null) {
      long remaining = deadline - System.nanoTime();
      try {
        m = remaining > 0 ? inbox.poll(remaining, TimeUnit.NANOSECONDS) : null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HttpFailure(
            FailureKind.IO, "interrupted while waiting for a WebSocket message", null, e);
      }
    }
    if (m == null) {
      throw timedOut("no WebSocket message", timeoutNanos);
    }
    if (m == END) {
      inbox.offer(END); // later calls see the end too
      throw endedFailure("no more messages");
    }
    if (paused && inbox.size() <= RESUME_AT) {
      paused = false;
      channel.config().setAutoRead(true);
    }
    return m;
  }

  /**
   * Sends one message as a single frame and waits until it is written to the socket.
   *
   * @throws HttpFailure {@code CLOSED} when the connection has ended; {@code IO} when the write did
   *     not complete by {@code deadline} (the server stopped reading) or failed
   */
  public void send(boolean text, byte[] data, long deadline) {
    Ended e = ended;
    if (e != null || closeSent) {
      throw endedFailure("cannot send");
    }
    Channel ch = channel;
    if (!key.tls() && data.length <= MAX_DIRECT_WRITE && ch instanceof DirectWriteChannel direct) {
      ChannelFuture rest = null;
      writeLock.lock();
      try {
        if (loopWrites == 0) {
          ByteBuffer b = frame(text, data);
          try {
            direct.socket().write(b);
          } catch (IOException failure) {
            ch.close();
            throw ended != null
                ? endedFailure("cannot send")
                : new HttpFailure(
                    Failures.kindOf(failure),
                    "cannot send a WebSocket message to "
                        + key.authority()
                        + ": "
                        + Failures.describe(failure),
                    null,
                    failure);
          }
          if (!b.hasRemaining()) {
            return;
          }
          // The socket's send buffer is full: the event loop writes the rest when it drains.
          rest = loopWrite(ch.alloc().directBuffer(b.remaining()).writeBytes(b));
        }
      } finally {
        writeLock.unlock();
      }
      if (rest != null) {
        awaitWrite(rest, deadline, "message");
        return;
      }
    }
    ByteBuf payload = Unpooled.wrappedBuffer(data);
    write(
        text ? new TextWebSocketFrame(payload) : new BinaryWebSocketFrame(payload),
        deadline,
        "message");
  }

  /**
   * The masked client frame of one whole message (RFC 6455, 5.2), in {@code out}, ready to write.
   */
  private ByteBuffer frame(boolean text, byte[] data) {
    int n = data.length;
    int size = 2 + (n <= 125 ? 0 : n <= 0xFFFF ? 2 : 8) + 4 + n;
    ByteBuffer b = out;
    if (b == null || b.capacity() < size) {
      out = b = ByteBuffer.allocateDirect(Math.max(1024, Integer.highestOneBit(size - 1) << 1));
    }
    b.clear();
    b.put((byte) (0x80 | (text ? 0x1 : 0x2))); // FIN, text or binary
    if (n <= 125) {
      b.put((byte) (0x80 | n)); // MASK and the length
    } else if (n <= 0xFFFF) {
      b.put((byte) (0x80 | 126)).putShort((short) n);
    } else {
      b.put((byte) (0x80 | 127)).putLong(n);
    }
    int mask = ThreadLocalRandom.current().nextInt();
    b.putInt(mask);
    for (int i = 0; i < n; i++) {
      b.put((byte) (data[i] ^ (mask >>> (24 - ((i & 3) << 3)))));
    }
    return b.flip();
  }

  /** Hands {@code msg} to the event loop, counted until written; any thread. */
  private ChannelFuture loopWrite(Object msg) {
    writeLock.lock();
    try {
      loopWrites++;
      ChannelFuture f = channel.writeAndFlush(msg);
      f.addListener(this::loopWriteDone);
      return f;
    } finally {
      writeLock.unlock();
    }
  }

  private void loopWriteDone(io.netty.util.concurrent.Future<? super Void> f) {
    writeLock.lock();
    try {
      loopWrites--;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Sends a ping and waits for its pong.
   *
   * @return the round trip in nanoseconds
   * @throws HttpFailure {@code READ_TIMEOUT} when no pong came back by {@code deadline}, {@code
   *     CLOSED} when the connection ended first
   */
  public long ping(long deadline, long timeoutNanos) {
    if (ended != null || closeSent) {
      throw endedFailure("cannot ping");
    }
    long payload = ++pings;
    pongAtNanos = 0;
    pingPayload = payload;
    pingWaiter = Thread.currentThread();
    long start = System.nanoTime();
    boolean interrupted = false; // kept, not obeyed: the deadline ends the wait (no spinning)
    try {
      write(new PingWebSocketFrame(Unpooled.copyLong(payload)), deadline, "ping");
      while (pongAtNanos == 0 && ended == null) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw timedOut("no pong", timeoutNanos);
        }
        LockSupport.parkNanos(this, remaining);
        interrupted |= Thread.interrupted();
      }
    } finally {
      pingWaiter = null;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (pongAtNanos == 0) {
      throw endedFailure("no pong");
    }
    return pongAtNanos - start;
  }

  /**
   * Starts the closing handshake with {@code code} and {@code reason}, waits for the server's close
   * frame and for the connection to close, then closes it in any case.
   *
   * @return how the connection ended
   * @throws HttpFailure {@code READ_TIMEOUT} when the server did not answer by {@code deadline}
   */
  public Ended close(int code, String reason, long deadline) {
    Channel ch = channel;
    if (ended == null && !closeSent) {
      closeSent = true;
      ChannelFuture f = loopWrite(new CloseWebSocketFrame(code, reason));
      if (Transport.awaitDone(f, deadline) && !f.isSuccess() && ended == null) {
        ch.close();
        throw new HttpFailure(
            Failures.kindOf(f.cause()),
            "cannot send the close frame to "
                + key.authority()
                + ": "
                + Failures.describe(f.cause())
                + "; the connection was closed",
            null,
            f.cause());
      }
    }
    boolean answered = Transport.awaitDone(ch.closeFuture(), deadline);
    ch.close();
    Ended e = ended;
    if (!answered || e == null) {
      throw new HttpFailure(
          FailureKind.READ_TIMEOUT,
          "the server at "
              + key.authority()
              + " did not answer the close frame within "
              + TimeUnit.NANOSECONDS.toMillis(Math.max(0, deadline - System.nanoTime()))
              + " ms; the connection was closed",
          null,
          null);
    }
    return e;
  }

  /** Closes the connection at once, without a closing handshake (the client is closing). */
  void abort() {
    ended(1006, "the HTTP client was closed", false, FailureKind.CLIENT_CLOSED);
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  private void write(WebSocketFrame frame, long deadline, String what) {
    awaitWrite(loopWrite(frame), deadline, what);
  }

  private void awaitWrite(ChannelFuture f, long deadline, String what) {
    if (!Transport.awaitDone(f, deadline)) {
      throw new HttpFailure(
          FailureKind.IO,
          "the WebSocket "
              + what
              + " to "
              + key.authority()
              + " was not written in time (the server is not reading)",
          null,
          null);
    }
    if (!f.isSuccess()) {
      if (ended != null) {
        throw endedFailure("cannot send");
      }
      throw new HttpFailure(
          Failures.kindOf(f.cause()),
          "cannot send a WebSocket "
              + what
              + " to "
              + key.authority()
              + ": "
              + Failures.describe(f.cause()),
          null,
          f.cause());
    }
  }

  private HttpFailure timedOut(String what, long timeoutNanos) {
    return new HttpFailure(
        FailureKind.READ_TIMEOUT,
        what
            + " from "
            + key.authority()
            + " within "
            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
            + " ms",
        null,
        null);
  }

  private HttpFailure endedFailure(String what) {
    Ended e = ended;
    if (e == null) {
      return new HttpFailure(
          FailureKind.CLOSED,
          "the WebSocket to " + key.authority() + " is closing (" + what + ")",
          null,
          null);
    }
    String who =
        e.code() == 1006
            ? "the connection to " + key.authority() + " dropped"
            : "the WebSocket to "
                + key.authority()
                + " was closed by "
                + (e.byServer() ? "the server" : "the client");
    return new HttpFailure(
        e.kind(),
        who
            + " ("
            + e.code()
            + (e.reason() == null || e.reason().isEmpty() ? "" : " '" + e.reason() + "'")
            + "): "
            + what,
        null,
        null);
  }

  /** Records the first way the connection ended and wakes the owner. */
  private void ended(int code, String reason, boolean byServer, FailureKind kind) {
    if (ended == null) {
      ended = new Ended(code, reason, byServer, kind);
      inbox.offer(END);
      Thread w = pingWaiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /** Stamps the handshake response's first byte before any decoding. */
  private final class FirstByte extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (handshake.firstByteAtNanos == 0) {
        handshake.firstByteAtNanos = System.nanoTime();
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof FullHttpResponse r) {
          handshakeAnswered(ctx, r);
        } else if (msg instanceof WebSocketFrame f) {
          frame(ctx, f);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void handshakeAnswered(ChannelHandlerContext ctx, FullHttpResponse r) {
      handshake.status = r.status().code();
      handshake.headers(r.headers());
      if (handshake.status != 101) {
        String body = r.content().toString(StandardCharsets.UTF_8).strip();
        handshake.append(r.content());
        handshake.fail(
            FailureKind.HANDSHAKE,
            key.authority()
                + " answered the WebSocket handshake with "
                + r.status()
                + " instead of 101 Switching Protocols"
                + (body.isEmpty()
                    ? ""
                    : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)),
            null);
        ctx.close();
        return;
      }
      try {
        handshaker.finishHandshake(ctx.channel(), r);
      } catch (WebSocketHandshakeException e) {
        handshake.fail(
            FailureKind.HANDSHAKE,
            "invalid WebSocket handshake from " + key.authority() + ": " + e.getMessage(),
            e);
        ctx.close();
        return;
      }
      ctx.pipeline()
          .addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(maxMessageBytes));
      handshake.complete();
    }

    private void frame(ChannelHandlerContext ctx, WebSocketFrame f) {
      switch (f) {
        case TextWebSocketFrame t -> message(ctx, true, t.content());
        case BinaryWebSocketFrame b -> message(ctx, false, b.content());
        case PingWebSocketFrame p -> {
          if (!closeSent) {
            loopWrite(new PongWebSocketFrame(p.content().retain()));
            pingsAnswered++;
          }
        }
        case PongWebSocketFrame p -> {
          if (p.content().readableBytes() == 8
              && p.content().getLong(p.content().readerIndex()) == pingPayload) {
            pongAtNanos = System.nanoTime();
            Thread w = pingWaiter;
            if (w != null) {
              LockSupport.unpark(w);
            }
          }
        }
        case CloseWebSocketFrame c -> {
          int code = c.statusCode() == -1 ? 1005 : c.statusCode();
          boolean byServer = !closeSent;
          ended(code, c.reasonText(), byServer, FailureKind.CLOSED);
          if (byServer) {
            // Echo the code (RFC 6455, 5.5.1); the server then closes the TCP connection.
            closeSent = true;
            loopWrite(new CloseWebSocketFrame(code == 1005 ? 1000 : code, ""))
                .addListener(x -> ctx.close());
          } else {
            ctx.close();
          }
        }
        default -> {} // a continuation frame cannot reach here: the aggregator joins them
      }
    }

    private void message(ChannelHandlerContext ctx, boolean text, ByteBuf content) {
      long now = System.nanoTime();
      if (firstMessageAtNanos == 0) {
        firstMessageAtNanos = now;
      }
      inbox.offer(new Inbound(text, ByteBufUtil.getBytes(content), now));
      if (!paused && inbox.size() >= PAUSE_AT) {
        paused = true;
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (handshake.isPending()) {
        handshake.fail(
            FailureKind.RESET,
            "connection to " + key.authority() + " closed during the WebSocket handshake",
            null);
      }
      ended(1006, "", true, transport.isClosed() ? FailureKind.CLIENT_CLOSED : FailureKind.CLOSED);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      FailureKind kind = Failures.kindOf(cause);
      if (cause instanceof TooLongFrameException
          || cause instanceof CorruptedWebSocketFrameException) {
        kind = FailureKind.PROTOCOL;
      }
      String what =
          (cause instanceof TooLongFrameException
                  ? "a WebSocket message larger than " + maxMessageBytes + " bytes from "
                  : kind == FailureKind.PROTOCOL
                      ? "invalid WebSocket data from "
                      : "I/O failure with ")
              + key.authority()
              + ": "
              + Failures.describe(cause);
      if (handshake.isPending()) {
        handshake.fail(kind, what, cause);
      }
      ended(kind == FailureKind.PROTOCOL ? 1002 : 1006, what, false, kind);
      ctx.close();
    }
  }
}
