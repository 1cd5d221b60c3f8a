package dev.grindstone.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.analyze.DataLogAnalysis;
import dev.grindstone.engine.analyze.DataLogAnalyzer;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.DataLogColumn.Merge;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;

/** A protocol plug-in on the SPI: its statistics, columns and listener in a real run. */
class PluginSpiTest {

  /** A message-queue plug-in: bytes sent and the time a broker took to acknowledge, per call. */
  static final class QueuePlugin implements Plugin {
    static final PluginStatistic BYTES = PluginStatistic.basicLong("queue.bytes");
    static final PluginStatistic ACK_TIME =
        PluginStatistic.basicLong("queue.ackTime", StatisticsSchema.MICROS_AS_MILLIS);
    static final PluginStatistic PARTITION = PluginStatistic.basicLong("queue.partition");

    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    final AtomicBoolean failOnUserStart = new AtomicBoolean();

    @Override
    public String name() {
      return "queue plug-in";
    }

    @Override
    public List<PluginStatistic> statistics() {
      return List.of(BYTES, ACK_TIME, PARTITION);
    }

    @Override
    public List<SummaryColumn> summaryColumns() {
      return List.of(
          new SummaryColumn("meanBytes", "Mean bytes", "(/ queue.bytes (count timedTests))"),
          new SummaryColumn(
              "meanAckTime", "Mean ack time", "(/ queue.ackTime (count timedTests))"));
    }

    @Override
    public List<DataLogColumn> dataLogColumns() {
      return List.of(
          new DataLogColumn("Partition", PARTITION, Merge.LAST),
          new DataLogColumn("Bytes", BYTES, Merge.SUM),
          new DataLogColumn("Ack time", ACK_TIME, Merge.SUM));
    }

    @Override
    public PluginListener listener() {
      return new PluginListener() {
        @Override
        public void runStarted(RunInfo run) {
          events.add("runStarted " + run.name());
        }

        @Override
        public void userStarted(VirtualUser user) {
          events.add("userStarted " + user.number());
          if (failOnUserStart.get()) {
            throw new IllegalStateException("no broker");
          }
        }

        @Override
        public void userFinished(VirtualUser user) {
          events.add("userFinished " + user.number());
        }

        @Override
        public void runFinished(RunSummary summary) {
          events.add("runFinished " + summary.totals().tests());
        }
      };
    }
  }

  @TempDir Path dir;

  private final QueuePlugin queue = new QueuePlugin();
  private final Test send = new Test(1, "Send");

  /** Each call sends 100 bytes to partition 3 and waits 1.5 ms for the acknowledgement. */
  private final Scenario sending =
      new Scenario() {
        @Override
        public void iteration(VirtualUser user) {
          send.record(
              () -> {
                TestStatistics s = TestStatistics.current();
                s.addLong(QueuePlugin.BYTES, 100);
                s.addLong(QueuePlugin.ACK_TIME, 1_500);
                s.setLong(QueuePlugin.PARTITION, 3);
              });
        }

        @Override
        public List<Plugin> plugins() {
          return List.of(queue);
        }
      };

  private RunSummary run(Scenario scenario, long iterations) {
    RunConfig config =
        RunConfig.builder("queue")
            .outputRoot(dir)
            .console(false)
            .period(Duration.ofMillis(100))
            .phase(new Phase("once", null, new LoadShape.Constant(2), null, null, iterations, null))
            .build();
    return Run.of(config, scenario).execute();
  }

