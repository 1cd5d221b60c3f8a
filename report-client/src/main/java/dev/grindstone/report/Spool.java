package dev.grindstone.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Spool files: what an {@link Outbox} could not deliver, one item per line (for a run, one {@link
 * RunRequest} per line). Beside each, {@code <file>.server} names the server the items were meant
 * for (without user info or a {@code /t/<token>} secret), so that later runs re-send only what was
 * meant for their server. An outbox holds its spool file's lock ({@code <file>.lock}) while it
 * runs; whoever re-sends a spool takes the same lock first, so a live run's spool is never re-sent
 * under it and two re-senders never work on one file.
 *
 * <p>Static methods; thread-safe as far as the file system is.
 */
public final class Spool {

  /** The extension of spool files. */
  public static final String EXTENSION = ".jsonl";

  private Spool() {}

  /** The server a spool is for, as recorded: no user info and no {@code /t/<token>} secret. */
  public static String serverKey(URI server) {
    String s = server.toString().replaceAll("/+$", "");
    s = s.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1"); // user:password@
    return s.replaceAll("/t/[^/]+", "/t/-");
  }

  /** The spool files in {@code dir} (none when it does not exist), oldest name first. */
  public static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(EXTENSION)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the spool folder " + dir, e);
    }
  }

  /**
   * Deletes {@code dir} when no file is left in it (a spool folder whose requests were all
   * delivered).
   */
  public static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir); // fails when something is still in it: then it stays
    } catch (IOException e) {
      // not empty, or not ours to delete: either way it stays
    }
  }

  /** The requests of a run's spool file, in order; a torn last line (from a crash) is left out. */
  public static List<RunRequest> read(Path file) {
    return read(file, RunRequest.CODEC);
  }

  /** The items of a spool file, in order; lines that are not a whole item are left out. */
  static <T> List<T> read(Path file, Outbox.Codec<T> codec) {
    try {
      List<T> items = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        T item = codec.decode(line);
        if (item != null) {
          items.add(item);
        }
      }
      return items;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the spool file " + file, e);
    }
  }

  /** The server recorded beside a spool file ({@link #serverKey}), or null when none was. */
  public static String server(Path file) {
    try {
      return Files.readString(serverFile(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return null;
    }
  }

  private static Path serverFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".server");
  }

  /** Deletes a spool file and what is recorded beside it. */
  static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(serverFile(file));
  }

  /**
   * Writes {@code items} as the whole of {@code file} (atomically), or deletes it when there are
   * none.
   */
  static <T> void write(Path file, String serverKey, List<T> items, Outbox.Codec<T> codec)
      throws IOException {
    if (items.isEmpty()) {
      delete(file);
      return;
    }
    recordServer(file, serverKey);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (T item : items) {
        w.write(codec.encode(item));
        w.write('\n');
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Appends {@code items} to {@code file}. */
  static <T> void append(Path file, String serverKey, List<T> items, Outbox.Codec<T> codec)
      throws IOException {
    recordServer(file, serverKey);
    try (BufferedWriter w =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE)) {
      for (T item : items) {
        w.write(codec.encode(item));
        w.write('\n');
      }
    }
  }

  private static void recordServer(Path file, String serverKey) throws IOException {
    Path f = serverFile(file);
    if (serverKey != null && !Files.exists(f)) {
      Files.writeString(f, serverKey + "\n", StandardCharsets.UTF_8);
    }
  }

  /**
   * Takes a spool file's lock, or returns null when a live outbox or another re-sender holds it.
   * Close the lease to release it.
   */
  public static Lease lease(Path file) {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      return new Lease(file, lockFile, channel);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel); // held by this very process
      return null;
    } catch (IOException e) {
      closeQuietly(channel);
      return null;
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing was locked
      }
    }
  }

  /** A spool file held for re-sending (or by its outbox). Not thread-safe. */
  public static final class Lease implements AutoCloseable {
    private final Path file;
    private final Path lockFile;
    private final FileChannel channel;

    private Lease(Path file, Path lockFile, FileChannel channel) {
      this.file = file;
      this.lockFile = lockFile;
      this.channel = channel;
    }

    public Path file() {
      return file;
    }

    /** The spool's requests, in order. */
    public List<RunRequest> requests() {
      return Files.exists(file) ? read(file) : List.of();
    }

    /**
     * Keeps only {@code rest} (the requests not delivered) in the file; deletes it when none are
     * left.
     */
    public void keep(List<RunRequest> rest) throws IOException {
      write(file, server(file), rest, RunRequest.CODEC);
    }

    /** Releases the lock and removes the lock file. */
    @Override
    public void close() {
      try {
        Files.deleteIfExists(
            lockFile); // while still held: no one can take a lock on a file that is going away
      } catch (IOException ignored) {
        // an empty lock file left behind is harmless
      }
      closeQuietly(channel);
    }
  }
}
