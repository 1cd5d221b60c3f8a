package dev.grindstone.http;

/**
 * Whether and how far a request follows redirects. Following uses browsers' semantics: 301, 302 and
 * 303 turn the request into a GET without a body (a HEAD stays a HEAD), 307 and 308 repeat the same
 * method and body. An {@code Authorization} header is dropped when a redirect leaves the original
 * host.
 *
 * @param maxRedirects how many redirects to follow; 0 means return the 3xx response as it is
 */
public record RedirectPolicy(int maxRedirects) {
  private static final RedirectPolicy NONE = new RedirectPolicy(0);

  public RedirectPolicy {
    if (maxRedirects < 0 || maxRedirects > 100) {
      throw new IllegalArgumentException(
          "maxRedirects must be between 0 and 100, was " + maxRedirects);
    }
  }

  /** Never follow: a 3xx response is returned to the caller. */
  public static RedirectPolicy none() {
    return NONE;
  }

  /**
   * Follow up to {@code max} redirects; one more fails with {@link FailureKind#TOO_MANY_REDIRECTS}.
   */
  public static RedirectPolicy follow(int max) {
    return new RedirectPolicy(max);
  }

  public boolean follows() {
    return maxRedirects > 0;
  }
}
