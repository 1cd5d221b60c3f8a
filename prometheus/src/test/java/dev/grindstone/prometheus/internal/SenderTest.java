package dev.grindstone.prometheus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.grindstone.prometheus.HistogramMode;
import dev.grindstone.prometheus.RemoteWriteReport;
import dev.grindstone.prometheus.internal.prompb.RemoteWrite;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.LatencyBuckets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

/** The sender against a receiver of its own whose answers the test chooses. */
class SenderTest {

  private HttpServer server;
  private final List<RemoteWrite.WriteRequest> received = new CopyOnWriteArrayList<>();
  private final List<String> notices = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A receiver that decodes every request and answers with the status {@code answers} gives. */
  private URI receiver(IntSupplier answers) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/write",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          int status = answers.getAsInt();
          if (status == 204) {
            assertThat(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                .isEqualTo("snappy");
            received.add(RemoteWrite.WriteRequest.parseFrom(Snappy.uncompress(body)));
            exchange.sendResponseHeaders(204, -1);
          } else {
            byte[] why = (status == 500 ? "native histograms are disabled" : "nope").getBytes();
            exchange.sendResponseHeaders(status, why.length);
            exchange.getResponseBody().write(why);
          }
          exchange.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
  }

  private Sender sender(URI url, HistogramMode mode, int maxPendingSamples) {
    Sender s =
        new Sender(
            url,
            null,
            mode,
            Duration.ofSeconds(5),
            maxPendingSamples,
            20_000,
            List.of(),
            notices::add);
    s.start();
    return s;
  }

  private static Sender.Batch counter(long at, double value) {
    return new Sender.Batch(
        at, List.of(new Point.Value("c_total", Map.of("run", "r", "a", "1"), -1, at, value)));
  }

  private static Sender.Batch histogram(long at) {
    Histogram h = Histograms.newHistogram();
    h.recordValue(1500);
    NativeBuckets n = new NativeBuckets();
    n.add(h);
    long[] classic = new long[LatencyBuckets.count()];
    LatencyBuckets.add(h, classic);
    return new Sender.Batch(
        at,
        List.of(
            new Point.Histogram(
                "d_seconds", Map.of("run", "r"), at - 100, at, n, classic, 0.0015)));
  }

  @Test
  void a_failing_receiver_is_retried_until_it_takes_the_periods_in_order() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Sender s =
        sender(receiver(() -> calls.incrementAndGet() <= 2 ? 503 : 204), HistogramMode.AUTO, 1000);
    s.offer(counter(1000, 1));
    s.offer(counter(2000, 5));
    RemoteWriteReport r = s.finish(Duration.ofSeconds(5));

    assertThat(r.droppedSamples()).isZero();
    assertThat(r.samples()).isEqualTo(2);
    List<Double> values = new ArrayList<>();
    received.forEach(
        w ->
            w.getTimeseriesList()
                .forEach(ts -> ts.getSamplesList().forEach(x -> values.add(x.getValue()))));
    assertThat(values).containsExactly(1.0, 5.0);
    assertThat(received.get(0).getTimeseries(0).getLabelsList())
        .extracting(RemoteWrite.Label::getName)
        .as("sorted, the name among them")
        .containsExactly("__name__", "a", "run");
  }

  @Test
  void a_request_refused_for_good_is_dropped_and_counted() throws Exception {
    Sender s = sender(receiver(() -> 400), HistogramMode.AUTO, 1000);
    s.offer(counter(1000, 1));
    RemoteWriteReport r = s.finish(Duration.ofSeconds(5));

    assertThat(r.samples()).isZero();
    assertThat(r.droppedSamples()).isEqualTo(1);
    assertThat(r.droppedRequests()).isEqualTo(1);
    assertThat(r.lastProblem()).isEqualTo("HTTP 400: nope");
  }

  @Test
  void a_full_buffer_drops_its_oldest_periods_and_the_end_drops_what_is_left() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Sender s =
        sender(
            URI.create("http://127.0.0.1:" + closedPort + "/api/v1/write"), HistogramMode.AUTO, 3);
    for (int i = 1; i <= 10; i++) {
      s.offer(counter(i * 1000L, i));
    }
    RemoteWriteReport r = s.finish(Duration.ofMillis(300));

    assertThat(r.samples()).isZero();
    assertThat(r.droppedSamples()).isEqualTo(10);
    assertThat(r.droppedRequests()).isEqualTo(10);
    assertThat(r.lastProblem())
        .contains("is the receiver up")
        .contains("not delivered within 300 ms of the run's end");
  }

  @Test
  void histograms_go_native_until_the_receiver_refuses_them_then_as_classic_buckets()
      throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Sender s =
        sender(
            receiver(() -> calls.incrementAndGet() == 1 ? 500 : 204), HistogramMode.AUTO, 10_000);
    s.offer(histogram(1000));
    RemoteWriteReport r = s.finish(Duration.ofSeconds(5));

    assertThat(notices).singleElement().asString().contains("does not take native histograms");
    assertThat(r.histograms()).isEqualTo(HistogramMode.CLASSIC);
    assertThat(r.droppedSamples()).isZero();
    assertThat(r.samples()).as("43 buckets, _count and _sum, each from 0").isEqualTo(2 * 45);
    RemoteWrite.WriteRequest w = received.getFirst();
    assertThat(w.getTimeseriesList())
        .hasSize(45)
        .allSatisfy(ts -> assertThat(ts.getHistogramsList()).isEmpty());
    RemoteWrite.TimeSeries count = w.getTimeseries(43);
    assertThat(count.getLabels(0).getValue()).isEqualTo("d_seconds_count");
    assertThat(count.getSamplesList())
        .extracting(RemoteWrite.Sample::getValue)
        .containsExactly(0.0, 1.0);
  }

  @Test
  void a_native_only_sender_keeps_native_histograms() throws Exception {
    Sender s = sender(receiver(() -> 204), HistogramMode.NATIVE, 10_000);
    s.offer(histogram(1000));
    RemoteWriteReport r = s.finish(Duration.ofSeconds(5));

    assertThat(r.samples()).isEqualTo(2);
    RemoteWrite.TimeSeries ts = received.getFirst().getTimeseries(0);
    assertThat(ts.getHistogramsList())
        .extracting(RemoteWrite.Histogram::getCountInt)
        .containsExactly(0L, 1L);
  }
}
