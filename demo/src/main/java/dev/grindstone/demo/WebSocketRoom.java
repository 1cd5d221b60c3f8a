package dev.grindstone.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One member's connection to the demo's {@code /ws/room?name=R}: a broadcast room. On joining the
 * member gets {@code {"type":"welcome","room":R,"member":"member-N","members":n}}; each text
 * message a member sends reaches every member, the sender included, as {@code
 * {"type":"message","room":R,"from":"member-N","text":...}}, and binary messages are relayed as
 * they are. A room is forgotten when its last member leaves. Thread-safe through Netty's {@link
 * ChannelGroup}.
 */
final class WebSocketRoom extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("grindstone.closing");

  private final Map<String, ChannelGroup> rooms;
  private final String room;
  private final String member;
  private ChannelGroup group;

  WebSocketRoom(Map<String, ChannelGroup> rooms, String room, long member) {
    this.rooms = rooms;
    this.room = room;
    this.member = "member-" + member;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    group =
        rooms.compute(
            room,
            (k, g) -> {
              ChannelGroup joined =
                  g != null ? g : new DefaultChannelGroup(k, GlobalEventExecutor.INSTANCE);
              joined.add(ctx.channel());
              return joined;
            });
    ctx.channel()
        .closeFuture()
        .addListener(f -> rooms.computeIfPresent(room, (k, g) -> g.isEmpty() ? null : g));
    ObjectNode welcome =
        JSON.createObjectNode()
            .put("type", "welcome")
            .put("room", room)
            .put("member", member)
            .put("members", group.size());
    ctx.writeAndFlush(new TextWebSocketFrame(welcome.toString()));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    switch (frame) {
      case TextWebSocketFrame t -> {
        ObjectNode m =
            JSON.createObjectNode()
                .put("type", "message")
                .put("room", room)
                .put("from", member)
                .put("text", t.content().toString(StandardCharsets.UTF_8));
        group.writeAndFlush(new TextWebSocketFrame(m.toString()));
      }
      case BinaryWebSocketFrame b ->
          group.writeAndFlush(new BinaryWebSocketFrame(b.content().retain()));
      case PingWebSocketFrame p -> ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
      case CloseWebSocketFrame c -> answerClose(ctx, c);
      default -> {}
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /**
   * Answers a client's close frame with the same code, unless the server started the closing
   * handshake itself, and closes the connection.
   */
  static void answerClose(ChannelHandlerContext ctx, CloseWebSocketFrame c) {
    if (ctx.channel().hasAttr(CLOSING)) {
      ctx.close();
      return;
    }
    int code = c.statusCode() == -1 ? 1000 : c.statusCode();
    ctx.writeAndFlush(new CloseWebSocketFrame(code, "")).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Starts the closing handshake from the server; the connection closes once the client answered
   * (or after 5 s without an answer).
   */
  static void closeFromServer(ChannelHandlerContext ctx, int code, String reason) {
    ctx.channel().attr(CLOSING).set(Boolean.TRUE);
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
    ctx.executor().schedule(() -> ctx.close(), 5, java.util.concurrent.TimeUnit.SECONDS);
  }
}
