package dev.grindstone.junit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured test method or class: pytest-monitor's {@code TEST_METRICS} row plus what only the
 * JVM can tell (allocation, GC, outcome). Immutable.
 *
 * @param sessionH session hash
 * @param contextH execution context hash
 * @param itemStartTime naive local ISO-8601 start time
 * @param itemPath fully qualified class name (method rows) or package (class rows)
 * @param item method name (method rows) or class name without package (class rows)
 * @param itemVariant method name, plus {@code [invocation]} for parameterized and dynamic tests;
 *     empty for class rows
 * @param itemFsLoc source file relative to the source root, e.g. {@code com/acme/FooTest.java}
 * @param kind {@code function} or {@code module}
 * @param component the configured component ({@code ""} when none)
 * @param totalTime wall time in seconds
 * @param userTime user CPU seconds
 * @param kernelTime kernel CPU seconds
 * @param cpuUsage {@code (user + kernel) / total}; may exceed 1
 * @param memUsage peak resident memory during the test minus the session baseline, MiB
 * @param outcome {@code SUCCESSFUL}, {@code FAILED} or {@code ABORTED}
 * @param allocatedBytes bytes allocated by the test's thread (class rows: by all threads)
 * @param gcTime seconds spent in garbage collection during the test (all collectors)
 * @param gcCount garbage collections during the test
 * @param uniqueId the JUnit Platform unique id
 */
public record TestMetric(
    String sessionH,
    String contextH,
    String itemStartTime,
    String itemPath,
    String item,
    String itemVariant,
    String itemFsLoc,
    String kind,
    String component,
    double totalTime,
    double userTime,
    double kernelTime,
    double cpuUsage,
    double memUsage,
    String outcome,
    long allocatedBytes,
    double gcTime,
    long gcCount,
    String uniqueId) {

  /** The body of {@code POST /metrics/}, sent with the server's context hash. */
  public Map<String, Object> toJson(String serverContextH) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("session_h", sessionH);
    m.put("context_h", serverContextH);
    m.put("item_start_time", itemStartTime);
    m.put("item_path", itemPath);
    m.put("item", item);
    m.put("item_variant", itemVariant);
    m.put("item_fs_loc", itemFsLoc);
    m.put("kind", kind);
    m.put("component", component);
    m.put("total_time", totalTime);
    m.put("user_time", userTime);
    m.put("kernel_time", kernelTime);
    m.put("cpu_usage", cpuUsage);
    m.put("mem_usage", memUsage);
    return m;
  }
}
