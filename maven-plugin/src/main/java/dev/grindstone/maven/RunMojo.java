package dev.grindstone.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;
import org.apache.maven.toolchain.Toolchain;
import org.apache.maven.toolchain.ToolchainManager;

/**
 * Runs a load test: {@code grindstone run} in a forked JVM (the JDK of the build's toolchain, or
 * the one Maven runs on) whose class path is the project's test class path, so a scenario can call
 * the project's own code. Results go to {@code target/grindstone/<name>-<time>/}, the JUnit XML
 * report to {@code target/grindstone-reports/}. Failed thresholds and regressions do not stop the
 * build here, so that post-integration-test can stop the system under test; {@code
 * grindstone:check} fails the build in verify. A load test that cannot start (a scenario that does
 * not compile, a bad option) fails the build at once.
 */
@Mojo(
    name = "run",
    defaultPhase = LifecyclePhase.INTEGRATION_TEST,
    requiresDependencyResolution = ResolutionScope.TEST,
    threadSafe = true)
public final class RunMojo extends AbstractMojo {

  /** The main class of the forked JVM. */
  static final String MAIN = "dev.grindstone.cli.Main";

  /**
   * What to run: a scenario class on the test class path ({@code com.acme.load.Checkout}), or a
   * file relative to the project: a Java scenario ({@code src/test/load/Checkout.java}, compiled
   * against the test class path), a run file ({@code .yaml}) or The Grinder's {@code .properties}.
   */
  @Parameter(property = "grindstone.scenario", required = true)
  String scenario;

  /** Virtual users (replaces the scenario's phases with one). */
  @Parameter(property = "grindstone.users")
  Integer users;

  /** How long, e.g. {@code 30s}, {@code 5m} (replaces the scenario's phases with one). */
  @Parameter(property = "grindstone.duration")
  String duration;

  /** Open model: iterations started per second (replaces the scenario's phases with one). */
  @Parameter(property = "grindstone.rate")
  Double rate;

  /** Collection period, default 1s. */
  @Parameter(property = "grindstone.period")
  String period;

  /** The run's name (names the results folder). */
  @Parameter(property = "grindstone.name")
  String name;

  /** Pass/fail rules such as {@code p99<250ms}, {@code errors<1%}, {@code test 2: mean<50ms}. */
  @Parameter List<String> thresholds = new ArrayList<>();

  /** Metrics server to stream the run to (and to read a baseline run id from). */
  @Parameter(property = "grindstone.server")
  String server;

  /** Write token for a metrics server bound beyond loopback. */
  @Parameter(property = "grindstone.token")
  String token;

  /** The run to compare with at the end: a results folder, or a run id on the server. */
  @Parameter(property = "grindstone.baseline")
  String baseline;

  /** Regression when the mean rises by more than this: {@code 10%} of the baseline, or a time. */
  @Parameter String maxMeanIncrease;

  /** The same for p50. */
  @Parameter String maxP50Increase;

  /** The same for p90. */
  @Parameter String maxP90Increase;

  /** The same for p99. */
  @Parameter String maxP99Increase;

  /**
   * Regression when TPS falls by more than this: {@code 10%} of the baseline, or a number of TPS.
   */
  @Parameter String maxTpsDecrease;

  /**
   * Regression when the error rate rises by more than this many percentage points ({@code 0.5%}).
   */
  @Parameter String maxErrorRateIncrease;

  /** Significance level of the noise test (default 0.01). */
  @Parameter Double alpha;

  /** A change beyond a tolerance is a regression even when the noise test calls it noise. */
  @Parameter boolean ignoreNoise;

  /** For an HTTP run file: the base of relative URLs. */
  @Parameter(property = "grindstone.baseUrl")
  String baseUrl;

  /** For an HTTP run file: accept any TLS certificate. */
  @Parameter boolean insecure;

  /** Write data.csv (one row per call). */
  @Parameter(defaultValue = "true")
  boolean dataLog;

  /** Where results folders go. */
  @Parameter(defaultValue = "${project.build.directory}/grindstone")
  File resultsDirectory;

