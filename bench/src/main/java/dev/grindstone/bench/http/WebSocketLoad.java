package dev.grindstone.bench.http;

import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.WebSocket;
import dev.grindstone.http.WebSocketMessage;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Grindstone's side of {@code bench/compare-websocket.sh}: virtual users, each on its own WebSocket
 * to an echo endpoint, sending the text {@code hello} and waiting for its echo, one after the
 * other; every round trip is recorded in an HdrHistogram {@link Recorder}. A failure or an echo
 * other than {@code hello} counts as an error. After a warm-up it measures a window ({@link
 * LoadWindow}) and prints one {@code RESULT key=value ...} line.
 *
 * <p>Usage: {@code WebSocketLoad <ws-url> [users=50] [seconds=20] [warmupSeconds=5]}. Loopback
 * targets only.
 */
public final class WebSocketLoad {
  private WebSocketLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: WebSocketLoad <ws-url> [users=50] [seconds=20] [warmupSeconds=5]");
      System.exit(2);
    }
    String url = args[0];
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    LoadWindow.requireLoopback("WebSocketLoad", URI.create(url).getHost());
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    LongAdder errors = new LongAdder();
    LongAdder echoes = new LongAdder();
    Duration timeout = Duration.ofSeconds(10);
    try (HttpClient client = HttpClient.builder().requestTimeout(timeout).build()) {
      long end = System.nanoTime() + (long) (warmup + seconds) * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        threads.add(
            Thread.ofVirtual()
                .name("user-" + u)
                .start(
                    () -> {
                      try (WebSocket ws = client.openWebSocket(url)) {
                        while (System.nanoTime() < end) {
                          long t0 = System.nanoTime();
                          try {
                            ws.sendText("hello");
                            WebSocketMessage m = ws.receive(timeout);
                            if (!m.text().equals("hello")) {
                              errors.increment();
                            }
                          } catch (HttpFailure f) {
                            errors.increment();
                            return;
                          }
                          recorder.recordValue((System.nanoTime() - t0) / 1000);
                          echoes.increment();
                        }
                      } catch (HttpFailure f) {
                        errors.increment();
                      }
                    }));
      }
      LoadWindow.measure(recorder, echoes, errors, threads, warmup, seconds, () -> "");
    }
  }
}
