package dev.grindstone.bench.http;

import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.HdrHistogram.Recorder;

/**
 * Grindstone's side of {@code bench/compare-http.sh}: a closed loop of users, each sending one
 * request after the other through one {@link HttpClient}, every request's time recorded in an
 * HdrHistogram {@link Recorder}. A status of 400 or more, an empty body or a failure counts as an
 * error. After a warm-up it measures a window ({@link LoadWindow}) and prints one {@code RESULT
 * key=value ...} line.
 *
 * <p>Two modes: {@code threads} (the default), a virtual thread per user calling {@link
 * HttpClient#send}; {@code async}, no thread per user: each user's next {@link
 * HttpClient#sendAsync} is sent by the completion of its previous one, on the client's event loop.
 *
 * <p>Usage: {@code HttpLoad <url> [users=50] [seconds=20] [warmupSeconds=5] [eventLoops=1]
 * [threads|async]}. Loopback targets only.
 */
public final class HttpLoad {
  private HttpLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: HttpLoad <url> [users=50] [seconds=20] [warmupSeconds=5] [eventLoops=1]"
              + " [threads|async]");
      System.exit(2);
    }
    String url = args[0];
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int loops = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    String mode = args.length > 5 ? args[5] : "threads";
    if (!mode.equals("threads") && !mode.equals("async")) {
      System.err.println("HttpLoad's mode is 'threads' or 'async', not '" + mode + "'");
      System.exit(2);
    }
    HttpRequest request = HttpRequest.get(url).build();
    LoadWindow.requireLoopback("HttpLoad", request.host());
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
      if (mode.equals("async")) {
        CountDownLatch stopped = new CountDownLatch(users);
        for (int u = 0; u < users; u++) {
          new AsyncUser(client, request, end, recorder, requests, errors, stopped).next();
        }
        // The only thread: waits once for the users to stop, so that the window can join it.
        threads.add(Thread.ofVirtual().name("async-users").start(() -> await(stopped)));
      } else {
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
                            if (isError(r)) {
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
      }
      LoadWindow.measure(
          recorder,
          requests,
          errors,
          threads,
          warmup,
          seconds,
          () -> " connections=" + client.openConnections() + " mode=" + mode);
    }
  }

  private static boolean isError(HttpResponse r) {
    return r.status() >= 400 || r.bodyLength() == 0;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One user of the {@code async} mode: sends a request, and when it completes (on the event loop)
   * records its time and sends the next, until the end of the run. No thread belongs to it.
   */
  private static final class AsyncUser implements BiConsumer<HttpResponse, Throwable> {
    private final HttpClient client;
    private final HttpRequest request;
    private final long end;
    private final Recorder recorder;
    private final LongAdder requests;
    private final LongAdder errors;
    private final CountDownLatch stopped;
    private long startNanos;

    AsyncUser(
        HttpClient client,
        HttpRequest request,
        long end,
        Recorder recorder,
        LongAdder requests,
        LongAdder errors,
        CountDownLatch stopped) {
      this.client = client;
      this.request = request;
      this.end = end;
      this.recorder = recorder;
      this.requests = requests;
      this.errors = errors;
      this.stopped = stopped;
    }

    void next() {
      startNanos = System.nanoTime();
      if (startNanos - end >= 0) {
        stopped.countDown();
        return;
      }
      client.sendAsync(request).whenComplete(this);
    }

    @Override
    public void accept(HttpResponse r, Throwable failure) {
      if (failure != null || isError(r)) {
        errors.increment();
      }
      recorder.recordValue((System.nanoTime() - startNanos) / 1000);
      requests.increment();
      next();
    }
  }
}
