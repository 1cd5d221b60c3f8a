package dev.grindstone.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a results folder's {@code results.json} (as {@code grindstone run} writes it) into {@link
 * RunResults}: the run, per-test totals and, per full interval, each test's figures. The one place
 * that knows that file's layout for reading.
 */
public final class ResultsFolder {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ResultsFolder() {}

  /** True when {@code path} is a results folder (or a results.json file). */
  public static boolean isResults(Path path) {
    return Files.isRegularFile(path.resolve("results.json"))
        || (Files.isRegularFile(path) && path.getFileName().toString().equals("results.json"));
  }

  /**
   * Reads the results in {@code path}, a results folder or its results.json.
   *
   * @throws BadInputException when there is no results.json or it is not one
   */
  public static RunResults read(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("results.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(
          path
              + " is not a results folder: it has no results.json. Give a folder"
              + " that grindstone run wrote (results/<name>-<yyyyMMdd-HHmmss>).");
    }
    JsonNode doc;
    try {
      doc = MAPPER.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new BadInputException(
          file
              + " is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "): "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    Reader r = new Reader(file);
    JsonNode run = r.object(doc, "run");
    long periodMs = r.integer(run, "periodMs");
    Map<Integer, List<Figures>> perTest = new TreeMap<>();
    List<Figures> totalIntervals = new ArrayList<>();
    JsonNode intervals = r.array(doc, "intervals");
    for (int i = 0; i < intervals.size(); i++) {
      JsonNode iv = intervals.get(i);
      String where = "intervals[" + i + "]";
      if (iv.path("partial").asBoolean(false)
          || r.integer(iv, "endMs") - r.integer(iv, "startMs") < periodMs / 2) {
        continue;
      }
      totalIntervals.add(r.interval(iv.path("totals"), where + ".totals"));
      JsonNode tests = r.array(iv, "tests");
      for (int j = 0; j < tests.size(); j++) {
        JsonNode t = tests.get(j);
        perTest
            .computeIfAbsent((int) r.integer(t, "test"), k -> new ArrayList<>())
            .add(r.interval(t, where + ".tests[" + j + "]"));
      }
    }
    List<TestResults> tests = new ArrayList<>();
    JsonNode list = r.array(doc, "tests");
    for (int i = 0; i < list.size(); i++) {
      JsonNode t = list.get(i);
      if (t.path("composite").asBoolean(false)) {
        continue; // composite tests are left out of the totals, and out of comparisons
      }
      int number = (int) r.integer(t, "test");
      tests.add(
          new TestResults(
              number,
              t.path("description").asText(""),
              r.totals(t, "tests[" + i + "]"),
              perTest.getOrDefault(number, List.of())));
    }
    tests.sort((a, b) -> Integer.compare(a.test(), b.test()));
    TestResults totals =
        new TestResults(-1, "", r.totals(r.object(doc, "totals"), "totals"), totalIntervals);
    List<String> notes = new ArrayList<>();
    if (run.path("interrupted").asBoolean(false)) {
      notes.add("the run " + path + " was stopped early");
    }
    Path folder = Files.isDirectory(path) ? path : file.toAbsolutePath().getParent();
    return new RunResults(
        path.toString(),
        run.path("name").asText(""),
        folder == null ? "" : folder.getFileName().toString(),
        r.integer(run, "startMs"),
        r.integer(run, "endMs"),
        tests,
        totals,
        notes);
  }

  /** Field access that names the file and the field in every complaint. */
  private record Reader(Path file) {

    JsonNode object(JsonNode parent, String field) {
      JsonNode n = parent.get(field);
      if (n == null || !n.isObject()) {
        throw missing(field, "an object");
      }
      return n;
    }

    JsonNode array(JsonNode parent, String field) {
      JsonNode n = parent.get(field);
      if (n == null || !n.isArray()) {
        throw missing(field, "an array");
      }
      return n;
    }

    long integer(JsonNode parent, String field) {
      JsonNode n = parent.get(field);
      if (n == null || !n.canConvertToLong() || !n.isIntegralNumber()) {
        throw missing(field, "an integer");
      }
      return n.longValue();
    }

    /** A number, or NaN for null or absent (an undefined figure, or one not recorded). */
    double number(JsonNode parent, String field, String where) {
      JsonNode n = parent.get(field);
      if (n == null || n.isNull()) {
        return Double.NaN;
      }
      if (!n.isNumber()) {
        throw new BadInputException(
            file + ": " + where + "." + field + " must be a number or null, got " + n);
      }
      return n.doubleValue();
    }

    Figures totals(JsonNode t, String where) {
      return new Figures(
          integer(t, "tests"),
          integer(t, "errors"),
          number(t, "tps", where),
          number(t, "meanTestTime", where),
          number(t, "p50", where),
          number(t, "p90", where),
          number(t, "p99", where),
          number(t, "max", where));
    }

    Figures interval(JsonNode t, String where) {
      return new Figures(
          integer(t, "tests"),
          integer(t, "errors"),
          number(t, "tps", where),
          number(t, "mean", where),
          number(t, "p50", where),
          number(t, "p90", where),
          number(t, "p99", where),
          number(t, "max", where));
    }

    private BadInputException missing(String field, String what) {
      return new BadInputException(
          file
              + " is not a results.json that grindstone run writes: '"
              + field
              + "' is not "
              + what
              + ".");
    }
  }
}
