package dev.grindstone.junit.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.Map;

/**
 * Text forms that pytest-monitor produces with Python's {@code str()}, {@code isoformat()} and
 * {@code json.dumps()}. Hashes and stored text must match byte for byte, so tools reading a {@code
 * .pymon} file (and a server deduplicating contexts by hash) treat JVM rows the same way. Stateless
 * and thread-safe.
 */
public final class Py {
  private Py() {}

  /** {@code datetime.isoformat()} of a naive local time: microseconds, left out when zero. */
  public static String isoformat(LocalDateTime t) {
    // Built by hand: called on the test thread for every test, where String.format costs
    // microseconds.
    StringBuilder sb = new StringBuilder(26);
    pad(sb, t.getYear(), 4).append('-');
    pad(sb, t.getMonthValue(), 2).append('-');
    pad(sb, t.getDayOfMonth(), 2).append('T');
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2);
    int micros = t.getNano() / 1000;
    if (micros != 0) pad(sb.append('.'), micros, 6);
    return sb.toString();
  }

  private static StringBuilder pad(StringBuilder sb, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) sb.append('0');
    return sb.append(digits);
  }

  /**
   * {@code repr(float)}: the shortest text that reads back to the same double (Java 19+ {@code
   * Double.toString} gives the same digits), laid out as Python does: positional notation from 1e-4
   * up to 1e16, scientific outside, always with a fractional part or exponent.
   */
  public static String floatRepr(double d) {
    if (Double.isNaN(d)) return "nan";
    if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
    BigDecimal exact = new BigDecimal(Double.toString(d));
    double abs = Math.abs(d);
    if (abs >= 1e-4 && abs < 1e16) {
      String plain = exact.stripTrailingZeros().toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    BigDecimal unscaled = exact.stripTrailingZeros();
    String digits = unscaled.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - unscaled.scale();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String sign = d < 0 ? "-" : "";
    String expSign = exponent < 0 ? "-" : "+";
    return sign + mantissa + "e" + expSign + String.format("%02d", Math.abs(exponent));
  }

  /**
   * {@code json.dumps(d)} of a flat string map: {@code ", "} and {@code ": "} separators, ASCII
   * only.
   */
  public static String jsonDumps(Map<String, String> map) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (!first) sb.append(", ");
      first = false;
      sb.append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
    }
    return sb.append('}').toString();
  }

  /** Python's json string escaping with ensure_ascii: lower-case {@code \\uXXXX} for the rest. */
  private static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Lower-case hex md5 of the UTF-8 bytes of the concatenated parts. */
  public static String md5(String... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      for (String p : parts) md.update(p.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides MD5", e);
    }
  }
}
