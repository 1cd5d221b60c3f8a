package dev.grindstone.server.web;

/**
 * A client mistake answered with a 4xx status and the JSON body {@code {"error": ..., "field":
 * ...}}. Nothing of the request has been stored when this is thrown.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String field;
  private final boolean logged;

  public ApiError(int status, String message, String field) {
    this(status, message, field, false);
  }

  private ApiError(int status, String message, String field, boolean logged) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
    this.logged = logged;
  }

  public static ApiError badRequest(String field, String message) {
    return new ApiError(400, message, field);
  }

  /**
   * A body that could not be read or parsed at all (cut short, broken framing, beyond the JSON
   * parser's limits): a 400 that the server also logs, in one line, since it points at a broken or
   * hostile client rather than at a field.
   */
  public static ApiError badBody(String message) {
    return new ApiError(400, message, null, true);
  }

  public static ApiError notFound(String field, String message) {
    return new ApiError(404, message, field);
  }

  /**
   * The request is valid alone but cannot be applied to what is stored (e.g. a total would
   * overflow).
   */
  public static ApiError conflict(String field, String message) {
    return new ApiError(409, message, field);
  }

  public int status() {
    return status;
  }

  /** The request field at fault, or null when the fault is not in one field. */
  public String field() {
    return field;
  }

  /** Whether the server logs this rejection (one line, no stack trace). */
  public boolean logged() {
    return logged;
  }
}
