package dev.grindstone.cli;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Agents as child JVMs of this process, on loopback: {@code grindstone demo --agents N} and the
 * tests of distributed runs. Each runs {@code grindstone agent} with this process's Java and class
 * path, its output in {@code <folder>/agent-<i>.log}. Closing ends those still running.
 */
final class LocalAgents implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();

  private LocalAgents() {}

  /**
   * Starts {@code n} agents of {@code server}, agent {@code i} with index {@code i}.
   *
   * @param jvmOptions options for every agent's JVM (e.g. a test-only clock skew)
   */
  static LocalAgents start(
      int n, URI server, String token, Path folder, List<List<String>> jvmOptions)
      throws IOException {
    Files.createDirectories(folder);
    LocalAgents agents = new LocalAgents();
    try {
      for (int i = 0; i < n; i++) {
        agents.add(
            i,
            server,
            token,
            folder,
            i < jvmOptions.size() ? jvmOptions.get(i) : List.of(),
            Integer.toString(i));
      }
    } catch (IOException | RuntimeException e) {
      agents.close();
      throw e;
    }
    return agents;
  }

  /** Starts one more agent with {@code index} (a replacement, say), named {@code local-<label>}. */
  Process add(
      int index, URI server, String token, Path folder, List<String> jvmOptions, String label)
      throws IOException {
    return add(List.of(), index, server, token, folder, jvmOptions, label);
  }

  /**
   * Starts one more agent as {@link #add(int, URI, String, Path, List, String)} does, its Java
   * command run by {@code launcher} ({@code ip netns exec NS} puts it in a network namespace).
   */
  Process add(
      List<String> launcher,
      int index,
      URI server,
      String token,
      Path folder,
      List<String> jvmOptions,
      String label)
      throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith("grindstone.jar") && !classPath.contains(File.pathSeparator)) {
      cmd.add("-jar");
      cmd.add(classPath);
    } else {
      cmd.add("-cp");
      cmd.add(classPath);
      cmd.add(Main.class.getName());
    }
    cmd.addAll(
        List.of(
            "agent",
            "--server",
            server.toString(),
            "--index",
            Integer.toString(index),
            "--name",
            "local-" + label,
            "--out",
            folder.resolve("agent-" + label).toString(),
            "--wait",
            "10m",
            // One machine, one clock: a busy machine's slow round trips say nothing about the
            // offset.
            "--clock-tolerance",
            "1s"));
    if (token != null) {
      cmd.addAll(List.of("--token", token));
    }
    Path log = folder.resolve("agent-" + label + ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    logs.add(log);
    return p;
  }

  List<Process> processes() {
    return List.copyOf(processes);
  }

  List<Path> logs() {
    return List.copyOf(logs);
  }

  /** Waits up to {@code seconds} for every agent to end; true when they all did. */
  boolean await(long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (Process p : processes) {
      if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
