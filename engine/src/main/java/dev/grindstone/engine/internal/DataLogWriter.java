package dev.grindstone.engine.internal;

import dev.grindstone.engine.analyze.DataLogFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Drains the data-log ring on a thread of its own: to a file in the {@link DataLogFormat}, and to
 * the run's call listeners, either or both.
 */
public final class DataLogWriter {

  private final DataLogRing ring;
  private final Recording recording;
  private final DataLogFormat format;
  private final Writer out;
  private final CallListeners calls;
  private final Thread thread;
  private final StringBuilder line = new StringBuilder(256);
  private final List<String> scenarios;
  private volatile boolean stopping;
  private IOException failure;

  /**
   * @param file where the data log goes, or null for none
   * @param calls the call listeners, or null for none
   */
  DataLogWriter(
      DataLogRing ring, Recording recording, DataLogFormat format, Path file, CallListeners calls)
      throws IOException {
    this.ring = ring;
    this.recording = recording;
    this.format = format;
    this.calls = calls;
    this.scenarios = recording.scenarioNames();
    if (file != null) {
      this.out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
      out.write(format.header());
      out.write('\n');
    } else {
      this.out = null;
    }
    this.thread = Thread.ofPlatform().daemon().name("grindstone-data-log").unstarted(this::loop);
  }

  public void start() {
    thread.start();
  }

  private void loop() {
    if (calls != null) {
      calls.start();
    }
    while (!stopping) {
      if (drainOnce() == 0) {
        if (calls != null) {
          calls.idle();
        }
        LockSupport.parkNanos(2_000_000);
      }
    }
  }

  private int drainOnce() {
    return ring.drain(
        row -> {
          if (out != null && failure == null) {
            try {
              write(row);
            } catch (IOException e) {
              failure = e;
            }
          }
          if (calls != null) {
            calls.accept(row);
          }
        });
  }

  private void write(DataLogRing.Row row) throws IOException {
    line.setLength(0);
    long startEpochMillis = recording.epochMillis(row.startNanos);
    if (row.cancelled) {
      format.appendCancelledRow(
          line, row.thread, row.run, row.test, startEpochMillis, scenario(row));
    } else {
      format.appendRow(
          line,
          row.thread,
          row.run,
          row.test,
          startEpochMillis,
          row.micros,
          row.failed,
          row.statistics,
          scenario(row));
    }
    line.append('\n');
    out.append(line);
  }

  private String scenario(DataLogRing.Row row) {
    return row.scenario >= 0 && row.scenario < scenarios.size() ? scenarios.get(row.scenario) : "";
  }

  /** Writes every remaining row, closes the file and finishes the call listeners. */
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
    if (calls != null) {
      calls.finish();
    }
    if (out != null) {
      out.close();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
