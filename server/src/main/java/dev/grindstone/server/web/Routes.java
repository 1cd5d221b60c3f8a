package dev.grindstone.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.List;

/**
 * Registers one handler under several path prefixes (the root, {@code /api/v1}, and the same under
 * {@code /t/{token}} when a write token is configured).
 */
public final class Routes {
  private final RoutesConfig routes;
  private final List<String> rootPrefixes;
  private final List<String> apiPrefixes;

  public Routes(RoutesConfig routes, boolean tokenPrefix) {
    this.routes = routes;
    this.rootPrefixes =
        tokenPrefix
            ? List.of("", "/api/v1", "/t/{token}", "/t/{token}/api/v1")
            : List.of("", "/api/v1");
    this.apiPrefixes = tokenPrefix ? List.of("", "/t/{token}") : List.of("");
  }

  /** GET at the root and under /api/v1 (pytest-monitor accepts either as its server URL). */
  public void getEverywhere(String path, Handler h) {
    for (String p : rootPrefixes) {
      routes.get(p + path, h);
    }
  }

  public void postEverywhere(String path, Handler h) {
    for (String p : rootPrefixes) {
      routes.post(p + path, h);
    }
  }

  /** GET at an absolute API path (e.g. /api/v1/runs), also under the token prefix. */
  public void get(String path, Handler h) {
    for (String p : apiPrefixes) {
      routes.get(p + path, h);
    }
  }

  public void post(String path, Handler h) {
    for (String p : apiPrefixes) {
      routes.post(p + path, h);
    }
  }

  public void delete(String path, Handler h) {
    for (String p : apiPrefixes) {
      routes.delete(p + path, h);
    }
  }

  public RoutesConfig raw() {
    return routes;
  }

  public List<String> apiPrefixes() {
    return apiPrefixes;
  }
}
