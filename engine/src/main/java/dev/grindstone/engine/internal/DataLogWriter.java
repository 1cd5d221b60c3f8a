package dev.grindstone.engine.internal;

import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticsView;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Drains the data-log ring to a file in The Grinder's data-log format: {@code Thread, Run, Test,
 * Start time (ms since Epoch)} then the data-log view's columns, comma and space separated. A call
 * cancelled at the end of the run has its four first values and every other one empty
 * ({@code 3, 41, 2, 1700000000123,,}). Times
 * stored in µs are written in ms, as a whole number when exact ({@code 40}) and with up to three
 * decimals otherwise ({@code 0.213}); other doubles as {@link Double#toString}.
 */
public final class DataLogWriter {

  public static final String FIXED_HEADER = "Thread, Run, Test, Start time (ms since Epoch)";

  private final DataLogRing ring;
  private final List<ExpressionView> columns;
  private final Writer out;
  private final Thread thread;
  private final StringBuilder line = new StringBuilder(256);
  private volatile boolean stopping;
  private IOException failure;

  public DataLogWriter(DataLogRing ring, StatisticsView view, Path file) throws IOException {
    this.ring = ring;
    this.columns = view.views();
    this.out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    StringBuilder header = new StringBuilder(FIXED_HEADER);
    for (ExpressionView c : columns) {
      header.append(", ").append(c.displayName());
    }
    out.write(header.append('\n').toString());
    this.thread = Thread.ofPlatform().daemon().name("grindstone-data-log").unstarted(this::loop);
  }

  public static String header(StatisticsView view) {
    StringBuilder header = new StringBuilder(FIXED_HEADER);
    for (ExpressionView c : view.views()) {
      header.append(", ").append(c.displayName());
    }
    return header.toString();
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    while (!stopping) {
      if (drainOnce() == 0) {
        LockSupport.parkNanos(2_000_000);
      }
    }
  }

  private int drainOnce() {
    return ring.drain(row -> {
      if (failure != null) {
        return;
      }
      try {
        write(row);
      } catch (IOException e) {
        failure = e;
      }
    });
  }

  private void write(DataLogRing.Row row) throws IOException {
    line.setLength(0);
    line.append(row.thread).append(", ").append(row.run).append(", ").append(row.test).append(", ")
        .append(row.startEpochMillis);
    if (row.cancelled) {
      // A call cancelled at the end of the run has no time and no outcome: every value is empty.
      line.append(",".repeat(columns.size()));
    } else {
      for (ExpressionView c : columns) {
        line.append(", ");
        appendValue(line, c, row);
      }
    }
    line.append('\n');
    out.append(line);
  }

  private static void appendValue(StringBuilder b, ExpressionView c, DataLogRing.Row row) {
    var e = c.expression();
    if (!e.isDouble()) {
      b.append(e.getLongValue(row.statistics));
      return;
    }
    double v = e.getDoubleValue(row.statistics);
    long micros = Math.round(v * 1000);
    if (Math.abs(v * 1000 - micros) < 1e-6 && Math.abs(micros) < Long.MAX_VALUE / 2) {
      appendMillis(b, micros); // a µs-precise millisecond value
    } else {
      b.append(v);
    }
  }

  /** Writes µs as ms: "40", "0.213", "12.5". */
  static void appendMillis(StringBuilder b, long micros) {
    if (micros < 0) {
      b.append('-');
      micros = -micros;
    }
    b.append(micros / 1000);
    int frac = (int) (micros % 1000);
    if (frac != 0) {
      b.append('.');
      if (frac < 100) {
        b.append('0');
      }
      if (frac < 10) {
        b.append('0');
      }
      while (frac % 10 == 0) {
        frac /= 10;
      }
      b.append(frac);
    }
  }

  /** Writes every remaining row and closes the file. */
  public void finish() throws IOException {
    stopping = true;
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    while (drainOnce() > 0) {
      // the writer thread has stopped: this thread is now the only consumer
    }
    out.close();
    if (failure != null) {
      throw failure;
    }
  }
}
