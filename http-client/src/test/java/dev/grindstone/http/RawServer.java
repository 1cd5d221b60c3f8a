package dev.grindstone.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain-socket server on 127.0.0.1:0 for misbehaving targets: each accepted connection is handed
 * to the behaviour on its own virtual thread.
 */
final class RawServer implements AutoCloseable {
  interface Behaviour {
    void serve(Socket socket) throws Exception;
  }

  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  RawServer(Behaviour behaviour) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  sockets.add(s);
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try (s) {
                              behaviour.serve(s);
                            } catch (Exception ignored) {
                              // the client went away: fine for a test server
                            }
                          });
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  /** Reads one request head (up to the blank line) and returns it. */
  static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        return sb.toString();
      }
    }
    return sb.toString();
  }

  static void write(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
