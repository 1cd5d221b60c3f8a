package dev.grindstone.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonAnswerTest {
  private static final ObjectMapper MAPPER = JsonBody.newMapper();

  @Test
  void a_raw_value_is_written_as_its_text_whatever_its_length_and_characters() throws Exception {
    String big = "[" + "{\"h\":\"" + "A".repeat(20_000) + "\"}," + "{\"é\":\"😀 \\u0000\"}]";
    for (String json : List.of("[]", "{\"a\":[1, 2.5e3, null]}", "[\"é😀\"]", big)) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("before", 1);
      m.put("raw", JsonAnswer.raw(json));
      m.put("after", List.of(JsonAnswer.raw(json)));
      String expected = "{\"before\":1,\"raw\":" + json + ",\"after\":[" + json + "]}";
      assertThat(new String(MAPPER.writeValueAsBytes(m), StandardCharsets.UTF_8))
          .isEqualTo(expected);
      assertThat(MAPPER.writeValueAsString(m)).isEqualTo(expected);
      m.put("raw", new RawValue(json));
      m.put("after", List.of(new RawValue(json)));
      assertThat(new String(MAPPER.writeValueAsBytes(m), StandardCharsets.UTF_8))
          .isEqualTo(expected);
    }
  }
}
