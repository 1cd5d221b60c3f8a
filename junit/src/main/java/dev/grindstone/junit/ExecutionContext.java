package dev.grindstone.junit;

import dev.grindstone.junit.internal.Py;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine and runtime a test session ran on, as pytest-monitor's {@code EXECUTION_CONTEXTS}
 * row. {@code pythonInfo} carries the JVM's description. Immutable.
 *
 * @param cpuCount logical processors
 * @param cpuFrequencyMhz mean current frequency in MHz, 0.0 when unknown
 * @param cpuType processor type (pytest-monitor's {@code platform.processor()}, usually empty)
 * @param cpuVendor processor model name
 * @param ramTotalMb total physical memory in MiB (whole number, rounded down)
 * @param machineNode fully qualified host name
 * @param machineType machine type as {@code uname -m} ({@code x86_64}, {@code aarch64})
 * @param machineArch {@code 64bit} or {@code 32bit}
 * @param systemInfo {@code "<system> - <release>"}, e.g. {@code Linux - 6.1.0}
 * @param pythonInfo the JVM's version, VM name and vendor
 */
public record ExecutionContext(
    int cpuCount,
    double cpuFrequencyMhz,
    String cpuType,
    String cpuVendor,
    long ramTotalMb,
    String machineNode,
    String machineType,
    String machineArch,
    String systemInfo,
    String pythonInfo) {

  /**
   * pytest-monitor's context hash: md5 of the concatenated text of every field but the vendor,
   * numbers written as Python writes them.
   */
  public String hash() {
    return Py.md5(
        Integer.toString(cpuCount),
        Py.floatRepr(cpuFrequencyMhz),
        cpuType,
        Long.toString(ramTotalMb),
        machineNode,
        machineType,
        machineArch,
        systemInfo,
        pythonInfo);
  }

  /** The body of {@code POST /contexts/}, field order as pytest-monitor sends it. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpu_count", cpuCount);
    m.put("cpu_frequency", cpuFrequencyMhz);
    m.put("cpu_type", cpuType);
    m.put("cpu_vendor", cpuVendor);
    m.put("ram_total", ramTotalMb);
    m.put("machine_node", machineNode);
    m.put("machine_type", machineType);
    m.put("machine_arch", machineArch);
    m.put("system_info", systemInfo);
    m.put("python_info", pythonInfo);
    m.put("h", hash());
    return m;
  }

  /** Reads this machine's context from {@code /proc} where present, else from the JVM. */
  public static ExecutionContext detect() {
    List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
    String vendor =
        cpuinfo.stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse(System.getProperty("os.arch", ""));
    double mhz =
        cpuinfo.stream()
            .filter(l -> l.startsWith("cpu MHz"))
            .mapToDouble(l -> parseOr(l.substring(l.indexOf(':') + 1).trim(), 0))
            .average()
            .orElse(0.0);
    return new ExecutionContext(
        Runtime.getRuntime().availableProcessors(),
        mhz,
        "",
        vendor,
        detectRamTotalMb(),
        hostName(),
        machineType(System.getProperty("os.arch", "")),
        System.getProperty("sun.arch.data.model", "64") + "bit",
        systemName(System.getProperty("os.name", ""))
            + " - "
            + System.getProperty("os.version", ""),
        jvmInfo());
  }

  static String jvmInfo() {
    return Runtime.version()
        + " ("
        + System.getProperty("java.vm.name", "")
        + " "
        + System.getProperty("java.vm.version", "")
        + ", "
        + System.getProperty("java.vm.info", "")
        + ") ["
        + System.getProperty("java.vendor", "")
        + "]";
  }

  static String machineType(String osArch) {
    return switch (osArch) {
      case "amd64" -> "x86_64";
      case "x86", "i386" -> "i686";
      default -> osArch;
    };
  }

  static String systemName(String osName) {
    if (osName.startsWith("Mac")) return "Darwin";
    if (osName.startsWith("Windows")) return "Windows";
    return osName;
  }

  private static long detectRamTotalMb() {
    // /proc/meminfo gives the host's memory as psutil does; the MXBean gives a container's limit.
    for (String l : lines(Path.of("/proc/meminfo"))) {
      if (l.startsWith("MemTotal:")) {
        String kb = l.substring("MemTotal:".length()).trim().split("\\s+")[0];
        return (long) parseOr(kb, 0) / 1024;
      }
    }
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024 * 1024);
    }
    return 0;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getCanonicalHostName();
    } catch (IOException e) {
      return System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
  }

  private static double parseOr(String s, double fallback) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
