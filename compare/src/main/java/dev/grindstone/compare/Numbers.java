package dev.grindstone.compare;

import java.util.Locale;

/** How figures are written in text, Markdown and rule messages: two decimals, as summary tables. */
final class Numbers {
  private Numbers() {}

  /** "12.35", or "-" for NaN. */
  static String fixed(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  /** "+12.35", "-0.50", "0.00". */
  static String signed(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    return v > 0 && !s.equals("0.00") ? "+" + s : s.equals("-0.00") ? "0.00" : s;
  }

  /** A figure with its unit: "5.20 ms", "1.50%", "200.00". */
  static String withUnit(double v, Metric m) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (m == Metric.COUNT) {
      return Long.toString((long) v);
    }
    return switch (m.unit()) {
      case "ms" -> fixed(v) + " ms";
      case "%" -> fixed(v) + "%";
      default -> fixed(v);
    };
  }

  /** A limit as the user would write it: "10", "0.5", "12.25" (no trailing zeros). */
  static String trim(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
