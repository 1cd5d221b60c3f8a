package dev.grindstone.cli;

import dev.grindstone.engine.config.ConfigReader;
import dev.grindstone.kube.KubeManifests;
import dev.grindstone.kube.ServerStore;
import dev.grindstone.stats.BadInputException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code grindstone kube ...}: running Grindstone on Kubernetes. */
@Command(
    name = "kube",
    mixinStandardHelpOptions = true,
    description = "Run the metrics server and load agents on Kubernetes.",
    subcommands = {KubeCommand.Manifests.class, CommandLine.HelpCommand.class})
final class KubeCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "manifests",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Prints the Kubernetes manifests (multi-document YAML) of the metrics server (a Deployment"
            + " of one replica, its Service, and a PersistentVolumeClaim for SQLite or a PostgreSQL"
            + " URL from a Secret) and of N load agents (an Indexed Job). Apply them with kubectl"
            + " apply -f.",
        "The server's write token is the key 'token' of the Secret --token-secret; create it first."
      })
  static final class Manifests implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--agents",
        paramLabel = "N",
        description = "Agents: the Job's pods, one per shard (needed unless --only server).")
    Integer agents;

    @Option(
        names = "--server",
        paramLabel = "URL",
        description =
            "The server the agents dial. Default: the one these manifests deploy,"
                + " http://<name>-server:8080")
    String server;

    @Option(
        names = "--image",
        paramLabel = "IMAGE",
        defaultValue = KubeManifests.DEFAULT_IMAGE,
        description =
            "The image of server and agents (see the Dockerfile). Default: ${DEFAULT-VALUE}")
    String image;

    @Option(
        names = "--token-secret",
        paramLabel = "SECRET",
        defaultValue = KubeManifests.DEFAULT_TOKEN_SECRET,
        description =
            "The Secret whose key 'token' is the server's write token. Default: ${DEFAULT-VALUE}")
    String tokenSecret;

    @Option(
        names = "--namespace",
        paramLabel = "NS",
        description = "Namespace of every object. Default: kubectl's current one")
    String namespace;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        defaultValue = KubeManifests.DEFAULT_NAME,
        description =
            "Prefix of the objects' names (<name>-server, <name>-agents). Default:"
                + " ${DEFAULT-VALUE}")
    String name;

    @Option(
        names = "--postgres-secret",
        paramLabel = "SECRET",
        description =
            "Store in PostgreSQL, whose JDBC URL is the key 'url' of this Secret, instead of SQLite"
                + " on a volume.")
    String postgresSecret;

    @Option(
        names = "--storage",
        paramLabel = "SIZE",
        description =
            "Size of the SQLite volume (a quantity such as 10Gi). Default: "
                + KubeManifests.DEFAULT_STORAGE)
    String storage;

    @Option(
        names = "--deadline",
        paramLabel = "DURATION",
        defaultValue = "1h",
        description =
            "How long the agents' Job may run before Kubernetes stops it. Default:"
                + " ${DEFAULT-VALUE}")
    String deadline;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        defaultValue = "1h",
        description =
            "How long a finished Job and its pods' logs are kept (0: deleted at once). Default:"
                + " ${DEFAULT-VALUE}")
    String ttl;

    @Option(
        names = "--agent-cpu",
        paramLabel = "CPU",
        defaultValue = KubeManifests.DEFAULT_AGENT_CPU,
        description =
            "CPU requested per agent (no CPU limit: throttling would show as latency). Default:"
                + " ${DEFAULT-VALUE}")
    String agentCpu;

    @Option(
        names = "--agent-memory",
        paramLabel = "SIZE",
        defaultValue = KubeManifests.DEFAULT_AGENT_MEMORY,
        description =
            "Memory requested and limit per agent; the heap is 70% of it. Default:"
                + " ${DEFAULT-VALUE}")
    String agentMemory;

    @Option(
        names = "--server-cpu",
        paramLabel = "CPU",
        defaultValue = KubeManifests.DEFAULT_SERVER_CPU,
        description = "CPU requested by the server. Default: ${DEFAULT-VALUE}")
    String serverCpu;

    @Option(
        names = "--server-memory",
        paramLabel = "SIZE",
        defaultValue = KubeManifests.DEFAULT_SERVER_MEMORY,
        description =
            "Memory requested and limit of the server; the heap is 70% of it. Default:"
                + " ${DEFAULT-VALUE}")
    String serverMemory;

    @Option(
        names = "--only",
        paramLabel = "PART",
        description =
            "Print only the 'server' objects or only the 'agents' Job (to start a Job per run)."
                + " Default: both")
    String only;

    @Override
    public void run() {
      if (postgresSecret != null && storage != null) {
        throw new BadInputException(
            "--postgres-secret and --storage exclude each other: the server stores"
                + " either in PostgreSQL or in SQLite on a volume of --storage");
      }
      KubeManifests.Builder b =
          KubeManifests.builder()
              .image(image)
              .tokenSecret(tokenSecret)
              .namespace(namespace)
              .name(name)
              .store(
                  postgresSecret != null
                      ? new ServerStore.PostgresSecret(postgresSecret)
                      : new ServerStore.SqliteVolume(
                          storage != null ? storage : KubeManifests.DEFAULT_STORAGE))
              .deadline(duration("--deadline", deadline))
              .ttl(duration("--ttl", ttl))
              .agentCpu(agentCpu)
              .agentMemory(agentMemory)
              .serverCpu(serverCpu)
              .serverMemory(serverMemory);
      if (agents != null) {
        b.agents(agents);
      }
      if (server != null) {
        b.server(server);
      }
      if (only != null) {
        b.parts(
            EnumSet.of(
                switch (only) {
                  case "server" -> KubeManifests.Part.SERVER;
                  case "agents" -> KubeManifests.Part.AGENTS;
                  default ->
                      throw new BadInputException(
                          "--only takes 'server' or 'agents', got '" + only + "'");
                }));
      }
      String yaml = b.build().yaml();
      PrintWriter out = spec.commandLine().getOut();
      out.print(yaml);
      out.flush();
    }

    private static Duration duration(String option, String text) {
      Duration d = ConfigReader.parseDuration(text);
      if (d == null) {
        throw new BadInputException(option + ": " + ConfigReader.whyNotDuration(text));
      }
      return d;
    }
  }
}
