package dev.grindstone.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An embedded HTTP service to aim load tests at: bound to 127.0.0.1 only, on a free port unless one
 * is given.
 *
 * <ul>
 *   <li>{@code GET /ping}: {@code 200 pong}.
 *   <li>{@code GET /work?ms=N}: answers after N milliseconds (0..60000) without holding a thread.
 *   <li>{@code GET /flaky?p=0.1}: {@code 500} with probability p, else {@code 200}.
 *   <li>{@code GET /stall?every=10s&for=1s}: at each multiple of {@code every} since the service
 *       started, responses stall until {@code for} has passed (a coordinated-omission test);
 *       durations as {@code 250ms}, {@code 10s}, {@code 1m}.
 *   <li>A JSON shop: {@code POST /shop/login} {@code {"username","password"}} gives a token and a
 *       {@code session} cookie; {@code GET /shop/products}, {@code GET /shop/products/{id}}; {@code
 *       GET|POST /shop/cart} {@code {"productId","quantity"}}; {@code POST /shop/checkout}. The
 *       cart and checkout need the cookie or {@code Authorization: Bearer <token>}. Mistakes get a
 *       JSON 4xx {@code {"error": "...", "field": "..."}}.
 *   <li>WebSockets (subprotocols {@code chat.v1} and {@code echo.v1} are accepted when offered):
 *       {@code /ws/echo} sends every message back as it came, with the options {@code fragment=N}
 *       (send each echo in frames of at most N bytes), {@code close_after=N} (close with 1001 after
 *       N echoes), {@code drop_after=N} (drop the connection without a close frame after N echoes)
 *       and {@code ping=true} (ping the client after the handshake and report its pong as the text
 *       message {@code pong: hello}); {@code /ws/room?name=R} is a broadcast room: a member gets
 *       {@code {"type":"welcome",...}} on joining, then every member's messages as {@code
 *       {"type":"message","from":"member-N","text":...}}, its own included.
 * </ul>
 *
 * <p>Thread-safe; runs on its own Netty event loops until {@link #close()}.
 */
public final class DemoService implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
  private static final byte[] PONG = "pong".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern PRODUCT = Pattern.compile("/shop/products/([^/]+)");
  private static final int MAX_SESSIONS = 100_000;
  private static final int MAX_MESSAGE_BYTES = 1024 * 1024;
  private static final String SUBPROTOCOLS = "chat.v1,echo.v1";

  private static final List<Product> PRODUCTS =
      List.of(
          new Product(1, "Hammer", 1299),
          new Product(2, "Chisel", 799),
          new Product(3, "Whetstone", 2450),
          new Product(4, "Mallet", 1599),
          new Product(5, "Plane", 5900),
          new Product(6, "Rasp", 1150),
          new Product(7, "Saw", 3299),
          new Product(8, "Square", 999),
          new Product(9, "Clamp", 1399),
          new Product(10, "Grindstone", 8900));

  private record Product(int id, String name, int priceCents) {}

  private static final class Session {
    final String user;
    final Map<Integer, Integer> cart = new LinkedHashMap<>();

    Session(String user) {
      this.user = user;
    }
  }

  private final EventLoopGroup group;
  private final Channel server;
  private final int port;
  private final long startNanos = System.nanoTime();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, ChannelGroup> rooms = new ConcurrentHashMap<>();
  private final AtomicLong nextMember = new AtomicLong();

  private DemoService(int port, int threads) {
    group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("grindstone-demo", true), NioIoHandler.newFactory());
    try {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(
                              new HttpServerCodec(),
                              new HttpObjectAggregator(1024 * 1024),
                              new Handler());
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", port))
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "cannot start the demo service on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    this.port = ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Starts on a free port of 127.0.0.1 with one event loop. */
  public static DemoService start() {
    return start(0, 1);
  }

  /**
   * Starts on {@code port} of 127.0.0.1 (0 for a free one) with {@code threads} event loops.
   *
   * @throws IllegalStateException when the port is taken
   */
  public static DemoService start(int port, int threads) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    return new DemoService(port, threads);
  }

  public int port() {
    return port;
  }

  /** The base URL, {@code http://127.0.0.1:<port>} (no trailing slash). */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Runs the service until the process is stopped: {@code DemoService [port] [threads]}. */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    DemoService service = start(port, threads);
    System.out.println(service.url());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    Thread.currentThread().join();
  }

  /** Thrown inside a handler to answer with a JSON error. */
  private static final class Reject extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final HttpResponseStatus status;
    final String field;

    Reject(HttpResponseStatus status, String message, String field) {
      super(message, null, false, false);
      this.status = status;
      this.field = field;
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.decoderResult().isSuccess()) {
        send(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request", null), false);
        return;
      }
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String path = q.path();
      try {
        switch (path) {
          case "/ping" -> {
            allow(req, HttpMethod.GET, HttpMethod.HEAD);
            send(ctx, response(HttpResponseStatus.OK, TEXT_PLAIN, PONG), keepAlive);
          }
          case "/work" -> {
            allow(req, HttpMethod.GET, HttpMethod.POST);
            long ms = longParam(q, "ms", 0, 0, 60_000);
            FullHttpResponse r =
                json(HttpResponseStatus.OK, JSON.createObjectNode().put("workedMs", ms));
            later(ctx, r, keepAlive, TimeUnit.MILLISECONDS.toNanos(ms));
          }
          case "/flaky" -> {
            allow(req, HttpMethod.GET, HttpMethod.POST);
            double p = doubleParam(q, "p", 0.1);
            boolean fail = ThreadLocalRandom.current().nextDouble() < p;
            send(
                ctx,
                fail
                    ? error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "flaky failure", null)
                    : json(HttpResponseStatus.OK, JSON.createObjectNode().put("ok", true)),
                keepAlive);
          }
          case "/stall" -> {
            allow(req, HttpMethod.GET);
            long every = durationParam(q, "every", TimeUnit.SECONDS.toNanos(10));
            long length = durationParam(q, "for", TimeUnit.SECONDS.toNanos(1));
            long delay = stallDelay(System.nanoTime() - startNanos, every, length);
            FullHttpResponse r =
                json(
                    HttpResponseStatus.OK,
                    JSON.createObjectNode().put("stalledMs", TimeUnit.NANOSECONDS.toMillis(delay)));
            later(ctx, r, keepAlive, delay);
          }
          case "/ws/echo", "/ws/room" -> {
            allow(req, HttpMethod.GET);
            webSocket(ctx, req, q, path);
          }
          default -> send(ctx, shop(req, path), keepAlive);
        }
      } catch (Reject e) {
        FullHttpResponse r = error(e.status, e.getMessage(), e.field);
        if (e.status == HttpResponseStatus.METHOD_NOT_ALLOWED) {
          r.headers().set(HttpHeaderNames.ALLOW, e.field);
        }
        send(ctx, r, keepAlive);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a client that resets its connection is not the service's problem
    }
  }

  /**
   * Upgrades the connection to a WebSocket and hands it to the endpoint's handler; a plain request
   * gets a 400 that says how to connect.
   */
  private void webSocket(
      ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder q, String path) {
    if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
      throw new Reject(
          HttpResponseStatus.BAD_REQUEST,
          path + " is a WebSocket endpoint: connect with ws://127.0.0.1:" + port + path,
          "Upgrade");
    }
    ChannelHandler endpoint;
    if (path.equals("/ws/echo")) {
      endpoint =
          new WebSocketEcho(
              (int) longParam(q, "fragment", 0, 0, 1 << 20),
              longParam(q, "close_after", 0, 0, Long.MAX_VALUE),
              longParam(q, "drop_after", 0, 0, Long.MAX_VALUE),
              "true".equals(param(q, "ping")));
    } else {
      String name = param(q, "name");
      if (name == null || name.isBlank() || name.length() > 64) {
        throw new Reject(
            HttpResponseStatus.BAD_REQUEST,
            "name (the room) is required and must have 1 to 64 characters",
            "name");
      }
      endpoint = new WebSocketRoom(rooms, name, nextMember.incrementAndGet());
    }
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(
                "ws://127.0.0.1:" + port + path, SUBPROTOCOLS, false, MAX_MESSAGE_BYTES)
            .newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    handshaker
        .handshake(ctx.channel(), req)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ctx.close();
              }
            });
    ctx.pipeline()
        .addBefore(ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(MAX_MESSAGE_BYTES));
    ctx.pipeline().replace(ctx.name(), "ws-endpoint", endpoint);
  }

  /** Nanoseconds a request arriving {@code sinceStart} after the start must wait. */
  static long stallDelay(long sinceStart, long every, long length) {
    if (sinceStart < every) {
      return 0;
    }
    long phase = sinceStart % every;
    return phase < length ? length - phase : 0;
  }

  private FullHttpResponse shop(FullHttpRequest req, String path) {
    switch (path) {
      case "/shop/login" -> {
        allow(req, HttpMethod.POST);
        JsonNode body = jsonBody(req);
        String user = text(body, "username", 1, 64);
        text(body, "password", 1, 128);
        String token = UUID.randomUUID().toString();
        if (sessions.size() >= MAX_SESSIONS) {
          // Bounded memory under long runs: forget the oldest-looking half (sessions are
          // disposable).
          int n = 0;
          for (String k : sessions.keySet()) {
            if (n++ % 2 == 0) {
              sessions.remove(k);
            }
          }
        }
        sessions.put(token, new Session(user));
        FullHttpResponse r =
            json(
                HttpResponseStatus.OK,
                JSON.createObjectNode().put("token", token).put("username", user));
        r.headers().add(HttpHeaderNames.SET_COOKIE, "session=" + token + "; Path=/shop; HttpOnly");
        return r;
      }
      case "/shop/products" -> {
        allow(req, HttpMethod.GET);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("products");
        for (Product p : PRODUCTS) {
          list.add(product(p));
        }
        return json(HttpResponseStatus.OK, root);
      }
      case "/shop/cart" -> {
        allow(req, HttpMethod.GET, HttpMethod.POST);
        Session s = session(req);
        if (req.method().equals(HttpMethod.POST)) {
          JsonNode body = jsonBody(req);
          int id = intField(body, "productId", 1, Integer.MAX_VALUE);
          int quantity = intField(body, "quantity", 1, 100);
          Product p = find(id, "productId");
          synchronized (s) {
            s.cart.merge(p.id(), quantity, Integer::sum);
          }
        }
        return json(HttpResponseStatus.OK, cart(s));
      }
      case "/shop/checkout" -> {
        allow(req, HttpMethod.POST);
        Session s = session(req);
        ObjectNode order;
        synchronized (s) {
          if (s.cart.isEmpty()) {
            throw new Reject(
                HttpResponseStatus.CONFLICT, "the cart is empty; add a product first", "cart");
          }
          order = cart(s);
          s.cart.clear();
        }
        order.put("orderId", UUID.randomUUID().toString());
        return json(HttpResponseStatus.OK, order);
      }
      default -> {
        Matcher m = PRODUCT.matcher(path);
        if (m.matches()) {
          allow(req, HttpMethod.GET);
          int id;
          try {
            id = Integer.parseInt(m.group(1));
          } catch (NumberFormatException e) {
            throw new Reject(
                HttpResponseStatus.BAD_REQUEST,
                "product id must be a whole number, was '" + m.group(1) + "'",
                "id");
          }
          return json(HttpResponseStatus.OK, product(find(id, "id")));
        }
        throw new Reject(HttpResponseStatus.NOT_FOUND, "no such path: " + path, null);
      }
    }
  }

  private static Product find(int id, String field) {
    for (Product p : PRODUCTS) {
      if (p.id() == id) {
        return p;
      }
    }
    throw new Reject(
        HttpResponseStatus.NOT_FOUND,
        "no product with id " + id + " (ids are 1.." + PRODUCTS.size() + ")",
        field);
  }

  private static ObjectNode product(Product p) {
    return JSON.createObjectNode()
        .put("id", p.id())
        .put("name", p.name())
        .put("priceCents", p.priceCents());
  }

  private static ObjectNode cart(Session s) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode items = root.putArray("items");
    long total = 0;
    synchronized (s) {
      for (Map.Entry<Integer, Integer> e : s.cart.entrySet()) {
        Product p = find(e.getKey(), "productId");
        items.add(product(p).put("quantity", e.getValue()));
        total += (long) p.priceCents() * e.getValue();
      }
    }
    root.put("totalCents", total);
    return root;
  }

  private Session session(FullHttpRequest req) {
    String token = null;
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = auth.substring(7).trim();
    } else {
      String cookieHeader = req.headers().get(HttpHeaderNames.COOKIE);
      if (cookieHeader != null) {
        Set<Cookie> cookies = ServerCookieDecoder.LAX.decode(cookieHeader);
        for (Cookie c : cookies) {
          if (c.name().equals("session")) {
            token = c.value();
          }
        }
      }
    }
    Session s = token == null ? null : sessions.get(token);
    if (s == null) {
      throw new Reject(
          HttpResponseStatus.UNAUTHORIZED,
          token == null
              ? "log in first: POST /shop/login, then send the session cookie or 'Authorization:"
                  + " Bearer <token>'"
              : "unknown or expired session; log in again",
          "session");
    }
    return s;
  }

  private static void allow(FullHttpRequest req, HttpMethod... methods) {
    for (HttpMethod m : methods) {
      if (m.equals(req.method())) {
        return;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (HttpMethod m : methods) {
      sb.append(sb.isEmpty() ? "" : ", ").append(m.name());
    }
    throw new Reject(
        HttpResponseStatus.METHOD_NOT_ALLOWED,
        req.method() + " is not allowed here; use " + sb,
        sb.toString());
  }

  private static JsonNode jsonBody(FullHttpRequest req) {
    ByteBuf content = req.content();
    if (content.readableBytes() == 0) {
      throw new Reject(HttpResponseStatus.BAD_REQUEST, "a JSON object body is required", null);
    }
    try {
      byte[] bytes = new byte[content.readableBytes()];
      content.getBytes(content.readerIndex(), bytes);
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new Reject(HttpResponseStatus.BAD_REQUEST, "the body must be a JSON object", null);
      }
      return node;
    } catch (IOException e) {
      throw new Reject(
          HttpResponseStatus.BAD_REQUEST,
          "the body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""),
          null);
    }
  }

  private static String text(JsonNode body, String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw new Reject(
          HttpResponseStatus.UNPROCESSABLE_ENTITY,
          field + " is required and must be a string",
          field);
    }
    String s = v.asText();
    if (s.isBlank() || s.length() < min || s.length() > max) {
      throw new Reject(
          HttpResponseStatus.UNPROCESSABLE_ENTITY,
          field + " must have " + min + " to " + max + " characters and not be blank",
          field);
    }
    return s;
  }

  private static int intField(JsonNode body, String field, int min, int max) {
    JsonNode v = body.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new Reject(
          HttpResponseStatus.UNPROCESSABLE_ENTITY,
          field + " is required and must be a whole number",
          field);
    }
    int i = v.intValue();
    if (i < min || i > max) {
      throw new Reject(
          HttpResponseStatus.UNPROCESSABLE_ENTITY,
          field + " must be between " + min + " and " + max + ", was " + i,
          field);
    }
    return i;
  }

  private static String param(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static long longParam(QueryStringDecoder q, String name, long dflt, long min, long max) {
    String s = param(q, name);
    if (s == null) {
      return dflt;
    }
    try {
      long v = Long.parseLong(s.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Reject(
        HttpResponseStatus.BAD_REQUEST,
        name + " must be a whole number between " + min + " and " + max + ", was '" + s + "'",
        name);
  }

  private static double doubleParam(QueryStringDecoder q, String name, double dflt) {
    String s = param(q, name);
    if (s == null) {
      return dflt;
    }
    try {
      double v = Double.parseDouble(s.trim());
      if (v >= 0 && v <= 1) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Reject(
        HttpResponseStatus.BAD_REQUEST,
        name + " must be a probability between 0 and 1, was '" + s + "'",
        name);
  }

  /** Parses {@code 250ms}, {@code 10s}, {@code 1m}, or a plain number of seconds. */
  static long parseDuration(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    long unit;
    String digits;
    if (t.endsWith("ms")) {
      unit = TimeUnit.MILLISECONDS.toNanos(1);
      digits = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      unit = TimeUnit.SECONDS.toNanos(1);
      digits = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      unit = TimeUnit.HOURS.toNanos(1);
      digits = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = TimeUnit.MINUTES.toNanos(1);
      digits = t.substring(0, t.length() - 1);
    } else {
      unit = TimeUnit.SECONDS.toNanos(1);
      digits = t;
    }
    long n = Long.parseLong(digits.trim());
    if (n < 0 || n > 3_600_000) {
      throw new NumberFormatException("out of range");
    }
    return n * unit;
  }

  private static long durationParam(QueryStringDecoder q, String name, long dflt) {
    String s = param(q, name);
    if (s == null) {
      return dflt;
    }
    try {
      long v = parseDuration(s);
      if (v > 0 && v <= TimeUnit.HOURS.toNanos(1)) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Reject(
        HttpResponseStatus.BAD_REQUEST,
        name
            + " must be a positive duration up to 1h such as 250ms,"
            + " 10s, 1m or 1h, was '"
            + s
            + "'",
        name);
  }

  private static FullHttpResponse response(
      HttpResponseStatus status, AsciiString type, byte[] body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return r;
  }

  private static FullHttpResponse json(HttpResponseStatus status, JsonNode node) {
    try {
      return response(status, APPLICATION_JSON, JSON.writeValueAsBytes(node));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FullHttpResponse error(HttpResponseStatus status, String message, String field) {
    ObjectNode n = JSON.createObjectNode().put("error", message);
    if (field != null && status != HttpResponseStatus.METHOD_NOT_ALLOWED) {
      n.put("field", field);
    } else {
      n.putNull("field");
    }
    return json(status, n);
  }

  private static void later(
      ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive, long delayNanos) {
    if (delayNanos <= 0) {
      send(ctx, r, keepAlive);
    } else {
      ctx.executor().schedule(() -> send(ctx, r, keepAlive), delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
    if (keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(r, ctx.voidPromise());
    } else {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
