package dev.grindstone.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Answers with a value as JSON, as {@code Context.json} does, written straight to UTF-8 bytes
 * rather than to a string that is then encoded: for the answers sent many times a second (a
 * snapshot's) or large ones (a page of stored snapshots). Stateless.
 */
public final class JsonAnswer {
  private JsonAnswer() {}

  /**
   * A value to put in an answer as it is: {@code json}, JSON this server checked, written out as
   * its UTF-8 bytes in one copy (a {@link RawValue} of the string alone would be encoded character
   * by character, which for the stored snapshots a controller reads was a tenth of the server's
   * time).
   */
  public static RawValue raw(String json) {
    return new RawValue(new Utf8(json));
  }

  /**
   * A string the generator takes as UTF-8 bytes encoded by the JDK at once, whole; its quoted forms
   * (for names and string values, which a raw value never is) are {@link SerializedString}'s.
   */
  private static final class Utf8 implements SerializableString {
    private final SerializedString text;

    Utf8(String json) {
      this.text = new SerializedString(json);
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return text.getValue().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      return -1; // the generator then writes asUnquotedUTF8()
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      byte[] bytes = asUnquotedUTF8();
      out.write(bytes);
      return bytes.length;
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer out) {
      byte[] bytes = asUnquotedUTF8();
      if (bytes.length > out.remaining()) {
        return -1;
      }
      out.put(bytes);
      return bytes.length;
    }

    @Override
    public String getValue() {
      return text.getValue();
    }

    @Override
    public int charLength() {
      return text.charLength();
    }

    @Override
    public char[] asQuotedChars() {
      return text.asQuotedChars();
    }

    @Override
    public byte[] asQuotedUTF8() {
      return text.asQuotedUTF8();
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      return text.appendQuotedUTF8(buffer, offset);
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      return text.appendQuoted(buffer, offset);
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      return text.appendUnquoted(buffer, offset);
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
      return text.writeQuotedUTF8(out);
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
      return text.putQuotedUTF8(buffer);
    }
  }

  /** Sets the answer's body to {@code value} as JSON, and its content type. */
  public static void send(Context ctx, ObjectMapper mapper, Object value) {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the answer as JSON", e);
    }
    ctx.contentType(ContentType.APPLICATION_JSON).result(bytes);
  }
}
