package dev.grindstone.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * The demo's {@code /ws/echo} endpoint on one connection: sends every message back as it came, and
 * misbehaves on request (fragments, a server-side close, a dropped connection, a ping) so that
 * clients can be tested against each case. Runs on the connection's event loop only.
 */
final class WebSocketEcho extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

  private final int fragment;
  private final long closeAfter;
  private final long dropAfter;
  private final boolean ping;
  private long echoes;

  /**
   * @param fragment send each echo in frames of at most this many bytes (0: one frame)
   * @param closeAfter close with 1001 after this many echoes (0: never)
   * @param dropAfter drop the connection without a close frame after this many echoes (0: never)
   * @param ping ping the client once connected and report its pong as {@code pong: hello}
   */
  WebSocketEcho(int fragment, long closeAfter, long dropAfter, boolean ping) {
    this.fragment = fragment;
    this.closeAfter = closeAfter;
    this.dropAfter = dropAfter;
    this.ping = ping;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ping) {
      ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(HELLO)));
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    switch (frame) {
      case TextWebSocketFrame t -> echo(ctx, true, t.content());
      case BinaryWebSocketFrame b -> echo(ctx, false, b.content());
      case PingWebSocketFrame p -> ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
      case PongWebSocketFrame p -> {
        String payload = p.content().toString(StandardCharsets.UTF_8);
        ctx.writeAndFlush(new TextWebSocketFrame("pong: " + payload));
      }
      case CloseWebSocketFrame c -> WebSocketRoom.answerClose(ctx, c);
      default -> {} // continuation frames are joined by the aggregator before this handler
    }
  }

  private void echo(ChannelHandlerContext ctx, boolean text, ByteBuf content) {
    int n = content.readableBytes();
    if (fragment == 0 || n <= fragment) {
      ByteBuf copy = content.retainedDuplicate();
      ctx.write(text ? new TextWebSocketFrame(copy) : new BinaryWebSocketFrame(copy));
    } else {
      for (int at = 0; at < n; at += fragment) {
        ByteBuf part =
            content.retainedSlice(content.readerIndex() + at, Math.min(fragment, n - at));
        boolean last = at + fragment >= n;
        ctx.write(
            at == 0
                ? (text
                    ? new TextWebSocketFrame(false, 0, part)
                    : new BinaryWebSocketFrame(false, 0, part))
                : new ContinuationWebSocketFrame(last, 0, part));
      }
    }
    ctx.flush();
    echoes++;
    if (echoes == dropAfter) {
      ctx.close();
    } else if (echoes == closeAfter) {
      WebSocketRoom.closeFromServer(ctx, 1001, "going away");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a client that breaks the protocol or resets is not the service's problem
  }
}
