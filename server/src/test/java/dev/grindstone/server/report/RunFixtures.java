package dev.grindstone.server.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.report.RunSpec;
import dev.grindstone.report.SnapshotPost;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.results.TestFigures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * A run of one agent ("host-1", one test, 1 s snapshots of two calls) and what tests of the client
 * need.
 */
final class RunFixtures {
  private RunFixtures() {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static RunSpec spec(String id) {
    return new RunSpec(
        id,
        "demo",
        "host-1",
        List.of(new RunSpec.Phase("hold", 1000)),
        List.of(new RunSpec.TestInfo(1, "Log in")),
        1_700_000_000_000L);
  }

  /** Two calls of test 1, of 1 ms and 2 ms (µs stored: sum 3000, variance 250000). */
  static SnapshotPost snapshot(long seq) {
    StatisticsSchema schema = StatisticsSchema.standard();
    StatisticsSet s = new StatisticsSet(schema);
    s.addSample(schema.sampleIndex(StatisticsSchema.TIMED_TESTS), 1000);
    s.addSample(schema.sampleIndex(StatisticsSchema.TIMED_TESTS), 2000);
    return new SnapshotPost(
        "host-1",
        seq,
        "hold",
        1_700_000_000_000L + seq * 1000,
        1_700_000_001_000L + seq * 1000,
        List.of(TestFigures.of(1, "Log in", false, 1000, s, null, null)));
  }

  static JsonNode get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body());
  }
}
