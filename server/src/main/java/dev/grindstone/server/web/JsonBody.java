package dev.grindstone.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads typed fields from a JSON object and turns every mistake into an {@link ApiError} that names
 * the field (with its path, e.g. {@code tests[2].number}) and what was expected.
 */
public final class JsonBody {
  private final JsonNode node;
  private final String path;

  private JsonBody(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** Parses a request body that must be a JSON object. */
  public static JsonBody parseObject(ObjectMapper mapper, byte[] body) {
    JsonNode n = parse(mapper, body);
    if (!n.isObject()) {
      throw ApiError.badRequest(null, "the body must be a JSON object, got " + kind(n));
    }
    return new JsonBody(n, "");
  }

  /** Parses any JSON value. */
  public static JsonNode parse(ObjectMapper mapper, byte[] body) {
    if (body.length == 0) {
      throw ApiError.badRequest(null, "the body is empty; send a JSON document with Content-Type: application/json");
    }
    try {
      JsonNode n = mapper.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw ApiError.badRequest(null, "the body is empty; send a JSON document");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(
          null,
          "malformed JSON at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw ApiError.badRequest(null, "unreadable body: " + e.getMessage());
    }
  }

  public static JsonBody of(JsonNode node, String path) {
    if (!node.isObject()) {
      throw ApiError.badRequest(path, "'" + path + "' must be a JSON object, got " + kind(node));
    }
    return new JsonBody(node, path);
  }

  public JsonNode node() {
    return node;
  }

  public String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  public boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  public JsonNode raw(String field) {
    return node.get(field);
  }

  private JsonNode required(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw ApiError.badRequest(path(field), "missing required field '" + path(field) + "'");
    }
    return v;
  }

  public String text(String field, int maxLength) {
    return checkText(field, required(field), maxLength);
  }

  /** A string field that may be absent or null (then {@code dflt}). */
  public String optText(String field, int maxLength, String dflt) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    return checkText(field, v, maxLength);
  }

  private String checkText(String field, JsonNode v, int maxLength) {
    if (!v.isTextual()) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be a string, got " + kind(v));
    }
    String s = v.textValue();
    if (s.length() > maxLength) {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' is " + s.length() + " characters long; the limit is " + maxLength);
    }
    return s;
  }

  public double number(String field) {
    return checkNumber(field, required(field));
  }

  /** A number field that may be absent or null (then {@code null}). */
  public Double optNumber(String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : checkNumber(field, v);
  }

  private double checkNumber(String field, JsonNode v) {
    if (!v.isNumber()) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be a number, got " + kind(v));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be a finite number");
    }
    return d;
  }

  public long integer(String field) {
    return checkInteger(field, required(field));
  }

  public long optInteger(String field, long dflt) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? dflt : checkInteger(field, v);
  }

  private long checkInteger(String field, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 9e15) {
        return (long) v.doubleValue();
      }
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be an integer, got " + kind(v));
    }
    return v.longValue();
  }

  public boolean optBoolean(String field, boolean dflt) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be true or false, got " + kind(v));
    }
    return v.booleanValue();
  }

  public ObjectNode optObject(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be a JSON object, got " + kind(v));
    }
    return (ObjectNode) v;
  }

  public JsonNode optArray(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be a JSON array, got " + kind(v));
    }
    return v;
  }

  public static String kind(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "a string";
    }
    if (v.isNumber()) {
      return "a number";
    }
    if (v.isBoolean()) {
      return "a boolean";
    }
    if (v.isArray()) {
      return "an array";
    }
    if (v.isObject()) {
      return "an object";
    }
    return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
