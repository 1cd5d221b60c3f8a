package dev.grindstone.server;

/** Runs a server in a child process for the crash test: prints its port, then waits forever. */
public final class ChildServer {
  private ChildServer() {}

  public static void main(String[] args) throws Exception {
    MetricsServer s = MetricsServer.builder().port(0).jdbcUrl(args[0]).start();
    System.out.println("PORT " + s.port());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
