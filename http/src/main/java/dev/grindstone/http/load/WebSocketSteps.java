package dev.grindstone.http.load;

import com.fasterxml.jackson.core.JsonPointer;
import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.engine.config.YamlNode;
import dev.grindstone.engine.config.YamlNode.Mapping;
import dev.grindstone.http.load.HttpFlow.BinaryMessage;
import dev.grindstone.http.load.HttpFlow.Extract;
import dev.grindstone.http.load.HttpFlow.JsonMessage;
import dev.grindstone.http.load.HttpFlow.Message;
import dev.grindstone.http.load.HttpFlow.Step;
import dev.grindstone.http.load.HttpFlow.TextMessage;
import dev.grindstone.http.load.HttpFlow.WsClose;
import dev.grindstone.http.load.HttpFlow.WsConnect;
import dev.grindstone.http.load.HttpFlow.WsReceive;
import dev.grindstone.http.load.HttpFlow.WsSend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a flow's WebSocket steps ({@code ws_connect}, {@code ws_send}, {@code ws_receive}, {@code
 * ws_close}), reporting each mistake with its line, column and field.
 *
 * <pre>
 * flow:
 *   - {test: 8, ws_connect: {url: /ws/room?name=lobby, subprotocols: [chat.v1]}, description: Join}
 *   - {test: 9, ws_send: {json: {text: "hi from ${user}"}}, description: Say hi}
 *   - {test: 10, ws_receive: {checks: [{json: /type, equals: message}], timeout: 2s,
 *                             extract: {from: {json: /from}}}, description: Hear it}
 *   - {test: 11, ws_close: {}, description: Leave}
 * </pre>
 */
final class WebSocketSteps {
  /** The connection a step uses when it names none. */
  static final String DEFAULT_CONNECTION = "ws";

  private static final Pattern CONNECTION_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private WebSocketSteps() {}

  /** The step {@code action} of {@code step} (a mapping that holds it), or null after problems. */
  static Step read(Mapping step, String action, int nextNumber, ConfigReader r) {
    int test = (int) r.integer(step.get("test"), nextNumber, 0);
    String description = r.string(step.get("description"), DEFAULTS.get(action));
    YamlNode body = step.get(action);
    Mapping m =
        body instanceof YamlNode.Scalar s && (s.isNull() || action.equals("ws_close"))
            ? null
            : r.mapping(body, HINTS.get(action));
    if (m == null && !(body instanceof YamlNode.Scalar)) {
      return null;
    }
    if (m != null) {
      r.checkFields(m, FIELDS.get(action));
    }
    String connection = connection(m, r);
    return switch (action) {
      case "ws_connect" -> connect(m, test, description, connection, r);
      case "ws_send" -> send(m, test, description, connection, r);
      case "ws_receive" -> receive(m, test, description, connection, r);
      default ->
          new WsClose(
              test,
              description,
              connection,
              m == null ? 1000 : (int) r.integer(m.get("code"), 1000, 1000),
              m == null ? "" : r.string(m.get("reason"), ""));
    };
  }

  private static final Map<String, String> DEFAULTS =
      Map.of(
          "ws_connect", "WebSocket connect",
          "ws_send", "WebSocket send",
          "ws_receive", "WebSocket receive",
          "ws_close", "WebSocket close");

  private static final Map<String, String> HINTS =
      Map.of(
          "ws_connect", "ws_connect: {url, headers, subprotocols, timeout, connection}",
          "ws_send", "ws_send: {text: ...} | {json: {...}} | {binary: base64}",
          "ws_receive", "ws_receive: {checks, extract, timeout, connection}",
          "ws_close", "ws_close: {code, reason, connection}");

  private static final Map<String, Set<String>> FIELDS =
      Map.of(
          "ws_connect", Set.of("url", "headers", "subprotocols", "timeout", "connection"),
          "ws_send", Set.of("text", "json", "binary", "connection"),
          "ws_receive", Set.of("checks", "extract", "timeout", "connection"),
          "ws_close", Set.of("code", "reason", "connection"));

