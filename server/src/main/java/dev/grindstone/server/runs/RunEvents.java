package dev.grindstone.server.runs;

import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Live subscribers of each run's SSE stream. Thread-safe. */
public final class RunEvents {
  private final Map<String, Set<SseClient>> clients = new ConcurrentHashMap<>();

  public void subscribe(String runId, SseClient client) {
    clients.computeIfAbsent(runId, k -> ConcurrentHashMap.newKeySet()).add(client);
    client.onClose(() -> unsubscribe(runId, client));
  }

  private void unsubscribe(String runId, SseClient client) {
    clients.computeIfPresent(runId, (k, set) -> {
      set.remove(client);
      return set.isEmpty() ? null : set;
    });
  }

  /** Sends one event to every subscriber of the run; a broken client is dropped, never fatal. */
  public void publish(String runId, String event, Object data) {
    Set<SseClient> set = clients.get(runId);
    if (set == null) {
      return;
    }
    for (SseClient c : List.copyOf(set)) {
      try {
        if (c.terminated()) {
          unsubscribe(runId, c);
        } else {
          c.sendEvent(event, data);
        }
      } catch (RuntimeException e) {
        unsubscribe(runId, c);
      }
    }
  }

  /** Sends {@code finished} and closes every stream of the run. */
  public void finish(String runId, Object data) {
    publish(runId, "finished", data);
    Set<SseClient> set = clients.remove(runId);
    if (set != null) {
      for (SseClient c : set) {
        try {
          c.close();
        } catch (RuntimeException ignored) {
          // The client went away already.
        }
      }
    }
  }

  public int subscribers(String runId) {
    Set<SseClient> set = clients.get(runId);
    return set == null ? 0 : set.size();
  }
}
