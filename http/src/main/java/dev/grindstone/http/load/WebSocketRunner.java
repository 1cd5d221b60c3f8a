package dev.grindstone.http.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.engine.Grindstone;
import dev.grindstone.engine.IterationFailure;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.VirtualUser;
import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpSession;
import dev.grindstone.http.WebSocket;
import dev.grindstone.http.WebSocketMessage;
import dev.grindstone.http.WebSocketRequest;
import dev.grindstone.http.load.HttpFlow.BinaryMessage;
import dev.grindstone.http.load.HttpFlow.Extract;
import dev.grindstone.http.load.HttpFlow.JsonMessage;
import dev.grindstone.http.load.HttpFlow.TextMessage;
import dev.grindstone.http.load.HttpFlow.Timed;
import dev.grindstone.http.load.HttpFlow.WsClose;
import dev.grindstone.http.load.HttpFlow.WsConnect;
import dev.grindstone.http.load.HttpFlow.WsReceive;
import dev.grindstone.http.load.HttpFlow.WsSend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a flow's WebSocket steps. Each virtual user holds its own WebSockets, by connection name, in
 * its variables; each step is one call of its Test. A failure (the handshake refused, the
 * connection closed or dropped, no matching message in time) marks the call as an error and ends
 * the iteration, counted under its kind and step; a socket that has ended is forgotten, so that the
 * next iteration's {@code ws_connect} opens a new one. Nothing a server does ends the run.
 * Stateless apart from the flow; thread-safe.
 */
final class WebSocketRunner {
  private static final String PREFIX = "__ws.";

  private final HttpFlow flow;

  WebSocketRunner(HttpFlow flow) {
    this.flow = flow;
  }

  void connect(WsConnect w, Test test, HttpSession session, VirtualUser user) throws Exception {
    Map<String, Object> vars = user.vars();
    WebSocketRequest request;
    try {
      String url = w.url().render(vars, user.random());
      if (!url.contains("://")) {
        url = flow.baseUrl() + url;
      }
      WebSocketRequest.Builder b = WebSocketRequest.newBuilder(url);
      w.headers().forEach((k, v) -> b.header(k, v.render(vars, user.random())));
      w.subprotocols().forEach(b::subprotocol);
      if (w.timeout() != null) {
        b.timeout(w.timeout());
      }
      request = b.build();
    } catch (Template.UnknownVariableException | IllegalArgumentException e) {
      throw new IterationFailure("step '" + w.description() + "': " + e.getMessage());
    }
    if (vars.remove(PREFIX + w.connection()) instanceof WebSocket left) {
      left.close(); // left open by an earlier iteration
    }
    WebSocket ws;
    try {
      ws = test.record(() -> session.openWebSocket(request));
    } catch (HttpFailure e) {
      throw failure(e, w, null);
    }
    vars.put(PREFIX + w.connection(), ws);
  }

  void send(WsSend w, Test test, VirtualUser user) throws Exception {
    WebSocket ws = socket(w, user);
    Map<String, Object> vars = user.vars();
    String text = null;
    byte[] binary = null;
    try {
      switch (w.message()) {
        case TextMessage t -> text = t.text().render(vars, user.random());
        case JsonMessage j ->
            text = HttpFlowScenario.render(j.template(), vars, user.random()).toString();
        case BinaryMessage b ->
            binary = Base64.getDecoder().decode(b.base64().render(vars, user.random()));
      }
    } catch (Template.UnknownVariableException e) {
      throw new IterationFailure("step '" + w.description() + "': " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new IterationFailure(
          "step '" + w.description() + "': binary is not base64: " + e.getMessage());
    }
    String sendText = text;
    byte[] sendBinary = binary;
    try {
      test.record(
          () -> {
            if (sendText != null) {
              ws.sendText(sendText);
            } else {
              ws.sendBinary(sendBinary);
            }
          });
    } catch (HttpFailure e) {
      throw failure(e, w, forgetIfEnded(ws, w.connection(), vars));
    }
  }

  void receive(WsReceive w, Test test, VirtualUser user) throws Exception {
    WebSocket ws = socket(w, user);
    Map<String, Object> vars = user.vars();
    long timeout = (w.timeout() != null ? w.timeout() : flow.client().timeout()).toNanos();
    String[] failure = new String[1];
    try {
      test.record(
          () -> {
            WebSocketMessage m = awaitMatch(ws, w, user, timeout);
            String problem = extract(w, m, vars);
            if (problem != null) {
              Grindstone.statistics().getForCurrentTest().setSuccess(false);
              failure[0] = problem;
            }
            return m;
          });
    } catch (HttpFailure e) {
      String closed = forgetIfEnded(ws, w.connection(), vars);
      if (e.kind() == FailureKind.READ_TIMEOUT) {
        throw new IterationFailure(
            "WebSocket READ_TIMEOUT in '"
                + w.description()
                + "': no message"
                + (w.checks().isEmpty() ? "" : " matching " + names(w.checks()))
                + " within "
                + TimeUnit.NANOSECONDS.toMillis(timeout)
                + " ms",
            e);
      }
      throw failure(e, w, closed);
    }
    if (failure[0] != null) {
      throw new IterationFailure(failure[0]);
    }
  }

  void close(WsClose w, Test test, VirtualUser user) throws Exception {
    WebSocket ws = socket(w, user);
    user.vars().remove(PREFIX + w.connection());
    try {
      test.record(() -> ws.close(w.code(), w.reason()));
    } catch (HttpFailure e) {
      throw failure(e, w, null);
    }
  }

  /** Closes the user's WebSockets that are still open (after its last iteration). */
  void closeAll(VirtualUser user) {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, Object> e : user.vars().entrySet()) {
      if (e.getKey().startsWith(PREFIX) && e.getValue() instanceof WebSocket) {
        names.add(e.getKey());
      }
    }
    for (String name : names) {
      ((WebSocket) user.vars().remove(name)).close();
    }
  }

