package dev.grindstone.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * What the client's tests share: clients that report to one {@link RecordingListener}, and loopback
 * servers, all closed after each test in the reverse order of their making.
 */
abstract class LoopbackTest {
  final RecordingListener listener = new RecordingListener();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  HttpClient client(HttpClient.Builder b) {
    HttpClient c = b.listener(listener).build();
    closeables.add(c);
    return c;
  }

  HttpClient client() {
    return client(HttpClient.builder());
  }

  <T extends AutoCloseable> T closeLater(T t) {
    closeables.add(t);
    return t;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  /** A server that reads each request's head and answers nothing until {@code release}. */
  RawServer silentServer(CountDownLatch release) throws IOException {
    return closeLater(
        new RawServer(
            s -> {
              RawServer.readHead(s.getInputStream());
              release.await(10, TimeUnit.SECONDS);
            }));
  }

  /**
   * A server that answers each request of a connection with {@code 200 ok} after {@code millis}.
   */
  RawServer okAfter(long millis) throws IOException {
    return closeLater(
        new RawServer(
            s -> {
              InputStream in = s.getInputStream();
              while (!RawServer.readHead(in).isEmpty()) {
                Thread.sleep(millis);
                RawServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
              }
            }));
  }

  /**
   * A server that answers one request per connection but claims keep-alive, then closes: the next
   * request on that connection finds it dead in the pool.
   */
  RawServer oneAnswerPerConnection() throws IOException {
    return closeLater(
        new RawServer(
            s -> {
              RawServer.readHead(s.getInputStream());
              RawServer.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
              Thread.sleep(50);
            }));
  }

  /** A loopback port nothing listens on (it was free a moment ago). */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
