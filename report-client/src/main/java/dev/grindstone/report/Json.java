package dev.grindstone.report;

import dev.grindstone.stats.results.TestFigures;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/** The few lines of JSON writing the client needs, so it depends on the JDK (and stats) alone. */
final class Json {
  private Json() {}

  static String write(Object o) {
    StringBuilder sb = new StringBuilder(256);
    write(sb, o);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object o) {
    if (o == null) {
      sb.append("null");
    } else if (o instanceof String s) {
      string(sb, s);
    } else if (o instanceof Double d) {
      sb.append(Double.isFinite(d) ? d.toString() : "null");
    } else if (o instanceof Float f) {
      sb.append(Float.isFinite(f) ? f.toString() : "null");
    } else if (o instanceof Number || o instanceof Boolean) {
      sb.append(o);
    } else if (o instanceof TestFigures f) {
      write(sb, SnapshotPost.wire(f));
    } else if (o instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (o instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object x : c) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(sb, x);
      }
      sb.append(']');
    } else if (o instanceof Record r) {
      sb.append('{');
      boolean first = true;
      for (RecordComponent rc : r.getClass().getRecordComponents()) {
        Object v;
        try {
          v = rc.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        if (v == null) {
          continue;
        }
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, rc.getName());
        sb.append(':');
        write(sb, v);
      }
      sb.append('}');
    } else {
      string(sb, o.toString());
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
