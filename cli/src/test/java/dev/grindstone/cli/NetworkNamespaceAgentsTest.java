package dev.grindstone.cli;

import static dev.grindstone.cli.DistributedHarness.SMALL_JVM;
import static dev.grindstone.cli.DistributedHarness.mergedEqualsDataLogs;
import static dev.grindstone.cli.DistributedHarness.resultsFolder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.latency.Histograms;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents in a network namespace of their own, as on another machine: their only way out is a veth
 * pair to this one, where the metrics server listens on the pair's host-side address (not
 * loopback), so writes need its token. Skipped, with the reason, where {@code ip netns add} does
 * not work (it needs root or CAP_NET_ADMIN, and iproute2).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class NetworkNamespaceAgentsTest {
  private static final String TOKEN = "netns-" + HexFormat.of().toHexDigits(random64());

  /** Unique per run of this class: runs on one machine at once must not collide. */
  private static final String ID = HexFormat.of().toHexDigits(random64()).substring(0, 8);

  private static final String NAMESPACE = "grindstone-" + ID;
  private static final String HOST_END = "gs" + ID + "h"; // interface names: 15 characters at most
  private static final String NAMESPACE_END = "gs" + ID + "n";

  /** A /30 of 10.213.0.0/16 picked at random: .1 on this side, .2 in the namespace. */
  private static final int SUBNET = ThreadLocalRandom.current().nextInt(1 << 14) << 2;

  private static final String HOST_ADDRESS = address(SUBNET + 1);
  private static final String NAMESPACE_ADDRESS = address(SUBNET + 2);

  /** Why namespaces cannot be tested here, or null. */
  private static String unavailable;

  private static boolean namespaceAdded;
  private static boolean pairAdded;
  private static Thread cleanupOnExit;

  @TempDir Path dir;
  MetricsServer server;
  URI url;

  @BeforeAll
  static void namespace() throws Exception {
    Ip add;
    try {
      add = ip("netns", "add", NAMESPACE);
    } catch (IOException e) {
      add = new Ip(-1, e.getMessage());
    }
    if (add.code() != 0) {
      // Each test is skipped with this reason: a class-level skip would not be reported.
      unavailable =
          "agents in network namespaces not tested: 'ip netns add "
              + NAMESPACE
              + "' failed here (it needs iproute2 and root or CAP_NET_ADMIN): "
              + add.output().strip();
      return;
    }
    namespaceAdded = true;
    // A test JVM ended from outside skips @AfterAll: this hook still removes what was added.
    cleanupOnExit = new Thread(NetworkNamespaceAgentsTest::removeNamespace);
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    try {
      must("link", "add", HOST_END, "type", "veth", "peer", "name", NAMESPACE_END);
      pairAdded = true;
      must("link", "set", NAMESPACE_END, "netns", NAMESPACE);
      must("addr", "add", HOST_ADDRESS + "/30", "dev", HOST_END);
      must("link", "set", HOST_END, "up");
      mustInside("link", "set", "lo", "up");
      mustInside("addr", "add", NAMESPACE_ADDRESS + "/30", "dev", NAMESPACE_END);
      mustInside("link", "set", NAMESPACE_END, "up");
    } catch (AssertionError | IOException e) {
      // A sandbox may allow namespaces but not veth pairs: that too is the machine forbidding it.
      unavailable =
          "agents in network namespaces not tested: a namespace was made, but its veth pair could"
              + " not be set up here: "
              + e.getMessage().strip();
    }
  }

  @AfterAll
  static void removeNamespace() {
    synchronized (NetworkNamespaceAgentsTest.class) {
      try {
        if (pairAdded) {
          ip("link", "del", HOST_END); // its peer goes with it, wherever it is
          pairAdded = false;
        }
        if (namespaceAdded) {
          Ip del = ip("netns", "del", NAMESPACE);
          namespaceAdded = del.code() != 0;
          assertThat(del.code()).as("ip netns del %s: %s", NAMESPACE, del.output()).isZero();
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("could not remove network namespace " + NAMESPACE, e);
      }
      if (cleanupOnExit != null && Thread.currentThread() != cleanupOnExit) {
        Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        cleanupOnExit = null;
      }
    }
  }

  @BeforeEach
  void start() {
    assumeTrue(unavailable == null, unavailable);
    server =
        MetricsServer.builder()
            .bind(HOST_ADDRESS)
            .port(0)
            .token(TOKEN)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("s.db"))
            .start();
    url = URI.create(server.url());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void agents_in_a_network_namespace_reach_the_server_over_a_veth_pair_and_merge_exactly()
      throws Exception {
    assertThat(url.getHost()).isEqualTo(HOST_ADDRESS);
    Path file =
        DistributedHarness.plan(
            dir,
            "netns",
            "{agents: 2, lead: 1s}",
            """
              - {name: hold, duration: 2s, users: 4}
              - {name: open, duration: 1s, rate: 100, max_users: 10}
            """);
    Path out = dir.resolve("netns-out");
    Path folder = dir.resolve("netns-agents");
    CliRunner.Result r;
    try (LocalAgents agents = LocalAgents.start(0, url, TOKEN, folder, List.of())) {
      for (int i = 0; i < 2; i++) {
        agents.add(inNamespace(), i, url, TOKEN, folder, SMALL_JVM, Integer.toString(i));
      }
      r =
          DistributedHarness.controller(
              agents,
              "run",
              file.toString(),
              "--server",
              url.toString(),
              "--token",
              TOKEN,
              "--out",
              out.toString());
      assertThat(agents.await(30)).as("the agents end with their run").isTrue();
      for (int i = 0; i < 2; i++) {
        assertThat(agents.processes().get(i).exitValue())
            .as(DistributedHarness.logs(agents))
            .isZero();
        assertThat(Files.readString(agents.logs().get(i)))
            .contains("registered with " + url, "done:");
      }
    }
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("All 2 agents ready", "All thresholds passed")
        .doesNotContain("snapshots on the server hold");

    Histogram all = Histograms.newHistogram();
    JsonNode json =
        mergedEqualsDataLogs(resultsFolder(out), 2, all, new long[] {Long.MAX_VALUE, 0});
    assertThat(json.get("totals").get("p99").asDouble())
        .isEqualTo(Histograms.percentileMillis(all, 99));
  }

  @Test
  void an_agent_in_a_network_namespace_without_the_servers_token_is_refused() throws Exception {
    Path folder = dir.resolve("refused-agents");
    try (LocalAgents agents = LocalAgents.start(0, url, null, folder, List.of())) {
      Process none = agents.add(inNamespace(), 0, url, null, folder, SMALL_JVM, "no-token");
      Process wrong =
          agents.add(inNamespace(), 1, url, TOKEN + "-wrong", folder, SMALL_JVM, "wrong-token");
      assertThat(agents.await(60)).as(DistributedHarness.logs(agents)).isTrue();
      String noToken = Files.readString(folder.resolve("agent-no-token.log"));
      assertThat(none.exitValue()).as(noToken).isEqualTo(Main.EXIT_BAD_INPUT);
      assertThat(noToken).contains("writes need 'Authorization: Bearer <token>'");
      String wrongToken = Files.readString(folder.resolve("agent-wrong-token.log"));
      assertThat(wrong.exitValue()).as(wrongToken).isEqualTo(Main.EXIT_BAD_INPUT);
      assertThat(wrongToken).contains("wrong token in the Authorization header");
    }
  }

  /** The launcher that runs an agent's JVM in the namespace. */
  private static List<String> inNamespace() {
    return List.of("ip", "netns", "exec", NAMESPACE);
  }

  private record Ip(int code, String output) {}

  /** Runs {@code ip} with {@code args}, bounded to 20 s. */
  private static Ip ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      return new Ip(-1, String.join(" ", cmd) + " did not end within 20 s");
    }
    return new Ip(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static void must(String... args) throws IOException, InterruptedException {
    Ip r = ip(args);
    assertThat(r.code()).as("ip %s: %s", String.join(" ", args), r.output()).isZero();
  }

  /** {@link #must} in the namespace. */
  private static void mustInside(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("netns", "exec", NAMESPACE, "ip"));
    all.addAll(List.of(args));
    must(all.toArray(String[]::new));
  }

  private static String address(int host) {
    return "10.213." + (host >>> 8) + "." + (host & 0xff);
  }

  private static long random64() {
    return ThreadLocalRandom.current().nextLong();
  }
}
