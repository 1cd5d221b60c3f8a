package dev.grindstone.http.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.engine.config.YamlNode;
import dev.grindstone.engine.config.YamlNode.Mapping;
import dev.grindstone.engine.config.YamlNode.Scalar;
import dev.grindstone.engine.config.YamlNode.Sequence;
import dev.grindstone.http.RedirectPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An HTTP scenario read from a run file: named requests (in the spirit of gradual's request file)
 * and the flow of steps each iteration makes. Each request step is a Test. Read with {@link #read};
 * every problem is reported with its line, column and field.
 *
 * <pre>
 * base_url: http://127.0.0.1:8080
 * client: {timeout: 5s, redirects: 5}
 * variables: {password: secret}
 * feeders: [{csv: users.csv, mode: circular}]
 * requests:
 *   login:
 *     method: POST
 *     url: /shop/login
 *     json: {username: "${username}", password: "${password}"}
 *     checks: [{status: 200}]
 *     extract: {token: {json: /token}}
 * flow:
 *   - {test: 1, request: login, description: Log in}
 *   - {pause: 100ms}
 * </pre>
 */
public record HttpFlow(
    String baseUrl,
    ClientOptions client,
    Map<String, String> variables,
    List<Feeder> feeders,
    Map<String, RequestSpec> requests,
    List<Step> steps,
    StepChoice choice) {

  /** A flow whose iterations make every step in order. */
  public HttpFlow(
      String baseUrl,
      ClientOptions client,
      Map<String, String> variables,
      List<Feeder> feeders,
      Map<String, RequestSpec> requests,
      List<Step> steps) {
    this(baseUrl, client, variables, feeders, requests, steps, StepChoice.ALL);
  }

  /** What an iteration makes of the steps. */
  public enum StepChoice {
    /** Every step, in order. */
    ALL,
    /**
     * One step, the next in turn across all the scenario's users (gradual's {@code
     * iterate_through_requests: true}).
     */
    ROUND_ROBIN,
    /**
     * One step, always the same for a user: the scenario's k-th user makes step k modulo their
     * number (gradual's default).
     */
    PER_USER
  }

  /** The fields of a request in gradual's form beyond Grindstone's. */
  static final Set<String> GRADUAL_REQUEST_FIELDS = Set.of("expected_response_time", "auth");

  /** The run-file fields this reader handles. */
  public static final Set<String> FIELDS =
      Set.of("base_url", "client", "variables", "feeders", "requests", "flow");

  static final Set<String> REQUEST_FIELDS =
      Set.of(
          "method",
          "url",
          "headers",
          "params",
          "json",
          "form",
          "body",
          "content_type",
          "checks",
          "extract",
          "timeout",
          "listeners");
  static final Set<String> STEP_ACTIONS =
      Set.of("request", "pause", "ws_connect", "ws_send", "ws_receive", "ws_close");
  static final Set<String> STEP_FIELDS =
      Set.of(
          "test",
          "request",
          "description",
          "pause",
          "ws_connect",
          "ws_send",
          "ws_receive",
          "ws_close");
  static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  /** Client settings. */
  public record ClientOptions(
      Duration timeout,
      Duration connectTimeout,
      int redirects,
      boolean insecure,
      int maxConnectionsPerHost) {}

  /**
   * A CSV feeder: each iteration takes a row (in turn, or at random; a {@code queue} feeder each
   * row once, in turn); its columns become variables.
   */
  public record Feeder(String name, List<Map<String, String>> rows, boolean random, boolean queue) {
    /** A circular or random feeder. */
    public Feeder(String name, List<Map<String, String>> rows, boolean random) {
      this(name, rows, random, false);
    }
  }

  /**
   * The same flow for one agent of a distributed run: each {@code queue} feeder keeps its share of
   * the rows (row r on agent r mod n), so no row is used twice over the agents; {@code circular}
   * and {@code random} feeders are shared whole.
   */
  public HttpFlow shard(dev.grindstone.engine.run.Shard shard) {
    List<Feeder> mine = new ArrayList<>();
    for (Feeder f : feeders) {
      mine.add(f.queue() ? new Feeder(f.name(), shard.rows(f.rows()), false, true) : f);
    }
    return new HttpFlow(baseUrl, client, variables, mine, requests, steps, choice);
  }

  /** One request, with templates for its URL, headers, parameters and body. */
  public record RequestSpec(
      String name,
      String method,
      Template url,
      Map<String, Template> headers,
      Map<String, Template> params,
      Body body,
      List<Check> checks,
      Map<String, Extract> extract,
      Duration timeout,
      List<String> listeners) {

    /** A request whose records go to every call listener of the run. */
    public RequestSpec(
        String name,
        String method,
        Template url,
        Map<String, Template> headers,
        Map<String, Template> params,
        Body body,
        List<Check> checks,
        Map<String, Extract> extract,
        Duration timeout) {
      this(name, method, url, headers, params, body, checks, extract, timeout, null);
    }
  }

  /** A request body template. */
  public sealed interface Body {}

  public record JsonBody(JsonNode template) implements Body {}

  public record FormBody(Map<String, Template> fields) implements Body {}

  public record TextBody(Template text, String contentType) implements Body {}

  /** Where a value is taken from in a response. */
  public record Extract(String name, String jsonPointer, String header, Pattern regex, int group) {}

  /** A step of the flow. */
  public sealed interface Step {}

  /** A step timed as a Test. */
  public sealed interface Timed extends Step {
    int test();

    String description();
  }

  /** A request made as a Test. */
  public record Call(int test, String description, RequestSpec request) implements Timed {}

  /**
   * Opens the user's WebSocket called {@code connection} (closing one it left open under that
   * name), timed from the start of the connection to the end of the opening handshake.
   */
  public record WsConnect(
      int test,
      String description,
      String connection,
      Template url,
      Map<String, Template> headers,
      List<String> subprotocols,
      Duration timeout)
      implements Timed {}

  /** Sends one message on the user's WebSocket, timed until it is written to the socket. */
  public record WsSend(int test, String description, String connection, Message message)
      implements Timed {}

  /** A message to send: text, JSON (sent as text) or binary (written in base64 in the file). */
  public sealed interface Message {}

  public record TextMessage(Template text) implements Message {}

  public record JsonMessage(JsonNode template) implements Message {}

  public record BinaryMessage(Template base64) implements Message {}

  /**
   * Waits for the first message that passes every check (skipping others) within {@code timeout}
   * (null: the client's), then extracts values from it; timed until it arrived.
   */
  public record WsReceive(
      int test,
      String description,
      String connection,
      List<MessageCheck> checks,
      Map<String, Extract> extract,
      Duration timeout)
      implements Timed {}

  /** Runs the closing handshake on the user's WebSocket, timed until the connection closed. */
  public record WsClose(int test, String description, String connection, int code, String reason)
      implements Timed {}

  /** A pause between requests. */
  public record Pause(Duration duration) implements Step {}

  /** Reads the HTTP fields of a run file; null (and problems) when they do not make a flow. */
  public static HttpFlow read(Mapping root, Path directory, ConfigReader r) {
    if (root.get("requests") == null && root.get("flow") == null) {
      return null;
    }
    Map<String, RequestSpec> requests = requests(root.get("requests"), false, r);
    return read(root, root.get("flow"), requests, directory, r, new java.util.HashMap<>());
  }

  /**
   * A flow over the run file's settings ({@code base_url}, {@code client}, {@code variables},
   * {@code feeders}) with the steps of {@code flow} over {@code requests}; without a flow, every
   * request once, in order.
   *
   * @param numbers the tests other flows of the run already number, by number: a step without a
   *     number takes the next free one, and a number another flow uses for another step is a
   *     problem; this flow's are added
   */
  public static HttpFlow read(
      Mapping root,
      YamlNode flow,
      Map<String, RequestSpec> requests,
      Path directory,
      ConfigReader r,
      Map<Integer, Timed> numbers) {
    return read(root, flow, requests, null, directory, r, numbers);
  }

  /**
   * The same; without a flow, the steps are the requests of {@code only} (all of {@code requests}
   * when null), each numbered as another flow of the run numbers it already, or with the next free
   * number.
   */
  public static HttpFlow read(
      Mapping root,
      YamlNode flow,
      Map<String, RequestSpec> requests,
      List<RequestSpec> only,
      Path directory,
      ConfigReader r,
      Map<Integer, Timed> numbers) {
    String baseUrl = r.string(root.get("base_url"), "");
    ClientOptions client = client(root.get("client"), r);
    Map<String, String> variables = new LinkedHashMap<>();
    Mapping vars = r.mapping(root.get("variables"), "variables: name: value");
    if (vars != null) {
      vars.fields().forEach((k, v) -> variables.put(k, r.string(v, "")));
    }
    List<Feeder> feeders = new ArrayList<>();
    for (YamlNode f : r.list(root.get("feeders"))) {
      Feeder feeder = feeder(f, directory, r);
      if (feeder != null) {
        feeders.add(feeder);
      }
    }
    List<Step> steps = new ArrayList<>();
    int first = numbers.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
    if (flow == null) {
      // No flow: every request once, in order, as gradual's iterate_through_requests.
      int n = first;
      for (RequestSpec spec : only == null ? requests.values() : only) {
        Integer known =
            numbers.entrySet().stream()
                .filter(e -> e.getValue() instanceof Call c && c.request() == spec)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
        steps.add(new Call(known != null ? known : n++, spec.name(), spec));
      }
    } else {
      int n = first;
      Set<String> connections = new java.util.HashSet<>();
      Map<Integer, Timed> earlier = Map.copyOf(numbers); // other flows' tests
      for (YamlNode node : r.list(flow)) {
        Step s = step(node, n, requests, r);
        boolean numbered = node instanceof Mapping m && m.get("test") != null;
        if (!numbered && s instanceof Call c) {
          // A request another flow of the run already numbers keeps its number here too.
          for (Map.Entry<Integer, Timed> e : earlier.entrySet()) {
            if (e.getValue() instanceof Call o && o.request() == c.request()) {
              s = new Call(e.getKey(), c.description(), c.request());
              break;
            }
          }
        }
        if (s instanceof Timed t) {
          Timed other = numbers.get(t.test());
          if (other != null
              && !(t instanceof Call c && other instanceof Call o && o.request() == c.request())) {
            r.problems()
                .add(
                    node,
                    "test "
                        + t.test()
                        + " is used by two different steps; give each its own number");
          }
          numbers.putIfAbsent(t.test(), t);
          n = Math.max(n, t.test() + 1);
        }
        WebSocketSteps.checkConnection(s, node, connections, r);
        if (s != null) {
          steps.add(s);
        }
      }
    }
    if (flow == null) {
      steps.forEach(s -> numbers.putIfAbsent(((Timed) s).test(), (Timed) s));
    }
    if (steps.isEmpty() && r.problems().isEmpty()) {
      r.problems().add(root, "the HTTP scenario has no steps: add requests: and a flow:");
    }
    return new HttpFlow(baseUrl, client, variables, feeders, requests, steps);
  }

  /**
   * The named requests of a {@code requests:} mapping. In gradual's form ({@code gradual}), a
   * request's {@code params} are its JSON body, sent with an {@code iid} (a new UUID each time) as
   * gradual sends them, and {@code expected_response_time} is read and, as in gradual, not checked.
   */
  public static Map<String, RequestSpec> requests(YamlNode node, boolean gradual, ConfigReader r) {
    Map<String, RequestSpec> requests = new LinkedHashMap<>();
    Mapping reqs = r.mapping(node, "requests: name: {method, url, ...}");
    if (reqs != null) {
      reqs.fields()
          .forEach(
              (name, value) -> {
                RequestSpec spec = request(name, value, gradual, r);
                if (spec != null) {
                  requests.put(name, spec);
                }
              });
    }
    return requests;
  }

  private static ClientOptions client(YamlNode node, ConfigReader r) {
    Mapping m =
        r.mapping(node, "client: {timeout, connect_timeout, redirects, insecure, max_connections}");
    if (m == null) {
      return new ClientOptions(Duration.ofSeconds(30), Duration.ofSeconds(10), 0, false, 1024);
    }
    r.checkFields(
        m, Set.of("timeout", "connect_timeout", "redirects", "insecure", "max_connections"));
    return new ClientOptions(
        r.duration(m.get("timeout"), Duration.ofSeconds(30)),
        r.duration(m.get("connect_timeout"), Duration.ofSeconds(10)),
        (int) r.integer(m.get("redirects"), 0, 0),
        r.bool(m.get("insecure"), false),
        (int) r.integer(m.get("max_connections"), 1024, 1));
  }

  private static Feeder feeder(YamlNode node, Path directory, ConfigReader r) {
    Mapping m = r.mapping(node, "a feeder: {csv: file.csv, mode: circular|random|queue}");
    if (m == null) {
      return null;
    }
    r.checkFields(m, Set.of("name", "csv", "mode"));
    String file = r.requiredString(m, "csv");
    String mode = r.string(m.get("mode"), "circular").toLowerCase(Locale.ROOT);
    if (!mode.equals("circular") && !mode.equals("random") && !mode.equals("queue")) {
      r.problems().add(m.get("mode"), "mode must be circular, random or queue, got '" + mode + "'");
    }
    if (file == null) {
      return null;
    }
    Path path = directory == null ? Path.of(file) : directory.resolve(file);
    try {
      List<Map<String, String>> rows = Csv.read(Files.readString(path, StandardCharsets.UTF_8));
      if (rows.isEmpty()) {
        r.problems().add(m.get("csv"), path + " has a header but no rows");
        return null;
      }
      return new Feeder(
          r.string(m.get("name"), file), rows, mode.equals("random"), mode.equals("queue"));
    } catch (IOException e) {
      r.problems().add(m.get("csv"), "cannot read " + path + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      r.problems().add(m.get("csv"), path + ": " + e.getMessage());
    }
    return null;
  }

  private static RequestSpec request(String name, YamlNode node, boolean gradual, ConfigReader r) {
    Mapping m =
        r.mapping(
            node, "a request: {method, url, headers, params, json|form|body, checks, extract}");
    if (m == null) {
      return null;
    }
    Set<String> fields = new java.util.HashSet<>(REQUEST_FIELDS);
    if (gradual) {
      fields.addAll(GRADUAL_REQUEST_FIELDS);
      r.number(m.get("expected_response_time"), 0, 0); // seconds; gradual never checks it either
      YamlNode auth = m.get("auth");
      if (auth != null && !(auth instanceof Scalar a && a.isNull())) {
        r.problems()
            .add(
                auth,
                "gradual's auth ("
                    + r.string(auth, "")
                    + ") is not supported: send credentials in headers: (Authorization: ...),"
                    + " or leave auth out or null");
      }
    }
    dev.grindstone.engine.config.RunYaml.checkGradualFields(r, m, fields);
    String method = r.string(m.get("method"), "GET").toUpperCase(Locale.ROOT);
    String rawUrl = r.string(m.get("url"), "");
    if (method.equals("WEBSOCKET") || rawUrl.startsWith("ws://") || rawUrl.startsWith("wss://")) {
      r.problems()
          .add(
              m.get("method") != null ? m.get("method") : m,
              "gradual's WebSocket requests (method: WEBSOCKET, socket.io) are not supported: write"
                  + " the WebSocket steps of a flow: (ws_connect, ws_send, ws_receive, ws_close)");
      return null;
    }
    if (!METHODS.contains(method)) {
      r.problems()
          .add(
              m.get("method"),
              "method must be one of "
                  + String.join(", ", METHODS.stream().sorted().toList())
                  + ", got '"
                  + method
                  + "'");
    }
    Template url = template(m.get("url"), r);
    if (m.get("url") == null) {
      r.problems().add(m.line(), m.column(), m.path() + ".url", "is required");
    }
    Map<String, Template> headers = templates(m.get("headers"), r);
    Map<String, Template> params = gradual ? Map.of() : templates(m.get("params"), r);
    int bodies =
        (m.get("json") != null ? 1 : 0)
            + (m.get("form") != null ? 1 : 0)
            + (m.get("body") != null ? 1 : 0)
            + (gradual ? 1 : 0);
    Body body = null;
    if (bodies > 1) {
      r.problems()
          .add(
              m,
              gradual
                  ? "in gradual's form the body is params (sent as JSON with an iid); give params,"
                      + " not json, form or body"
                  : "give only one of json, form and body");
    } else if (gradual) {
      ObjectNode json = JsonNodeFactory.instance.objectNode();
      if (m.get("params") != null && r.mapping(m.get("params"), "params: {name: value}") != null) {
        json.setAll((ObjectNode) toJson(m.get("params")));
      }
      json.put("iid", "${uuid}");
      body = new JsonBody(json);
    } else if (m.get("json") != null) {
      body = new JsonBody(toJson(m.get("json")));
    } else if (m.get("form") != null) {
      body = new FormBody(templates(m.get("form"), r));
    } else if (m.get("body") != null) {
      body =
          new TextBody(
              template(m.get("body"), r),
              r.string(m.get("content_type"), "text/plain; charset=utf-8"));
    }
    List<Check> checks = new ArrayList<>();
    for (YamlNode c : r.list(m.get("checks"))) {
      Check check = check(c, r);
      if (check != null) {
        checks.add(check);
      }
    }
    Map<String, Extract> extract = new LinkedHashMap<>();
    Mapping ex =
        r.mapping(
            m.get("extract"), "extract: name: {json: /pointer} | {regex: ...} | {header: Name}");
    if (ex != null) {
      ex.fields()
          .forEach(
              (var, spec) -> {
                Extract e = extract(var, spec, r);
                if (e != null) {
                  extract.put(var, e);
                }
              });
    }
    Duration timeout = r.duration(m.get("timeout"), null);
    // The call listeners that take this request's records (gradual's persist_stats adapters).
    List<String> listeners = null;
    if (m.get("listeners") != null) {
      listeners = new ArrayList<>();
      for (YamlNode l : r.list(m.get("listeners"))) {
        String listener = r.string(l, null);
        if (listener == null || listener.isBlank()) {
          r.problems().add(l, "a listener's name must not be blank");
        } else {
          listeners.add(listener);
        }
      }
      listeners = List.copyOf(listeners);
    }
    return url == null
        ? null
        : new RequestSpec(
            name, method, url, headers, params, body, checks, extract, timeout, listeners);
  }

  private static Check check(YamlNode node, ConfigReader r) {
    Mapping m =
        r.mapping(
            node,
            "a check: {status: 200} | {header: {name, equals|matches}} | {body_contains: text}"
                + " | {body_matches: regex} | {json: /pointer, equals: value} | {max_time: 500ms}");
    if (m == null) {
      return null;
    }
    r.checkFields(
        m,
        Set.of("status", "header", "body_contains", "body_matches", "json", "equals", "max_time"));
    try {
      if (m.get("status") != null) {
        List<YamlNode> codes = r.list(m.get("status"));
        int[] allowed = new int[codes.size()];
        for (int i = 0; i < allowed.length; i++) {
          allowed[i] = (int) r.integer(codes.get(i), 200, 100);
        }
        return Check.status(allowed);
      }
      if (m.get("header") != null) {
        Mapping h =
            r.mapping(
                m.get("header"), "header: {name: X, equals: value} or {name: X, matches: regex}");
        if (h == null) {
          return null;
        }
        r.checkFields(h, Set.of("name", "equals", "matches"));
        String name = r.requiredString(h, "name");
        return h.get("matches") != null
            ? Check.headerMatches(name, r.string(h.get("matches"), ""))
            : Check.header(name, r.string(h.get("equals"), ""));
      }
      if (m.get("body_contains") != null) {
        return Check.bodyContains(r.string(m.get("body_contains"), ""));
      }
      if (m.get("body_matches") != null) {
        return Check.bodyMatches(r.string(m.get("body_matches"), ""));
      }
      if (m.get("json") != null) {
        if (m.get("equals") == null) {
          r.problems()
              .add(
                  m,
                  "a json check needs equals: (to require only that a value exists, extract it)");
          return null;
        }
        return Check.jsonPointer(
            r.string(m.get("json"), ""),
            new ObjectMapper().treeToValue(toJson(m.get("equals")), Object.class));
      }
      if (m.get("max_time") != null) {
        return Check.responseTimeBelow(r.duration(m.get("max_time"), Duration.ofSeconds(1)));
      }
      r.problems().add(m, "says nothing to check");
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      r.problems().add(m, e.getMessage());
    }
    return null;
  }

  static Extract extract(String var, YamlNode node, ConfigReader r) {
    Mapping m =
        r.mapping(node, "{json: /pointer} | {regex: ..., group: 1} | {header: Name, regex: ...}");
    if (m == null) {
      return null;
    }
    r.checkFields(m, Set.of("json", "regex", "group", "header"));
    String json = r.string(m.get("json"), null);
    String header = r.string(m.get("header"), null);
    String regex = r.string(m.get("regex"), null);
    if (json == null && regex == null && header == null) {
      r.problems().add(m, "says nothing to extract: give json, regex or header");
      return null;
    }
    if (json != null && !json.isEmpty() && !json.startsWith("/")) {
      r.problems()
          .add(m.get("json"), "a JSON pointer starts with '/', as in /token or /items/0/id");
      return null;
    }
    Pattern pattern = null;
    if (regex != null) {
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        r.problems().add(m.get("regex"), "not a valid regular expression: " + e.getDescription());
        return null;
      }
    }
    int group =
        (int)
            r.integer(
                m.get("group"), pattern != null && pattern.matcher("").groupCount() > 0 ? 1 : 0, 0);
    return new Extract(var, json, header, pattern, group);
  }

  private static Step step(
      YamlNode node, int nextNumber, Map<String, RequestSpec> requests, ConfigReader r) {
    if (node instanceof Scalar s) {
      RequestSpec spec = requests.get(s.text());
      if (spec == null) {
        r.problems()
            .add(
                node,
                "no request is called '"
                    + s.text()
                    + "'; requests: "
                    + String.join(", ", requests.keySet()));
        return null;
      }
      return new Call(nextNumber, spec.name(), spec);
    }
    Mapping m =
        r.mapping(
            node,
            "a step: {test: 1, request: name, description: text}, {pause: 100ms} or a WebSocket"
                + " step (ws_connect, ws_send, ws_receive, ws_close)");
    if (m == null) {
      return null;
    }
    r.checkFields(m, STEP_FIELDS);
    List<String> actions = STEP_ACTIONS.stream().filter(a -> m.get(a) != null).sorted().toList();
    if (actions.size() != 1) {
      r.problems()
          .add(
              m,
              actions.isEmpty()
                  ? "says nothing to do: give one of request, pause, ws_connect, ws_send,"
                      + " ws_receive, ws_close"
                  : "does " + String.join(" and ", actions) + "; a step does one thing");
      return null;
    }
    if (m.get("pause") != null) {
      return new Pause(r.duration(m.get("pause"), Duration.ZERO));
    }
    if (actions.getFirst().startsWith("ws_")) {
      return WebSocketSteps.read(m, actions.getFirst(), nextNumber, r);
    }
    String name = r.requiredString(m, "request");
    if (name == null) {
      return null;
    }
    RequestSpec spec = requests.get(name);
    if (spec == null) {
      r.problems()
          .add(
              m.get("request"),
              "no request is called '"
                  + name
                  + "'; requests: "
                  + String.join(", ", requests.keySet()));
      return null;
    }
    int test = (int) r.integer(m.get("test"), nextNumber, 0);
    return new Call(test, r.string(m.get("description"), name), spec);
  }

  static Template template(YamlNode node, ConfigReader r) {
    String text = r.string(node, null);
    if (text == null) {
      return null;
    }
    try {
      return Template.parse(text);
    } catch (IllegalArgumentException e) {
      r.problems().add(node, e.getMessage());
      return null;
    }
  }

  static Map<String, Template> templates(YamlNode node, ConfigReader r) {
    Map<String, Template> out = new LinkedHashMap<>();
    Mapping m = r.mapping(node, "a mapping of names to values");
    if (m != null) {
      m.fields()
          .forEach(
              (k, v) -> {
                Template t = template(v, r);
                if (t != null) {
                  out.put(k, t);
                }
              });
    }
    return out;
  }

  /** The YAML value as JSON, keeping numbers and booleans typed. */
  static JsonNode toJson(YamlNode node) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (node) {
      case Mapping m -> {
        ObjectNode o = f.objectNode();
        m.fields().forEach((k, v) -> o.set(k, toJson(v)));
        yield o;
      }
      case Sequence s -> {
        ArrayNode a = f.arrayNode();
        s.items().forEach(i -> a.add(toJson(i)));
        yield a;
      }
      case Scalar s ->
          switch (s.token()) {
            case VALUE_NUMBER_INT -> f.numberNode(Long.parseLong(s.text()));
            case VALUE_NUMBER_FLOAT -> f.numberNode(Double.parseDouble(s.text()));
            case VALUE_TRUE -> f.booleanNode(true);
            case VALUE_FALSE -> f.booleanNode(false);
            case VALUE_NULL -> f.nullNode();
            default -> f.textNode(s.text());
          };
    };
  }

  /** Whether a step uses a WebSocket (the run then shows the WebSocket columns). */
  public boolean usesWebSocket() {
    return steps.stream()
        .anyMatch(
            s ->
                s instanceof WsConnect
                    || s instanceof WsSend
                    || s instanceof WsReceive
                    || s instanceof WsClose);
  }

  /** The same flow with a client that accepts any TLS certificate (self-signed test targets). */
  public HttpFlow insecure() {
    ClientOptions c =
        new ClientOptions(
            client.timeout(),
            client.connectTimeout(),
            client.redirects(),
            true,
            client.maxConnectionsPerHost());
    return new HttpFlow(baseUrl, c, variables, feeders, requests, steps, choice);
  }

  /** The same flow against another base URL. */
  public HttpFlow withBaseUrl(String url) {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return new HttpFlow(base, client, variables, feeders, requests, steps, choice);
  }

  /** The same flow, its iterations making its steps as {@code c} says. */
  public HttpFlow withChoice(StepChoice c) {
    return new HttpFlow(baseUrl, client, variables, feeders, requests, steps, c);
  }

  /** The client these options describe, feeding the HTTP statistics. */
  public dev.grindstone.http.HttpClient newClient() {
    var b =
        HttpStatistics.clientBuilder()
            .requestTimeout(client.timeout())
            .connectTimeout(client.connectTimeout())
            .maxConnectionsPerHost(client.maxConnectionsPerHost())
            .redirects(
                client.redirects() > 0
                    ? RedirectPolicy.follow(client.redirects())
                    : RedirectPolicy.none());
    if (client.insecure()) {
      b.insecure();
    }
    return b.build();
  }
}
