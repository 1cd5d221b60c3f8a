package dev.grindstone.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KubeManifestsTest {
  private static final String SERVER = "http://grindstone-server:8080";

  /** Every option away from its default, PostgreSQL instead of a volume. */
  private static KubeManifests everyOption() {
    return KubeManifests.builder(12, "https://load.example.com:8443/grindstone")
        .image("registry.example.com/grindstone:0.1.0")
        .tokenSecret("load-token")
        .namespace("perf")
        .name("checkout")
        .store(new ServerStore.PostgresSecret("grindstone-db"))
        .deadline(Duration.ofMinutes(30))
        .ttl(Duration.ofMinutes(10))
        .agentCpu("1500m")
        .agentMemory("3Gi")
        .serverCpu("500m")
        .serverMemory("768Mi")
        .build();
  }

  /**
   * The golden file's text. Run with {@code -Dgolden.update=true} to rewrite the files from the
   * actual output after an intended change, then review the diff.
   */
  private static void assertGolden(String actual, String name) throws IOException {
    Path file = Path.of("src/test/resources/golden", name);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual);
    }
    assertThat(actual)
        .as("golden file " + file)
        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void defaults_match_the_golden_file() throws IOException {
    assertGolden(KubeManifests.builder(4, SERVER).build().yaml(), "defaults.yaml");
  }

  @Test
  void every_option_matches_the_golden_file() throws IOException {
    assertGolden(everyOption().yaml(), "every-option.yaml");
  }

  @Test
  void the_agents_part_alone_matches_the_golden_file() throws IOException {
    assertGolden(
        KubeManifests.builder(1, SERVER)
            .parts(EnumSet.of(KubeManifests.Part.AGENTS))
            .build()
            .yaml(),
        "one-agent.yaml");
  }

  @Test
  void the_yaml_reads_back_into_the_same_objects_with_no_unknown_field() {
    for (KubeManifests m : List.of(KubeManifests.builder(4, SERVER).build(), everyOption())) {
      // A field the model does not know would land in an object's additional properties, and the
      // objects would then differ from the ones generated.
      assertThat(Parsed.of(m.yaml()).objects()).isEqualTo(m.objects());
    }
  }

  @Test
  void only_generally_available_api_versions_are_used() {
    Map<String, String> versions =
        Parsed.of(KubeManifests.builder(4, SERVER).build().yaml()).objects().stream()
            .collect(Collectors.toMap(HasMetadata::getKind, HasMetadata::getApiVersion));
    assertThat(versions)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "PersistentVolumeClaim", "v1",
                "Service", "v1",
                "Deployment", "apps/v1",
                "Job", "batch/v1"));
  }

  @Test
  void the_agents_are_an_indexed_job_of_n_pods_each_retried_once_and_never_twice_at_once() {
    JobSpec spec =
        Parsed.of(KubeManifests.builder(7, SERVER).build().yaml()).one(Job.class).getSpec();
    assertThat(spec.getCompletionMode()).isEqualTo("Indexed");
    assertThat(spec.getCompletions()).isEqualTo(7);
    assertThat(spec.getParallelism()).isEqualTo(7);
    assertThat(spec.getBackoffLimitPerIndex()).isEqualTo(1);
    assertThat(spec.getMaxFailedIndexes()).isEqualTo(0);
    assertThat(spec.getPodReplacementPolicy()).isEqualTo("Failed");
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(3600L);
    assertThat(spec.getTtlSecondsAfterFinished()).isEqualTo(3600);
    // Kubernetes accepts a pod failure policy only with restartPolicy Never.
    assertThat(spec.getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getBackoffLimit())
        .as("per-index retries replace the shared backoff limit")
        .isNull();
  }

  @Test
  void a_bad_plan_fails_the_job_and_a_disruption_costs_no_attempt() {
    Job job = Parsed.of(KubeManifests.builder(3, SERVER).build().yaml()).one(Job.class);
    List<PodFailurePolicyRule> rules = job.getSpec().getPodFailurePolicy().getRules();
    assertThat(rules).hasSize(2);
    PodFailurePolicyRule badPlan = rules.get(0);
    assertThat(badPlan.getAction()).isEqualTo("FailJob");
    assertThat(badPlan.getOnExitCodes().getOperator()).isEqualTo("In");
    assertThat(badPlan.getOnExitCodes().getValues()).containsExactly(KubeManifests.EXIT_BAD_INPUT);
    assertThat(badPlan.getOnExitCodes().getContainerName())
        .as("the rule names the agent container")
        .isEqualTo(agent(job).getName());
    PodFailurePolicyRule disruption = rules.get(1);
    assertThat(disruption.getAction()).isEqualTo("Ignore");
    assertThat(disruption.getOnPodConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("DisruptionTarget");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }

  @Test
  void an_agent_gets_its_name_attempt_and_token_from_the_pod_and_dials_the_server() {
    Container agent = agent(Parsed.of(everyOption().yaml()).one(Job.class));
    assertThat(agent.getArgs())
        .containsExactly("agent", "--server", "https://load.example.com:8443/grindstone");
    assertThat(fieldRef(agent, "POD_NAME")).isEqualTo("metadata.name");
    assertThat(fieldRef(agent, "POD_UID")).isEqualTo("metadata.uid");
    EnvVar token = env(agent, "GRINDSTONE_TOKEN");
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("load-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    assertThat(agent.getImage()).isEqualTo("registry.example.com/grindstone:0.1.0");
  }

  @Test
  void each_pod_has_memory_requested_and_limited_and_a_heap_sized_from_the_limit() {
    Parsed p = Parsed.of(everyOption().yaml());
    Container agent = agent(p.one(Job.class));
    Container server = container(p.one(Deployment.class).getSpec().getTemplate().getSpec());
    assertThat(agent.getResources().getRequests())
        .containsEntry("cpu", new Quantity("1500m"))
        .containsEntry("memory", new Quantity("3Gi"));
    assertThat(agent.getResources().getLimits()).containsEntry("memory", new Quantity("3Gi"));
    assertThat(server.getResources().getRequests())
        .containsEntry("cpu", new Quantity("500m"))
        .containsEntry("memory", new Quantity("768Mi"));
    assertThat(server.getResources().getLimits()).containsEntry("memory", new Quantity("768Mi"));
    for (Container c : List.of(agent, server)) {
      assertThat(c.getResources().getLimits())
          .as("no CPU limit: throttling would show as latency")
          .doesNotContainKey("cpu");
      assertThat(env(c, "JDK_JAVA_OPTIONS").getValue()).contains("-XX:MaxRAMPercentage=");
    }
  }

  @Test
  void the_server_is_one_replica_replaced_not_rolled_with_probes_on_a_declared_port() {
    Deployment d = Parsed.of(KubeManifests.builder(4, SERVER).build().yaml()).one(Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    Container server = container(d.getSpec().getTemplate().getSpec());
    List<String> ports = server.getPorts().stream().map(ContainerPort::getName).toList();
    for (Probe probe :
        List.of(server.getReadinessProbe(), server.getLivenessProbe(), server.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(ports).contains(probe.getHttpGet().getPort().getStrVal());
    }
    assertThat(server.getArgs())
        .containsSubsequence("server", "--bind", "0.0.0.0", "--port", "8080");
  }

  @Test
  void the_service_selects_the_server_pods_and_targets_their_port() {
    Parsed p = Parsed.of(KubeManifests.builder(4, SERVER).build().yaml());
    Service s = p.one(Service.class);
    Deployment d = p.one(Deployment.class);
    assertThat(s.getMetadata().getName()).isEqualTo("grindstone-server");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(s.getSpec().getSelector());
    assertThat(s.getSpec().getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getPort()).isEqualTo(8080);
              assertThat(container(d.getSpec().getTemplate().getSpec()).getPorts())
                  .extracting(ContainerPort::getName)
                  .contains(port.getTargetPort().getStrVal());
            });
  }

  @Test
  void sqlite_lives_on_the_claim_the_deployment_mounts() {
    Parsed p =
        Parsed.of(
            KubeManifests.builder(4, SERVER)
                .store(new ServerStore.SqliteVolume("20Gi"))
                .build()
                .yaml());
    PersistentVolumeClaim claim = p.one(PersistentVolumeClaim.class);
    assertThat(claim.getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("20Gi"));
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    PodSpec pod = p.one(Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName())
                    .isEqualTo(claim.getMetadata().getName()));
    Container server = container(pod);
    assertThat(server.getVolumeMounts())
        .singleElement()
        .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/data"));
    assertThat(server.getArgs()).containsSubsequence("--db", "jdbc:sqlite:/data/grindstone.db");
    assertThat(pod.getSecurityContext().getFsGroup())
        .as("the volume is writable by the image's user")
        .isEqualTo(KubeManifests.USER_ID);
  }

  @Test
  void postgres_comes_from_its_secret_and_needs_no_claim() {
    Parsed p = Parsed.of(everyOption().yaml());
    assertThat(p.all(PersistentVolumeClaim.class)).isEmpty();
    Container server = container(p.one(Deployment.class).getSpec().getTemplate().getSpec());
    assertThat(server.getArgs()).containsSubsequence("--db", "$(GRINDSTONE_DB)");
    EnvVar db = env(server, "GRINDSTONE_DB");
    assertThat(db.getValueFrom().getSecretKeyRef().getName()).isEqualTo("grindstone-db");
    assertThat(db.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("url");
  }

  @Test
  void every_variable_an_argument_names_is_set_in_its_container() {
    Pattern reference = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    for (KubeManifests m : List.of(KubeManifests.builder(4, SERVER).build(), everyOption())) {
      Parsed p = Parsed.of(m.yaml());
      for (Container c :
          List.of(
              agent(p.one(Job.class)),
              container(p.one(Deployment.class).getSpec().getTemplate().getSpec()))) {
        for (String arg : c.getArgs()) {
          Matcher r = reference.matcher(arg);
          while (r.find()) {
            assertThat(c.getEnv())
                .as("%s's argument %s", c.getName(), arg)
                .extracting(EnvVar::getName)
                .contains(r.group(1));
          }
        }
      }
    }
  }

  @Test
  void a_dollar_in_the_server_url_is_escaped_from_kubernetes_expansion() {
    Container agent =
        agent(
            Parsed.of(KubeManifests.builder(1, "http://h:8080/a$(B)").build().yaml())
                .one(Job.class));
    assertThat(agent.getArgs()).containsExactly("agent", "--server", "http://h:8080/a$$(B)");
  }

  @Test
  void pods_run_as_the_images_non_root_user_without_privileges_api_token_or_service_links() {
    Parsed p = Parsed.of(KubeManifests.builder(4, SERVER).build().yaml());
    for (PodSpec pod :
        List.of(
            p.one(Job.class).getSpec().getTemplate().getSpec(),
            p.one(Deployment.class).getSpec().getTemplate().getSpec())) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(KubeManifests.USER_ID);
      assertThat(pod.getSecurityContext().getSeccompProfile().getType())
          .isEqualTo("RuntimeDefault");
      assertThat(pod.getAutomountServiceAccountToken()).isFalse();
      assertThat(pod.getEnableServiceLinks()).isFalse();
      Container c = container(pod);
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }
  }

  @Test
  void names_labels_and_namespace_follow_the_settings() {
    Parsed p = Parsed.of(everyOption().yaml());
    assertThat(p.objects())
        .extracting(o -> o.getMetadata().getName())
        .containsExactly("checkout-server", "checkout-server", "checkout-agents");
    assertThat(p.objects())
        .allSatisfy(
            o -> {
              assertThat(o.getMetadata().getNamespace()).isEqualTo("perf");
              assertThat(o.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/instance", "checkout");
            });
    assertThat(Parsed.of(KubeManifests.builder(4, SERVER).build().yaml()).objects())
        .allSatisfy(
            o ->
                assertThat(o.getMetadata().getNamespace())
                    .as("kubectl's current namespace")
                    .isNull());
  }

  @Test
  void parts_select_the_server_or_the_agents() {
    assertThat(
            KubeManifests.builder(2, SERVER)
                .parts(EnumSet.of(KubeManifests.Part.SERVER))
                .build()
                .objects())
        .extracting(HasMetadata::getKind)
        .containsExactly("PersistentVolumeClaim", "Service", "Deployment");
    assertThat(
            KubeManifests.builder(2, SERVER)
                .parts(EnumSet.of(KubeManifests.Part.AGENTS))
                .build()
                .objects())
        .extracting(HasMetadata::getKind)
        .containsExactly("Job");
  }

  @Test
  void every_string_is_quoted_so_yaml_1_1_readers_keep_it_a_string() {
    String yaml = everyOption().yaml();
    assertThat(yaml).contains("status: \"True\"").contains("cpu: \"1500m\"").contains("- \"8080\"");
  }

  private static Container agent(Job job) {
    return container(job.getSpec().getTemplate().getSpec());
  }

  private static Container container(PodSpec pod) {
    assertThat(pod.getContainers()).hasSize(1);
    return pod.getContainers().get(0);
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(c.getName() + " has no variable " + name + ": " + c.getEnv()));
  }

  private static String fieldRef(Container c, String name) {
    return env(c, name).getValueFrom().getFieldRef().getFieldPath();
  }
}
