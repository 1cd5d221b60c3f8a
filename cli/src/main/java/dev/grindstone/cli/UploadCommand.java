package dev.grindstone.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.sink.ServerSink;
import dev.grindstone.report.RunRequest;
import dev.grindstone.report.RunUpload;
import dev.grindstone.report.Spool;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code grindstone upload RESULTS_DIR... --server URL}: sends runs to a metrics server after the
 * fact. What a run could not deliver (its {@code spool/}) goes first; a run that never reported, or
 * whose server does not know it, is sent whole from its {@code server-requests.jsonl}. The server
 * ignores what it already has, so uploading twice changes nothing.
 */
@Command(
    name = "upload",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Send results folders to a metrics server (grindstone server): the requests a run left in its"
          + " spool/ folder because the server was down, or the whole run when it was never"
          + " reported. The run is completed and finished on the server; uploading again changes"
          + " nothing.",
      "",
      "Exit code: 0 when everything was delivered, 1 when the server could not take it all (run the"
          + " command again later), 2 for bad input.",
    })
final class UploadCommand implements Callable<Integer> {

  @Parameters(
      arity = "1..*",
      paramLabel = "RESULTS_DIR",
      description = "Results folders (results/<name>-<time>).")
  List<Path> folders;

  @Option(
      names = {"--server", "--report-to"},
      required = true,
      paramLabel = "URL",
      description = "The metrics server, e.g. http://127.0.0.1:8080")
  URI server;

  @Option(names = "--token", description = "Write token for a metrics server bound beyond loopback")
  String token;

  @Spec CommandSpec spec;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws IOException {
    RunUpload upload = new RunUpload(server, token);
    for (Path f : folders) {
      if (!Files.isDirectory(f)) {
        throw new BadInputException(f + ": no such results folder");
      }
      if (Spool.files(f.resolve("spool")).isEmpty()
          && !Files.isRegularFile(f.resolve(ServerSink.REQUESTS_FILE))) {
        throw new BadInputException(
            f
                + ": nothing to upload: it has neither a spool/ folder nor "
                + ServerSink.REQUESTS_FILE
                + " (results folders of grindstone run and demo have one)");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean complete = true;
    for (Path f : folders) {
      complete &= upload(upload, f, out);
    }
    out.flush();
    return complete ? 0 : 1;
  }

  private boolean upload(RunUpload upload, Path folder, PrintWriter out) throws IOException {
    Path journal = folder.resolve(ServerSink.REQUESTS_FILE);
    boolean whole = false;
    int sent = 0;
    for (Path spoolFile : Spool.files(folder.resolve("spool"))) {
      RunUpload.Result r = upload.resendSpool(spoolFile);
      if (r == null) {
        out.println(
            folder
                + ": "
                + spoolFile
                + " is in use by a run that is still going; upload it when that run"
                + " has ended");
        return false;
      }
      sent += r.delivered();
      if (r.runUnknown()) {
        whole = true; // the server lacks what was delivered before: send everything
      } else if (!r.complete()) {
        out.println(
            folder
                + ": "
                + r.undelivered()
                + " requests are still in "
                + spoolFile
                + ": "
                + r.failure()
                + ". Run this command again later.");
        return false;
      }
    }
    boolean spooled = sent > 0 || whole;
    if (Files.isRegularFile(journal)) {
      List<RunRequest> all = read(journal);
      List<RunRequest> finishes = missingFinishes(folder, all, out);
      List<RunRequest> requests = new ArrayList<>(spooled && !whole ? List.of() : all);
      requests.addAll(finishes);
      RunUpload.Result r = upload.send(requests);
      if (!r.complete()) {
        out.println(
            folder
                + ": "
                + r.undelivered()
                + " of "
                + requests.size()
                + " requests were not delivered: "
                + r.failure()
                + ". Run this command again later.");
        return false;
      }
      sent += r.delivered();
      if (whole) {
        for (Path spoolFile : Spool.files(folder.resolve("spool"))) {
          try (Spool.Lease lease = Spool.lease(spoolFile)) {
            if (lease != null) {
              lease.keep(List.of()); // all of it was in the whole run just sent
            }
          }
        }
      }
    }
    Spool.deleteIfEmpty(folder.resolve("spool"));
    String id = runId(journal);
    out.println(
        folder
            + ": uploaded to "
            + server
            + (id == null ? "" : " as run " + id)
            + " ("
            + sent
            + " requests; the server ignores what it already had)");
    return true;
  }

  private static List<RunRequest> read(Path journal) throws IOException {
    List<RunRequest> requests = new ArrayList<>();
    for (String line : Files.readAllLines(journal)) {
      RunRequest r = RunRequest.parse(line);
      if (r != null) {
        requests.add(r); // a torn last line (a crash while writing it) is left out
      }
    }
    return requests;
  }

  /**
   * A finish for each agent of {@code requests} that has none (a run that was killed): at the run's
   * end as results.json gives it, or else at its last interval's end.
   */
  private static List<RunRequest> missingFinishes(
      Path folder, List<RunRequest> requests, PrintWriter out) throws IOException {
    Map<String, String> unfinished = new LinkedHashMap<>(); // agent -> run id
    long lastEnd = Long.MIN_VALUE;
    for (RunRequest r : requests) {
      JsonNode body;
      try {
        body = JSON.readTree(r.body());
      } catch (JsonProcessingException e) {
        continue; // the server will refuse it too; it says nothing of who finished
      }
      String agent = body.path("agent").asText("default");
      if (r.isCreate()) {
        unfinished.putIfAbsent(agent, body.path("id").asText());
      } else if (r.isFinish()) {
        unfinished.remove(agent);
      } else {
        lastEnd = Math.max(lastEnd, body.path("endMs").asLong(Long.MIN_VALUE));
      }
    }
    if (unfinished.isEmpty()) {
      return List.of();
    }
    long end = lastEnd;
    Path results = folder.resolve("results.json");
    if (Files.isRegularFile(results)) {
      end = JSON.readTree(results.toFile()).at("/run/endMs").asLong(lastEnd);
    }
    if (end == Long.MIN_VALUE) {
      return List.of(); // nothing was measured: leave the run as it is
    }
    out.println(
        folder
            + ": the run did not end normally ("
            + ServerSink.REQUESTS_FILE
            + " has no finish);"
            + " finishing it at "
            + (Files.isRegularFile(results)
                ? "its end in results.json"
                : "its last interval's end"));
    List<RunRequest> finishes = new ArrayList<>();
    for (Map.Entry<String, String> e : unfinished.entrySet()) {
      finishes.add(RunRequest.finish(e.getValue(), e.getKey(), end));
    }
    return finishes;
  }

  private static String runId(Path journal) {
    try {
      for (String line : Files.readAllLines(journal)) {
        RunRequest r = RunRequest.parse(line);
        if (r != null && r.isCreate()) {
          return JSON.readTree(r.body()).path("id").asText(null);
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }
}
