package dev.grindstone.http.load;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.http.WebSocketMessage;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A condition on a WebSocket message, for a {@code ws_receive} step: the step waits for the first
 * message that passes all its checks. Texts and JSON values may hold {@code ${...}} templates,
 * rendered with the virtual user's variables, so that a user can wait for its own message.
 * Immutable and thread-safe.
 */
public sealed interface MessageCheck {

  /** A short stable label such as {@code body contains 'hello'}. */
  String name();

  /** Null when {@code message} passes, else the reason it does not. */
  String verify(WebSocketMessage message, Map<String, Object> vars, RandomGenerator random);

  /** The message's text contains the rendered {@code text}. */
  record Contains(Template text) implements MessageCheck {
    public Contains {
      Objects.requireNonNull(text, "body_contains");
    }

    @Override
    public String name() {
      return "body contains '" + text + "'";
    }

    @Override
    public String verify(WebSocketMessage m, Map<String, Object> vars, RandomGenerator random) {
      String expected = text.render(vars, random);
      return m.text().contains(expected) ? null : "does not contain '" + expected + "'";
    }
  }

  /** The message's text contains a match of the regular expression. */
  record Matches(Pattern pattern) implements MessageCheck {
    @Override
    public String name() {
      return "body ~ /" + pattern + "/";
    }

    @Override
    public String verify(WebSocketMessage m, Map<String, Object> vars, RandomGenerator random) {
      return pattern.matcher(m.text()).find() ? null : "has no match of /" + pattern + "/";
    }
  }

  /**
   * The message is JSON and its value at {@code pointer} equals {@code expected} (a template: a
   * string that is exactly one placeholder keeps the variable's type), compared as {@link
   * Check#jsonPointer} compares.
   */
  record JsonEquals(String pointer, JsonPointer compiled, JsonNode expected)
      implements MessageCheck {
    @Override
    public String name() {
      return "json " + pointer + " == " + expected;
    }

    @Override
    public String verify(WebSocketMessage m, Map<String, Object> vars, RandomGenerator random) {
      JsonNode root;
      try {
        root = m.json();
      } catch (IllegalStateException notJson) {
        return "is not JSON";
      }
      JsonNode actual = root.at(compiled);
      if (actual.isMissingNode()) {
        return "has no value at " + pointer;
      }
      JsonNode want = HttpFlowScenario.render(expected, vars, random);
      return Check.JsonPointerEquals.sameJson(actual, want)
          ? null
          : "has " + actual + " at " + pointer + ", not " + want;
    }
  }
}
