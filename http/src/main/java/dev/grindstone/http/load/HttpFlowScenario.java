package dev.grindstone.http.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.engine.Grindstone;
import dev.grindstone.engine.IterationFailure;
import dev.grindstone.engine.StagedScenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.engine.run.Reservation;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpResponse;
import dev.grindstone.http.HttpSession;
import dev.grindstone.http.load.HttpFlow.Call;
import dev.grindstone.http.load.HttpFlow.Extract;
import dev.grindstone.http.load.HttpFlow.Feeder;
import dev.grindstone.http.load.HttpFlow.Pause;
import dev.grindstone.http.load.HttpFlow.RequestSpec;
import dev.grindstone.http.load.HttpFlow.Step;
import dev.grindstone.http.load.HttpFlow.Timed;
import dev.grindstone.http.load.HttpFlow.WsClose;
import dev.grindstone.http.load.HttpFlow.WsConnect;
import dev.grindstone.http.load.HttpFlow.WsReceive;
import dev.grindstone.http.load.HttpFlow.WsSend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs an {@link HttpFlow}: each virtual user gets its own session (cookies) and variables; each
 * iteration takes a row from every feeder and makes the flow's requests in order, each as a Test. A
 * failed check or extraction marks its call as an error and ends the iteration (later steps usually
 * need what it should have given), counted under the check and its reason; a network failure does
 * the same, counted under its kind. WebSocket steps run as {@link WebSocketRunner} says; each user
 * holds its own WebSockets. A flow read from gradual's request list makes one request per
 * iteration, as gradual does (see {@link HttpFlow.StepChoice}).
 */
public final class HttpFlowScenario implements StagedScenario, AutoCloseable {

  /** A variable's text that a JSON body takes as a number: a whole number of at most 18 digits. */
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?(0|[1-9]\\d{0,17})");

  private static final String SESSION = "__http.session";
  private static final String PINNED = "__http.step";

  private final HttpFlow flow;
  private final HttpClient client;
  private final Map<Timed, Test> tests = new HashMap<>();

  /**
   * The requests of calls whose every part is constant (no variable, no {@code ${uuid}}), built
   * once: a request encodes its head once, and is immutable.
   */
  private final Map<Call, HttpRequest> constant = new HashMap<>();

  private final List<AtomicLong> feederPositions = new ArrayList<>();

  /**
   * Where each {@code queue} feeder takes its rows on an agent whose coordinator reserves them
   * ({@link #reserveQueueRows}); null entries (every one in a single process) take the next row.
   * Set before the run starts its users.
   */
  private final Reservation[] reserved;

  private final WebSocketRunner webSockets;

  /** Whether every step is an HTTP call: then iterations may run as stages. */
  private final boolean callsOnly;

  /** The next step in turn (ROUND_ROBIN), or the next user's step (PER_USER). */
  private final AtomicLong turn = new AtomicLong();

  public HttpFlowScenario(HttpFlow flow) {
    this.flow = flow;
    this.client = flow.newClient();
    this.webSockets = new WebSocketRunner(flow);
    this.callsOnly = flow.steps().stream().allMatch(s -> s instanceof Call);
    for (Step s : flow.steps()) {
      if (s instanceof Timed t) {
        Test test = new Test(t.test(), t.description());
        if (t instanceof Call c && c.request().listeners() != null) {
          test = test.listeners(c.request().listeners().toArray(String[]::new));
        }
        tests.put(t, test);
      }
      if (s instanceof Call c && isConstant(c.request())) {
        try {
          constant.put(c, build(c.request(), Map.of(), null));
        } catch (RuntimeException e) {
          // Left to each call, which fails as it would with variables: counted, named.
        }
      }
    }
    for (int i = 0; i < flow.feeders().size(); i++) {
      feederPositions.add(new AtomicLong());
    }
    this.reserved = new Reservation[flow.feeders().size()];
  }

