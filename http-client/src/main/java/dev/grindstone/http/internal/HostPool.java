package dev.grindstone.http.internal;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connections to one host and port. {@code permits} bounds the connections in use; idle
 * connections are reused most-recently-used first, so that surplus ones age and are evicted.
 */
final class HostPool {
  final PoolKey key;
  final Semaphore permits;
  final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  final AtomicInteger open = new AtomicInteger();
  final int max;

  /** Direct writes the socket took only in part (see {@link Connection#write}). */
  final LongAdder partialWrites = new LongAdder();

  HostPool(PoolKey key, int max) {
    this.key = key;
    this.max = max;
    this.permits = new Semaphore(max);
  }
}
