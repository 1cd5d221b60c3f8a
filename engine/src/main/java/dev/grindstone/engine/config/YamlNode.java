package dev.grindstone.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

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

  record Scalar(String text, JsonToken token, int line, int column, String path)
      implements YamlNode {
    public boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }
  }

  record Sequence(List<YamlNode> items, int line, int column, String path) implements YamlNode {}

  record Mapping(Map<String, YamlNode> fields, int line, int column, String path)
      implements YamlNode {
    public YamlNode get(String name) {
      return fields.get(name);
    }
  }

  /**
   * Parses a document; a syntax error is reported with its position through {@code problems}, and
   * so is a key given twice in one mapping (YAML parsers keep the last silently), with both
   * positions.
   */
  static YamlNode parse(Reader reader, ConfigProblems problems) {
    try (JsonParser p = new YAMLFactory().createParser(reader)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        problems.add(1, 1, "", "the file is empty");
        return null;
      }
      return read(p, "", problems);
    } catch (IOException e) {
      // The scanner's own mark is where the problem is; Jackson's location is where its last token
      // ended, which can be lines earlier (a tab on line 4 was reported at the end of line 3).
      MarkedYAMLException marked = markedCause(e);
      if (marked != null && marked.getProblemMark() != null) {
        Mark m = marked.getProblemMark();
        problems.add(
            m.getLine() + 1,
            m.getColumn() + 1,
            "",
            "not valid YAML: "
                + marked.getProblem()
                + (marked.getContext() == null ? "" : " (" + marked.getContext() + ")"));
        return null;
      }
      JsonLocation l = e instanceof JsonProcessingException j ? j.getLocation() : null;
      String message =
          e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      problems.add(
          l == null ? 1 : Math.max(1, l.getLineNr()),
          l == null ? 1 : Math.max(1, l.getColumnNr()),
          "",
          "not valid YAML: " + message);
      return null;
    }
  }

  private static MarkedYAMLException markedCause(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof MarkedYAMLException m) {
        return m;
      }
    }
    return null;
  }

  private static YamlNode read(JsonParser p, String path, ConfigProblems problems)
      throws IOException {
    JsonLocation l = p.currentTokenLocation();
    int line = l.getLineNr();
    int col = l.getColumnNr();
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, YamlNode> fields = new LinkedHashMap<>();
      Map<String, JsonLocation> keys = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonLocation at = p.currentTokenLocation();
        String field = path.isEmpty() ? name : path + "." + name;
        JsonLocation first = keys.putIfAbsent(name, at);
        if (first != null) {
          problems.add(
              at.getLineNr(),
              at.getColumnNr(),
              field,
              "is given twice, at "
                  + first.getLineNr()
                  + ":"
                  + first.getColumnNr()
                  + " and at "
                  + at.getLineNr()
                  + ":"
                  + at.getColumnNr()
                  + "; keep one");
        }
        p.nextToken();
        YamlNode value = read(p, field, problems);
        fields.putIfAbsent(name, value);
      }
      return new Mapping(Collections.unmodifiableMap(fields), line, col, path);
    }
    if (t == JsonToken.START_ARRAY) {
      List<YamlNode> items = new ArrayList<>();
      int i = 0;
      while (p.nextToken() != JsonToken.END_ARRAY) {
        items.add(read(p, path + "[" + i++ + "]", problems));
      }
      return new Sequence(List.copyOf(items), line, col, path);
    }
    return new Scalar(t == JsonToken.VALUE_NULL ? null : p.getText(), t, line, col, path);
  }
}
