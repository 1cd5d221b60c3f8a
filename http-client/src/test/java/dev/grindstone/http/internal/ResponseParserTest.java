package dev.grindstone.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.http.FailureKind;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The response parser fed byte sequences in every split a network could make of them. */
class ResponseParserTest {
  private EmbeddedChannel channel;
  private Connection conn;

  private Exchange exchange(boolean head, int maxBody) {
    conn = new Connection(new HostPool(new PoolKey(false, "target", 80), 1));
    channel = new EmbeddedChannel();
    conn.install(channel);
    Exchange ex = new Exchange(System.nanoTime(), Long.MAX_VALUE, maxBody, head);
    conn.current = ex;
    return ex;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Feeds {@code wire} in two parts split at {@code at}. */
  private Exchange feed(String wire, int at, boolean head) {
    Exchange ex = exchange(head, 1 << 20);
    byte[] b = bytes(wire);
    channel.writeInbound(Unpooled.wrappedBuffer(b, 0, at));
    channel.writeInbound(Unpooled.wrappedBuffer(b, at, b.length - at));
    return ex;
  }

  private static final String CHUNKED =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: text/plain;\r\n"
          + "  charset=utf-8\r\n" // obs-fold
          + "Set-Cookie: a=1\r\n"
          + "set-cookie: b=2\r\n"
          + "TRANSFER-ENCODING: gzip, chunked\r\n"
          + "\r\n"
          + "5;ext=1\r\nhello\r\n"
          + "7\r\n, world\r\n"
          + "0\r\n"
          + "X-Trailer: t\r\n"
          + "\r\n";

  @Test
  void a_chunked_response_with_extensions_trailers_and_folded_headers_parses_in_every_split() {
    for (int at = 0; at <= CHUNKED.length(); at++) {
      Exchange ex = feed(CHUNKED, at, false);
      assertThat(ex.isDone()).as("split at %d", at).isTrue();
      assertThat(ex.status()).isEqualTo(200);
      assertThat(new String(ex.bodyCopy(), StandardCharsets.UTF_8)).isEqualTo("hello, world");
      assertThat(ex.keepAlive()).isTrue();
      assertThat(ex.setsCookies()).isTrue();
      assertThat(ex.headers().getAll("Set-Cookie")).containsExactly("a=1", "b=2");
      assertThat(ex.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
      assertThat(conn.current).isNull();
      assertThat(channel.isOpen()).isTrue();
    }
  }

  @Test
  void interim_responses_are_skipped_and_a_content_length_body_is_read_exactly() {
    String wire =
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
            + "HTTP/1.1 201 Created\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody";
    for (int at = 0; at <= wire.length(); at++) {
      Exchange ex = feed(wire, at, false);
      assertThat(ex.isDone()).as("split at %d", at).isTrue();
      assertThat(ex.status()).isEqualTo(201);
      assertThat(ex.bodyCopy()).isEqualTo(bytes("body"));
      assertThat(ex.keepAlive()).isFalse();
      assertThat(ex.setsCookies()).isFalse();
      assertThat(ex.headers().get("Link")).isNull();
    }
  }

  @Test
  void head_204_and_304_responses_have_no_body_whatever_their_headers_say() {
    Exchange head = feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 3, true);
    assertThat(head.isDone()).isTrue();
    assertThat(head.bodyLength()).isZero();
    Exchange noContent = feed("HTTP/1.1 204 No Content\r\n\r\n", 0, false);
    assertThat(noContent.isDone()).isTrue();
    Exchange http10 = feed("HTTP/1.0 304 Not Modified\r\n\r\n", 5, false);
    assertThat(http10.isDone()).isTrue();
    assertThat(http10.keepAlive()).as("HTTP/1.0 closes by default").isFalse();
  }

  @Test
  void a_body_without_length_ends_when_the_connection_closes() {
    Exchange ex = feed("HTTP/1.1 200 OK\r\n\r\nuntil the end", 10, false);
    assertThat(ex.isPending()).isTrue();
    channel.close();
    assertThat(ex.isDone()).isTrue();
    assertThat(ex.bodyCopy()).isEqualTo(bytes("until the end"));
  }

  @Test
  void a_connection_closed_mid_body_fails_with_reset() {
    Exchange ex = feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 0, false);
    channel.close();
    assertThat(ex.failureKind()).isEqualTo(FailureKind.RESET);
    assertThat(ex.failureMessage).contains("in the middle of the response body");
  }

  @Test
  void malformed_responses_fail_with_protocol_saying_what_was_wrong() {
    String[][] cases = {
      {"HTP/1.1 200 OK\r\n\r\n", "invalid status line 'HTP/1.1 200 OK'"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "invalid status line"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", "Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size"},
    };
    for (String[] c : cases) {
      Exchange ex = feed(c[0], 0, false);
      assertThat(ex.failureKind()).as(c[0]).isEqualTo(FailureKind.PROTOCOL);
      assertThat(ex.failureMessage).as(c[0]).contains(c[1]);
      assertThat(channel.isOpen()).isFalse();
    }
  }

  @Test
  void an_oversized_head_or_body_fails_with_protocol() {
    Exchange head =
        feed(
            "HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(ResponseParser.MAX_HEAD) + "\r\n\r\n",
            0,
            false);
    assertThat(head.failureMessage).contains("head is larger than");
    Exchange body = exchange(false, 3);
    channel.writeInbound(
        Unpooled.wrappedBuffer(bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")));
    assertThat(body.failureMessage).contains("larger than the limit of 3 bytes");
  }

  @Test
  void consecutive_responses_with_the_same_header_lines_share_them_and_a_change_is_seen() {
    String date1 = "HTTP/1.1 200 OK\r\nDate: one\r\nContent-Length: 1\r\n\r\na";
    String date2 = "HTTP/1.1 200 OK\r\nDate: two\r\nContent-Length: 1\r\n\r\nb";
    Exchange first = feed(date1, 7, false);
    Exchange[] next = new Exchange[3];
    String[] wires = {date1, date2, date2};
    for (int i = 0; i < 3; i++) {
      next[i] = new Exchange(System.nanoTime(), Long.MAX_VALUE, 1 << 20, false);
      conn.current = next[i];
      channel.writeInbound(Unpooled.wrappedBuffer(bytes(wires[i])));
      assertThat(next[i].isDone()).isTrue();
    }
    assertThat(first.headers().get("Date")).isEqualTo("one");
    assertThat(next[0].headers()).as("same lines: shared").isSameAs(first.headers());
    assertThat(next[1].headers().get("Date")).isEqualTo("two");
    assertThat(next[2].headers()).isSameAs(next[1].headers());
    assertThat(first.headers().get("Date"))
        .as("an earlier response keeps its own")
        .isEqualTo("one");
    assertThat(new String(next[2].bodyCopy(), StandardCharsets.US_ASCII)).isEqualTo("b");
  }

  @Test
  void bytes_that_no_request_asked_for_close_the_connection() {
    Exchange ex = feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n", 0, false);
    assertThat(ex.isDone()).isTrue();
    assertThat(channel.isOpen()).isFalse();
  }
}