  /** Where the JUnit XML report goes ({@code TEST-grindstone-<name>.xml}). */
  @Parameter(defaultValue = "${project.build.directory}/grindstone-reports")
  File reportsDirectory;

  /**
   * Options of the forked JVM, split at spaces. The default is the {@code grindstone} launcher's.
   */
  @Parameter(
      property = "grindstone.argLine",
      defaultValue = "-XX:+UseZGC -XX:-ZProactive -XX:ZAllocationSpikeTolerance=1")
  String argLine;

  /** System properties of the forked JVM (for example the address of the system under test). */
  @Parameter Map<String, String> systemPropertyVariables = new LinkedHashMap<>();

  /** Environment variables of the forked JVM. */
  @Parameter Map<String, String> environmentVariables = new LinkedHashMap<>();

  /** Skips the load test (and grindstone:check). */
  @Parameter(property = "grindstone.skip")
  boolean skip;

  /** Skips the load test as Failsafe's {@code skipITs} skips integration tests. */
  @Parameter(property = "skipITs")
  boolean skipITs;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  MavenSession session;

  @Parameter(defaultValue = "${plugin.artifacts}", readonly = true, required = true)
  List<Artifact> pluginArtifacts;

  private final ToolchainManager toolchains;

  @Inject
  public RunMojo(ToolchainManager toolchains) {
    this.toolchains = toolchains;
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip || skipITs) {
      getLog().info("Load test skipped.");
      return;
    }
    Path out = resultsDirectory.toPath();
    Path junit = reportsDirectory.toPath().resolve("TEST-grindstone-" + reportName() + ".xml");
    List<String> command = new ArrayList<>();
    command.add(java());
    for (String option : argLine == null ? new String[0] : argLine.trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    systemPropertyVariables.forEach((k, v) -> command.add("-D" + k + "=" + (v == null ? "" : v)));
    try {
      Files.createDirectories(out);
      command.add("@" + ForkedJvm.classPathFile(out, classPath()));
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot prepare " + out + ": " + e.getMessage(), e);
    }
    command.add(MAIN);
    command.addAll(arguments(out, junit));
    Set<Path> before = folders(out);
    getLog().info("Load test: " + scenario + " (results in " + out + ")");
    ForkedJvm.Outcome outcome =
        ForkedJvm.run(command, project.getBasedir().toPath(), environmentVariables, getLog());
    Set<Path> created = folders(out);
    created.removeAll(before);
    switch (outcome.exitCode()) {
      case 0, ForkedJvm.EXIT_THRESHOLDS_FAILED, ForkedJvm.EXIT_REGRESSED -> {
        if (created.size() != 1) {
          throw new MojoExecutionException(
              "The load test ended but wrote "
                  + created.size()
                  + " results folders in "
                  + out
                  + "; expected one");
        }
        Path folder = created.iterator().next();
        BuildRuns.add(project, folder);
        if (outcome.exitCode() != 0) {
          getLog()
              .warn(
                  "Load test "
                      + folder.getFileName()
                      + ": "
                      + (outcome.exitCode() == ForkedJvm.EXIT_REGRESSED
                          ? "regressed against its baseline"
                          : "thresholds failed")
                      + "; grindstone:check fails the build in verify.");
        }
      }
      case ForkedJvm.EXIT_BAD_INPUT ->
          throw new MojoFailureException(
              "The load test could not start:\n" + outcome.errors().strip());
      default ->
          throw new MojoExecutionException(
              "The load test ended with exit code "
                  + outcome.exitCode()
                  + (outcome.errors().isBlank() ? "" : ":\n" + outcome.errors().strip()));
    }
  }

