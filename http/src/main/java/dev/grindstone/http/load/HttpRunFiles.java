package dev.grindstone.http.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.config.ConfigProblems;
import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.engine.config.RunYaml;
import dev.grindstone.engine.config.YamlNode;
import dev.grindstone.engine.config.YamlNode.Mapping;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.script.ScenarioLoader;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.http.load.HttpFlow.RequestSpec;
import dev.grindstone.http.load.HttpFlow.Timed;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What the HTTP plug-in reads in a run file beyond the engine's fields, and helpers to adapt a run
 * file's phases: scale them to another total length or peak of users.
 */
public final class HttpRunFiles {

  private HttpRunFiles() {}

  /** The phases stretched or shrunk so that together they last {@code total}. */
  public static List<Phase> scaleDuration(List<Phase> phases, Duration total) {
    long sum =
        phases.stream().mapToLong(p -> p.duration() == null ? 0 : p.duration().toMillis()).sum();
    if (sum == 0) {
      return phases;
    }
    double f = (double) total.toMillis() / sum;
    List<Phase> out = new ArrayList<>();
    for (Phase p : phases) {
      out.add(
          p.duration() == null
              ? p
              : p.withDuration(
                  Duration.ofMillis(Math.max(1, Math.round(p.duration().toMillis() * f)))));
    }
    return out;
  }

  /** The phases with their user counts scaled so that the largest is {@code users}. */
  public static List<Phase> scaleUsers(List<Phase> phases, int users) {
    int peak = phases.stream().mapToInt(p -> p.shape().peakUsers()).max().orElse(1);
    double f = (double) users / Math.max(1, peak);
    List<Phase> out = new ArrayList<>();
    for (Phase p : phases) {
      LoadShape s =
          switch (p.shape()) {
            case LoadShape.Constant c -> new LoadShape.Constant(scale(c.users(), f));
            case LoadShape.Ramp r -> new LoadShape.Ramp(scale(r.from(), f), scale(r.to(), f));
            default -> p.shape();
          };
      out.add(
          new Phase(
              p.name(),
              p.duration(),
              s,
              p.thinkTime(),
              p.initialSleep(),
              p.iterations(),
              p.expectedInterval(),
              p.scenarios()));
    }
    return out;
  }

  private static int scale(int n, double f) {
    return n == 0 ? 0 : Math.max(1, (int) Math.round(n * f));
  }

  /** The key that puts the HTTP plug-in in a run of a Java scenario: {@code http: true}. */
  public static final String HTTP = "http";

  /**
   * The key that puts the WebSocket plug-in in a run of a Java scenario: {@code websocket: true}.
   */
  public static final String WEBSOCKET = "websocket";

  /**
   * The fields a run file may use beyond the engine's: the HTTP flow's, and {@code http} and {@code
   * websocket} (whether the run has the HTTP or the WebSocket plug-in's statistics and columns even
   * though its scenario is Java code).
   */
  public static Set<String> extraFields() {
    Set<String> fields = new HashSet<>(HttpFlow.FIELDS);
    fields.add(HTTP);
    fields.add(WEBSOCKET);
    return Set.copyOf(fields);
  }

  /**
   * The plug-ins a run file asks for beyond its scenario's own: the HTTP plug-in when it says
   * {@code http: true}, the WebSocket plug-in when it says {@code websocket: true}. A value that is
   * not a boolean is reported to {@code reader}'s problems.
   */
  public static List<Plugin> plugins(YamlNode.Mapping root, ConfigReader reader) {
    List<Plugin> plugins = new ArrayList<>();
    if (reader.bool(root.get(HTTP), false)) {
      plugins.add(HttpPlugin.INSTANCE);
    }
    if (reader.bool(root.get(WEBSOCKET), false)) {
      plugins.add(WebSocketPlugin.INSTANCE);
    }
    return List.copyOf(plugins);
  }

  /**
   * The fields of a phase's scenario entry that say what it runs over HTTP: {@code flow:} (steps
   * over the run file's {@code requests:}), or gradual's {@code requests:} (a list of request
   * names, or {@code FROM_REQUEST_YAML_FILE} with {@code request_file:}) with {@code
   * iterate_through_requests}.
   */
  public static final Set<String> SCENARIO_FIELDS =
      Set.of("flow", "requests", "request_file", "iterate_through_requests");

