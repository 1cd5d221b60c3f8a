package dev.grindstone.engine.analyze;

import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the rows of a data log in its {@link DataLogFormat}: streams the file through a reused byte
 * buffer and hands each line's values to a {@link RowHandler}. Numbers are parsed from the bytes
 * directly: no {@code String}, no array and no boxing per line, so memory stays constant however
 * long the file is.
 *
 * <p>IMPLEMENTATION NOTES. A line is parsed only once it lies whole in the buffer: when no newline
 * is left, the unread tail moves to the front and the buffer is refilled, so a line is never split
 * and one buffer bounds the longest line. Times in milliseconds may carry a fraction (our own data
 * logs write microsecond precision, as {@code 0.213}); they are turned into whole microseconds by
 * exact decimal rounding, half up, which is what {@code Math.round(x * 1000)} gives for them.
 * Exponents ({@code 1.0E7}, as {@code Double.toString} writes large values) take a slow path
 * through {@link Double#parseDouble}.
 *
 * <p>Not thread-safe; reusable for several files in turn.
 */
final class DataLogReader {

  /** Receives the rows of a data log. */
  interface RowHandler {
    /** Called once per file, before its rows. */
    void header(DataLogFormat format);

    /**
     * One line's values. {@code plugins} holds the values of the format's plug-in columns in their
     * order, in their stored unit (µs for times), or is null when it has none; it is reused for the
     * next line. Throws {@link RowRejected} when the line cannot be added; the reader names the
     * file and line.
     *
     * @param scenario the line's {@code Scenario} (the last column of a run of several scenarios),
     *     one String instance per name within a reader; null when the file has no such column
     */
    void row(
        int test,
        long startMillis,
        long timeMicros,
        boolean error,
        long[] plugins,
        String scenario);

    /**
     * A line with the first four values only and every other one empty: a call that was still in
     * progress when its run cancelled it at stop. It has no time and no outcome.
     *
     * @param scenario as for {@link #row}
     */
    void cancelled(int test, long startMillis, String scenario);
  }

  /** Thrown by a {@link RowHandler} for a line it cannot add; {@code column} is 1-based. */
  static final class RowRejected extends RuntimeException {
    final int column;

    RowRejected(int column, String message) {
      super(message, null, false, false);
      this.column = column;
    }
  }

  static final int DEFAULT_BUFFER_BYTES = 1 << 20;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Start times beyond this (year 33658) would overflow once turned into microseconds. */
  static final long MAX_START_MILLIS = 1_000_000_000_000_000L;

  /**
   * Times (Test time and the plug-ins' times) beyond this many milliseconds (about 31,700 years)
   * are refused: no call lasts that long, and kept in µs they still leave room to add up.
   */
  static final long MAX_TIME_MILLIS = 1_000_000_000_000_000L;

  private final byte[] buf;
  private final PluginSchema known;

  /** The values of the plug-in columns of the line being parsed, reused. */
  private long[] values;

  /** Which plug-in columns are times (ms written, µs kept), by position. */
  private boolean[] times;

  // The line being parsed.
  private String file;
  private long lineNumber;
  private DataLogFormat header;
  private int p;
  private int end;

  /** The scenario names read so far, as bytes and as the one String handed out for each. */
  private byte[][] scenarioBytes = new byte[0][];

  private String[] scenarioNames = new String[0];

  /**
   * @param known the plug-ins whose columns a header may hold
   */
  DataLogReader(int bufferBytes, PluginSchema known) {
    this.buf = new byte[bufferBytes];
    this.known = known;
  }

  /**
   * A bad line. The line number is kept apart from the rest of the message so that the rows of a
   * chunk read on its own, numbered from its start, can be renumbered from the file's start.
   */
  static final class LineError extends BadInputException {
    final String file;
    final long line;
    final String detail;

    LineError(String file, long line, String detail) {
      super(file + ":" + line + detail);
      this.file = file;
      this.line = line;
      this.detail = detail;
    }

    LineError shifted(long lines) {
      return new LineError(file, line + lines, detail);
    }
  }

  /** A header line, its line number and the byte offset just after it. */
  record HeaderAt(DataLogFormat header, long line, long endOffset) {}

  private boolean headerOnly;
  private long headerEndOffset;
  private long rows;

  /**
   * Reads a whole data log: its header, then its rows. Returns the number of rows. Throws {@link
   * BadInputException} naming {@code file}, the line and the column of the first thing that is not
   * a data log's.
   */
  long read(String file, InputStream in, RowHandler handler) throws IOException {
    start(file, null, false);
    loop(in, handler);
    return rows;
  }

  /** Reads a data log's header only; the rows start at {@link HeaderAt#endOffset()}. */
  HeaderAt readHeader(String file, InputStream in) throws IOException {
    start(file, null, true);
    loop(in, null);
    return new HeaderAt(header, lineNumber, headerEndOffset);
  }

  /**
   * Reads rows (no header) of a data log whose header is {@code header}, numbering lines from 1 in
   * messages (see {@link LineError#shifted}). Returns the number of rows; {@link #lines()} gives
   * the number of lines read.
   */
  long readRows(String file, DataLogFormat header, InputStream in, RowHandler handler)
      throws IOException {
    start(file, header, false);
    loop(in, handler);
    return rows;
  }

  private void columns(DataLogFormat format) {
    var plugins = format.pluginColumns();
    values = new long[plugins.size()];
    times = new boolean[plugins.size()];
    for (int i = 0; i < times.length; i++) {
      times[i] = plugins.get(i).time();
    }
  }

  /** Lines read by the last call, blank ones included. */
  long lines() {
    return lineNumber;
  }

  private void start(String file, DataLogFormat header, boolean headerOnly) {
    this.file = file;
    this.header = header;
    if (header != null) {
      columns(header);
    }
    this.headerOnly = headerOnly;
    this.lineNumber = 0;
    this.rows = 0;
  }

  private void loop(InputStream in, RowHandler handler) throws IOException {
    boolean needsHeader = header == null;
    long discarded = 0;
    int len = 0;
    int pos = 0;
    int scan = 0;
    boolean eof = false;
    boolean start = needsHeader;
    while (true) {
      int nl = indexOfNewline(scan, len);
      if (nl < 0) {
        if (!eof) {
          if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, len - pos);
            len -= pos;
            discarded += pos;
            pos = 0;
          }
          if (len == buf.length) {
            throw new LineError(
                file,
                lineNumber + 1,
                ": the line is longer than "
                    + buf.length
                    + " bytes; a data log line holds a few comma-separated numbers");
          }
          scan = len;
          int n = in.read(buf, len, buf.length - len);
          if (n < 0) {
            eof = true;
          } else {
            len += n;
          }
          if (start && (eof || len >= 3)) {
            start = false;
            if (len >= 3
                && (buf[0] & 0xff) == 0xEF
                && (buf[1] & 0xff) == 0xBB
                && (buf[2] & 0xff) == 0xBF) {
              pos = 3; // a UTF-8 byte-order mark
              scan = 3;
            }
          }
          continue;
        }
        if (pos >= len) {
          break;
        }
        nl = len;
      }
      lineNumber++;
      int e = nl;
      if (e > pos && buf[e - 1] == '\r') {
        e--;
      }
      if (!isBlank(pos, e)) {
        if (header == null) {
          header =
              DataLogFormat.parse(
                  file + ":" + lineNumber,
                  new String(buf, pos, e - pos, StandardCharsets.UTF_8),
                  known);
          columns(header);
          if (headerOnly) {
            headerEndOffset = discarded + Math.min(nl + 1, len);
            return;
          }
          handler.header(header);
        } else {
          parseRow(pos, e, handler);
          rows++;
        }
      }
      pos = nl + 1;
      scan = pos;
    }
    if (needsHeader && header == null) {
      throw new BadInputException(
          file
              + ": the file is empty; a Grinder data log starts with the"
              + " header line '"
              + DataLogFormat.STANDARD_LINE
              + "'");
    }
  }

  /**
   * The first newline in {@code buf[from, to)}, or -1. Eight bytes at a time: a byte of {@code word
   * ^ 0x0A..} is zero where the newline is, and {@code (x − 0x01..) & ~x & 0x80..} sets the top bit
   * of the lowest zero byte of {@code x} (bits above it may be wrong, never below).
   */
  private int indexOfNewline(int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long x = (long) LONGS.get(buf, i) ^ 0x0A0A0A0A0A0A0A0AL;
      long found = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private boolean isBlank(int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] != ' ' && buf[i] != '\t') {
        return false;
      }
    }
    return true;
  }

  private void parseRow(int from, int to, RowHandler handler) {
    p = from;
    end = to;
    wholeNumber(1, false);
    separator(2);
    wholeNumber(2, false);
    separator(3);
    long test = wholeNumber(3, false);
    if (test < Integer.MIN_VALUE || test > Integer.MAX_VALUE) {
      throw bad(3, "'" + test + "' is out of range for a test number");
    }
    separator(4);
    long startMillis = wholeNumber(4, false);
    if (Math.abs(startMillis) > MAX_START_MILLIS) {
      throw bad(4, "'" + startMillis + "' is out of range for milliseconds since the Epoch");
    }
    separator(5);
    String scenario = null;
    if (emptyField()) {
      for (int column = 6; column <= header.size(); column++) {
        separator(column);
        if (column == header.size() && header.hasScenarioColumn()) {
          scenario = scenario(); // a cancelled call keeps its scenario
          continue;
        }
        if (!emptyField()) {
          throw bad(
              column,
              "'"
                  + fieldText(p)
                  + "' after an empty Test time; a line whose Test time is empty"
                  + " (a call cancelled at stop) has every value after the start time empty");
        }
      }
      requireLineEnd();
      handler.cancelled((int) test, startMillis, scenario);
      return;
    }
    long timeMicros = millisAsMicros(5);
    separator(6);
    long errors = wholeNumber(6, true);
    int column = 7;
    long[] h = null;
    if (values.length > 0) {
      h = values;
      for (int i = 0; i < h.length; i++, column++) {
        separator(column);
        h[i] = times[i] ? millisAsMicros(column) : wholeNumber(column, false);
      }
    }
    for (; column <= header.size(); column++) {
      separator(column);
      if (column == header.size() && header.hasScenarioColumn()) {
        scenario = scenario();
      } else {
        skipField();
      }
    }
    requireLineEnd();
    try {
      handler.row((int) test, startMillis, timeMicros, errors != 0, h, scenario);
    } catch (RowRejected e) {
      throw bad(e.column, e.getMessage());
    }
  }

  /** After the header's last column: nothing but the end of the line. */
  private void requireLineEnd() {
    if (p < end) {
      int columns = header.size() + 1;
      for (int i = p + 1; i < end; i++) {
        if (buf[i] == ',') {
          columns++;
        }
      }
      throw new LineError(
          file,
          lineNumber,
          ": column "
              + (header.size() + 1)
              + ": unexpected; the line has "
              + columns
              + " columns but the header "
              + header.size()
              + "; remove the extra columns or name them in the header");
    }
  }

  /** Moves past the comma before {@code column}, or reports the column as missing. */
  private void separator(int column) {
    if (p >= end) {
      throw new LineError(
          file,
          lineNumber,
          ": column "
              + column
              + " ("
              + header.name(column)
              + ") is missing: the line has "
              + (column - 1)
              + " columns, the header "
              + header.size());
    }
    p++; // the value parsers stop only at the end or at a comma
  }

  /** True when the field at the position holds only spaces (and moves to its end). */
  private boolean emptyField() {
    skipSpaces();
    return p >= end || buf[p] == ',';
  }

  /**
   * The scenario named by the field at the position (spaces around it dropped), the same String for
   * the same name: a data log names a few scenarios over millions of lines.
   */
  private String scenario() {
    skipSpaces();
    int from = p;
    skipField();
    int to = p;
    while (to > from && (buf[to - 1] == ' ' || buf[to - 1] == '\t')) {
      to--;
    }
    for (int i = 0; i < scenarioBytes.length; i++) {
      if (Arrays.equals(scenarioBytes[i], 0, scenarioBytes[i].length, buf, from, to)) {
        return scenarioNames[i];
      }
    }
    if (to == from) {
      throw bad(header.size(), "the Scenario is empty; each line names its call's scenario");
    }
    int n = scenarioBytes.length;
    scenarioBytes = Arrays.copyOf(scenarioBytes, n + 1);
    scenarioNames = Arrays.copyOf(scenarioNames, n + 1);
    scenarioBytes[n] = Arrays.copyOfRange(buf, from, to);
    scenarioNames[n] = new String(scenarioBytes[n], StandardCharsets.UTF_8);
    return scenarioNames[n];
  }

  private void skipField() {
    while (p < end && buf[p] != ',') {
      p++;
    }
  }

  private void skipSpaces() {
    while (p < end && (buf[p] == ' ' || buf[p] == '\t')) {
      p++;
    }
  }

  /** After a value: only spaces may come before the next comma or the end of the line. */
  private boolean atValueEnd() {
    skipSpaces();
    return p >= end || buf[p] == ',';
  }

  private long wholeNumber(int column, boolean nonNegative) {
    skipSpaces();
    int s = p;
    boolean negative = false;
    if (p < end && buf[p] == '-') {
      negative = true;
      p++;
    }
    long v = 0;
    int digits = 0;
    while (p < end) {
      int d = buf[p] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      // Compares with constants only: a division per digit would cost more than the parse.
      if (v >= Long.MAX_VALUE / 10 && (v > Long.MAX_VALUE / 10 || d > 7)) {
        throw bad(column, "'" + fieldText(s) + "' is out of range");
      }
      v = v * 10 + d;
      p++;
      digits++;
    }
    if (digits == 0 || !atValueEnd()) {
      throw notNumber(column, s, true);
    }
    if (negative && v != 0 && nonNegative) {
      throw bad(column, "'" + fieldText(s) + "' must not be negative");
    }
    return negative ? -v : v;
  }

  /**
   * A time in milliseconds, possibly with a fraction, as whole microseconds: the inverse of {@link
   * DataLogFormat#appendMillis}.
   */
  private long millisAsMicros(int column) {
    skipSpaces();
    int s = p;
    if (p < end && buf[p] == '-') {
      p++;
      if (p < end && buf[p] >= '0' && buf[p] <= '9') {
        throw bad(column, "'" + fieldText(s) + "' must not be negative");
      }
      throw notNumber(column, s, false);
    }
    long whole = 0;
    int digits = 0;
    while (p < end) {
      int d = buf[p] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      if (whole > Long.MAX_VALUE / 10_000) {
        throw bad(column, "'" + fieldText(s) + "' is out of range");
      }
      whole = whole * 10 + d;
      p++;
      digits++;
    }
    long fraction = 0;
    int fractionDigits = 0;
    boolean roundUp = false;
    if (p < end && buf[p] == '.') {
      p++;
      while (p < end) {
        int d = buf[p] - '0';
        if (d < 0 || d > 9) {
          break;
        }
        if (fractionDigits < 3) {
          fraction = fraction * 10 + d;
        } else if (fractionDigits == 3) {
          roundUp = d >= 5;
        }
        fractionDigits++;
        p++;
      }
      for (int i = fractionDigits; i < 3; i++) {
        fraction *= 10;
      }
    }
    if (digits + fractionDigits > 0 && p < end && (buf[p] == 'e' || buf[p] == 'E')) {
      return exponentMillisAsMicros(column, s);
    }
    if (digits + fractionDigits == 0 || !atValueEnd()) {
      throw notNumber(column, s, false);
    }
    long micros =
        whole > MAX_TIME_MILLIS ? Long.MAX_VALUE : whole * 1000 + fraction + (roundUp ? 1 : 0);
    if (micros > MAX_TIME_MILLIS * 1000) {
      throw bad(column, "'" + fieldText(s) + "' is out of range");
    }
    return micros;
  }

  private long exponentMillisAsMicros(int column, int s) {
    skipField();
    String text = fieldText(s);
    double millis;
    try {
      millis = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw notNumber(column, s, false);
    }
    if (millis < 0) {
      throw bad(column, "'" + text + "' must not be negative");
    }
    if (!(millis * 1000 <= MAX_TIME_MILLIS * 1000)) {
      throw bad(column, "'" + text + "' is out of range");
    }
    return Math.round(millis * 1000);
  }

  private LineError notNumber(int column, int s, boolean whole) {
    String text = fieldText(s);
    if (text.isEmpty()) {
      return bad(column, "the value is empty; expected a " + (whole ? "whole number" : "number"));
    }
    if (whole) {
      try {
        Double.parseDouble(text);
        return bad(column, "'" + text + "' is not a whole number");
      } catch (NumberFormatException e) {
        // not a number at all
      }
    }
    return bad(column, "'" + text + "' is not a number");
  }

  /** The text of the field starting at {@code s}, up to the next comma, trimmed, for messages. */
  private String fieldText(int s) {
    int e = s;
    while (e < end && buf[e] != ',') {
      e++;
    }
    return DataLogFormat.shorten(new String(buf, s, e - s, StandardCharsets.UTF_8).strip());
  }

  private LineError bad(int column, String what) {
    return new LineError(
        file, lineNumber, ": column " + column + " (" + header.name(column) + "): " + what);
  }
}
