package dev.grindstone.http.internal;

import dev.grindstone.http.FailureKind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One keep-alive connection to a host and port, carrying at most one exchange at a time. Its
 * handlers run on the channel's event loop; {@code current} is the hand-off point with the calling
 * thread.
 *
 * <p>IMPLEMENTATION NOTES: a plain connection's request is written by the calling thread itself,
 * straight to the non-blocking socket: a small request normally goes out whole at once, and the
 * event loop is neither handed a task nor woken up for it. NIO allows one writer next to the event
 * loop's reads, and the connection is held by one caller at a time. The event loop writes instead
 * what does not fit that path: TLS records, a large body, the rest of a partial write, and any
 * request queued behind a write still pending there (so that bytes never overtake each other). A
 * non-blocking NIO write is not interruptible: a caller whose interrupt status is set still sends
 * its request, and the socket stays open.
 */
final class Connection {
  /** Requests up to this size are written by the calling thread on plain connections. */
  static final int MAX_DIRECT_WRITE = 64 * 1024;

  final HostPool pool;
  volatile Channel channel;

  /**
   * The exchange in flight, or null. Set by the caller before the write; cleared by the event loop.
   */
  volatile Exchange current;

  long idleSinceNanos;

  /** The last response's header lines, shared with the next one if equal; event loop only. */
  HeaderBlock lastHead;

  SslHandler sslHandler;

  /**
   * The request bytes for a direct write, grown to the largest request sent here (at most {@link
   * #MAX_DIRECT_WRITE}); touched only by the caller holding the connection.
   */
  private ByteBuffer out;

  /**
   * The last write handed to the event loop, or null; later writes queue behind it until it is
   * done.
   */
  private ChannelFuture loopWrite;

  Connection(HostPool pool) {
    this.pool = pool;
  }

  /** Adds the HTTP handlers; called when the channel is registered, after any TLS handler. */
  void install(Channel ch) {
    channel = ch;
    sslHandler = ch.pipeline().get(SslHandler.class);
    ch.pipeline().addLast(new Io(), new ResponseParser(this));
  }

  /**
   * Writes one request for {@code ex}, which must be this connection's current exchange. Called by
   * the thread holding the connection; failures are reported through the exchange, never thrown.
   */
  void write(Exchange ex, byte[] head, byte[] body) {
    Channel ch = channel;
    int n = head.length + body.length;
    ChannelFuture pending = loopWrite;
    if (sslHandler == null
        && n <= MAX_DIRECT_WRITE
        && ch instanceof DirectWriteChannel direct
        && (pending == null || pending.isDone())) {
      ByteBuffer b = out;
      if (b == null || b.capacity() < n) {
        out = b = ByteBuffer.allocateDirect(Math.max(1024, Integer.highestOneBit(n - 1) << 1));
      }
      b.clear();
      b.put(head).put(body).flip();
      try {
        direct.socket().write(b);
      } catch (IOException e) {
        writeFailed(ex, e);
        return;
      }
      if (!b.hasRemaining()) {
        ex.sentAtNanos = System.nanoTime();
        return;
      }
      // The socket's send buffer is full: the event loop writes the rest when it drains.
      pool.partialWrites.increment();
      writeOnLoop(ch, ch.alloc().directBuffer(b.remaining()).writeBytes(b));
      return;
    }
    // Copying into a direct buffer here, on the calling thread, spares the (single, shared) event
    // loop the
    // heap-to-direct copy NIO needs.
    writeOnLoop(ch, ch.alloc().directBuffer(n).writeBytes(head).writeBytes(body));
  }

  private void writeOnLoop(Channel ch, ByteBuf buf) {
    ChannelFuture f = ch.writeAndFlush(buf);
    loopWrite = f;
    f.addListener(this::loopWriteDone);
  }

  private void loopWriteDone(Future<? super Void> f) {
    if (!f.isSuccess() && f.cause() != null) {
      Channel ch = channel;
      ch.pipeline().fireExceptionCaught(f.cause());
    }
  }

  private void writeFailed(Exchange ex, Throwable cause) {
    FailureKind kind = Failures.kindOf(cause);
    failCurrent(
        ex,
        kind,
        (kind == FailureKind.RESET
                ? "connection to " + pool.key.authority() + " reset: "
                : "I/O failure with " + pool.key.authority() + ": ")
            + Failures.describe(cause),
        cause);
  }

  /** Fails the exchange if it is still this connection's current one, and closes the connection. */
  void failCurrent(Exchange ex, FailureKind kind, String message, Throwable cause) {
    if (current == ex) {
      current = null;
    }
    ex.fail(kind, message, cause);
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  /**
   * Notes when the request left (after the flush wrote it to the socket) and when the first
   * response byte arrived, before any decoding.
   */
  private final class Io extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Exchange ex = current;
      if (ex != null && ex.firstByteAtNanos == 0 && msg instanceof ByteBuf) {
        ex.firstByteAtNanos = System.nanoTime();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      ctx.flush();
      Exchange ex = current;
      if (ex != null && ex.sentAtNanos == 0) {
        ex.sentAtNanos = System.nanoTime();
      }
    }
  }
}
