package dev.grindstone.http.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small RFC 4180 reader: a header row, then rows of the same width; quotes and "" escapes. */
final class Csv {

  private Csv() {}

  static List<Map<String, String>> read(String text) {
    List<List<String>> records = records(text);
    if (records.isEmpty()) {
      throw new IllegalArgumentException(
          "the file is empty; it needs a header row naming the columns");
    }
    List<String> header = records.getFirst();
    List<Map<String, String>> rows = new ArrayList<>();
    for (int i = 1; i < records.size(); i++) {
      List<String> r = records.get(i);
      if (r.size() == 1 && r.getFirst().isEmpty()) {
        continue; // blank line
      }
      if (r.size() != header.size()) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + " has "
                + r.size()
                + " values but the header has "
                + header.size()
                + " columns");
      }
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.size(); c++) {
        row.put(header.get(c).trim(), r.get(c));
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<List<String>> records(String text) {
    List<List<String>> out = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      any = true;
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        record.add(field.toString());
        field.setLength(0);
        out.add(record);
        record = new ArrayList<>();
        any = false;
      } else {
        field.append(c);
      }
    }
    if (any) {
      record.add(field.toString());
      out.add(record);
    }
    return out;
  }
}
