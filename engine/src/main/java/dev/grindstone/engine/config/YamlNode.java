package dev.grindstone.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML (or JSON) document as a tree that remembers where each value stood, so configuration
 * errors can name the file, line and column. Read-only once parsed.
 */
public sealed interface YamlNode {

  /** 1-based line of the value. */
  int line();

  /** 1-based column of the value. */
  int column();

  /** The dotted path of the value within the document, e.g. {@code phases[1].duration}. */
  String path();

  record Scalar(String text, JsonToken token, int line, int column, String path) implements YamlNode {
    public boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }
  }

  record Sequence(List<YamlNode> items, int line, int column, String path) implements YamlNode {}

  record Mapping(Map<String, YamlNode> fields, int line, int column, String path) implements YamlNode {
    public YamlNode get(String name) {
      return fields.get(name);
    }
  }

  /** Parses a document; a syntax error is reported with its position through {@code problems}. */
  static YamlNode parse(Reader reader, ConfigProblems problems) {
    try (JsonParser p = new YAMLFactory().createParser(reader)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        problems.add(1, 1, "", "the file is empty");
        return null;
      }
      return read(p, "");
    } catch (IOException e) {
      JsonLocation l = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getLocation() : null;
      String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      problems.add(l == null ? 1 : Math.max(1, l.getLineNr()), l == null ? 1 : Math.max(1, l.getColumnNr()), "",
          "not valid YAML: " + message);
      return null;
    }
  }

  private static YamlNode read(JsonParser p, String path) throws IOException {
    JsonLocation l = p.currentTokenLocation();
    int line = l.getLineNr();
    int col = l.getColumnNr();
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, YamlNode> fields = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        fields.put(name, read(p, path.isEmpty() ? name : path + "." + name));
      }
      return new Mapping(Collections.unmodifiableMap(fields), line, col, path);
    }
    if (t == JsonToken.START_ARRAY) {
      List<YamlNode> items = new ArrayList<>();
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        items.add(read(p, path + "[" + i++ + "]"));
      }
      return new Sequence(List.copyOf(items), line, col, path);
    }
    return new Scalar(t == JsonToken.VALUE_NULL ? null : p.getText(), t, line, col, path);
  }
}
