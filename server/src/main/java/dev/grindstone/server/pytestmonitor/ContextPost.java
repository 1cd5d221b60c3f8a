package dev.grindstone.server.pytestmonitor;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;

/**
 * {@code POST /contexts/}: the machine and interpreter a session runs on, by its hash {@code h}.
 *
 * @param cpuFrequency MHz (pytest-monitor may send a float)
 * @param ramTotal MB ({@code ram_total}, or the misspelt {@code ram_tota} some clients send)
 */
record ContextPost(
    String h,
    long cpuCount,
    double cpuFrequency,
    String cpuType,
    String cpuVendor,
    long ramTotal,
    String machineNode,
    String machineType,
    String machineArch,
    String systemInfo,
    String pythonInfo) {

  /**
   * Reads and checks a body; the fields are read in this order, so the first mistake is the one
   * named.
   *
   * @throws ApiError 400 naming the field at fault
   */
  static ContextPost parse(JsonBody b) {
    String h = Hashes.read(b, "h");
    // pytest-monitor's own schema declares cpu_count int: the same range on every store.
    long cpuCount = b.integer("cpu_count", 0, Limits.MAX_INT);
    double cpuFreq = b.nonNegative("cpu_frequency");
    String cpuType = b.optText("cpu_type", 64, "");
    String cpuVendor = b.optText("cpu_vendor", 256, "");
    long ram;
    if (b.has("ram_total")) {
      ram = b.integer("ram_total", 0, Long.MAX_VALUE);
    } else if (b.has("ram_tota")) {
      ram = b.integer("ram_tota", 0, Long.MAX_VALUE);
    } else {
      throw ApiError.badRequest(
          "ram_total", "missing required field 'ram_total' (total RAM in MB)");
    }
    String node = b.text("machine_node", 512);
    String type = b.text("machine_type", 32);
    String arch = b.text("machine_arch", 16);
    String sys = b.text("system_info", 256);
    String py = b.text("python_info", 512);
    return new ContextPost(
        h, cpuCount, cpuFreq, cpuType, cpuVendor, ram, node, type, arch, sys, py);
  }
}
