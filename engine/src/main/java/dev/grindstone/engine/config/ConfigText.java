package dev.grindstone.engine.config;

import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads configuration files as text, and says where and why when a file is not text: a control byte
 * (a binary file) or a byte sequence that is not UTF-8, each with its line and column.
 */
final class ConfigText {

  private ConfigText() {}

  /** A file's text in UTF-8; {@code what} names the kind of file in messages ("run file"). */
  static String utf8(Path file, String what) {
    byte[] bytes = bytes(file, what);
    requireText(file, bytes, what);
    int bad = firstMalformedUtf8(bytes);
    if (bad >= 0) {
      throw new BadInputException(
          file
              + ":"
              + position(bytes, bad)
              + ": byte 0x"
              + String.format(Locale.ROOT, "%02X", bytes[bad] & 0xff)
              + " is not UTF-8; save the "
              + what
              + " as UTF-8");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * A properties file's text: UTF-8, or else ISO-8859-1, the encoding {@code Properties.load} and
   * The Grinder read such files in (every byte is a character in it).
   */
  static String properties(Path file) {
    byte[] bytes = bytes(file, "properties file");
    requireText(file, bytes, "properties file");
    return new String(
        bytes,
        firstMalformedUtf8(bytes) < 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException("There is no " + what + " " + file + ".");
    } catch (AccessDeniedException e) {
      throw new BadInputException(file + ": permission denied");
    } catch (IOException e) {
      throw new BadInputException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a file with a control character other than tab, line feed, form feed and carriage
   * return.
   */
  private static void requireText(Path file, byte[] bytes, String what) {
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      if (b < 0x20 && b != '\t' && b != '\n' && b != '\f' && b != '\r' || b == 0x7f) {
        throw new BadInputException(
            file
                + ":"
                + position(bytes, i)
                + ": byte 0x"
                + String.format(Locale.ROOT, "%02X", b)
                + " is a control character: this is not a text file. A "
                + what
                + " is text (key: value lines); check that the right file was given");
      }
    }
  }

  /** The offset of the first byte that does not decode as UTF-8, or -1. */
  private static int firstMalformedUtf8(byte[] bytes) {
    CharsetDecoder d =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(4096);
    while (true) {
      CoderResult r = d.decode(in, out, true);
      if (r.isError()) {
        return in.position();
      }
      if (r.isUnderflow()) {
        r = d.flush(out);
        return r.isError() ? in.position() : -1;
      }
      out.clear(); // overflow: the characters themselves are not needed
    }
  }

  /** "line:column" (1-based, columns in characters of the valid text before) of a byte offset. */
  private static String position(byte[] bytes, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    String before = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8);
    return line + ":" + (before.codePointCount(0, before.length()) + 1);
  }
}
