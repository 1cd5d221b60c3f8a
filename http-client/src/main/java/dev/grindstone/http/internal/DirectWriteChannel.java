package dev.grindstone.http.internal;

import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A Netty NIO socket channel that lets the calling thread write to its {@link SocketChannel}
 * directly (see {@link Connection#write}). Netty still owns the channel: it reads, closes and
 * writes whatever is handed to it.
 */
final class DirectWriteChannel extends NioSocketChannel {
  /** The underlying non-blocking socket. */
  SocketChannel socket() {
    return javaChannel();
  }
}
