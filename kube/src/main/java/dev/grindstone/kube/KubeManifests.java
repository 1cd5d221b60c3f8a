package dev.grindstone.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Kubernetes objects that run Grindstone in a cluster, generated from code:
 *
 * <ul>
 *   <li>the metrics server: a Deployment of one replica ({@code <name>-server}), its Service
 *       ({@code <name>-server}, port {@value #PORT}) and, for SQLite, a PersistentVolumeClaim
 *       ({@code <name>-server-data}); or an external PostgreSQL whose URL a Secret holds;
 *   <li>the load agents: an Indexed Job ({@code <name>-agents}), one pod per shard, which
 *       Kubernetes schedules, retries once per index and never runs twice at once for an index.
 * </ul>
 *
 * <p>The contract with the agent that runs in the Job: Kubernetes sets {@code JOB_COMPLETION_INDEX}
 * (the shard); the pod's UID (the attempt) and name (the agent's default name) come through the
 * downward API as {@code POD_UID} and {@code POD_NAME}; the token is the key {@value #TOKEN_KEY} of
 * a Secret, given as {@code GRINDSTONE_TOKEN}. The agent exits 0 once done, {@value
 * #EXIT_BAD_INPUT} for a bad plan or bad input (the Job fails at once: another attempt would fail
 * alike), anything else for a failure worth one more attempt of that index. A pod evicted or
 * preempted (the {@code DisruptionTarget} condition) is replaced without using up that attempt.
 *
 * <p>Immutable and thread-safe; {@link Builder#build()} checks every setting and names every
 * problem at once.
 */
public final class KubeManifests {
  /** The key of the token in the token Secret. */
  public static final String TOKEN_KEY = "token";

  /** The key of the JDBC URL in the PostgreSQL Secret. */
  public static final String POSTGRES_URL_KEY = "url";

  /** The server's port, in the container and on the Service. */
  public static final int PORT = 8080;

  /** The user and group the containers run as: the image's own non-root user. */
  public static final long USER_ID = 10001;

  /** The agent's exit code for a bad plan or bad input, which fails the whole Job. */
  public static final int EXIT_BAD_INPUT = 2;

  /** The name of the agent container, which the pod failure policy's exit-code rule names. */
  public static final String AGENT_CONTAINER = "agent";

  /** The name of the server container. */
  public static final String SERVER_CONTAINER = "server";

  /** Kubernetes' limit on completions and parallelism of an Indexed Job with per-index retries. */
  public static final int MAX_AGENTS = 100_000;

  /**
   * The heap as a share of the container's memory limit; the rest is left to metaspace, thread
   * stacks, the code cache and Netty's direct buffers, so the kernel does not kill the JVM first.
   */
  public static final String JVM_HEAP_OPTION = "-XX:MaxRAMPercentage=70";

  public static final String DEFAULT_IMAGE = "grindstone:latest";
  public static final String DEFAULT_TOKEN_SECRET = "grindstone-token";
  public static final String DEFAULT_NAME = "grindstone";
  public static final String DEFAULT_STORAGE = "10Gi";
  public static final String DEFAULT_AGENT_CPU = "2";
  public static final String DEFAULT_AGENT_MEMORY = "2Gi";
  public static final String DEFAULT_SERVER_CPU = "1";
  public static final String DEFAULT_SERVER_MEMORY = "1Gi";

  /** The parts of the output: the server's objects, the agents' Job. */
  public enum Part {
    SERVER,
    AGENTS
  }

  private static final String HEALTH_PATH = "/healthz";
  // Every string quoted: a YAML 1.1 reader (as kubectl's) takes a bare "True", "on" or "10" for a
  // boolean or a number; the model's own annotations order the fields. Thread-safe once built.
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final String DATA_PATH = "/data";

  private final int agents;
  private final String server;
  private final String image;
  private final String tokenSecret;
  private final String namespace;
  private final String name;
  private final ServerStore store;
  private final Duration deadline;
  private final Duration ttl;
  private final String agentCpu;
  private final String agentMemory;
  private final String serverCpu;
  private final String serverMemory;
  private final Set<Part> parts;

  private KubeManifests(Builder b) {
    this.agents = b.agents == null ? 0 : b.agents;
    this.server = b.server != null ? b.server : "http://" + b.name + "-server:" + PORT;
    this.image = b.image;
    this.tokenSecret = b.tokenSecret;
    this.namespace = b.namespace;
    this.name = b.name;
    this.store = b.store;
    this.deadline = b.deadline;
    this.ttl = b.ttl;
    this.agentCpu = b.agentCpu;
    this.agentMemory = b.agentMemory;
    this.serverCpu = b.serverCpu;
    this.serverMemory = b.serverMemory;
    this.parts = EnumSet.copyOf(b.parts);
  }

  /**
   * Manifests of the server and of {@code agents} agents that dial {@code serverUrl}: the server
   * these manifests deploy ({@code http://<name>-server:8080}), or any other the pods can reach.
   */
  public static Builder builder(int agents, String serverUrl) {
    return new Builder().agents(agents).server(serverUrl);
  }

  /** Settings to set; {@link Builder#agents} is needed for the agents' Job. */
  public static Builder builder() {
    return new Builder();
  }

  /** The URL the agents dial. */
  public String serverUrl() {
    return server;
  }

  /** The server Deployment's and Service's name. */
  public String serverName() {
    return name + "-server";
  }

  /** The agents' Job name; its pods' host names are {@code <job name>-<index>}. */
  public String jobName() {
    return name + "-agents";
  }

  /**
   * The objects, new on each call, in the order to apply them: the claim, the Service and the
   * Deployment of the server, then the Job.
   */
  public List<HasMetadata> objects() {
    List<HasMetadata> out = new ArrayList<>();
    if (parts.contains(Part.SERVER)) {
      if (store instanceof ServerStore.SqliteVolume v) {
        out.add(
            new PersistentVolumeClaimBuilder()
                .withMetadata(meta(dataClaimName(), "server"))
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity(v.size()))
                .endResources()
                .endSpec()
                .build());
      }
      out.add(
          new ServiceBuilder()
              .withMetadata(meta(serverName(), "server"))
              .withNewSpec()
              .withType("ClusterIP")
              .withSelector(selector("server"))
              .addNewPort()
              .withName("http")
              .withPort(PORT)
              .withTargetPort(new IntOrString("http"))
              .withProtocol("TCP")
              .endPort()
              .endSpec()
              .build());
      out.add(
          new DeploymentBuilder()
              .withMetadata(meta(serverName(), "server"))
              .withNewSpec()
              .withReplicas(1)
              // One server at a time: SQLite has one writer and its volume one node; and the
              // coordinator's agents must never talk to two servers during a rollout.
              .withNewStrategy()
              .withType("Recreate")
              .endStrategy()
              .withNewSelector()
              .withMatchLabels(selector("server"))
              .endSelector()
              .withNewTemplate()
              .withMetadata(new ObjectMetaBuilder().withLabels(labels("server")).build())
              .withSpec(serverPod())
              .endTemplate()
              .endSpec()
              .build());
    }
    if (parts.contains(Part.AGENTS)) {
      out.add(
          new JobBuilder()
              .withMetadata(meta(jobName(), "agent"))
              .withNewSpec()
              .withCompletionMode("Indexed")
              .withCompletions(agents)
              .withParallelism(agents)
              // Each shard gets one more attempt of its own; a shard that fails twice fails the
              // run, since a load test missing a shard measures something else.
              .withBackoffLimitPerIndex(1)
              .withMaxFailedIndexes(0)
              // A replacement starts only once the pod it replaces is gone: never two attempts
              // of one shard putting load on the target at once.
              .withPodReplacementPolicy("Failed")
              .withNewPodFailurePolicy()
              .addNewRule()
              .withAction("FailJob")
              .withNewOnExitCodes()
              .withContainerName(AGENT_CONTAINER)
              .withOperator("In")
              .withValues(EXIT_BAD_INPUT)
              .endOnExitCodes()
              .endRule()
              .addNewRule()
              .withAction("Ignore")
              .addNewOnPodCondition()
              .withType("DisruptionTarget")
              .withStatus("True")
              .endOnPodCondition()
              .endRule()
              .endPodFailurePolicy()
              .withActiveDeadlineSeconds(deadline.getSeconds())
              .withTtlSecondsAfterFinished((int) ttl.getSeconds())
              .withNewTemplate()
              .withMetadata(new ObjectMetaBuilder().withLabels(labels("agent")).build())
              .withSpec(agentPod())
              .endTemplate()
              .endSpec()
              .build());
    }
    return out;
  }

  /** The objects as multi-document YAML, each document starting with {@code ---}. */
  public String yaml() {
    StringBuilder out = new StringBuilder();
    for (HasMetadata o : objects()) {
      out.append(YAML.writeValueAsString(o));
    }
    return out.toString();
  }

  private PodSpec serverPod() {
    List<String> args =
        new ArrayList<>(
            List.of(
                "server",
                "--bind",
                "0.0.0.0",
                "--port",
                Integer.toString(PORT),
                "--token",
                "$(GRINDSTONE_TOKEN)",
                "--db"));
    List<EnvVar> env = new ArrayList<>();
    env.add(secretEnv("GRINDSTONE_TOKEN", tokenSecret, TOKEN_KEY));
    PodSpecBuilder pod = pod();
    ContainerBuilder c = container(SERVER_CONTAINER);
    switch (store) {
      case ServerStore.SqliteVolume v -> {
        args.add("jdbc:sqlite:" + DATA_PATH + "/grindstone.db");
        c.addNewVolumeMount().withName("data").withMountPath(DATA_PATH).endVolumeMount();
        pod.addNewVolume()
            .withName("data")
            .withNewPersistentVolumeClaim()
            .withClaimName(dataClaimName())
            .endPersistentVolumeClaim()
            .endVolume();
      }
      case ServerStore.PostgresSecret p -> {
        args.add("$(GRINDSTONE_DB)");
        env.add(secretEnv("GRINDSTONE_DB", p.secretName(), POSTGRES_URL_KEY));
      }
    }
    env.add(heapEnv());
    c.withArgs(args)
        .addNewPort()
        .withName("http")
        .withContainerPort(PORT)
        .withProtocol("TCP")
        .endPort()
        .withEnv(env)
        .withResources(resources(serverCpu, serverMemory))
        // The first start migrates the store (Flyway) before the port opens: up to 5 minutes.
        .withStartupProbe(health(2, 2, 150))
        .withReadinessProbe(health(5, 2, 3))
        // Restarted after a minute without an answer, not after one slow moment.
        .withLivenessProbe(health(10, 5, 6));
    return pod.withContainers(c.build()).withRestartPolicy("Always").build();
  }

  private PodSpec agentPod() {
    Container c =
        container(AGENT_CONTAINER)
            // Kubernetes expands $(VAR) in arguments; a '$' of the URL stays itself as '$$'.
            .withArgs("agent", "--server", server.replace("$", "$$"))
            .withEnv(
                fieldEnv("POD_NAME", "metadata.name"),
                fieldEnv("POD_UID", "metadata.uid"),
                secretEnv("GRINDSTONE_TOKEN", tokenSecret, TOKEN_KEY),
                heapEnv())
            .withResources(resources(agentCpu, agentMemory))
            .build();
    return pod().withContainers(c).withRestartPolicy("Never").build();
  }

  /**
   * What both pods share: the image's non-root user (its group owns the data volume), the default
   * seccomp profile, no API token (neither talks to Kubernetes) and no service links (Kubernetes
   * would otherwise set variables such as GRINDSTONE_SERVER_PORT=tcp://... in every container).
   */
  private static PodSpecBuilder pod() {
    return new PodSpecBuilder()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(USER_ID)
        .withRunAsGroup(USER_ID)
        .withFsGroup(USER_ID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false);
  }

  /** What both containers share: the image, a non-root user without privileges. */
  private ContainerBuilder container(String containerName) {
    return new ContainerBuilder()
        .withName(containerName)
        .withImage(image)
        .withImagePullPolicy("IfNotPresent")
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext();
  }

  private ObjectMeta meta(String objectName, String component) {
    ObjectMetaBuilder m =
        new ObjectMetaBuilder().withName(objectName).withLabels(labels(component));
    if (namespace != null) {
      m.withNamespace(namespace);
    }
    return m.build();
  }

  private Map<String, String> labels(String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "grindstone");
    labels.putAll(selector(component));
    return labels;
  }

  private Map<String, String> selector(String component) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("app.kubernetes.io/instance", name);
    s.put("app.kubernetes.io/component", component);
    return s;
  }

  private String dataClaimName() {
    return name + "-server-data";
  }

  private static Probe health(int periodSeconds, int timeoutSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(HEALTH_PATH)
        .withPort(new IntOrString("http"))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  /**
   * CPU and memory requested, and a memory limit (the JVM sizes its heap from it). No CPU limit: a
   * throttled load generator stalls, and the stall would show as the target's latency.
   */
  private static ResourceRequirements resources(String cpu, String memory) {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(cpu))
        .addToRequests("memory", new Quantity(memory))
        .addToLimits("memory", new Quantity(memory))
        .build();
  }

  private static EnvVar heapEnv() {
    return new EnvVarBuilder().withName("JDK_JAVA_OPTIONS").withValue(JVM_HEAP_OPTION).build();
  }

  private static EnvVar fieldEnv(String variable, String fieldPath) {
    return new EnvVarBuilder()
        .withName(variable)
        .withNewValueFrom()
        .withNewFieldRef()
        .withFieldPath(fieldPath)
        .endFieldRef()
        .endValueFrom()
        .build();
  }

  private static EnvVar secretEnv(String variable, String secret, String key) {
    return new EnvVarBuilder()
        .withName(variable)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  /** Settings, checked by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private Integer agents;
    private String server;
    private String image = DEFAULT_IMAGE;
    private String tokenSecret = DEFAULT_TOKEN_SECRET;
    private String namespace;
    private String name = DEFAULT_NAME;
    private ServerStore store = new ServerStore.SqliteVolume(DEFAULT_STORAGE);
    private Duration deadline = Duration.ofHours(1);
    private Duration ttl = Duration.ofHours(1);
    private String agentCpu = DEFAULT_AGENT_CPU;
    private String agentMemory = DEFAULT_AGENT_MEMORY;
    private String serverCpu = DEFAULT_SERVER_CPU;
    private String serverMemory = DEFAULT_SERVER_MEMORY;
    private Set<Part> parts = EnumSet.allOf(Part.class);

    private Builder() {}

    /** How many agents the Job runs, one pod per shard: needed for the agents' Job. */
    public Builder agents(int agents) {
      this.agents = agents;
      return this;
    }

    /**
     * The URL the agents dial; by default the server these manifests deploy, {@code
     * http://<name>-server:8080} (the agents run in its namespace).
     */
    public Builder server(String url) {
      this.server = Objects.requireNonNull(url, "server");
      return this;
    }

    /**
     * The image that runs both server and agents; {@value KubeManifests#DEFAULT_IMAGE} by default.
     */
    public Builder image(String image) {
      this.image = Objects.requireNonNull(image, "image");
      return this;
    }

    /** The Secret whose key {@value KubeManifests#TOKEN_KEY} is the server's write token. */
    public Builder tokenSecret(String secret) {
      this.tokenSecret = Objects.requireNonNull(secret, "tokenSecret");
      return this;
    }

    /** The namespace of every object; none by default (kubectl's current one). */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** The prefix of every object's name and the {@code app.kubernetes.io/instance} label. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Where the server keeps its data; an SQLite volume of 10Gi by default. */
    public Builder store(ServerStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** How long the Job may run before Kubernetes stops every agent; 1 hour by default. */
    public Builder deadline(Duration deadline) {
      this.deadline = Objects.requireNonNull(deadline, "deadline");
      return this;
    }

    /** How long a finished Job (and its pods' logs) stays; 1 hour by default. */
    public Builder ttl(Duration ttl) {
      this.ttl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /** CPU requested per agent (a quantity: {@code 2}, {@code 1500m}); 2 by default. */
    public Builder agentCpu(String cpu) {
      this.agentCpu = Objects.requireNonNull(cpu, "agentCpu");
      return this;
    }

    /** Memory requested and the limit per agent; 2Gi by default. */
    public Builder agentMemory(String memory) {
      this.agentMemory = Objects.requireNonNull(memory, "agentMemory");
      return this;
    }

    /** CPU requested by the server; 1 by default. */
    public Builder serverCpu(String cpu) {
      this.serverCpu = Objects.requireNonNull(cpu, "serverCpu");
      return this;
    }

    /** Memory requested and the limit of the server; 1Gi by default. */
    public Builder serverMemory(String memory) {
      this.serverMemory = Objects.requireNonNull(memory, "serverMemory");
      return this;
    }

    /** Which objects to generate; all by default. */
    public Builder parts(Set<Part> parts) {
      if (parts.isEmpty()) {
        throw new IllegalArgumentException(
            "parts: name at least one of " + EnumSet.allOf(Part.class));
      }
      this.parts = EnumSet.copyOf(parts);
      return this;
    }

    /** Checks every setting. @throws IllegalArgumentException naming each problem found */
    public KubeManifests build() {
      Checks c = new Checks();
      boolean job = parts.contains(Part.AGENTS);
      if (job && agents == null) {
        c.add(
            "agents: the agents' Job needs their number (--agents N); or generate only the server's"
                + " objects (--only server)");
      } else if (job) {
        c.range("agents", agents, 1, MAX_AGENTS, "Kubernetes' limit for an Indexed Job");
      }
      if (server != null) {
        c.serverUrl("server", server);
      }
      c.image("image", image);
      c.dns1123Subdomain("token-secret", tokenSecret);
      if (namespace != null) {
        c.dns1123Label("namespace", namespace);
      }
      // The names derived from it are DNS labels of at most 63 characters: the Service's,
      // <name>-server, and an agent pod's host name, <name>-agents-<last index>.
      int lastIndex = job && agents != null ? Math.max(agents - 1, 0) : -1;
      String longest = lastIndex < 0 ? "-server" : "-agents-" + lastIndex;
      c.dns1035Label(
          "name",
          name,
          Checks.MAX_LABEL - longest.length(),
          (lastIndex < 0
                  ? "the Service name is '"
                  : "with " + agents + " agents a pod's host name is '")
              + name
              + longest
              + "', and DNS labels have at most 63");
      switch (store) {
        case ServerStore.SqliteVolume v -> c.quantity("storage", v.size(), "1Mi", "10Gi");
        case ServerStore.PostgresSecret p -> c.dns1123Subdomain("postgres-secret", p.secretName());
      }
      c.seconds("deadline", deadline, 1, Long.MAX_VALUE);
      c.seconds("ttl", ttl, 0, Integer.MAX_VALUE);
      c.quantity("agent-cpu", agentCpu, "10m", "2 or 1500m");
      c.quantity("agent-memory", agentMemory, "256Mi", "2Gi");
      c.quantity("server-cpu", serverCpu, "10m", "1 or 500m");
      c.quantity("server-memory", serverMemory, "256Mi", "1Gi");
      c.throwIfAny();
      return new KubeManifests(this);
    }
  }
}