  /**
   * Makes each {@code queue} feeder take its rows within what a coordinator reserves for this
   * agent's index ({@link Reservation}): a replacement of the agent then takes the rows up after
   * those its older attempts reserved, so no row is used twice. A user whose row is not reserved
   * yet waits for the coordinator's answer (or the run's stop). Before the run only.
   *
   * @param scenario the scenario's name in a run of several, or null
   * @param minimum the fewest rows to keep reserved ahead: the users that may start an iteration at
   *     once
   * @return one reservation per {@code queue} feeder, keyed by its name (and scenario)
   */
  public List<Reservation> reserveQueueRows(String scenario, long minimum) {
    List<Reservation> list = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < reserved.length; i++) {
      Feeder f = flow.feeders().get(i);
      if (!f.queue()) {
        continue;
      }
      int same = seen.merge(f.name(), 1, Integer::sum);
      String key =
          "queue feeder '"
              + f.name()
              + "'"
              + (same > 1 ? " #" + same : "")
              + (scenario == null ? "" : " of scenario '" + scenario + "'");
      reserved[i] = new Reservation(key, f.rows().size(), minimum);
      list.add(reserved[i]);
    }
    return list;
  }

  /**
   * The HTTP plug-in, and the WebSocket plug-in when the flow has WebSocket steps: a flow's runs
   * carry their statistics and columns.
   */
  @Override
  public List<Plugin> plugins() {
    return flow.usesWebSocket()
        ? List.of(HttpPlugin.INSTANCE, WebSocketPlugin.INSTANCE)
        : List.of(HttpPlugin.INSTANCE);
  }

  @Override
  public void beforeUser(VirtualUser user) {
    user.vars().put(SESSION, client.newSession());
    user.vars().putAll(flow.variables());
    if (flow.choice() == HttpFlow.StepChoice.PER_USER) {
      user.vars().put(PINNED, (int) (turn.getAndIncrement() % flow.steps().size()));
    }
  }

  @Override
  public void iteration(VirtualUser user) throws Exception {
    List<Step> steps = prepare(user);
    if (steps == null) {
      return; // the run stops: no row, no call
    }
    HttpSession session = (HttpSession) user.vars().get(SESSION);
    for (Step step : steps) {
      switch (step) {
        case Pause p -> user.sleep(p.duration());
        case Call c -> call(c, session, user);
        case WsConnect w -> webSockets.connect(w, tests.get(w), session, user);
        case WsSend w -> webSockets.send(w, tests.get(w), user);
        case WsReceive w -> webSockets.receive(w, tests.get(w), user);
        case WsClose w -> webSockets.close(w, tests.get(w), user);
      }
      if (user.isStopping()) {
        return;
      }
    }
  }

  /**
   * The iteration as stages, with no thread waiting for a response ({@link HttpClient#sendAsync}):
   * for a flow of HTTP calls only, whose {@code queue} feeders take their rows without waiting (no
   * coordinator reserves them). Each call starts when the one before it has completed and passed
   * its checks, on the thread that completed it. Null otherwise: pauses and WebSocket steps block,
   * and run on the user's thread.
   */
  @Override
  public CompletionStage<?> startIteration(VirtualUser user) {
    if (!runsStaged()) {
      return null;
    }
    List<Step> steps;
    try {
      steps = prepare(user);
    } catch (IterationFailure e) {
      return CompletableFuture.failedFuture(e);
    }
    return new StagedCalls(steps, (HttpSession) user.vars().get(SESSION), user).start();
  }

  /** Whether iterations run as stages: every step an HTTP call, no feeder rows reserved. */
  boolean runsStaged() {
    if (!callsOnly) {
      return false;
    }
    for (Reservation r : reserved) {
      if (r != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Starts an iteration: sets its variables, takes a row from every feeder, and picks its steps.
   * Null when the run stops while a queue feeder waits for its coordinator's rows.
   */
  private List<Step> prepare(VirtualUser user) {
    Map<String, Object> vars = user.vars();
    vars.put("user", user.number());
    vars.put("iteration", user.iteration());
    for (int i = 0; i < flow.feeders().size(); i++) {
      Feeder f = flow.feeders().get(i);
      int row;
      if (f.queue()) {
        Reservation r = reserved[i];
        long next;
        if (r == null) {
          next = feederPositions.get(i).getAndIncrement();
        } else {
          next = r.tryTake();
          while (next == Reservation.NONE) {
            if (!r.await(user::isStopping)) {
              return null;
            }
            next = r.tryTake();
          }
        }
        if (next >= f.rows().size()) {
          throw new IterationFailure(
              "the queue feeder '"
                  + f.name()
                  + "' has no rows left: it"
                  + " gives each of its "
                  + f.rows().size()
                  + " rows once");
        }
        row = (int) next;
      } else {
        row =
            f.random()
                ? user.random().nextInt(f.rows().size())
                : (int) (feederPositions.get(i).getAndIncrement() % f.rows().size());
      }
      vars.putAll(f.rows().get(row));
    }
    return switch (flow.choice()) {
      case ALL -> flow.steps();
      case ROUND_ROBIN ->
          List.of(flow.steps().get((int) (turn.getAndIncrement() % flow.steps().size())));
      case PER_USER -> List.of(flow.steps().get((Integer) vars.get(PINNED)));
    };
  }

  /** One staged iteration's calls, each started by the completion of the one before. */
  private final class StagedCalls {
    private final List<Step> steps;
    private final HttpSession session;
    private final VirtualUser user;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int index;

    StagedCalls(List<Step> steps, HttpSession session, VirtualUser user) {
      this.steps = steps;
      this.session = session;
      this.user = user;
    }

    CompletableFuture<Void> start() {
      next();
      return done;
    }

    /** Starts the next call, or ends the iteration; the user's context at hand. */
    private void next() {
      if (index == steps.size() || (index > 0 && user.isStopping())) {
        done.complete(null);
        return;
      }
      Call c = (Call) steps.get(index++);
      try {
        HttpRequest request = build(c, user);
        tests
            .get(c)
            .recordAsync(() -> session.sendAsync(request), response -> checked(c, response, user))
            .whenComplete(
                (problem, failure) -> {
                  if (failure != null) {
                    done.completeExceptionally(
                        failure instanceof HttpFailure e ? failed(c, request, e) : failure);
                  } else if (problem != null) {
                    done.completeExceptionally(failedCheck(c, problem));
                  } else {
                    next();
                  }
                });
      } catch (RuntimeException | Error e) { // a step's own failure, or a defect: never lost
        done.completeExceptionally(e);
      }
    }
  }

  private void call(Call c, HttpSession session, VirtualUser user) throws Exception {
    HttpRequest request = build(c, user);
    String problem;
    try {
      problem = tests.get(c).record(() -> checked(c, session.send(request), user));
    } catch (HttpFailure e) {
      throw failed(c, request, e);
    }
    if (problem != null) {
      throw failedCheck(c, problem);
    }
  }

  /** The call's request, or why its templates cannot make it. */
  private HttpRequest build(Call c, VirtualUser user) {
    HttpRequest built = constant.get(c);
    if (built != null) {
      return built;
    }
    try {
      return build(c.request(), user.vars(), user.random());
    } catch (Template.UnknownVariableException e) {
      throw new IterationFailure("step '" + c.description() + "': " + e.getMessage());
    }
  }

  /**
   * Checks {@code response} inside the call's test and extracts its values: null when it passes,
   * else the reason, and the test in progress is marked failed.
   */
  private static String checked(Call c, HttpResponse response, VirtualUser user) {
    String problem = verify(c.request(), response, user.vars());
    if (problem != null) {
      Grindstone.statistics().getForCurrentTest().setSuccess(false);
    }
    return problem;
  }

  private static IterationFailure failed(Call c, HttpRequest request, HttpFailure e) {
    return new IterationFailure(
        "HTTP "
            + e.kind()
            + " in '"
            + c.description()
            + "' ("
            + request.method()
            + " "
            + request.uri().getPath()
            + ")",
        e);
  }

  private static IterationFailure failedCheck(Call c, String problem) {
    return new IterationFailure(problem.replace("%STEP%", c.description()));
  }

  /** Null when every check passes and every value is extracted, else the reason. */
  private static String verify(RequestSpec spec, HttpResponse response, Map<String, Object> vars) {
    for (Check check : spec.checks()) {
      String reason = check.verify(response);
      if (reason != null) {
        return "check failed in '%STEP%' [" + check.name() + "]: " + reason;
      }
    }
    for (Extract e : spec.extract().values()) {
      String value = extract(e, response);
      if (value == null) {
        return "extract '" + e.name() + "' in '%STEP%': " + describe(e) + " found nothing";
      }
      vars.put(e.name(), value);
    }
    return null;
  }

  private static String extract(Extract e, HttpResponse response) {
    if (e.jsonPointer() != null) {
      JsonNode n;
      try {
        n = response.json();
      } catch (RuntimeException notJson) {
        return null;
      }
      return extractJson(e, n);
    }
    return extractText(e, e.header() != null ? response.header(e.header()) : response.bodyString());
  }

  /** The value at the extract's JSON pointer as text, or null. */
  static String extractJson(Extract e, JsonNode root) {
    JsonNode n = root.at(e.jsonPointer());
    return n.isMissingNode() || n.isNull() ? null : n.isValueNode() ? n.asText() : n.toString();
  }

  /** The text, or its regular expression's group, or null. */
  static String extractText(Extract e, String text) {
    if (text == null) {
      return null;
    }
    if (e.regex() == null) {
      return text;
    }
    Matcher m = e.regex().matcher(text);
    return m.find() && e.group() <= m.groupCount() ? m.group(e.group()) : null;
  }

  static String describe(Extract e) {
    if (e.jsonPointer() != null) {
      return "JSON pointer " + e.jsonPointer();
    }
    return (e.header() != null ? "header " + e.header() : "body")
        + (e.regex() != null ? " /" + e.regex() + "/" : "");
  }

  private static boolean isConstant(RequestSpec spec) {
    return spec.url().isConstant()
        && spec.headers().values().stream().allMatch(Template::isConstant)
        && spec.params().values().stream().allMatch(Template::isConstant)
        && switch (spec.body()) {
          case null -> true;
          case HttpFlow.JsonBody j -> !j.template().toString().contains("${");
          case HttpFlow.FormBody f -> f.fields().values().stream().allMatch(Template::isConstant);
          case HttpFlow.TextBody t -> t.text().isConstant();
        };
  }

  private HttpRequest build(RequestSpec spec, Map<String, Object> vars, RandomGenerator random) {
    String url = spec.url().render(vars, random);
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      url = flow.baseUrl() + url;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(spec.method(), url);
    spec.headers().forEach((k, v) -> b.header(k, v.render(vars, random)));
    spec.params().forEach((k, v) -> b.query(k, v.render(vars, random)));
    if (spec.timeout() != null) {
      b.timeout(spec.timeout());
    }
    switch (spec.body()) {
      case null -> {}
      case HttpFlow.JsonBody j ->
          b.body(dev.grindstone.http.Body.jsonText(render(j.template(), vars, random).toString()));
      case HttpFlow.FormBody f -> {
        Map<String, String> fields = new LinkedHashMap<>();
        f.fields().forEach((k, v) -> fields.put(k, v.render(vars, random)));
        b.form(fields);
      }
      case HttpFlow.TextBody t ->
          b.body(
              dev.grindstone.http.Body.bytes(
                  t.text().render(vars, random).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  t.contentType()));
    }
    return b.build();
  }

  /** The JSON template with every string rendered; "${x}" alone keeps x's own JSON type. */
  static JsonNode render(JsonNode node, Map<String, Object> vars, RandomGenerator random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (node.isObject()) {
      ObjectNode o = f.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        var e = it.next();
        o.set(e.getKey(), render(e.getValue(), vars, random));
      }
      return o;
    }
    if (node.isArray()) {
      ArrayNode a = f.arrayNode();
      node.forEach(n -> a.add(render(n, vars, random)));
      return a;
    }
    if (node.isTextual() && node.asText().contains("${")) {
      Template t = Template.parse(node.asText());
      String sole = t.soleVariable();
      if (sole != null && !sole.equals("uuid")) {
        Object v = t.value(sole, vars);
        if (v instanceof Number n) {
          return n instanceof Double || n instanceof Float
              ? f.numberNode(n.doubleValue())
              : f.numberNode(n.longValue());
        }
        String s = String.valueOf(v);
        if (WHOLE_NUMBER.matcher(s).matches()) {
          return f.numberNode(Long.parseLong(s));
        }
        return f.textNode(s);
      }
      return f.textNode(t.render(vars, random));
    }
    return node;
  }

  /** Closes the WebSockets the user left open. */
  @Override
  public void afterUser(VirtualUser user) {
    webSockets.closeAll(user);
  }

  @Override
  public void close() {
    client.close();
  }
}
