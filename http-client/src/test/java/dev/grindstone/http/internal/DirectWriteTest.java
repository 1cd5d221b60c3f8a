package dev.grindstone.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests written by the calling thread straight to the socket, against a server that answers each
 * upload as soon as it has read the head and reads the body only afterwards, slowly, through a
 * small receive buffer. With a small send buffer the socket takes a request only in part: the event
 * loop writes the rest, and the next request queues behind that write. Every body must arrive whole
 * and in order on the one keep-alive connection.
 */
class DirectWriteTest {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
  }

  @ParameterizedTest(name = "send buffer {0} bytes")
  @ValueSource(ints = {0, 4096})
  void uploads_arrive_whole_and_in_order_however_much_the_socket_takes_at_once(int sendBuffer)
      throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    ServerSocket server = slowUploadServer(received);
    Transport transport = transport(sendBuffer);
    int port = server.getLocalPort();
    List<String> sent = new ArrayList<>();
    int[] sizes = {60_000, 60_000, 60_000, 300_000, 60_000, 1_000, 60_000, 60_000};
    for (int i = 0; i < sizes.length; i++) {
      byte[] body = new byte[sizes[i]];
      new Random(i).nextBytes(body);
      Exchange ex =
          transport.execute(
              false,
              "127.0.0.1",
              port,
              head("POST", body.length),
              body,
              false,
              System.nanoTime(),
              TimeUnit.SECONDS.toNanos(10),
              false);
      assertThat(ex.status()).isEqualTo(200);
      assertThat(ex.isNewConnection())
          .as("only the first request opens a connection")
          .isEqualTo(i == 0);
      assertThat(ex.timings().requestSentMicros())
          .as("sent before the first byte came back")
          .isLessThanOrEqualTo(ex.timings().firstByteMicros());
      sent.add(body.length + ":" + Arrays.hashCode(body));
    }
    Exchange sums =
        transport.execute(
            false,
            "127.0.0.1",
            port,
            head("GET", 0),
            new byte[0],
            false,
            System.nanoTime(),
            TimeUnit.SECONDS.toNanos(10),
            false);
    assertThat(new String(sums.bodyCopy(), StandardCharsets.US_ASCII))
        .as("bodies as the server read them")
        .isEqualTo(String.join(",", sent));
    assertThat(transport.openConnections()).isEqualTo(1);
    if (sendBuffer > 0) {
      assertThat(transport.partialWrites()).as("writes the socket took only in part").isPositive();
    }
  }

  @ParameterizedTest(name = "send buffer {0} bytes")
  @ValueSource(ints = {0, 4096})
  void a_target_that_resets_while_the_request_is_written_fails_with_kind_reset(int sendBuffer)
      throws Exception {
    ServerSocket server = listen();
    Thread.ofVirtual()
        .start(
            () -> {
              try (Socket s = server.accept()) {
                s.getInputStream().readNBytes(100);
                s.setSoLinger(true, 0); // close with RST while the rest of the body is on its way
              } catch (IOException ignored) {
                // the client went away
              }
            });
    Transport transport = transport(sendBuffer);
    byte[] body = new byte[60_000];
    assertThatThrownBy(
            () ->
                transport.execute(
                    false,
                    "127.0.0.1",
                    server.getLocalPort(),
                    head("POST", body.length),
                    body,
                    false,
                    System.nanoTime(),
                    TimeUnit.SECONDS.toNanos(10),
                    false))
        .isInstanceOfSatisfying(
            HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.RESET));
  }

  private Transport transport(int sendBuffer) {
    Transport t =
        new Transport(
            1,
            4,
            TimeUnit.SECONDS.toNanos(60),
            TimeUnit.SECONDS.toNanos(5),
            1 << 20,
            null,
            sendBuffer);
    closeables.add(t);
    return t;
  }

  private static byte[] head(String method, int contentLength) {
    return (method
            + " /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
            + contentLength
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private ServerSocket listen() throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReceiveBufferSize(4096);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    closeables.add(server);
    return server;
  }

  /**
   * Answers a POST at once, then reads its body after a pause; a GET returns "length:hash" of every
   * body.
   */
  private ServerSocket slowUploadServer(List<String> received) throws IOException {
    ServerSocket server = listen();
    Thread.ofVirtual()
        .start(
            () -> {
              try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                  String head = readHead(in);
                  if (head.isEmpty()) {
                    return;
                  }
                  String answer = head.startsWith("GET") ? String.join(",", received) : "ok";
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Length: "
                              + answer.length()
                              + "\r\n\r\n"
                              + answer)
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  if (head.startsWith("POST")) {
                    Thread.sleep(20); // let the client's send buffer fill up
                    int length =
                        Integer.parseInt(
                            head.lines()
                                .filter(l -> l.startsWith("Content-Length:"))
                                .findFirst()
                                .orElseThrow()
                                .substring(15)
                                .trim());
                    byte[] body = in.readNBytes(length);
                    received.add(body.length + ":" + Arrays.hashCode(body));
                  }
                }
              } catch (Exception ignored) {
                // the client went away
              }
            });
    return server;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }
}