  private static String connection(Mapping m, ConfigReader r) {
    if (m == null || m.get("connection") == null) {
      return DEFAULT_CONNECTION;
    }
    String name = r.string(m.get("connection"), DEFAULT_CONNECTION);
    if (!CONNECTION_NAME.matcher(name).matches()) {
      r.problems()
          .add(
              m.get("connection"),
              "a connection name is 1 to 64 letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    return name;
  }

  private static Step connect(
      Mapping m, int test, String description, String connection, ConfigReader r) {
    if (m == null) {
      return null;
    }
    Template url = HttpFlow.template(m.get("url"), r);
    if (m.get("url") == null) {
      r.problems().add(m.line(), m.column(), m.path() + ".url", "is required");
    }
    List<String> subprotocols = new ArrayList<>();
    for (YamlNode p : r.list(m.get("subprotocols"))) {
      String name = r.string(p, "");
      if (name.isEmpty() || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        r.problems().add(p, "a subprotocol is an HTTP token such as chat.v1, got '" + name + "'");
      } else {
        subprotocols.add(name);
      }
    }
    Map<String, Template> headers = HttpFlow.templates(m.get("headers"), r);
    Duration timeout = r.duration(m.get("timeout"), null);
    return url == null
        ? null
        : new WsConnect(test, description, connection, url, headers, subprotocols, timeout);
  }

  private static Step send(
      Mapping m, int test, String description, String connection, ConfigReader r) {
    if (m == null) {
      return null;
    }
    int kinds =
        (m.get("text") != null ? 1 : 0)
            + (m.get("json") != null ? 1 : 0)
            + (m.get("binary") != null ? 1 : 0);
    if (kinds != 1) {
      r.problems().add(m, "give one of text, json and binary (base64)");
      return null;
    }
    Message message;
    if (m.get("json") != null) {
      message = new JsonMessage(HttpFlow.toJson(m.get("json")));
    } else {
      Template t = HttpFlow.template(m.get(m.get("text") != null ? "text" : "binary"), r);
      if (t == null) {
        return null;
      }
      if (m.get("binary") != null && t.isConstant()) {
        try {
          java.util.Base64.getDecoder().decode(t.toString());
        } catch (IllegalArgumentException e) {
          r.problems()
              .add(m.get("binary"), "binary must be base64, as in AAEC/w==: " + e.getMessage());
          return null;
        }
      }
      message = m.get("text") != null ? new TextMessage(t) : new BinaryMessage(t);
    }
    return new WsSend(test, description, connection, message);
  }

  private static Step receive(
      Mapping m, int test, String description, String connection, ConfigReader r) {
    List<MessageCheck> checks = new ArrayList<>();
    Map<String, Extract> extract = new LinkedHashMap<>();
    Duration timeout = null;
    if (m != null) {
      for (YamlNode c : r.list(m.get("checks"))) {
        MessageCheck check = check(c, r);
        if (check != null) {
          checks.add(check);
        }
      }
      Mapping ex =
          r.mapping(m.get("extract"), "extract: name: {json: /pointer} | {regex: ..., group: 1}");
      if (ex != null) {
        ex.fields()
            .forEach(
                (var, spec) -> {
                  if (spec instanceof Mapping sm && sm.get("header") != null) {
                    r.problems().add(sm.get("header"), "a WebSocket message has no headers");
                    return;
                  }
                  Extract e = HttpFlow.extract(var, spec, r);
                  if (e != null) {
                    extract.put(var, e);
                  }
                });
      }
      timeout = r.duration(m.get("timeout"), null);
    }
    return new WsReceive(test, description, connection, checks, extract, timeout);
  }

  private static MessageCheck check(YamlNode node, ConfigReader r) {
    Mapping m =
        r.mapping(
            node,
            "a message check: {body_contains: text} | {body_matches: regex}"
                + " | {json: /pointer, equals: value}");
    if (m == null) {
      return null;
    }
    r.checkFields(m, Set.of("body_contains", "body_matches", "json", "equals"));
    if (m.get("body_contains") != null) {
      Template t = HttpFlow.template(m.get("body_contains"), r);
      return t == null ? null : new MessageCheck.Contains(t);
    }
    if (m.get("body_matches") != null) {
      String regex = r.string(m.get("body_matches"), "");
      try {
        return new MessageCheck.Matches(Pattern.compile(regex));
      } catch (PatternSyntaxException e) {
        r.problems()
            .add(m.get("body_matches"), "not a valid regular expression: " + e.getDescription());
        return null;
      }
    }
    if (m.get("json") != null) {
      String pointer = r.string(m.get("json"), "");
      if (m.get("equals") == null) {
        r.problems().add(m, "a json check needs equals: (to take any value, extract it)");
        return null;
      }
      try {
        return new MessageCheck.JsonEquals(
            pointer, JsonPointer.compile(pointer), HttpFlow.toJson(m.get("equals")));
      } catch (IllegalArgumentException e) {
        r.problems()
            .add(m.get("json"), "a JSON pointer starts with '/', as in /type or /items/0/id");
        return null;
      }
    }
    r.problems().add(m, "says nothing to check");
    return null;
  }

  /**
   * Reports a send, receive or close on a connection that no earlier {@code ws_connect} of the flow
   * opens; notes the connections that {@code ws_connect} steps open.
   */
  static void checkConnection(Step s, YamlNode node, Set<String> opened, ConfigReader r) {
    String used =
        switch (s) {
          case WsConnect c -> {
            opened.add(c.connection());
            yield null;
          }
          case WsSend w -> w.connection();
          case WsReceive w -> w.connection();
          case WsClose w -> w.connection();
          case null, default -> null;
        };
    if (used != null && !opened.contains(used)) {
      r.problems()
          .add(
              node,
              "no ws_connect opens the WebSocket '"
                  + used
                  + "' before this step; add one"
                  + (used.equals(DEFAULT_CONNECTION) ? "" : " with connection: " + used));
    }
  }
}
