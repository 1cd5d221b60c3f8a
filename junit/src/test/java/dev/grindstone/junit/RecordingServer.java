package dev.grindstone.junit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/** A metrics server on 127.0.0.1, port 0, that records every request and answers as told. */
final class RecordingServer implements AutoCloseable {
  record Request(String method, String path, String contentType, String body) {}

  record Answer(int status, String body) {}

  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final HttpServer server;

  RecordingServer(Function<Request, Answer> answers) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> handle(exchange, answers));
    server.start();
  }

  /** Answers as pytest-monitor's reference server does for an empty database. */
  static RecordingServer pytestMonitorLike() throws IOException {
    return new RecordingServer(
        r -> {
          if (r.method().equals("GET")) return new Answer(204, "");
          if (r.path().endsWith("/contexts/")) {
            String h = r.body().replaceAll(".*\"h\":\"([0-9a-f]+)\".*", "$1");
            return new Answer(201, "{\"h\":\"" + h + "\"}");
          }
          return new Answer(201, "{}");
        });
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex, Function<Request, Answer> answers) throws IOException {
    try (ex) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Request req =
          new Request(
              ex.getRequestMethod(),
              ex.getRequestURI().toString(),
              ex.getRequestHeaders().getFirst("Content-Type"),
              body);
      requests.add(req);
      Answer a = answers.apply(req);
      byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) ex.getResponseBody().write(out);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