  @org.junit.jupiter.api.Test
  void a_plugins_statistics_columns_and_listener_take_part_in_the_run() throws Exception {
    RunSummary s = run(sending, 5);

    TestFigures t = s.tests().getFirst();
    assertThat(t.tests()).isEqualTo(10);
    StatisticsSchema schema = t.schema();
    assertThat(t.statistics().getLong(schema.longIndex("queue.bytes"))).isEqualTo(1_000);
    assertThat(t.statistics().getLong(schema.longIndex("queue.ackTime")))
        .as("µs")
        .isEqualTo(15_000);
    assertThat(t.value(s.info().summaryView().views().get(5))).as("Mean bytes").isEqualTo(100.0);
    assertThat(t.value(s.info().summaryView().views().get(6)))
        .as("Mean ack time, ms")
        .isEqualTo(1.5);

    Path out = s.info().outputDirectory();
    assertThat(Files.readString(out.resolve("summary.txt")))
        .contains("Mean bytes")
        .contains("Mean ack");
    List<String> rows = Files.readAllLines(out.resolve("data.csv"));
    assertThat(rows.getFirst())
        .isEqualTo(
            "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, Partition, Bytes,"
                + " Ack time");
    assertThat(rows.get(1)).endsWith(", 0, 3, 100, 1.5");

    assertThat(queue.events)
        .startsWith("runStarted queue")
        .endsWith("runFinished 10")
        .contains("userStarted 0", "userStarted 1", "userFinished 0", "userFinished 1");

    DataLogAnalysis a = analyzed(out);
    assertThat(a.rows()).isEqualTo(10);
    assertThat(a.plugins()).containsExactly(queue);
    TestFigures read = a.tests().getFirst();
    assertThat(read.statistics().getLong(a.schema().longIndex("queue.bytes"))).isEqualTo(1_000);
    assertThat(read.statistics().getLong(a.schema().longIndex("queue.ackTime"))).isEqualTo(15_000);
    assertThat(read.statistics().getLong(a.schema().longIndex("queue.partition")))
        .as("the last value")
        .isEqualTo(3);
  }

  private DataLogAnalysis analyzed(Path out) {
    DataLogAnalyzer analyzer = DataLogAnalyzer.create(List.of(queue));
    analyzer.add(out.resolve("data.csv"));
    return analyzer.analyze(OptionalLong.empty());
  }

  @org.junit.jupiter.api.Test
  void statistics_of_a_plugin_the_run_has_not_are_not_recorded_and_the_notes_say_how_to_add_it() {
    Scenario withoutPlugin = user -> sending.iteration(user);
    RunSummary s = run(withoutPlugin, 2);
    assertThat(s.tests().getFirst().tests()).isEqualTo(4);
    assertThat(s.tests().getFirst().schema().find("queue.bytes")).isNull();
    assertThat(s.sinkProblems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("queue.ackTime, queue.bytes, queue.partition")
                    .contains("plugins()")
                    .contains("Run.plugin"));
  }

  @org.junit.jupiter.api.Test
  void a_failing_listener_is_reported_once_and_stops_nothing() {
    queue.failOnUserStart.set(true);
    RunSummary s = run(sending, 3);
    assertThat(s.tests().getFirst().tests()).isEqualTo(6);
    assertThat(s.sinkProblems())
        .filteredOn(p -> p.contains("listener failed in userStarted"))
        .singleElement()
        .asString()
        .contains("queue plug-in")
        .contains("no broker");
    assertThat(queue.events).contains("userFinished 0", "userFinished 1");
  }

  @org.junit.jupiter.api.Test
  void there_are_no_test_statistics_outside_a_test() {
    assertThat(TestStatistics.current()).as("not a virtual user").isNull();
    AtomicBoolean betweenTests = new AtomicBoolean();
    run(user -> betweenTests.set(TestStatistics.current() == null), 1);
    assertThat(betweenTests).isTrue();
  }

  @org.junit.jupiter.api.Test
  void a_plugin_that_breaks_the_schema_is_refused_with_its_name() {
    Plugin clash =
        new Plugin.Declared(
            "clashing plug-in", List.of(PluginStatistic.basicLong("errors")), List.of(), List.of());
    assertThatThrownBy(() -> PluginSchema.of(List.of(clash)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clashing plug-in")
        .hasMessageContaining("'errors'")
        .hasMessageContaining("standard statistic");

    Plugin badColumn =
        new Plugin.Declared(
            "bad plug-in",
            List.of(),
            List.of(new SummaryColumn("x", "X", "(/ queue.bytes")),
            List.of());
    assertThatThrownBy(() -> PluginSchema.of(List.of(badColumn)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad plug-in: the summary column 'X'");

    Plugin foreign =
        new Plugin.Declared(
            "borrowing plug-in",
            List.of(),
            List.of(),
            List.of(new DataLogColumn("Bytes", QueuePlugin.BYTES, Merge.SUM)));
    assertThatThrownBy(() -> PluginSchema.of(List.of(queue, foreign)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "borrowing plug-in: the data-log column 'Bytes' holds 'queue.bytes', which is not one"
                + " of the plug-in's statistics");
  }

  @org.junit.jupiter.api.Test
  void a_data_log_column_holds_a_long() {
    assertThatThrownBy(
            () -> new DataLogColumn("Ratio", PluginStatistic.basicDouble("queue.ratio"), Merge.SUM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("basic long");
  }
}
