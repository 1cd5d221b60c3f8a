package dev.grindstone.livecheck.internal;

import dev.grindstone.livecheck.CaseSettings;
import dev.grindstone.livecheck.Durations;
import dev.grindstone.livecheck.ServiceDownException;
import dev.grindstone.livecheck.http.LiveCheckHeaders;
import dev.grindstone.livecheck.time.TimeSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Faust LiveCheck's URL retry policy over {@code java.net.http}: up to {@code url_error_retries}
 * retries after the first attempt, sleeping min × backoffⁿ (capped at max) before each. {@code
 * url_timeout_total} bounds each attempt, as the total timeout of Faust's aiohttp request does; an
 * attempt that runs out of it is retried like any other failed attempt. Thread-safe.
 */
public final class UrlRequester {
  private final CaseSettings settings;
  private final TimeSource time;
  private final HttpClient client;

  public UrlRequester(CaseSettings settings, TimeSource time, HttpClient client) {
    this.settings = settings;
    this.time = time;
    this.client = client;
  }

  /**
   * @return the body of the first answer below 400
   * @throws ServiceDownException when the retries run out
   */
  public byte[] request(String method, URI url, Map<String, String> headers, byte[] body)
      throws InterruptedException {
    Duration total = settings.urlTimeoutTotal();
    Duration delay = settings.urlErrorDelayMin();
    String lastError = null;
    Throwable lastCause = null;
    for (int attempt = 0; ; attempt++) {
      HttpRequest.Builder rb =
          HttpRequest.newBuilder(url)
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      if (total != null) {
        rb.timeout(total);
      }
      headers.forEach(rb::header);
      LiveCheckHeaders.current().forEach(rb::setHeader);
      try {
        HttpResponse<byte[]> response =
            client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() < 400) {
          return response.body();
        }
        lastError = "HTTP " + response.statusCode();
        lastCause = null;
      } catch (IOException e) {
        lastError =
            e instanceof java.net.http.HttpTimeoutException
                ? "no answer within url_timeout_total " + Durations.format(total)
                : e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
        lastCause = e;
      }
      if (attempt >= settings.urlErrorRetries()) {
        throw down(
            method,
            url,
            attempt + 1,
            "url_error_retries " + settings.urlErrorRetries() + " used up",
            lastError,
            lastCause);
      }
      delay = min(multiply(delay, settings.urlErrorDelayBackoff()), settings.urlErrorDelayMax());
      time.sleep(delay);
    }
  }

  private static Duration multiply(Duration d, double factor) {
    return Duration.ofNanos(Math.round(d.toNanos() * factor));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static ServiceDownException down(
      String method, URI url, int attempts, String why, String lastError, Throwable cause) {
    return new ServiceDownException(
        method
            + " "
            + url
            + " failed after "
            + attempts
            + " attempt(s), "
            + why
            + (lastError == null ? "" : "; last error: " + lastError),
        cause);
  }
}
