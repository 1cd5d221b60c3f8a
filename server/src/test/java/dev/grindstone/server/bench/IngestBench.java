package dev.grindstone.server.bench;

import dev.grindstone.server.MetricsServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Ingest and query benchmark of the metrics server, on loopback only.
 *
 * <p>Phase 1: {@code POST /metrics/} from N keep-alive connections (raw HTTP/1.1 over one socket
 * per thread, so the load generator costs little) for a fixed time; reports metrics stored per
 * second. Phase 2: loads a session with one million rows directly into the store, then times {@code
 * GET /sessions/<h>/metrics} (first, middle and last page; medians).
 *
 * <p>Usage: {@code IngestBench sqlite|postgresql [connections=32] [seconds=20] [rows=1000000]}.
 */
public final class IngestBench {
  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    String store = args.length > 0 ? args[0] : "sqlite";
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int rows = args.length > 3 ? Integer.parseInt(args[3]) : 1_000_000;
    try (BenchStore db = BenchStore.open(store);
        MetricsServer server = MetricsServer.builder().port(0).jdbcUrl(db.jdbcUrl()).start()) {
      ingest(server, store, connections, seconds);
      if (rows > 0) {
        query(server, store, rows);
      }
    }
  }

  private static String metric(String session, long i) {
    return "{\"session_h\":\""
        + session
        + "\",\"context_h\":\"benchctx\",\"item_start_time\":\"2026-11-21T20:55:23.223792\","
        + "\"item_path\":\"tests.test_bench\",\"item\":\"test_"
        + (i % 500)
        + "\",\"item_variant\":\"test_"
        + (i % 500)
        + "[x]\","
        + "\"item_fs_loc\":\"tests/test_bench.py\",\"kind\":\"function\",\"component\":\"bench\",\"total_time\":0.0579,"
        + "\"user_time\":0.03,\"kernel_time\":0.0,\"cpu_usage\":0.517,\"mem_usage\":0.25}";
  }

  private static void ingest(MetricsServer server, String store, int connections, int seconds)
      throws Exception {
    HttpClient setup = HttpClient.newHttpClient();
    post(
        setup,
        server.url() + "/contexts/",
        "{\"h\":\"benchctx\",\"cpu_count\":2,\"cpu_frequency\":0.0,\"cpu_type\":\"\",\"cpu_vendor\":\"\","
            + "\"ram_total\":1,\"machine_node\":\"bench\",\"machine_type\":\"x86_64\",\"machine_arch\":\"64bit\",\"system_info\":\"Linux\",\"python_info\":\"bench\"}");
    post(
        setup,
        server.url() + "/sessions/",
        "{\"session_h\":\"ingest\",\"run_date\":\"2026-11-21T20:00:00\",\"scm_ref\":\"\",\"description\":{}}");
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long warmupEnd = System.nanoTime() + 3_000_000_000L;
    long end = warmupEnd + seconds * 1_000_000_000L;
    AtomicLong measured = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      int id = t;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    // A raw HTTP/1.1 keep-alive connection: the load generator must cost far less
                    // than the server.
                    URI uri = URI.create(server.url());
                    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                      socket.setTcpNoDelay(true);
                      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 4096);
                      InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                      for (long i = id; System.nanoTime() < end; i += connections) {
                        byte[] body = metric("ingest", i).getBytes(StandardCharsets.UTF_8);
                        out.write(
                            ("POST /metrics/ HTTP/1.1\r\nHost: "
                                    + uri.getHost()
                                    + ":"
                                    + uri.getPort()
                                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                                    + body.length
                                    + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(body);
                        out.flush();
                        int status = readResponse(in);
                        if (status == 201) {
                          ok.incrementAndGet();
                          if (System.nanoTime() > warmupEnd) {
                            measured.incrementAndGet();
                          }
                        } else {
                          failed.incrementAndGet();
                        }
                      }
                    } catch (IOException e) {
                      failed.incrementAndGet();
                    }
                  }));
    }
    while (System.nanoTime() < warmupEnd) {
      Thread.sleep(10);
    }
    long cpu0 = processCpuNanos();
    long ok0 = ok.get();
    for (Thread t : threads) {
      t.join();
    }
    double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "ingest store=%s connections=%d seconds=%d metrics/s=%.0f (stored %d, failed %d);"
            + " %.0f metrics per CPU-second of this process (load generator and server together)%n",
        store,
        connections,
        seconds,
        measured.get() / (double) seconds,
        ok.get(),
        failed.get(),
        (ok.get() - ok0) / cpuSeconds);
  }

  private static void query(MetricsServer server, String store, int rows) throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    post(
        c,
        server.url() + "/sessions/",
        "{\"session_h\":\"big\",\"run_date\":\"2026-11-21T21:00:00\",\"scm_ref\":\"\",\"description\":{}}");
    long t0 = System.nanoTime();
    int batch = 10_000;
    for (int done = 0; done < rows; done += batch) {
      int from = done;
      server
          .database()
          .write(
              hd -> {
                PreparedBatch b =
                    hd.prepareBatch(
                        "INSERT INTO TEST_METRICS (SESSION_H, ENV_H, ITEM_START_TIME, ITEM_PATH,"
                            + " ITEM, ITEM_VARIANT, ITEM_FS_LOC, KIND, COMPONENT, TOTAL_TIME,"
                            + " USER_TIME, KERNEL_TIME, CPU_USAGE, MEM_USAGE) VALUES ('big',"
                            + " 'benchctx', '2026-11-21T21:00:00', 'tests.test_big', :i, :v,"
                            + " 'tests/test_big.py', 'function', 'bench', :t, 0.01, 0.0, 0.5,"
                            + " 0.2)");
                for (int i = from; i < Math.min(rows, from + batch); i++) {
                  b.bind("i", "test_" + (i % 1000))
                      .bind("v", "test_" + i)
                      .bind("t", i / 1000.0)
                      .add();
                }
                return b.execute();
              });
    }
    System.out.printf(
        Locale.ROOT,
        "loaded %d rows into session 'big' in %.1f s%n",
        rows,
        (System.nanoTime() - t0) / 1e9);
    int pages = (rows + 499) / 500;
    for (String page : List.of("1", Integer.toString(pages / 2), "-1")) {
      URI uri = URI.create(server.url() + "/sessions/big/metrics?page=" + page);
      long[] times = new long[15];
      for (int i = 0; i < times.length; i++) {
        long s = System.nanoTime();
        HttpResponse<byte[]> r =
            c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        times[i] = System.nanoTime() - s;
        if (r.statusCode() != 200) {
          throw new IllegalStateException("page " + page + ": " + r.statusCode());
        }
      }
      Arrays.sort(times);
      System.out.printf(
          Locale.ROOT,
          "query store=%s rows=%d page=%s median=%.1f ms max=%.1f ms (15 requests, 500 rows"
              + " each)%n",
          store,
          rows,
          page,
          times[times.length / 2] / 1e6,
          times[times.length - 1] / 1e6);
    }
  }

  /** Reads one response (status line, headers, Content-Length body); returns the status. */
  private static int readResponse(InputStream in) throws IOException {
    String status = line(in);
    int length = 0;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        length = Integer.parseInt(h.substring(colon + 1).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(status.split(" ")[1]);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    if (c == -1 && sb.isEmpty()) {
      throw new IOException("connection closed");
    }
    return sb.toString();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void post(HttpClient c, String url, String body) throws Exception {
    int s =
        c.send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
    if (s != 201) {
      throw new IllegalStateException(url + " answered " + s);
    }
  }
}
