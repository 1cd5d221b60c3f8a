package dev.grindstone.server.pytestmonitor;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /metrics/}: one test's resource figures in a session and an execution context.
 *
 * @param totalTime wall seconds
 * @param userTime CPU seconds in user mode
 * @param kernelTime CPU seconds in kernel mode
 * @param cpuUsage (user + kernel) / wall
 * @param memUsage MiB: peak memory minus the session's baseline, so it may be below 0
 */
record MetricPost(
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
    double memUsage) {

  /**
   * Reads and checks a body.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static MetricPost parse(JsonBody b) {
    String session = Hashes.read(b, "session_h");
    String context = Hashes.read(b, "context_h");
    String start = b.text("item_start_time", 64);
    String path = b.text("item_path", 4096);
    String item = b.text("item", 2048);
    String variant = b.text("item_variant", 2048);
    String loc = b.text("item_fs_loc", 2048);
    String kind = b.text("kind", 64);
    String component = b.optText("component", 512, null);
    double total = b.nonNegative("total_time");
    double user = b.nonNegative("user_time");
    double kernel = b.nonNegative("kernel_time");
    double cpu = b.nonNegative("cpu_usage");
    // Peak memory minus the session's baseline: pytest-monitor sends values below 0, so they stay.
    double mem = b.number("mem_usage");
    return new MetricPost(
        session, context, start, path, item, variant, loc, kind, component, total, user, kernel,
        cpu, mem);
  }

  /** The row as the answer echoes it, in pytest-monitor's field order. */
  Map<String, Object> echo() {
    Map<String, Object> echo = new LinkedHashMap<>();
    echo.put("session_h", sessionH);
    echo.put("context_h", contextH);
    echo.put("item_start_time", itemStartTime);
    echo.put("item_path", itemPath);
    echo.put("item", item);
    echo.put("item_variant", itemVariant);
    echo.put("item_fs_loc", itemFsLoc);
    echo.put("kind", kind);
    echo.put("component", component);
    echo.put("total_time", totalTime);
    echo.put("user_time", userTime);
    echo.put("kernel_time", kernelTime);
    echo.put("cpu_usage", cpuUsage);
    echo.put("mem_usage", memUsage);
    return echo;
  }
}
