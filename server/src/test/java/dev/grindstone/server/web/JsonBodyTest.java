package dev.grindstone.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBodyTest {
  private static final ObjectMapper MAPPER = JsonBody.newMapper();

  private static JsonBody parse(String body) {
    return JsonBody.parseObject(MAPPER, body.getBytes(StandardCharsets.UTF_8));
  }

  private static ApiError refused(String body) {
    return catchThrowableOfType(ApiError.class, () -> parse(body));
  }

  @Test
  void a_top_level_array_or_object_is_given_as_posted_and_reads_back_as_its_tree()
      throws Exception {
    String tests = "[ {\"number\": 1,\n  \"statistics\": {\"errors\": 1e0}},\t{\"number\":2} ]";
    JsonBody b = parse("{\"agent\":\"a\", \"tests\": " + tests + " ,\"extra\":{\"k\":[1, 2]}}");
    assertThat(b.postedText("tests")).isEqualTo(tests);
    assertThat(b.postedText("extra")).isEqualTo("{\"k\":[1, 2]}");
    assertThat(MAPPER.readTree(b.postedText("tests"))).isEqualTo(b.raw("tests"));
    assertThat(b.raw("tests").get(1).get("number").asInt()).isEqualTo(2);
    assertThat(b.text("agent", 10)).isEqualTo("a");
    assertThat(b.postedText("agent")).isEqualTo("\"a\"");
    assertThat(b.postedText("missing")).isNull();
  }

  @Test
  void a_plain_ascii_body_reads_as_the_same_tree_as_the_parser_makes() throws Exception {
    String body =
        "{\"agent\":\"a b\",\"tests\":[{\"number\":1,\"n\":-7,\"long\":12345678901,"
            + "\"big\":123456789012345678901234567890,\"f\":1.5e3,\"z\":-0.0,\"i\":2.0,"
            + "\"t\":true,\"u\":false,\"v\":null,\"h\":\"SGVsbG8=\",\"e\":\"\","
            + "\"a\":[[],{},[1,\"x\",[null]]]}],\"o\":{\"k\":{\"j\":[0.1,1e400]}},\"s\":\"end\"}";
    JsonBody b = parse(body);
    assertThat(b.node()).isEqualTo(MAPPER.readTree(body)); // node types included
    JsonNode test = b.raw("tests").get(0);
    assertThat(test.get("long").isLong()).isTrue();
    assertThat(test.get("big").isBigInteger()).isTrue();
    assertThat(test.get("i").isDouble()).isTrue();
    assertThat(test.get("h").textValue()).isEqualTo("SGVsbG8=");
    assertThat(test.get("e").textValue()).isEmpty();
    assertThat(b.postedText("tests"))
        .isEqualTo(body.substring(body.indexOf("[{"), body.indexOf(",\"o\"")));
  }

  @Test
  void a_control_character_or_an_unterminated_string_in_an_ascii_body_is_malformed() {
    ApiError tab = refused("{\"a\":\"x\ty\",\"b\":1}");
    assertThat(tab.status()).isEqualTo(400);
    assertThat(tab.getMessage()).startsWith("malformed JSON at line 1");
    assertThat(refused("{\"a\":\"xy").getMessage()).startsWith("malformed JSON at line 1");
  }

  @Test
  void a_body_naming_a_field_twice_reads_as_before_and_its_text_is_written_from_its_tree() {
    JsonBody b =
        parse("{\"tests\":[{\"number\":1,\"statistics\":{\"errors\":5,\"errors\":0}}],\"n\":1}");
    assertThat(b.raw("tests").get(0).get("statistics").get("errors").asInt()).isZero();
    assertThat(b.postedText("tests")).isEqualTo("[{\"number\":1,\"statistics\":{\"errors\":0}}]");
    assertThat(parse("{\"tests\":[1],\"tests\":[2]}").postedText("tests")).isEqualTo("[2]");
  }

  @Test
  void a_body_in_utf16_reads_as_before() {
    JsonBody b =
        JsonBody.parseObject(MAPPER, "{\"tests\": [1, \"é\"]}".getBytes(StandardCharsets.UTF_16BE));
    assertThat(b.raw("tests").get(1).asText()).isEqualTo("é");
    assertThat(b.postedText("tests")).isEqualTo("[1,\"é\"]");
  }

  @Test
  void a_nul_or_a_lone_surrogate_is_refused_by_field_whatever_else_the_body_holds() {
    for (String other : new String[] {"plain", "é", "\\\\", "\\n"}) {
      ApiError nul = refused("{\"o\":\"" + other + "\",\"tests\":[{\"h\":\"x\\u0000\"}]}");
      assertThat(nul.field()).as(other).isEqualTo("tests[0].h");
      assertThat(nul.getMessage()).contains("NUL");
      ApiError surrogate = refused("{\"o\":\"" + other + "\",\"tests\":[{\"h\":\"\\udc00\"}]}");
      assertThat(surrogate.field()).as(other).isEqualTo("tests[0].h");
      assertThat(surrogate.getMessage()).contains("unpaired surrogate");
    }
    for (int pad = 0; pad < 9; pad++) { // the escape in each of the eight bytes read together
      String x = "x".repeat(pad);
      assertThat(refused("{\"p\":\"" + x + "\",\"t\":[\"\\u0000\"]}").field()).isEqualTo("t[0]");
      assertThat(refused("{\"p\":\"" + x + "\\ud800\",\"t\":[]}").field()).isEqualTo("p");
      assertThat(parse("{\"p\":\"" + x + "\\u00e9\"}").text("p", 20)).isEqualTo(x + "é");
    }
    byte[] raw = "{\"p\":\"x___\"}".getBytes(StandardCharsets.US_ASCII);
    raw[7] = (byte) 0xed; // a surrogate in raw UTF-8 (CESU-8), not escaped
    raw[8] = (byte) 0xa0;
    raw[9] = (byte) 0x80;
    ApiError cesu = catchThrowableOfType(ApiError.class, () -> JsonBody.parseObject(MAPPER, raw));
    assertThat(cesu.status()).isEqualTo(400);
    JsonBody emoji = parse("{\"tests\":[\"\\ud83d\\ude00\", \"é\"]}");
    assertThat(emoji.raw("tests").get(0).asText()).isEqualTo("\uD83D\uDE00");
    assertThat(emoji.postedText("tests")).isEqualTo("[\"\\ud83d\\ude00\", \"é\"]");
  }

  @Test
  void malformed_or_trailing_content_and_other_values_get_the_same_errors_as_ever() {
    ApiError malformed = refused("{\"tests\":[{\"number\":1,}]}");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.getMessage()).startsWith("malformed JSON at line 1, column 23");
    assertThat(refused("{\"tests\":[]} {}").getMessage())
        .startsWith("unexpected content after the JSON value at line 1, column 14");
    assertThat(refused("[{\"tests\":[]}]").getMessage())
        .isEqualTo("the body must be a JSON object, got an array");
    assertThat(refused("").getMessage()).startsWith("the body is empty");
    JsonNode nested = parse("{\"a\":null,\"b\":[null]}").node();
    assertThat(nested.get("a").isNull()).isTrue();
    assertThat(nested.get("b").get(0).isNull()).isTrue();
  }
}
