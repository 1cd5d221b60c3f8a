package dev.grindstone.http.internal;

import dev.grindstone.http.FailureKind;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;

/** Maps exceptions from the network stack onto {@link FailureKind}s and readable messages. */
final class Failures {
  private Failures() {}

  static FailureKind kindOf(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException || c instanceof NotSslRecordException) {
        return FailureKind.TLS;
      }
    }
    if (t instanceof UnknownHostException) {
      return FailureKind.DNS;
    }
    if (t instanceof ConnectTimeoutException) {
      return FailureKind.CONNECT_TIMEOUT;
    }
    if (t instanceof ConnectException ce) {
      String m = String.valueOf(ce.getMessage()).toLowerCase(java.util.Locale.ROOT);
      return m.contains("refused") ? FailureKind.REFUSED : FailureKind.IO;
    }
    if (t instanceof NoRouteToHostException) {
      return FailureKind.IO;
    }
    if (t instanceof TooLongFrameException || t instanceof DecoderException) {
      return FailureKind.PROTOCOL;
    }
    if (t instanceof ClosedChannelException || t instanceof IOException) {
      return FailureKind.RESET;
    }
    return FailureKind.IO;
  }

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    String name = root.getClass().getSimpleName();
    return m == null || m.isBlank() ? name : name + ": " + m;
  }
}
