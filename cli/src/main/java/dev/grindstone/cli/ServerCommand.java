package dev.grindstone.cli;

import dev.grindstone.server.MetricsServer;
import dev.grindstone.server.Secrets;
import dev.grindstone.stats.BadInputException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code grindstone server}: the metrics server and dashboard, until interrupted. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the metrics server: pytest-monitor's remote-server protocol (at / and /api/v1),",
      "load-test runs, LiveCheck reports and the dashboard at /. Stops on Ctrl-C."
    })
final class ServerCommand implements Runnable {

  @Option(names = "--port", defaultValue = "8080", description = "TCP port (0: any free port). Default: ${DEFAULT-VALUE}")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}")
  String bind;

  @Option(
      names = "--db",
      defaultValue = MetricsServer.DEFAULT_JDBC_URL,
      description = "JDBC URL: jdbc:sqlite:<file> or jdbc:postgresql://host:port/db?user=..&password=... Default: ${DEFAULT-VALUE}")
  String db;

  @Option(
      names = "--token",
      description = "Write token. Required beyond loopback; when absent there, a random one is generated and printed.")
  String token;

  @Override
  public void run() {
    String t = token;
    if (t == null && !isLoopback(bind)) {
      byte[] b = new byte[16];
      new SecureRandom().nextBytes(b);
      t = HexFormat.of().formatHex(b);
      System.out.println("Write token (send 'Authorization: Bearer " + t + "' or use the /t/" + t + " path prefix)");
    }
    MetricsServer server;
    try {
      server = MetricsServer.builder().port(port).bind(bind).jdbcUrl(db).token(t).start();
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    } catch (RuntimeException e) {
      // The message may quote the URL, and the URL may carry a password: both are redacted.
      throw new BadInputException("cannot start the server on " + bind + ":" + port + " with " + Secrets.redact(db) + ": "
          + Secrets.redact(rootMessage(e), db));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "grindstone-server-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isLoopback(String bind) {
    try {
      return java.net.InetAddress.getByName(bind).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return true; // The server reports the unresolvable address itself.
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