  /** The arguments of {@code grindstone run}, from this goal's configuration. */
  List<String> arguments(Path out, Path junit) {
    List<String> a = new ArrayList<>();
    a.add("run");
    a.add(target());
    a.add("--out");
    a.add(out.toString());
    a.add("--junit-xml");
    a.add(junit.toString());
    option(a, "--name", name);
    option(a, "--users", users);
    option(a, "--duration", duration);
    option(a, "--rate", rate);
    option(a, "--period", period);
    for (String t : thresholds) {
      option(a, "--threshold", t);
    }
    option(a, "--server", server);
    option(a, "--token", token);
    option(a, "--baseline", baseline);
    option(a, "--max-mean-increase", maxMeanIncrease);
    option(a, "--max-p50-increase", maxP50Increase);
    option(a, "--max-p90-increase", maxP90Increase);
    option(a, "--max-p99-increase", maxP99Increase);
    option(a, "--max-tps-decrease", maxTpsDecrease);
    option(a, "--max-error-rate-increase", maxErrorRateIncrease);
    option(a, "--alpha", alpha);
    if (ignoreNoise) {
      a.add("--ignore-noise");
    }
    option(a, "--base-url", baseUrl);
    if (insecure) {
      a.add("--insecure");
    }
    if (!dataLog) {
      a.add("--no-data-log");
    }
    return a;
  }

  private static void option(List<String> a, String name, Object value) {
    if (value != null && !value.toString().isBlank()) {
      a.add(name);
      a.add(value.toString().trim());
    }
  }

  /** A file given relative to the project becomes absolute; a class name stays as it is. */
  private String target() {
    if (isFile(scenario.trim())) {
      return project.getBasedir().toPath().resolve(scenario.trim()).normalize().toString();
    }
    return scenario.trim();
  }

  /** The run's name when given, else the scenario file's base name or the class's simple name. */
  private String reportName() {
    String base = name != null && !name.isBlank() ? name.trim() : scenario.trim();
    if (name == null || name.isBlank()) {
      String file = base.substring(Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\')) + 1);
      base =
          isFile(file)
              ? file.substring(0, file.lastIndexOf('.'))
              : file.substring(file.lastIndexOf('.') + 1);
    }
    return base.replaceAll("[^A-Za-z0-9._-]", "-");
  }

  private static boolean isFile(String target) {
    String lower = target.toLowerCase(Locale.ROOT);
    return lower.endsWith(".java")
        || lower.endsWith(".yaml")
        || lower.endsWith(".yml")
        || lower.endsWith(".properties");
  }

  /**
   * The project's test class path first (its classes and its versions of every library), then the
   * plugin's own run-time artifacts that the project does not already have.
   */
  List<String> classPath() throws MojoExecutionException {
    List<String> cp = new ArrayList<>();
    try {
      cp.addAll(project.getTestClasspathElements());
    } catch (DependencyResolutionRequiredException e) {
      throw new MojoExecutionException("The test class path is not resolved: " + e.getMessage(), e);
    }
    Set<String> present = new HashSet<>();
    for (Artifact a : project.getArtifacts()) {
      present.add(a.getGroupId() + ":" + a.getArtifactId());
    }
    for (Artifact a : pluginArtifacts) {
      if (a.getFile() != null
          && !a.getArtifactId().equals("grindstone-maven-plugin")
          && present.add(a.getGroupId() + ":" + a.getArtifactId())) {
        cp.add(a.getFile().getAbsolutePath());
      }
    }
    return cp;
  }

  /**
   * The toolchain's java when the build selected a JDK toolchain, otherwise the java Maven runs on.
   */
  private String java() {
    Toolchain tc =
        toolchains == null ? null : toolchains.getToolchainFromBuildContext("jdk", session);
    if (tc != null) {
      String java = tc.findTool("java");
      if (java != null) {
        getLog().info("Forked JVM from the toolchain: " + java);
        return java;
      }
    }
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Set<Path> folders(Path root) throws MojoExecutionException {
    Set<Path> set = new HashSet<>();
    if (!Files.isDirectory(root)) {
      return set;
    }
    try (Stream<Path> s = Files.list(root)) {
      s.filter(Files::isDirectory).forEach(set::add);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot list " + root + ": " + e.getMessage(), e);
    }
    return set;
  }
}
