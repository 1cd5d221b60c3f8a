package dev.grindstone.bench.http;

import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Grindstone's side of {@code bench/compare-http.sh}: a closed loop of virtual users, each sending
 * one request after the other through one {@link HttpClient}, every request's time recorded in an
 * HdrHistogram {@link Recorder}. A status of 400 or more, an empty body or a failure counts as an
 * error. After a warm-up it measures a window ({@link LoadWindow}) and prints one {@code RESULT
 * key=value ...} line.
 *
 * <p>Usage: {@code HttpLoad <url> [users=50] [seconds=20] [warmupSeconds=5] [eventLoops=1]}.
 * Loopback targets only.
 */
public final class HttpLoad {
  private HttpLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: HttpLoad <url> [users=50] [seconds=20] [warmupSeconds=5] [eventLoops=1]");
      System.exit(2);
    }
    String url = args[0];
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int loops = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    HttpRequest request = HttpRequest.get(url).build();
    String host = request.host();
    if (!(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1"))) {
      System.err.println("HttpLoad sends load to loopback targets only, not to " + host);
      System.exit(2);
    }
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    LongAdder errors = new LongAdder();
    LongAdder requests = new LongAdder();
    try (HttpClient client =
        HttpClient.builder()
            .eventLoops(loops)
            .maxConnectionsPerHost(users)
            .requestTimeout(Duration.ofSeconds(10))
            .build()) {
      long end = System.nanoTime() + (long) (warmup + seconds) * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int u = 0; u < users; u++) {
        threads.add(
            Thread.ofVirtual()
                .name("user-" + u)
                .start(
                    () -> {
                      while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                          HttpResponse r = client.send(request);
                          if (r.status() >= 400 || r.bodyLength() == 0) {
                            errors.increment();
                          }
                        } catch (HttpFailure f) {
                          errors.increment();
                        }
                        recorder.recordValue((System.nanoTime() - t0) / 1000);
                        requests.increment();
                      }
                    }));
      }
      LoadWindow.measure(
          recorder,
          requests,
          errors,
          threads,
          warmup,
          seconds,
          () -> " connections=" + client.openConnections());
    }
  }
}
