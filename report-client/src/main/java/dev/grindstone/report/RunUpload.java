package dev.grindstone.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Sends a run's requests after the fact: a spool file left when a run ended while the server was
 * down, or a whole run as {@code server-requests.jsonl} holds it. Requests go in order, one at a
 * time, and the server's idempotence (run id; agent and sequence number; the finish by agent) makes
 * sending them again harmless. Thread-safe.
 */
public final class RunUpload {

  /**
   * What became of a list of requests.
   *
   * @param delivered accepted by the server (re-posts of what it already had included)
   * @param rejected refused for good (a 4xx) and dropped
   * @param undelivered not sent, from the first one the server could not take now (unreachable, a
   *     5xx, 401, 403, 408 or 429) or did not know the run of
   * @param runUnknown true when the server answered 404 for a snapshot or finish: it does not have
   *     the run (another server, or its store was reset), so the whole run must be sent
   * @param failure what stopped the sending, or null
   */
  public record Result(
      int delivered, int rejected, int undelivered, boolean runUnknown, String failure) {
    /** True when nothing is left to send. */
    public boolean complete() {
      return undelivered == 0;
    }
  }

  private final URI server;
  private final ServerConnection connection;

  /**
   * @param server the server's base URL, e.g. {@code http://127.0.0.1:8080} (a {@code /t/<token>}
   *     prefix is kept)
   * @param token sent as {@code Authorization: Bearer <token>}, or null
   */
  public RunUpload(URI server, String token) {
    this.server = Objects.requireNonNull(server, "server");
    this.connection =
        ServerConnection.builder(server)
            .token(token)
            .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30))
            .build();
  }

  /** Sends {@code requests} in order, until one cannot be delivered now. */
  public Result send(List<RunRequest> requests) {
    int delivered = 0;
    int rejected = 0;
    for (int i = 0; i < requests.size(); i++) {
      RunRequest r = requests.get(i);
      ServerConnection.Response answer;
      try {
        answer = connection.post(r.path(), r.body());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        answer =
            new ServerConnection.Response(ServerConnection.Response.UNREACHABLE, "", "interrupted");
      }
      int status = answer.status();
      if (answer.delivered()) {
        delivered++;
      } else if (status == 404 && !r.isCreate()) {
        return new Result(
            delivered,
            rejected,
            requests.size() - i,
            true,
            "the server has no run " + r.runIdInPath());
      } else if (answer.refused()) {
        rejected++;
      } else {
        return new Result(
            delivered,
            rejected,
            requests.size() - i,
            false,
            status == ServerConnection.Response.UNREACHABLE
                ? "the server " + server + " cannot be reached"
                : "the server answered "
                    + status
                    + " to "
                    + r.path()
                    + (status == 401 || status == 403 ? " (is the token missing or wrong?)" : ""));
      }
    }
    return new Result(delivered, rejected, 0, false, null);
  }

  /**
   * Re-sends a spool file while holding its lock, and keeps in it only what was not delivered
   * (deleting it when everything was). Returns null when the file is in use (a live run's, or
   * another re-sender's). When the server does not know the run, the file is kept whole.
   */
  public Result resendSpool(Path spoolFile) throws IOException {
    try (Spool.Lease lease = Spool.lease(spoolFile)) {
      if (lease == null) {
        return null;
      }
      List<RunRequest> requests = lease.requests();
      Result r = send(requests);
      if (!r.runUnknown()) {
        lease.keep(requests.subList(requests.size() - r.undelivered(), requests.size()));
      }
      return r;
    }
  }

  /**
   * Starts a daemon thread that re-sends the spool files recorded for this server in the {@code
   * spool} folders of {@code root}'s subfolders (a results base folder), newest first and at most
   * {@code maxFiles} of them, leaving out {@code exclude}'s own. It stops at the first server
   * failure, or when interrupted; it tells {@code report} what it re-sent. Files in use, and files
   * whose run this server does not know, are left alone.
   */
  public Thread resendInBackground(Path root, Path exclude, int maxFiles, Consumer<String> report) {
    String key = Spool.serverKey(server);
    return Thread.ofPlatform()
        .daemon()
        .name("grindstone-spool-resender")
        .start(
            () -> {
              for (Path file : spoolFiles(root, exclude, key, maxFiles)) {
                if (Thread.currentThread().isInterrupted()) {
                  return;
                }
                try {
                  Result r = resendSpool(file);
                  if (r == null) {
                    continue;
                  }
                  if (r.complete()) {
                    report.accept("re-sent " + r.delivered() + " requests spooled in " + file);
                  } else if (r.runUnknown()) {
                    report.accept("did not re-send " + file + ": " + r.failure());
                  } else {
                    return; // the server is failing: leave the rest for later
                  }
                } catch (IOException | UncheckedIOException e) {
                  report.accept("could not re-send " + file + ": " + e.getMessage());
                }
              }
            });
  }

  private static List<Path> spoolFiles(Path root, Path exclude, String key, int maxFiles) {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    try (Stream<Path> runs = Files.list(root)) {
      for (Path run : runs.filter(Files::isDirectory).toList()) {
        if (exclude != null
            && run.toAbsolutePath().normalize().equals(exclude.toAbsolutePath().normalize())) {
          continue;
        }
        for (Path f : Spool.files(run.resolve("spool"))) {
          if (key.equals(Spool.server(f))) {
            found.add(f);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return found;
    }
    found.sort(Comparator.comparing(RunUpload::modified).reversed());
    return found.size() > maxFiles ? found.subList(0, maxFiles) : found;
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