  /** What gradual's {@code requests:} says to take every request of the {@code request_file:}. */
  static final String FROM_REQUEST_FILE = "FROM_REQUEST_YAML_FILE";

  /**
   * The code of each scenario a run file's phases name, by name: an HTTP flow ({@code flow:}), a
   * list of requests of which each iteration makes one as gradual does ({@code requests:}, in turn
   * across users with {@code iterate_through_requests: true}, else one per user), or a Java
   * scenario ({@code scenario: Checkout.java} or a class name). A scenario in several phases says
   * what it runs once, or the same each time. Requests come from the run file's {@code requests:}
   * (gradual's form when the file is), from {@code requestConfig} (gradual's request file, as its
   * {@code --request_config}) and from each {@code request_file:}, read relative to the run file.
   * Tests are numbered across the whole run, so a test number is one request in every scenario.
   * Problems go to the loaded file's reader; the result is incomplete when there are any.
   *
   * @param requestConfig gradual's request configuration file, or null
   * @param adjust applied to every HTTP flow (another base URL, an insecure client)
   */
  public static Map<String, Scenario> scenarios(
      RunYaml.Loaded loaded, Path requestConfig, UnaryOperator<HttpFlow> adjust) {
    ConfigReader r = loaded.reader();
    Mapping root = loaded.root();
    Map<String, RequestSpec> requests =
        new LinkedHashMap<>(HttpFlow.requests(root.get("requests"), loaded.gradual(), r));
    if (requestConfig != null) {
      requestFile(requestConfig, r)
          .forEach(
              (name, spec) -> {
                if (requests.putIfAbsent(name, spec) != null) {
                  r.problems()
                      .add(
                          root.get("requests"),
                          "request '"
                              + name
                              + "' is given here and in "
                              + requestConfig
                              + "; give it once");
                }
              });
    }
    Map<Integer, Timed> numbers = new HashMap<>();
    Map<String, Scenario> out = new LinkedHashMap<>();
    Map<String, YamlNode> java = new LinkedHashMap<>();
    for (Map.Entry<String, List<Mapping>> e : loaded.scenarioEntries().entrySet()) {
      String name = e.getKey();
      Mapping def = definition(name, e.getValue(), r);
      if (def == null) {
        continue;
      }
      if (def.get("scenario") != null) {
        java.put(name, def.get("scenario"));
        continue;
      }
      HttpFlow flow;
      if (def.get("flow") != null) {
        if (def.get("iterate_through_requests") != null) {
          r.problems()
              .add(
                  def.get("iterate_through_requests"),
                  "applies to a requests: list; a flow: makes every step in order");
        }
        flow = HttpFlow.read(root, def.get("flow"), requests, loaded.directory(), r, numbers);
      } else {
        List<RequestSpec> list = requestList(def, requests, loaded.directory(), r);
        if (list.isEmpty()) {
          continue;
        }
        flow =
            HttpFlow.read(root, null, requests, list, loaded.directory(), r, numbers)
                .withChoice(
                    r.bool(def.get("iterate_through_requests"), false)
                        ? HttpFlow.StepChoice.ROUND_ROBIN
                        : HttpFlow.StepChoice.PER_USER);
      }
      out.put(name, new HttpFlowScenario(adjust.apply(flow)));
    }
    if (r.problems().isEmpty()) {
      java.forEach(
          (name, node) -> {
            String source = r.string(node, "");
            try {
              out.put(
                  name,
                  source.endsWith(".java")
                      ? ScenarioLoader.compile(
                          loaded.directory() == null
                              ? Path.of(source)
                              : loaded.directory().resolve(source))
                      : ScenarioLoader.load(source));
            } catch (BadInputException ex) {
              r.problems().add(node, ex.getMessage());
            }
          });
    }
    Map<String, Scenario> ordered = new LinkedHashMap<>();
    loaded
        .scenarioEntries()
        .keySet()
        .forEach(
            n -> {
              if (out.containsKey(n)) {
                ordered.put(n, out.get(n));
              }
            });
    return ordered;
  }

