package dev.grindstone.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.EnumSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubeManifestsValidationTest {
  private static final String SERVER = "http://grindstone-server:8080";

  private static void assertRefused(KubeManifests.Builder b, String... parts) {
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .contains(parts);
  }

  private static KubeManifests.Builder with(UnaryOperator<KubeManifests.Builder> change) {
    return change.apply(KubeManifests.builder(4, SERVER));
  }

  @Test
  void agents_must_be_between_one_and_kubernetes_limit() {
    assertRefused(KubeManifests.builder(0, SERVER), "agents", "1 to 100000", "got 0");
    assertRefused(KubeManifests.builder(100_001, SERVER), "agents", "got 100001");
    assertThat(KubeManifests.builder(100_000, SERVER).name("g").build().objects()).isNotEmpty();
  }

  @Test
  void the_agents_job_needs_the_number_of_agents_and_the_server_alone_does_not() {
    assertRefused(KubeManifests.builder(), "agents", "needs their number");
    assertThat(
            KubeManifests.builder().parts(EnumSet.of(KubeManifests.Part.SERVER)).build().objects())
        .extracting(HasMetadata::getKind)
        .containsExactly("PersistentVolumeClaim", "Service", "Deployment");
  }

  @Test
  void without_a_url_the_agents_dial_the_server_the_manifests_deploy() {
    assertThat(KubeManifests.builder().agents(2).name("load").build().serverUrl())
        .isEqualTo("http://load-server:8080");
  }

  @Test
  void the_server_alone_leaves_the_name_room_for_its_service_name() {
    String longest = "a".repeat(63 - "-server".length());
    KubeManifests.Builder server =
        KubeManifests.builder().parts(EnumSet.of(KubeManifests.Part.SERVER));
    assertThat(server.name(longest).build().serverName()).hasSize(63);
    assertRefused(server.name(longest + "b"), "name", "at most 56", "-server'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "grindstone-server:8080",
        "ftp://h/x",
        "http://",
        "http:///x",
        "http://h:8080/?a=1",
        "http://h#top",
        "http://user:pw@h:8080",
        "http://h x",
        ""
      })
  void the_server_url_must_be_http_with_a_host_and_nothing_else(String url) {
    assertRefused(KubeManifests.builder(4, url), "server", "'" + url + "'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://grindstone-server:8080",
        "https://load.example.com/grindstone",
        "http://10.0.0.7:80",
        "http://[fd00::1]:8080"
      })
  void a_url_of_the_server_the_pods_can_reach_is_taken(String url) {
    assertThat(KubeManifests.builder(1, url).build().objects()).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Grindstone", "1st", "-x", "x-", "a_b", "a.b", ""})
  void the_name_must_be_a_dns_1035_label(String name) {
    assertRefused(with(b -> b.name(name)), "name", "'" + name + "'", "DNS-1035");
  }

  @Test
  void the_name_must_leave_room_for_the_pods_host_names() {
    String longest =
        "a".repeat(63 - "-agents-".length() - 1); // 4 agents: the last index has one digit
    assertThat(with(b -> b.name(longest)).build().jobName()).hasSize(61);
    assertRefused(
        with(b -> b.name(longest + "b")), "name", "55 characters", "at most 54", "-agents-3");
    assertRefused(
        KubeManifests.builder(1000, SERVER).name(longest), "name", "at most 52", "-agents-999");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Perf",
        "perf_team",
        "perf.team",
        "-perf",
        "x234567890123456789012345678901234567890123456789012345678901234"
      })
  void the_namespace_must_be_a_dns_1123_label(String ns) {
    assertRefused(with(b -> b.namespace(ns)), "namespace", "DNS-1123 label");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Token", "token_1", "token.", ".token", "a b"})
  void secret_names_must_be_dns_1123_subdomains(String secret) {
    assertRefused(
        with(b -> b.tokenSecret(secret)), "token-secret", "'" + secret + "'", "DNS-1123 subdomain");
    assertRefused(
        with(b -> b.store(new ServerStore.PostgresSecret(secret))),
        "postgres-secret",
        "'" + secret + "'");
  }

  @Test
  void a_dotted_secret_name_is_taken() {
    assertThat(with(b -> b.tokenSecret("perf.grindstone-token")).build().objects()).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2GB", "2gi", "abc", " 2Gi", "2 Gi", "", "1.5.2"})
  void quantities_must_be_kubernetes_quantities(String q) {
    assertRefused(
        with(b -> b.agentMemory(q)),
        "agent-memory",
        "'" + q + "'",
        "not a Kubernetes quantity",
        "2Gi");
    assertRefused(with(b -> b.store(new ServerStore.SqliteVolume(q))), "storage", "'" + q + "'");
    assertRefused(with(b -> b.serverCpu(q)), "server-cpu", "'" + q + "'");
  }

  @Test
  void quantities_below_what_works_are_refused() {
    assertRefused(with(b -> b.agentMemory("128Mi")), "agent-memory", "'128Mi'", "256Mi");
    assertRefused(with(b -> b.serverMemory("-1Gi")), "server-memory", "'-1Gi'");
    assertRefused(with(b -> b.agentCpu("0")), "agent-cpu", "'0'", "10m");
    assertRefused(with(b -> b.store(new ServerStore.SqliteVolume("0"))), "storage", "'0'", "1Mi");
  }

  @Test
  void deadline_and_ttl_are_whole_seconds_in_range() {
    assertRefused(
        with(b -> b.deadline(Duration.ofMillis(1500))), "deadline", "whole seconds", "1500 ms");
    assertRefused(with(b -> b.deadline(Duration.ZERO)), "deadline", "got 0");
    assertRefused(with(b -> b.ttl(Duration.ofSeconds(-1))), "ttl", "got -1");
    assertRefused(with(b -> b.ttl(Duration.ofSeconds(1L << 31))), "ttl", "2147483647");
    assertThat(with(b -> b.ttl(Duration.ZERO)).build().objects()).isNotEmpty();
  }

  @Test
  void the_image_must_have_no_white_space() {
    assertRefused(with(b -> b.image("grindstone latest")), "image", "'grindstone latest'");
    assertRefused(with(b -> b.image("")), "image");
  }

  @Test
  void every_problem_is_named_at_once() {
    assertThatThrownBy(
            () -> KubeManifests.builder(0, "ftp://x").name("X").agentMemory("2GB").build())
        .hasMessageStartingWith("4 problems:")
        .hasMessageContaining("agents")
        .hasMessageContaining("server")
        .hasMessageContaining("name")
        .hasMessageContaining("agent-memory");
  }
}
