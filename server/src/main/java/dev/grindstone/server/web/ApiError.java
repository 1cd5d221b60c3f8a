package dev.grindstone.server.web;

/**
 * A client mistake answered with a 4xx status and the JSON body {@code {"error": ..., "field": ...}}.
 * Nothing of the request has been stored when this is thrown.
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String field;

  public ApiError(int status, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  public static ApiError badRequest(String field, String message) {
    return new ApiError(400, message, field);
  }

  public static ApiError notFound(String field, String message) {
    return new ApiError(404, message, field);
  }

  public int status() {
    return status;
  }

  /** The request field at fault, or null when the fault is not in one field. */
  public String field() {
    return field;
  }
}
