package dev.grindstone.server.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads typed fields from a JSON object and turns every mistake into an {@link ApiError} that names
 * the field (with its path, e.g. {@code tests[2].number}) and what was expected.
 *
 * <p>Every body passes the same gate ({@link #parse}): exactly one JSON value, within the parser's
 * limits ({@link Limits}), and no string (value or field name) that holds a NUL character or an
 * unpaired surrogate. PostgreSQL cannot store a NUL in text and a lone surrogate would be stored as
 * {@code ?}; rejecting both for every store keeps SQLite and PostgreSQL accepting the same input.
 */
public final class JsonBody {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long BACKSLASHES = 0x5c5c5c5c5c5c5c5cL;

  private final JsonNode node;
  private final String path;

  /** The body as posted, for {@link #postedText}; null when the values' spans are not known. */
  private final byte[] body;

  /** Where each top-level array or object value lies in {@link #body}: start and end offsets. */
  private final Map<String, int[]> spans;

  private JsonBody(JsonNode node, String path) {
    this(node, path, null, Map.of());
  }

  private JsonBody(JsonNode node, String path, byte[] body, Map<String, int[]> spans) {
    this.node = node;
    this.path = path;
    this.body = body;
    this.spans = spans;
  }

  /** The server's mapper: the parser limits of {@link Limits}. Thread-safe once built. */
  public static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(Limits.JSON_MAX_NESTING)
                    .maxNumberLength(Limits.JSON_MAX_NUMBER_LENGTH)
                    .maxNameLength(Limits.JSON_MAX_NAME_LENGTH)
                    .build())
            .build();
    return JsonMapper.builder(factory).build();
  }

  /**
   * Parses a request body that must be a JSON object, keeping where each of its top-level arrays
   * and objects lies in the body, so that {@link #postedText} can give one as posted.
   */
  public static JsonBody parseObject(ObjectMapper mapper, byte[] body) {
    JsonBody spanned = spanned(mapper, body);
    if (spanned != null) {
      return spanned;
    }
    JsonNode n = parse(mapper, body);
    if (!n.isObject()) {
      throw ApiError.badRequest(null, "the body must be a JSON object, got " + kind(n));
    }
    return new JsonBody(n, "");
  }

  /** Parses any JSON value; content after it (other than white space) is refused. */
  public static JsonNode parse(ObjectMapper mapper, byte[] body) {
    if (body.length == 0) {
      throw ApiError.badRequest(
          null, "the body is empty; send a JSON document with Content-Type: application/json");
    }
    JsonNode n;
    try (JsonParser p = mapper.createParser(body)) {
      n = mapper.readTree(p);
      if (n == null || n.isMissingNode()) {
        throw ApiError.badRequest(null, "the body is empty; send a JSON document");
      }
      if (p.nextToken() != null) {
        throw ApiError.badRequest(
            null,
            "unexpected content after the JSON value at "
                + where(p.currentTokenLocation())
                + "; send exactly one JSON document");
      }
    } catch (StreamConstraintsException e) {
      throw ApiError.badBody(beyondLimits(e));
    } catch (JsonParseException e) {
      throw ApiError.badRequest(
          null, "malformed JSON at " + where(e.getLocation()) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiError.badRequest(null, "malformed JSON at " + where(e.getLocation()));
    } catch (IOException e) {
      throw ApiError.badBody("the body could not be read as JSON");
    }
    if (!clean(n)) {
      checkStrings(n, ""); // names where: only now, not for every node of every body
    }
    return n;
  }

  /**
   * The object of a UTF-8 body, read a top-level field at a time with each field's value span
   * recorded; null for anything else (a body that is no object, or malformed, or not UTF-8, or that
   * names a field twice in some object), which {@link #parse} then reads and refuses as usual.
   * Field names must be unique here so that a value's text as posted means what its tree means to
   * every reader, whether the first or the last of a repeated name wins for it.
   */
  private static JsonBody spanned(ObjectMapper mapper, byte[] body) {
    boolean ascii = plainAscii(body);
    try (JsonParser p = mapper.createParser(body)) {
      if (!ascii) {
        p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      }
      if (p.nextToken() != JsonToken.START_OBJECT || p.currentTokenLocation().getByteOffset() < 0) {
        return null; // not an object, or a body in UTF-16 or UTF-32 (offsets in characters)
      }
      ObjectNode object = mapper.createObjectNode();
      Map<String, int[]> spans = new HashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken first = p.nextToken();
        long start = p.currentTokenLocation().getByteOffset();
        JsonNode value = ascii ? tree(p, body, mapper.getNodeFactory()) : mapper.readTree(p);
        if (value == null || object.replace(name, value) != null) {
          return null; // a name given twice
        }
        if (first == JsonToken.START_ARRAY || first == JsonToken.START_OBJECT) {
          // The value's last token is its closing bracket, one byte.
          long end = p.currentTokenLocation().getByteOffset() + 1;
          spans.put(name, new int[] {(int) start, (int) end});
        }
      }
      if (!p.hasToken(JsonToken.END_OBJECT) || p.nextToken() != null) {
        return null;
      }
      if (!ascii && !clean(object)) {
        return null; // the general path names the string at fault
      }
      return new JsonBody(object, "", body, spans);
    } catch (IOException | RuntimeException e) {
      return null; // the general path gives the error
    }
  }

  /**
   * The value at the parser's current token of a {@link #plainAscii} body, as {@link
   * ObjectMapper#readTree} makes it; null when some object in it names a field twice (or for a
   * number that is not a JSON double), which the general path then reads.
   *
   * <p>Why not {@code readTree}: a snapshot is mostly long strings (its histograms), which the
   * parser would decode into characters and then into a string. In such a body a string's text is
   * its bytes up to the next quote (no escape, no byte beyond ASCII), so it is taken from them in
   * one copy, and the parser, which then skips the string, still checks it.
   */
  private static JsonNode tree(JsonParser p, byte[] body, JsonNodeFactory nodes)
      throws IOException {
    JsonToken token = p.currentToken();
    if (token == null) {
      return null;
    }
    switch (token) {
      case START_OBJECT -> {
        ObjectNode o = nodes.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          JsonNode v = tree(p, body, nodes);
          if (v == null || o.replace(name, v) != null) {
            return null;
          }
        }
        return p.hasToken(JsonToken.END_OBJECT) ? o : null;
      }
      case START_ARRAY -> {
        ArrayNode a = nodes.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          JsonNode v = tree(p, body, nodes);
          if (v == null) {
            return null;
          }
          a.add(v);
        }
        return a;
      }
      case VALUE_STRING -> {
        int from = (int) p.currentTokenLocation().getByteOffset() + 1; // after the opening quote
        int to = from;
        while (body[to] != '"') {
          to++;
        }
        return nodes.textNode(new String(body, from, to - from, StandardCharsets.ISO_8859_1));
      }
      case VALUE_NUMBER_INT -> {
        return switch (p.getNumberType()) {
          case INT -> nodes.numberNode(p.getIntValue());
          case LONG -> nodes.numberNode(p.getLongValue());
          default -> nodes.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        // A double, as readTree makes it of JSON text (other types are left to readTree).
        JsonParser.NumberTypeFP type = p.getNumberTypeFP();
        return type == JsonParser.NumberTypeFP.UNKNOWN || type == JsonParser.NumberTypeFP.DOUBLE64
            ? nodes.numberNode(p.getDoubleValue())
            : null;
      }
      case VALUE_TRUE -> {
        return nodes.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return nodes.booleanNode(false);
      }
      case VALUE_NULL -> {
        return nodes.nullNode();
      }
      default -> {
        return null;
      }
    }
  }

  /**
   * True when every byte is ASCII other than NUL and none is a backslash: then no string of the
   * document can hold a NUL or a surrogate (neither raw, nor escaped), so it need not be walked.
   * Eight bytes at a time: a lane is non-ASCII when its high bit is set, NUL or a backslash when it
   * or its XOR with {@code '\\'} is zero, which the classic zero-byte test finds.
   */
  private static boolean plainAscii(byte[] body) {
    int i = 0;
    for (; i + Long.BYTES <= body.length; i += Long.BYTES) {
      long w = (long) LONGS.get(body, i);
      long slash = w ^ BACKSLASHES;
      if (((w | ((w - ONES) & ~w) | ((slash - ONES) & ~slash)) & HIGH_BITS) != 0) {
        return false;
      }
    }
    for (; i < body.length; i++) {
      if (body[i] <= 0 || body[i] == '\\') {
        return false;
      }
    }
    return true;
  }

  private static String where(JsonLocation at) {
    return at == null
        ? "an unknown position"
        : "line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** Jackson's message names its own classes; the client gets the limit in our terms. */
  private static String beyondLimits(StreamConstraintsException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("nesting depth")) {
      return "the JSON nests deeper than " + Limits.JSON_MAX_NESTING + " levels";
    }
    if (m.contains("Number value length")) {
      return "a JSON number is longer than " + Limits.JSON_MAX_NUMBER_LENGTH + " characters";
    }
    if (m.contains("Name length")) {
      return "a JSON field name is longer than " + Limits.JSON_MAX_NAME_LENGTH + " characters";
    }
    return "the JSON exceeds the parser's limits (nesting "
        + Limits.JSON_MAX_NESTING
        + ", numbers "
        + Limits.JSON_MAX_NUMBER_LENGTH
        + " characters, names "
        + Limits.JSON_MAX_NAME_LENGTH
        + " characters)";
  }

  /** Whether no string of the document, name or value, has what {@link #checkStrings} refuses. */
  private static boolean clean(JsonNode n) {
    if (n.isTextual()) {
      return badText(n.textValue()) == null;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        if (!clean(n.get(i))) {
          return false;
        }
      }
    } else if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (badText(e.getKey()) != null || !clean(e.getValue())) {
          return false;
        }
      }
    }
    return true;
  }

  /** Refuses NUL characters and unpaired surrogates anywhere in a document, names and values. */
  private static void checkStrings(JsonNode n, String path) {
    if (n.isTextual()) {
      String problem = badText(n.textValue());
      if (problem != null) {
        String p = path.isEmpty() ? "the body" : "'" + path + "'";
        throw ApiError.badRequest(path.isEmpty() ? null : path, p + " " + problem);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        checkStrings(n.get(i), path + "[" + i + "]");
      }
    } else if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String problem = badText(e.getKey());
        if (problem != null) {
          String where = path.isEmpty() ? "the body" : "'" + path + "'";
          throw ApiError.badRequest(
              path.isEmpty() ? null : path, "a field name in " + where + " " + problem);
        }
        checkStrings(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
      }
    }
  }

  /** Why a string cannot be stored as it is, or null when it can. */
  private static String badText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return "contains a NUL character (\\u0000) at index "
            + i
            + ", which cannot be stored; remove it";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return "contains an unpaired surrogate at index " + i + " (not valid Unicode)";
      }
      if (Character.isLowSurrogate(c)) {
        return "contains an unpaired surrogate at index " + i + " (not valid Unicode)";
      }
    }
    return null;
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

  /**
   * The JSON text of a field's value: as posted (spacing included) when it is a top-level array or
   * object of a body read by {@link #parseObject}, else written out from its tree; null when the
   * field is absent. Either text reads back as the same tree.
   */
  public String postedText(String field) {
    int[] span = spans.get(field);
    if (span != null) {
      return new String(body, span[0], span[1] - span[0], StandardCharsets.UTF_8);
    }
    JsonNode v = node.get(field);
    return v == null ? null : v.toString();
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
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be a string, got " + kind(v));
    }
    String s = v.textValue();
    if (s.length() > maxLength) {
      throw ApiError.badRequest(
          path(field),
          "'" + path(field) + "' is " + s.length() + " characters long; the limit is " + maxLength);
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

  /** A required number that must be 0 or more (times, usages, sizes). */
  public double nonNegative(String field) {
    return checkNonNegative(field, number(field));
  }

  /** An optional number that must be 0 or more when present. */
  public Double optNonNegative(String field) {
    Double d = optNumber(field);
    return d == null ? null : checkNonNegative(field, d);
  }

  private double checkNonNegative(String field, double d) {
    if (d < 0) {
      throw ApiError.badRequest(path(field), "'" + path(field) + "' must be 0 or more, got " + d);
    }
    return d;
  }

  private double checkNumber(String field, JsonNode v) {
    if (!v.isNumber()) {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be a number, got " + kind(v));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be a finite number, got " + v.asText());
    }
    return d;
  }

  /** A required integer of the full {@code long} range. */
  public long integer(String field) {
    return integer(field, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** A required integer from {@code min} to {@code max}. */
  public long integer(String field, long min, long max) {
    return checkInteger(field, required(field), min, max);
  }

  public long optInteger(String field, long dflt) {
    return optInteger(field, dflt, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** An optional integer from {@code min} to {@code max}; {@code dflt} when absent or null. */
  public long optInteger(String field, long dflt, long min, long max) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? dflt : checkInteger(field, v, min, max);
  }

  /** A required count: an integer from 0 to {@link Limits#MAX_COUNT}. */
  public long count(String field) {
    return integer(field, 0, Limits.MAX_COUNT);
  }

  /** An optional count; {@code dflt} when absent or null. */
  public long optCount(String field, long dflt) {
    return optInteger(field, dflt, 0, Limits.MAX_COUNT);
  }

  /**
   * An integer in range, never a different number: a value beyond {@code long} (or a fraction) is
   * refused, not rounded or wrapped. A JSON float with an integral value below 2^53 is taken.
   */
  private long checkInteger(String field, JsonNode v, long min, long max) {
    long x;
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      x = v.longValue();
    } else if (v.isFloatingPointNumber()
        && v.doubleValue() == Math.rint(v.doubleValue())
        && Math.abs(v.doubleValue()) <= Limits.MAX_COUNT) {
      x = (long) v.doubleValue();
    } else if (v.isNumber()) {
      throw ApiError.badRequest(
          path(field),
          "'"
              + path(field)
              + "' must be an integer from "
              + min
              + " to "
              + max
              + ", got "
              + v.asText());
    } else {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be an integer, got " + kind(v));
    }
    if (x < min || x > max) {
      throw ApiError.badRequest(
          path(field),
          "'" + path(field) + "' must be an integer from " + min + " to " + max + ", got " + x);
    }
    return x;
  }

  public boolean optBoolean(String field, boolean dflt) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be true or false, got " + kind(v));
    }
    return v.booleanValue();
  }

  public ObjectNode optObject(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be a JSON object, got " + kind(v));
    }
    return (ObjectNode) v;
  }

  public JsonNode optArray(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw ApiError.badRequest(
          path(field), "'" + path(field) + "' must be a JSON array, got " + kind(v));
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
