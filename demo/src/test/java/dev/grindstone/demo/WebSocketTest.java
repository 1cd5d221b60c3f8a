package dev.grindstone.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.http.FailureKind;
import dev.grindstone.http.HttpClient;
import dev.grindstone.http.HttpFailure;
import dev.grindstone.http.HttpRequest;
import dev.grindstone.http.HttpRequestListener;
import dev.grindstone.http.HttpSession;
import dev.grindstone.http.Timings;
import dev.grindstone.http.WebSocket;
import dev.grindstone.http.WebSocketListener;
import dev.grindstone.http.WebSocketMessage;
import dev.grindstone.http.WebSocketRequest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WebSocket client against the demo service's real WebSocket endpoints on loopback. */
class WebSocketTest {
  static final Duration SECOND = Duration.ofSeconds(1);

  static DemoService demo;
  static HttpClient client;
  static final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    demo = DemoService.start();
    client =
        HttpClient.builder()
            .requestTimeout(Duration.ofSeconds(5))
            .maxResponseBytes(64 * 1024)
            .listener(
                (HttpRequest r, int status, long length, Timings t, boolean n, FailureKind f) ->
                    events.add("request " + r.uri().getPath() + " " + status + " " + f))
            .webSocketListener(
                new WebSocketListener() {
                  @Override
                  public void received(WebSocket ws, WebSocketMessage m, boolean first) {
                    events.add("received " + m.length() + (first ? " first" : ""));
                  }
                })
            .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    demo.close();
  }

  private static String ws(String path) {
    return "ws://127.0.0.1:" + demo.port() + path;
  }

  @Test
  void echoes_text_and_binary_messages_with_the_handshake_timed() {
    events.clear();
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo"))) {
      assertThat(ws.handshakeStatus()).isEqualTo(101);
      Timings t = ws.handshakeTimings();
      assertThat(t.connectMicros()).isPositive();
      assertThat(t.lastByteMicros()).isGreaterThanOrEqualTo(t.firstByteMicros()).isPositive();
      ws.sendText("hello, world");
      WebSocketMessage text = ws.receive(SECOND);
      assertThat(text.isText()).isTrue();
      assertThat(text.text()).isEqualTo("hello, world");
      assertThat(text.arrivalMicros()).isGreaterThanOrEqualTo(t.lastByteMicros());
      assertThat(ws.firstMessageMicros()).isEqualTo(Math.max(1, text.arrivalMicros()));
      ws.sendBinary(new byte[] {0, 1, 2, (byte) 255});
      WebSocketMessage binary = ws.receive(SECOND);
      assertThat(binary.isText()).isFalse();
      assertThat(binary.bytes()).containsExactly(0, 1, 2, 255);
    }
    assertThat(events)
        .containsExactly("request /ws/echo 101 null", "received 12 first", "received 4");
  }

  @Test
  void a_message_the_server_sends_in_fragments_arrives_whole() {
    String text = "0123456789".repeat(10) + "é";
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo?fragment=7"))) {
      ws.sendText(text);
      assertThat(ws.receive(SECOND).text()).isEqualTo(text);
      byte[] data = new byte[1000];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) i;
      }
      ws.sendBinary(data);
      assertThat(ws.receive(SECOND).bytes()).isEqualTo(data);
    }
  }

  @Test
  void a_ping_gets_its_pong_and_the_servers_ping_is_answered() {
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo?ping=true"))) {
      assertThat(ws.receive(SECOND).text())
          .as("the server reports the pong the client sent to its ping")
          .isEqualTo("pong: hello");
      assertThat(ws.pingsAnswered()).isEqualTo(1);
      Duration roundTrip = ws.ping(SECOND);
      assertThat(roundTrip).isPositive().isLessThan(SECOND);
      ws.sendText("still open");
      assertThat(ws.receive(SECOND).text()).isEqualTo("still open");
    }
  }

  @Test
  void a_server_that_closes_mid_run_ends_receive_with_closed_after_the_messages_before() {
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo?close_after=2"))) {
      ws.sendText("one");
      ws.sendText("two");
      assertThat(ws.receive(SECOND).text()).isEqualTo("one");
      assertThat(ws.receive(SECOND).text()).isEqualTo("two");
      assertThatThrownBy(() -> ws.receive(SECOND))
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.CLOSED))
          .hasMessageContaining("closed by the server (1001 'going away')");
      assertThat(ws.isOpen()).isFalse();
      assertThat(ws.closeStatus()).isEqualTo(new WebSocket.CloseStatus(1001, "going away", true));
      assertThatThrownBy(() -> ws.sendText("three"))
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.CLOSED));
      assertThatThrownBy(() -> ws.receive(SECOND))
          .as("the end is sticky")
          .isInstanceOf(HttpFailure.class);
    }
  }

  @Test
  void a_dropped_connection_is_closed_with_1006() {
    WebSocket ws = client.openWebSocket(ws("/ws/echo?drop_after=1"));
    ws.sendText("last words");
    assertThat(ws.receive(SECOND).text()).isEqualTo("last words");
    assertThatThrownBy(() -> ws.receive(SECOND))
        .isInstanceOfSatisfying(
            HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.CLOSED))
        .hasMessageContaining("dropped (1006)");
    assertThat(ws.closeStatus().code()).isEqualTo(1006);
    ws.close(); // quietly, although it has ended
  }

  @Test
  void a_message_that_never_arrives_times_out_and_the_socket_stays_usable() {
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo"))) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> ws.receive(Duration.ofMillis(100)))
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.READ_TIMEOUT))
          .hasMessageContaining("no WebSocket message")
          .hasMessageContaining("within 100 ms");
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(100_000_000L);
      ws.sendText("late");
      assertThat(ws.receive(SECOND).text()).isEqualTo("late");
    }
  }

  @Test
  void closing_runs_the_closing_handshake() {
    WebSocket ws = client.openWebSocket(ws("/ws/echo"));
    WebSocket.CloseStatus s = ws.close(1000, "done");
    assertThat(s.code()).isEqualTo(1000);
    assertThat(s.byServer()).isFalse();
    assertThat(ws.isOpen()).isFalse();
    assertThat(ws.close(1000, "again")).as("idempotent").isEqualTo(s);
    assertThatThrownBy(() -> ws.close(1005, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1000-1003");
  }

  @Test
  void a_broadcast_room_relays_each_message_to_every_member() {
    HttpSession ann = client.newSession();
    HttpSession bob = client.newSession();
    try (WebSocket a = ann.openWebSocket(ws("/ws/room?name=test-room"));
        WebSocket b = bob.openWebSocket(ws("/ws/room?name=test-room"))) {
      assertThat(a.receive(SECOND).json().get("type").asText()).isEqualTo("welcome");
      assertThat(b.receive(SECOND).json().get("members").asInt()).isEqualTo(2);
      a.sendText("hi all");
      for (WebSocket member : List.of(a, b)) {
        var m = member.receive(SECOND).json();
        assertThat(m.get("type").asText()).isEqualTo("message");
        assertThat(m.get("text").asText()).isEqualTo("hi all");
        assertThat(m.get("from").asText()).startsWith("member-");
      }
    }
  }

  @Test
  void the_offered_subprotocol_is_negotiated_and_an_unknown_one_fails_the_handshake() {
    try (WebSocket ws =
        client.openWebSocket(
            WebSocketRequest.newBuilder(ws("/ws/echo"))
                .subprotocol("nope")
                .subprotocol("echo.v1")
                .build(),
            null)) {
      assertThat(ws.subprotocol()).isEqualTo("echo.v1");
    }
    assertThatThrownBy(
            () ->
                client.openWebSocket(
                    WebSocketRequest.newBuilder(ws("/ws/echo")).subprotocol("nope").build(), null))
        .isInstanceOfSatisfying(
            HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.HANDSHAKE))
        .hasMessageContaining("subprotocol");
  }

  @Test
  void a_refused_upgrade_fails_the_handshake_with_the_status_and_the_servers_reason() {
    events.clear();
    assertThatThrownBy(() -> client.openWebSocket(ws("/ws/room")))
        .isInstanceOfSatisfying(
            HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.HANDSHAKE))
        .hasMessageContaining("400 Bad Request instead of 101 Switching Protocols")
        .hasMessageContaining("name (the room) is required");
    assertThat(events).containsExactly("request /ws/room 400 null");
  }

  @Test
  void nothing_listening_fails_with_refused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(() -> client.openWebSocket("ws://127.0.0.1:" + port + "/"))
        .isInstanceOfSatisfying(
            HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.REFUSED));
  }

  @Test
  void a_message_over_the_limit_fails_with_protocol() {
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo"))) {
      ws.sendBinary(new byte[100 * 1024]);
      assertThatThrownBy(() -> ws.receive(SECOND))
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.PROTOCOL))
          .hasMessageContaining("Max frame length of 65536");
    }
  }

  @Test
  void a_reader_that_falls_behind_loses_no_message() {
    try (WebSocket ws = client.openWebSocket(ws("/ws/echo"))) {
      int n = 6000; // more than the client queues before it stops reading
      for (int i = 0; i < n; i++) {
        ws.sendText("m" + i);
      }
      for (int i = 0; i < n; i++) {
        assertThat(ws.receive(SECOND).text()).isEqualTo("m" + i);
      }
    }
  }

  @Test
  void small_messages_written_directly_and_large_ones_through_the_event_loop_keep_their_order() {
    try (HttpClient big = HttpClient.builder().requestTimeout(Duration.ofSeconds(5)).build();
        WebSocket ws = big.openWebSocket(ws("/ws/echo?ping=true"))) {
      byte[] large = new byte[200 * 1024]; // over the direct-write limit: framed by Netty
      for (int i = 0; i < large.length; i++) {
        large[i] = (byte) (i * 31);
      }
      // The server's ping is answered by the event loop: its report comes first once it is in,
      // while the echoes below are written directly and would otherwise race it.
      assertThat(ws.receive(SECOND).text()).isEqualTo("pong: hello");
      for (int round = 0; round < 3; round++) {
        ws.sendText("before " + round);
        ws.sendBinary(large);
        ws.sendText("after " + round);
      }
      for (int round = 0; round < 3; round++) {
        assertThat(ws.receive(SECOND).text()).isEqualTo("before " + round);
        assertThat(ws.receive(SECOND).bytes()).isEqualTo(large);
        assertThat(ws.receive(SECOND).text()).isEqualTo("after " + round);
      }
      String unicode = "größer als 125 Bytes: " + "ж".repeat(100); // a 16-bit length, UTF-8
      ws.sendText(unicode);
      assertThat(ws.receive(SECOND).text()).isEqualTo(unicode);
    }
  }

  @Test
  void a_plain_get_on_a_websocket_endpoint_says_how_to_connect() {
    var r = client.get(demo.url() + "/ws/echo");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("error").asText()).contains("connect with ws://127.0.0.1:");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"field\":\"Upgrade\"");
  }

  @Test
  void bad_requests_are_rejected_with_the_field() {
    assertThatThrownBy(() -> WebSocketRequest.newBuilder("ftp://x/").build())
        .hasMessageContaining("must start with ws://, wss://, http:// or https://");
    assertThatThrownBy(() -> WebSocketRequest.newBuilder("ws://x/").header("Upgrade", "no"))
        .hasMessageContaining("set by the WebSocket handshake itself");
    assertThat(WebSocketRequest.newBuilder("http://h:1/p?q=1").build().uri())
        .hasToString("ws://h:1/p?q=1");
    assertThat(HttpRequestListener.NONE).isNotNull();
  }
}
