package com.example;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The project's own client code, which the load test calls. */
public final class GreetingClient {
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;

  public GreetingClient(URI base) {
    this.base = base;
  }

  public String greet(String name) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/greet?name=" + name.replace(' ', '+'))).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("status " + r.statusCode());
    }
    return r.body();
  }
}
