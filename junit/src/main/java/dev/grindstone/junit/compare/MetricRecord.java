package dev.grindstone.junit.compare;

/**
 * One stored test measurement, as read back from a file or a server.
 *
 * @param kind {@code function} or {@code module}
 * @param itemPath class (or package for class rows)
 * @param item method (or class)
 * @param itemVariant method plus invocation, empty for class rows
 * @param totalTime wall seconds
 * @param userTime user CPU seconds
 * @param kernelTime kernel CPU seconds
 * @param memUsage MiB above the session baseline
 */
public record MetricRecord(
    String kind,
    String itemPath,
    String item,
    String itemVariant,
    double totalTime,
    double userTime,
    double kernelTime,
    double memUsage) {

  /** What identifies the same test across sessions. */
  public TestKey key() {
    return new TestKey(kind, itemPath, item, itemVariant);
  }

  /** CPU seconds, user plus kernel. */
  public double cpuTime() {
    return userTime + kernelTime;
  }

  /**
   * The identity of a test across sessions.
   *
   * @param kind {@code function} or {@code module}
   * @param itemPath class or package
   * @param item method or class
   * @param itemVariant method plus invocation, or empty
   */
  public record TestKey(String kind, String itemPath, String item, String itemVariant) {
    /** {@code com.acme.FooTest#bar[1]} for a method, {@code com.acme.FooTest} for a class. */
    public String display() {
      if (kind.equals("module")) return itemPath.isEmpty() ? item : itemPath + "." + item;
      String v = itemVariant.isEmpty() ? item : itemVariant;
      return itemPath.isEmpty() ? v : itemPath + "#" + v;
    }
  }
}
