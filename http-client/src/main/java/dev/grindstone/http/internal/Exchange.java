package dev.grindstone.http.internal;

import dev.grindstone.http.FailureKind;
import io.netty.handler.codec.http.HttpHeaders;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * One request in flight: the hand-off between the event loop, which fills it, and either the
 * calling (virtual) thread, which parks until it is done, or an {@link Ending} told when it is
 * done.
 *
 * <p>IMPLEMENTATION NOTES: the caller parks with {@link LockSupport#park} and no timeout, because a
 * timed park of a virtual thread schedules and cancels a timer task on every call; the transport's
 * scanner enforces deadlines instead. Fields are written by the event loop before the volatile
 * {@code state} is published and read by the caller after it saw the state change, so they need no
 * synchronisation of their own. An exchange with an {@link Ending} has no waiter: the thread that
 * completes or fails it calls the ending instead of unparking anyone.
 */
public final class Exchange {
  static final int PENDING = 0;
  static final int DONE = 1;
  static final int FAILED = 2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Exchange.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Told when an exchange that no thread waits for has ended. */
  interface Ending {
    /**
     * Called once, by the thread that completed or failed {@code ex}: the event loop, or for a
     * failure the thread that wrote the request.
     */
    void ended(Exchange ex);
  }

  private final Thread waiter;
  private final Ending ending;
  final long startNanos;
  final long deadlineNanos;
  final int maxBodyBytes;

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  // Connection phase, written by the caller.
  long dnsNanos;
  long connectedAtNanos;
  long tlsNanos;
  boolean newConnection;

  // Response, written by the event loop.
  long sentAtNanos;
  long firstByteAtNanos;
  long lastByteAtNanos;
  int status;
  boolean keepAlive;
  boolean setCookie;

  private HeaderBlock head = HeaderBlock.EMPTY;
  private byte[] body = EMPTY;
  private int length;
  FailureKind failureKind;
  String failureMessage;
  Throwable failureCause;
  Connection connection;

  private static final byte[] EMPTY = new byte[0];

  final boolean headRequest;

  /** An exchange the calling thread waits for with {@link #await()}. */
  Exchange(long startNanos, long deadlineNanos, int maxBodyBytes, boolean headRequest) {
    this(startNanos, deadlineNanos, maxBodyBytes, headRequest, null);
  }

  /** An exchange that tells {@code ending}, when not null, instead of unparking its creator. */
  Exchange(
      long startNanos, long deadlineNanos, int maxBodyBytes, boolean headRequest, Ending ending) {
    this.headRequest = headRequest;
    this.ending = ending;
    this.waiter = ending == null ? Thread.currentThread() : null;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
    this.maxBodyBytes = maxBodyBytes;
  }

  boolean isPending() {
    return state == PENDING;
  }

  boolean isDone() {
    return state == DONE;
  }

  /**
   * Parks the calling thread until the event loop completes or fails this exchange. An interrupt
   * does not end the wait (the request's deadline does) and stays set: a park returns at once while
   * the flag is set, so it is cleared for the wait, which would otherwise spin.
   */
  void await() {
    boolean interrupted = false;
    while (state == PENDING) {
      LockSupport.park(this);
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Parks the calling thread until the exchange is completed or failed, or until {@code
   * deadlineNanos}; returns whether it is still pending. For rare exchanges (a WebSocket handshake)
   * that the transport's scanner does not watch.
   */
  boolean awaitUntil(long deadlineNanos) {
    boolean interrupted = false; // kept, not obeyed, as in await()
    try {
      while (state == PENDING) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          return true;
        }
        LockSupport.parkNanos(this, remaining);
        interrupted |= Thread.interrupted();
      }
      return false;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The response's header lines, and room for {@code bodyBytes} of body (0 when not known). */
  void head(HeaderBlock lines, long bodyBytes) {
    head = lines;
    length = 0;
    body = bodyBytes > 0 && bodyBytes <= maxBodyBytes ? new byte[(int) bodyBytes] : EMPTY;
  }

  /** Headers that are already decoded (a WebSocket handshake's, read by Netty). */
  void headers(HttpHeaders decoded) {
    head = new HeaderBlock(decoded);
  }

  /** Appends the buffer's readable bytes; false when the body would exceed the limit. */
  boolean append(io.netty.buffer.ByteBuf buf) {
    return appendFrom(buf.duplicate(), buf.readableBytes());
  }

  /**
   * Moves {@code n} bytes from {@code buf} (its reader index advances) to the body; false when the
   * body would exceed the limit.
   */
  boolean appendFrom(io.netty.buffer.ByteBuf buf, int n) {
    if (n == 0) {
      return true;
    }
    if ((long) length + n > maxBodyBytes) {
      return false;
    }
    if (length + n > body.length) {
      body = Arrays.copyOf(body, Math.max(length + n, Math.max(256, body.length * 2)));
    }
    buf.readBytes(body, length, n);
    length += n;
    return true;
  }

  /** Called on the event loop when the last byte arrived. */
  void complete() {
    lastByteAtNanos = System.nanoTime();
    if (STATE.compareAndSet(this, PENDING, DONE)) {
      signal();
    }
  }

  /** Fails the exchange unless it already completed; returns whether this call failed it. */
  boolean fail(FailureKind kind, String message, Throwable cause) {
    if (state != PENDING) {
      return false;
    }
    failureKind = kind;
    failureMessage = message;
    failureCause = cause;
    if (STATE.compareAndSet(this, PENDING, FAILED)) {
      signal();
      return true;
    }
    return false;
  }

  private void signal() {
    if (ending == null) {
      LockSupport.unpark(waiter);
    } else {
      ending.ended(this);
    }
  }

  public int status() {
    return status;
  }

  /** The response's headers, decoded from its header lines on the first call. */
  public HttpHeaders headers() {
    return head.headers();
  }

  /** Whether the response sets cookies (so that a cookie jar need not look otherwise). */
  public boolean setsCookies() {
    return setCookie;
  }

  /** A copy of the body. */
  public byte[] bodyCopy() {
    return Arrays.copyOf(body, length);
  }

  /**
   * The array that holds the body from {@link #bodyOffset()} for {@link #bodyLength()} bytes; not
   * to be modified.
   */
  public byte[] data() {
    return body;
  }

  public int bodyOffset() {
    return 0;
  }

  public int bodyLength() {
    return length;
  }

  public boolean isNewConnection() {
    return newConnection;
  }

  public boolean keepAlive() {
    return keepAlive;
  }

  public FailureKind failureKind() {
    return failureKind;
  }

  /** The timing breakdown in microseconds (see {@link dev.grindstone.http.Timings}). */
  public dev.grindstone.http.Timings timings() {
    // A request written by the calling thread is stamped after the write returned; the event loop
    // may
    // have stamped the response's first byte before that, but a request cannot have left after it.
    long sent =
        sentAtNanos != 0 && firstByteAtNanos != 0 && firstByteAtNanos - sentAtNanos < 0
            ? firstByteAtNanos
            : sentAtNanos;
    return new dev.grindstone.http.Timings(
        dnsNanos / 1000,
        newConnection && connectedAtNanos != 0 ? (connectedAtNanos - startNanos) / 1000 : 0,
        tlsNanos / 1000,
        offset(sent),
        offset(firstByteAtNanos),
        offset(lastByteAtNanos));
  }

  private long offset(long at) {
    return at == 0 ? 0 : Math.max(0, (at - startNanos) / 1000);
  }
}