  /**
   * The first message that passes every check, skipping the others, within {@code timeoutNanos}.
   */
  private static WebSocketMessage awaitMatch(
      WebSocket ws, WsReceive w, VirtualUser user, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw new HttpFailure(FailureKind.READ_TIMEOUT, "no matching message in time", null, null);
      }
      WebSocketMessage m = ws.receive(Duration.ofNanos(remaining));
      if (passes(m, w.checks(), user)) {
        return m;
      }
    }
  }

  private static boolean passes(WebSocketMessage m, List<MessageCheck> checks, VirtualUser user) {
    for (MessageCheck c : checks) {
      if (c.verify(m, user.vars(), user.random()) != null) {
        return false;
      }
    }
    return true;
  }

  /** Stores the extracted values in {@code vars}; null, or what could not be extracted. */
  private static String extract(WsReceive w, WebSocketMessage m, Map<String, Object> vars) {
    for (Extract e : w.extract().values()) {
      String value;
      if (e.jsonPointer() != null) {
        JsonNode root;
        try {
          root = m.json();
        } catch (IllegalStateException notJson) {
          root = null;
        }
        value = root == null ? null : HttpFlowScenario.extractJson(e, root);
      } else {
        value = HttpFlowScenario.extractText(e, m.text());
      }
      if (value == null) {
        return "extract '"
            + e.name()
            + "' in '"
            + w.description()
            + "': "
            + HttpFlowScenario.describe(e)
            + " found nothing in the message";
      }
      vars.put(e.name(), value);
    }
    return null;
  }

  private static WebSocket socket(Timed step, VirtualUser user) {
    String connection =
        switch (step) {
          case WsSend w -> w.connection();
          case WsReceive w -> w.connection();
          case WsClose w -> w.connection();
          default -> throw new IllegalArgumentException("not a step on an open WebSocket: " + step);
        };
    if (user.vars().get(PREFIX + connection) instanceof WebSocket ws) {
      return ws;
    }
    throw new IterationFailure(
        "step '"
            + step.description()
            + "': the WebSocket '"
            + connection
            + "' is not open (its ws_connect failed, or a ws_close closed it)");
  }

  /** Forgets a socket that has ended; returns how it ended ("1001 'going away'") or null. */
  private static String forgetIfEnded(WebSocket ws, String connection, Map<String, Object> vars) {
    WebSocket.CloseStatus s = ws.closeStatus();
    if (s == null) {
      return null;
    }
    vars.remove(PREFIX + connection);
    ws.close();
    return s.code() + (s.reason().isEmpty() ? "" : " '" + s.reason() + "'");
  }

  private static IterationFailure failure(HttpFailure e, Timed step, String closed) {
    return new IterationFailure(
        "WebSocket "
            + e.kind()
            + " in '"
            + step.description()
            + "'"
            + (closed == null ? "" : " (" + closed + ")"),
        e);
  }

  private static String names(List<MessageCheck> checks) {
    List<String> names = new ArrayList<>();
    for (MessageCheck c : checks) {
      names.add(c.name());
    }
    return "[" + String.join(", ", names) + "]";
  }
}
