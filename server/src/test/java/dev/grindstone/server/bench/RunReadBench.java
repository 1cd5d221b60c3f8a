package dev.grindstone.server.bench;

import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * The cost of reading a long run, on loopback: a one-hour run (3,600 one-second snapshots of 2
 * tests, each with a small latency histogram) is posted over HTTP, then {@code GET
 * /api/v1/runs/<id>} and {@code GET /api/v1/runs/<id>/series} are timed (medians of {@code reads}
 * after one warm-up, and the CPU time per read of this JVM, server and client together), and the
 * first read of each after a restart of the server on the same store.
 *
 * <p>Usage: {@code RunReadBench [sqlite|postgresql] [snapshots=3600] [reads=15]}. Prints one line
 * per figure, {@code key=value}, for {@code bench/run-reads.sh} to put side by side.
 */
public final class RunReadBench {
  private RunReadBench() {}

  public static void main(String[] args) throws Exception {
    String store = args.length > 0 ? args[0] : "sqlite";
    int snapshots = args.length > 1 ? Integer.parseInt(args[1]) : 3600;
    int reads = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    HttpClient http = HttpClient.newHttpClient();
    try (BenchStore db = BenchStore.open(store)) {
      String id = "hour";
      try (MetricsServer server = MetricsServer.builder().port(0).jdbcUrl(db.jdbcUrl()).start()) {
        long t0 = System.nanoTime();
        load(http, server.url(), id, snapshots);
        report("load_s", (System.nanoTime() - t0) / 1e9);
        time(http, server.url(), id, reads);
      }
      // A restarted server reads the run for the first time.
      try (MetricsServer server = MetricsServer.builder().port(0).jdbcUrl(db.jdbcUrl()).start()) {
        report("first_run_ms", once(http, server.url() + "/api/v1/runs/" + id) / 1e6);
        report(
            "first_series_ms", once(http, server.url() + "/api/v1/runs/" + id + "/series") / 1e6);
      }
    }
  }

  private static void time(HttpClient http, String base, String id, int reads) throws Exception {
    for (String path : List.of("", "/series")) {
      URI uri = URI.create(base + "/api/v1/runs/" + id + path);
      once(http, uri.toString());
      long[] t = new long[reads];
      int bytes = 0;
      long cpu0 = processCpuNanos();
      for (int i = 0; i < t.length; i++) {
        long s = System.nanoTime();
        HttpResponse<byte[]> r =
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        t[i] = System.nanoTime() - s;
        check(r, uri);
        bytes = r.body().length;
      }
      long cpu = processCpuNanos() - cpu0;
      Arrays.sort(t);
      String name = path.isEmpty() ? "run" : "series";
      // CPU time of this JVM (server and client together) per read: what a read costs, whatever
      // else runs on the machine.
      report(name + "_cpu_ms", cpu / 1e6 / reads);
      report(name + "_median_ms", t[t.length / 2] / 1e6);
      report(name + "_max_ms", t[t.length - 1] / 1e6);
      report(name + "_bytes", bytes);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long once(HttpClient http, String url) throws Exception {
    URI uri = URI.create(url);
    long s = System.nanoTime();
    HttpResponse<byte[]> r =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    long t = System.nanoTime() - s;
    check(r, uri);
    return t;
  }

  private static void check(HttpResponse<?> r, URI uri) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + r.statusCode());
    }
  }

  private static void report(String key, double value) {
    System.out.println(String.format(Locale.ROOT, "%s=%.1f", key, value));
  }

  /** 3,600 one-second snapshots of tests 1 and 2, about 20 calls each, posted by 4 threads. */
  private static void load(HttpClient http, String base, String id, int snapshots)
      throws Exception {
    post(
        http,
        base + "/api/v1/runs",
        "{\"id\":\""
            + id
            + "\",\"name\":\"one hour\",\"agent\":\"bench\",\"startMs\":1700000000000,"
            + "\"phases\":[{\"name\":\"hold\",\"durationMs\":"
            + snapshots * 1000L
            + "}],\"tests\":[{\"number\":1,\"description\":\"Log"
            + " in\"},{\"number\":2,\"description\":\"Browse\"}]}");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int first = t;
        done.add(
            pool.submit(
                () -> {
                  Random r = new Random(first);
                  for (int i = first; i < snapshots; i += 4) {
                    long start = 1_700_000_000_000L + i * 1000L;
                    post(
                        http,
                        base + "/api/v1/runs/" + id + "/snapshots",
                        "{\"agent\":\"bench\",\"seq\":"
                            + i
                            + ",\"phase\":\"hold\","
                            + "\"startMs\":"
                            + start
                            + ",\"endMs\":"
                            + (start + 1000)
                            + ",\"tests\":["
                            + test(1, r)
                            + ","
                            + test(2, r)
                            + "]}");
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static String test(int number, Random r) {
    Histogram h = new Histogram(3);
    h.setAutoResize(true);
    double sum = 0;
    int n = 15 + r.nextInt(10);
    long[] v = new long[n];
    for (int k = 0; k < n; k++) {
      v[k] = (long) Math.exp(9 + r.nextGaussian() * 0.8);
      h.recordValue(v[k]);
      sum += v[k];
    }
    double mean = sum / n;
    double var = 0;
    for (long x : v) {
      var += (x - mean) * (x - mean);
    }
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int len = h.encodeIntoCompressedByteBuffer(buf);
    return "{\"number\":"
        + number
        + ",\"statistics\":{\"errors\":"
        + (r.nextInt(20) == 0 ? 1 : 0)
        + ",\"untimedTests\":0,\"timedTests\":{\"count\":"
        + n
        + ",\"sum\":"
        + sum
        + ",\"variance\":"
        + var / n
        + "}},"
        + "\"histogram\":\""
        + Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), len))
        + "\"}";
  }

  private static void post(HttpClient http, String url, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
  }
}
