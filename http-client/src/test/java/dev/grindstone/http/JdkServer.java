package dev.grindstone.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/** The JDK's HTTP(S) server on 127.0.0.1:0 with routes added by the test. */
final class JdkServer implements AutoCloseable {
  private final HttpServer server;
  private final String scheme;

  private JdkServer(HttpServer server, String scheme) {
    this.server = server;
    this.scheme = scheme;
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  static JdkServer http() throws IOException {
    return new JdkServer(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50), "http");
  }

  static JdkServer https(SSLContext ssl) throws IOException {
    HttpsServer s =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    s.setHttpsConfigurator(new HttpsConfigurator(ssl));
    return new JdkServer(s, "https");
  }

  JdkServer route(String path, HttpHandler handler) {
    server.createContext(path, handler);
    return this;
  }

  String url(String path) {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
