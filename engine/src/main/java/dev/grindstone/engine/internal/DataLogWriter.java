package dev.grindstone.engine.internal;

import dev.grindstone.engine.analyze.DataLogFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Drains the data-log ring to a file in the {@link DataLogFormat}, on a thread of its own.
 */
public final class DataLogWriter {

  private final DataLogRing ring;
  private final DataLogFormat format;
  private final Writer out;
  private final Thread thread;
  private final StringBuilder line = new StringBuilder(256);
  private volatile boolean stopping;
  private IOException failure;

  public DataLogWriter(DataLogRing ring, DataLogFormat format, Path file) throws IOException {
    this.ring = ring;
    this.format = format;
    this.out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    out.write(format.header());
    out.write('\n');
    this.thread = Thread.ofPlatform().daemon().name("grindstone-data-log").unstarted(this::loop);
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
    if (row.cancelled) {
      format.appendCancelledRow(line, row.thread, row.run, row.test, row.startEpochMillis);
    } else {
      format.appendRow(line, row.thread, row.run, row.test, row.startEpochMillis, row.micros, row.failed,
          row.statistics);
    }
    line.append('\n');
    out.append(line);
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
