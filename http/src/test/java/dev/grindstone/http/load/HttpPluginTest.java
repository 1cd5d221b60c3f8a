package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.results.TestFigures;
import dev.grindstone.stats.table.SummaryTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP plug-in's statistics and summary columns, as The Grinder's HTTP plug-in has them. */
class HttpPluginTest {

  private final PluginSchema plugins = PluginSchema.of(List.of(HttpPlugin.INSTANCE));
  private final StatisticsSchema schema = plugins.statistics();

  /**
   * The golden file's text. Run with {@code -Dgolden.update=true} to rewrite the file from the
   * actual output after an intended change, then review the diff.
   */
  static void assertGolden(String actual, String name) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", name), actual);
    }
    try (InputStream in = HttpPluginTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void http_schema_registers_the_http_plugin_statistics() {
    for (String name :
        new String[] {
          "responseStatus",
          "responseLength",
          "responseErrors",
          "dnsTime",
          "connectTime",
          "firstByteTime",
          "connectionsEstablished",
          "tlsTime"
        }) {
      assertThat(schema.longIndex("httpplugin." + name)).isNotNull();
    }
    assertThat(schema.longIndex("httpplugin.firstByteTime").isScaled())
        .as("µs stored, ms shown")
        .isTrue();
    assertThat(schema.longIndex("httpplugin.responseLength").isScaled()).isFalse();
    assertThat(plugins.longIndex(HttpPlugin.RESPONSE_LENGTH))
        .isEqualTo(schema.longIndex("httpplugin.responseLength"));
  }

  @Test
  void http_schema_registers_the_websocket_statistics_times_in_microseconds() {
    PluginSchema both = PluginSchema.of(List.of(HttpPlugin.INSTANCE, WebSocketPlugin.INSTANCE));
    StatisticsSchema s = both.statistics();
    for (String name :
        new String[] {
          "handshakeTime",
          "handshakes",
          "firstMessageTime",
          "firstMessages",
          "messagesSent",
          "messagesReceived"
        }) {
      assertThat(s.longIndex("websocket." + name)).isNotNull();
    }
    assertThat(s.longIndex("websocket.handshakeTime").isScaled())
        .as("µs stored, ms shown")
        .isTrue();
    assertThat(s.longIndex("websocket.firstMessageTime").isScaled()).isTrue();
    assertThat(s.longIndex("websocket.handshakes").isScaled()).isFalse();
    assertThat(both.summaryView().views())
        .extracting(ExpressionView::displayName)
        .endsWith(
            "Mean WebSocket handshake time",
            "Mean time to first message",
            "Messages sent",
            "Messages received");
  }

  @Test
  void http_columns_follow_the_standard_ones() throws IOException {
    SampleIndex timed = schema.sampleIndex("timedTests");
    StatisticsSet s = new StatisticsSet(schema);
    for (long ms : new long[] {10, 20, 30, 40}) {
      s.addSample(timed, ms * 1000);
    }
    s.addLong(schema.longIndex("errors"), 1); // the 55 ms error adds only errors
    s.setLong(schema.longIndex("httpplugin.responseLength"), 4000);
    s.setLong(schema.longIndex("httpplugin.responseErrors"), 1);
    s.setLong(schema.longIndex("httpplugin.dnsTime"), 3_000);
    s.setLong(schema.longIndex("httpplugin.connectTime"), 9_000);
    s.setLong(schema.longIndex("httpplugin.connectionsEstablished"), 2);
    s.setLong(schema.longIndex("httpplugin.firstByteTime"), 60_500);
    TestFigures page = TestFigures.of(1, "Page", false, 2000, s, null, null);
    String table =
        SummaryTable.render(
            plugins.summaryView(), List.of(page), page.as(TestFigures.TOTALS, ""), null);
    assertGolden(table, "http.txt");
  }

  @Test
  void the_plugin_is_one_value_whatever_asks_for_it_twice() {
    PluginSchema twice = PluginSchema.of(List.of(HttpPlugin.INSTANCE, HttpPlugin.INSTANCE));
    assertThat(twice.plugins()).containsExactly(HttpPlugin.INSTANCE);
    LongIndex unused = twice.longIndex(HttpPlugin.TLS_TIME);
    assertThat(unused).isNotNull();
  }
}
