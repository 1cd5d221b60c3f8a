package dev.grindstone.http.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * A string with {@code ${name}} placeholders, parsed once. Names are the virtual user's variables
 * (extracted values, feeder columns, {@code variables:}), or the built-ins {@code ${uuid}}, {@code
 * ${user}} (the user's number), {@code ${iteration}} and {@code ${random(1,100)}}. An unknown name
 * is an error naming the template and the variable.
 */
final class Template {

  private sealed interface Part {}

  private record Literal(String text) implements Part {}

  private record Variable(String name) implements Part {}

  private record RandomInt(int min, int max) implements Part {}

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = parts;
  }

  /** Parses {@code text}; throws IllegalArgumentException on a malformed placeholder. */
  static Template parse(String text) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf("${", i);
      if (open < 0) {
        parts.add(new Literal(text.substring(i)));
        break;
      }
      if (open > i) {
        parts.add(new Literal(text.substring(i, open)));
      }
      int close = text.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("'" + text + "' has a '${' without its closing '}'");
      }
      String name = text.substring(open + 2, close).trim();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("'" + text + "' has an empty ${}");
      }
      if (name.startsWith("random(") && name.endsWith(")")) {
        String[] bounds = name.substring(7, name.length() - 1).split(",");
        try {
          int min = Integer.parseInt(bounds[0].trim());
          int max = Integer.parseInt(bounds[1].trim());
          if (bounds.length != 2 || max < min) {
            throw new NumberFormatException();
          }
          parts.add(new RandomInt(min, max));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              "'" + text + "': write ${random(MIN,MAX)} with whole numbers, MIN ≤ MAX");
        }
      } else {
        parts.add(new Variable(name));
      }
      i = close + 1;
    }
    return new Template(text, List.copyOf(parts));
  }

  /** True when the template is exactly one placeholder, so its value may keep its JSON type. */
  String soleVariable() {
    return parts.size() == 1 && parts.getFirst() instanceof Variable v ? v.name() : null;
  }

  boolean isConstant() {
    return parts.stream().allMatch(p -> p instanceof Literal);
  }

  String render(Map<String, Object> vars, RandomGenerator random) {
    if (parts.size() == 1 && parts.getFirst() instanceof Literal l) {
      return l.text();
    }
    StringBuilder b = new StringBuilder();
    for (Part p : parts) {
      switch (p) {
        case Literal l -> b.append(l.text());
        case RandomInt r -> b.append(r.min() + random.nextInt(r.max() - r.min() + 1));
        case Variable v -> b.append(String.valueOf(value(v.name(), vars)));
      }
    }
    return b.toString();
  }

  Object value(String name, Map<String, Object> vars) {
    Object v = vars.get(name);
    if (v != null) {
      return v;
    }
    if (name.equals("uuid")) {
      return UUID.randomUUID().toString();
    }
    throw new UnknownVariableException(
        "'"
            + source
            + "' uses ${"
            + name
            + "}, which this virtual user does not have"
            + " (known: "
            + String.join(
                ", ", vars.keySet().stream().filter(k -> !k.startsWith("__")).sorted().toList())
            + "); define it under variables:, in a feeder, or extract it in an earlier step");
  }

  @Override
  public String toString() {
    return source;
  }

  /** A placeholder with no value. */
  static final class UnknownVariableException extends RuntimeException {
    UnknownVariableException(String message) {
      super(message);
    }
  }
}