  /** The entry that says what a scenario runs; the others must say the same or nothing. */
  private static Mapping definition(String name, List<Mapping> entries, ConfigReader r) {
    Mapping def = null;
    JsonNode said = null;
    for (Mapping m : entries) {
      JsonNode what = what(m);
      if (what.isEmpty()) {
        continue;
      }
      if (def == null) {
        def = m;
        said = what;
        long kinds =
            List.of("flow", "requests", "scenario").stream().filter(k -> m.get(k) != null).count();
        if (kinds > 1) {
          r.problems()
              .add(m, "give only one of flow, requests and scenario: they each say what it runs");
          return null;
        }
      } else if (!what.equals(said)) {
        r.problems()
            .add(
                m,
                "scenario '"
                    + name
                    + "' runs something else here than at "
                    + def.line()
                    + ":"
                    + def.column()
                    + "; a scenario runs the same in every phase: give this one another name");
      }
    }
    if (def == null) {
      Mapping first = entries.getFirst();
      r.problems()
          .add(
              first,
              "says nothing of what scenario '"
                  + name
                  + "' runs: give it flow: (steps over requests:), requests: (a list of request"
                  + " names) or scenario: (a Java scenario file or class)");
    }
    return def;
  }

  /** The fields that say what a scenario runs, as JSON, to compare them. */
  private static JsonNode what(Mapping m) {
    var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    for (String k :
        List.of("flow", "requests", "request_file", "iterate_through_requests", "scenario")) {
      if (m.get(k) != null) {
        o.set(k, HttpFlow.toJson(m.get(k)));
      }
    }
    return o;
  }

  /** gradual's list of request names, or every request of the {@code request_file:}. */
  private static List<RequestSpec> requestList(
      Mapping def, Map<String, RequestSpec> requests, Path directory, ConfigReader r) {
    YamlNode node = def.get("requests");
    List<RequestSpec> list = new ArrayList<>();
    if (node == null) {
      r.problems()
          .add(
              def.get("request_file"),
              "goes with requests: " + FROM_REQUEST_FILE + ", which takes its requests");
      return list;
    }
    if (node instanceof YamlNode.Scalar s && FROM_REQUEST_FILE.equals(s.text())) {
      String file = r.requiredString(def, "request_file");
      if (file != null) {
        list.addAll(
            requestFile(directory == null ? Path.of(file) : directory.resolve(file), r).values());
      }
      return list;
    }
    if (def.get("request_file") != null) {
      r.problems()
          .add(
              def.get("request_file"),
              "is read only with requests: " + FROM_REQUEST_FILE + "; list the names or drop it");
    }
    if (!(node instanceof YamlNode.Sequence)) {
      r.problems()
          .add(
              node,
              "expected a list of request names, or " + FROM_REQUEST_FILE + " with request_file:");
      return list;
    }
    for (YamlNode n : r.list(node)) {
      String name = r.string(n, null);
      RequestSpec spec = name == null ? null : requests.get(name);
      if (spec == null && name != null) {
        r.problems()
            .add(
                n,
                "no request is called '"
                    + name
                    + "'; requests: "
                    + String.join(", ", requests.keySet()));
      } else if (spec != null) {
        list.add(spec);
      }
    }
    if (list.isEmpty() && r.problems().isEmpty()) {
      r.problems().add(node, "lists no request");
    }
    return list;
  }

  /**
   * gradual's request file: {@code requests:} by name, in gradual's form; problems name the file.
   */
  static Map<String, RequestSpec> requestFile(Path file, ConfigReader main) {
    ConfigProblems problems = new ConfigProblems(file.toString());
    ConfigReader r = new ConfigReader(problems);
    Map<String, RequestSpec> requests = Map.of();
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      YamlNode doc = YamlNode.parse(new StringReader(text), problems);
      Mapping m =
          doc == null
              ? null
              : r.mapping(doc, "a request file: requests: {name: {url, method, params}}");
      if (m != null) {
        RunYaml.checkGradualFields(r, m, Set.of("requests"));
        if (m.get("requests") == null) {
          problems.add(m.line(), m.column(), "requests", "is required: the requests by name");
        }
        requests = HttpFlow.requests(m.get("requests"), true, r);
      }
    } catch (IOException e) {
      problems.add(1, 1, "", "cannot read the request file: " + e);
    }
    main.problems().addAll(problems);
    return requests;
  }
}
