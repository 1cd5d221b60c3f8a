package dev.grindstone.stats.table;

import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * How every text output writes a figure: two decimals, rounded half-even from the double's exact
 * binary value, NaN as {@code -}. The summary and percentile tables, the phase lines, the threshold
 * lines and the live console all write through this one method, so one figure never reads 5.63 in
 * one place and 5.64 in another ({@code String.format("%.2f")} rounds the shortest decimal form
 * half-up instead, and 5635 µs read as ms, 5.6349999..., would print as 5.64 there but 5.63 here).
 * Thread-safe.
 */
public final class TwoDecimals {

  private static final ThreadLocal<DecimalFormat> FORMAT =
      ThreadLocal.withInitial(
          () -> {
            DecimalFormat f =
                new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(Locale.ROOT));
            f.setRoundingMode(RoundingMode.HALF_EVEN);
            return f;
          });

  private TwoDecimals() {}

  /** {@code 0.00}, or {@code -} for NaN. */
  public static String format(double value) {
    return Double.isNaN(value) ? "-" : FORMAT.get().format(value);
  }
}
