package dev.grindstone.server.runs;

import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live subscribers of each run's SSE stream.
 *
 * <p>A writer (the request that stored a snapshot or finished a run) only puts the event in each
 * subscriber's queue, of at most {@link #QUEUE_LIMIT} events, and never waits for a subscriber:
 * each subscriber's own virtual thread writes its events to its connection. A subscriber that falls
 * behind by a full queue is disconnected (its connection closed, which also ends a write it is
 * stuck in); a browser's EventSource reconnects by itself and reads the run again. Thread-safe.
 */
public final class RunEvents {
  /** Events that may wait for one subscriber; a subscriber further behind is disconnected. */
  public static final int QUEUE_LIMIT = 64;

  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
  private static final Event CLOSE = new Event(null, null);

  private record Event(String name, String data) {}

  private final Map<String, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();

  /** One subscriber's stream, to queue events for it alone. */
  public interface Subscription {
    /** Queues an event for this subscriber; returns at once. */
    void send(String event, String data);

    /** Queues a last event; the stream is closed after it. */
    void sendLast(String event, String data);
  }

  /** Subscribes {@code client} to the run's events, from now on. */
  public Subscription subscribe(String runId, SseClient client) {
    Subscriber s = new Subscriber(runId, client);
    subscribers.computeIfAbsent(runId, k -> ConcurrentHashMap.newKeySet()).add(s);
    client.onClose(() -> remove(s));
    s.start();
    return s;
  }

  /** Queues one event for every subscriber of the run; returns at once. */
  public void publish(String runId, String event, String data) {
    publish(runId, event, () -> data);
  }

  /**
   * Queues one event for every subscriber of the run; returns at once. Its data is written only
   * when the run has subscribers.
   */
  public void publish(String runId, String event, Supplier<String> data) {
    Set<Subscriber> set = subscribers.get(runId);
    if (set == null) {
      return;
    }
    Event e = new Event(event, data.get());
    for (Subscriber s : List.copyOf(set)) {
      s.offer(e);
    }
  }

  /** Queues {@code finished} for every subscriber of the run, after which each stream is closed. */
  public void finish(String runId, String data) {
    Set<Subscriber> set = subscribers.remove(runId);
    if (set == null) {
      return;
    }
    Event e = new Event("finished", data);
    for (Subscriber s : set) {
      s.offer(e);
      s.offer(CLOSE);
    }
  }

  public int subscribers(String runId) {
    Set<Subscriber> set = subscribers.get(runId);
    return set == null ? 0 : set.size();
  }

  private void remove(Subscriber s) {
    subscribers.computeIfPresent(
        s.runId,
        (k, set) -> {
          set.remove(s);
          return set.isEmpty() ? null : set;
        });
  }

  /** One SSE connection: its queue and the virtual thread that writes it. */
  private final class Subscriber implements Subscription {
    final String runId;
    final SseClient client;
    final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE_LIMIT);
    volatile boolean gone;
    private Thread sender;

    Subscriber(String runId, SseClient client) {
      this.runId = runId;
      this.client = client;
    }

    void start() {
      sender = Thread.ofVirtual().name("sse-" + runId).start(this::send);
    }

    @Override
    public void send(String event, String data) {
      offer(new Event(event, data));
    }

    @Override
    public void sendLast(String event, String data) {
      remove(this);
      offer(new Event(event, data));
      offer(CLOSE);
    }

    void offer(Event e) {
      if (!gone && !queue.offer(e)) {
        disconnect();
      }
    }

    private void send() {
      try {
        while (!gone) {
          Event e = queue.take();
          if (e == CLOSE) {
            break;
          }
          client.sendEvent(e.name(), e.data());
          if (client.terminated()) {
            break;
          }
        }
      } catch (InterruptedException e) {
        // Disconnected while waiting for an event.
      } catch (RuntimeException e) {
        LOG.debug("an event stream of run {} failed: {}", runId, e.toString());
      } finally {
        gone = true;
        remove(this);
        try {
          client.close();
        } catch (RuntimeException ignored) {
          // The connection is gone already.
        }
      }
    }

    /** The subscriber fell behind: its connection is closed, which fails a write it is stuck in. */
    private void disconnect() {
      if (gone) {
        return;
      }
      gone = true;
      remove(this);
      LOG.info(
          "disconnected a subscriber of run {} that fell {} events behind", runId, QUEUE_LIMIT);
      try {
        ServletContextRequest.getServletContextRequest(client.ctx().req())
            .getConnectionMetaData()
            .getConnection()
            .close();
      } catch (RuntimeException e) {
        LOG.debug("closing a slow event stream of run {}: {}", runId, e.toString());
      }
      Thread t = sender;
      if (t != null) {
        t.interrupt();
      }
    }
  }
}
