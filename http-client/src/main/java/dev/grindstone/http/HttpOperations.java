package dev.grindstone.http;

/**
 * The blocking request methods shared by {@link HttpClient} (no cookies) and {@link HttpSession} (a
 * virtual user's cookie jar). Each call returns when the whole response has been read, or throws
 * {@link HttpFailure} when no response came; a status of 400 or more is a response, not a failure.
 */
public interface HttpOperations {

  /** Sends a request built with {@link HttpRequest}'s builders. */
  HttpResponse send(HttpRequest request);

  default HttpResponse get(String url) {
    return send(HttpRequest.get(url).build());
  }

  default HttpResponse head(String url) {
    return send(HttpRequest.head(url).build());
  }

  default HttpResponse delete(String url) {
    return send(HttpRequest.delete(url).build());
  }

  default HttpResponse options(String url) {
    return send(HttpRequest.options(url).build());
  }

  default HttpResponse post(String url, Body body) {
    return send(HttpRequest.post(url).body(body).build());
  }

  default HttpResponse put(String url, Body body) {
    return send(HttpRequest.put(url).body(body).build());
  }

  default HttpResponse patch(String url, Body body) {
    return send(HttpRequest.patch(url).body(body).build());
  }
}
