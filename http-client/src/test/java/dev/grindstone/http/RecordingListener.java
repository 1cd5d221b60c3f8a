package dev.grindstone.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every call it receives, for assertions. */
final class RecordingListener implements HttpRequestListener {
  record Call(
      String request,
      int status,
      long length,
      Timings timings,
      boolean newConnection,
      FailureKind failure) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();

  @Override
  public void requestCompleted(
      HttpRequest request,
      int status,
      long responseLength,
      Timings timings,
      boolean newConnection,
      FailureKind failure) {
    calls.add(
        new Call(request.toString(), status, responseLength, timings, newConnection, failure));
  }

  long count(FailureKind kind) {
    return calls.stream().filter(c -> c.failure() == kind).count();
  }
}
