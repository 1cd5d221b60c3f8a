package dev.grindstone.engine.sink;

import dev.grindstone.stats.results.TestFigures;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes latency.hlog: HdrHistogram's interval log, readable by its HistogramLogProcessor. Each
 * interval has an untagged histogram of all successful calls (the totals) and one tagged {@code
 * T<number>} per test. Values are microseconds.
 */
public final class HdrLogSink implements Sink {

  private final Path file;
  private PrintStream stream;
  private HistogramLogWriter writer;

  public HdrLogSink(Path directory) {
    this.file = directory.resolve("latency.hlog");
  }

  @Override
  public void start(RunInfo run) throws Exception {
    OutputStream out = Files.newOutputStream(file);
    stream = new PrintStream(out, false, java.nio.charset.StandardCharsets.UTF_8);
    writer = new HistogramLogWriter(stream);
    writer.outputComment(
        "Grindstone run "
            + run.name()
            + ": successful calls' latencies in microseconds;"
            + " untagged = all tests, tag T<n> = test n");
    writer.outputLogFormatVersion();
    writer.outputStartTime(run.startEpochMillis());
    writer.setBaseTime(run.startEpochMillis());
    writer.outputBaseTime(run.startEpochMillis());
    writer.outputLegend();
  }

  @Override
  public void interval(IntervalSnapshot s) {
    write(s.totals().successes(), null, s);
    for (TestFigures t : s.tests()) {
      write(t.successes(), "T" + t.test(), s);
    }
    stream.flush();
  }

  /** Writes {@code copy}, a histogram of the snapshot's own (which this tags and stamps). */
  private void write(Histogram copy, String tag, IntervalSnapshot s) {
    copy.setTag(tag);
    copy.setStartTimeStamp(s.startEpochMillis());
    copy.setEndTimeStamp(s.endEpochMillis());
    writer.outputIntervalHistogram(copy);
  }

  @Override
  public void finish(RunSummary summary) {
    if (stream != null) {
      stream.close();
    }
  }

  @Override
  public String name() {
    return "latency.hlog";
  }
}
