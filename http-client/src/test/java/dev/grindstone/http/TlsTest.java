package dev.grindstone.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS against the JDK's HttpsServer with a self-signed certificate made by keytool for this run.
 */
class TlsTest {
  private static final String PASSWORD = "changeit";

  @TempDir static Path dir;
  static Path trustStore;
  static JdkServer server;

  @BeforeAll
  static void start() throws Exception {
    Path keyStore = dir.resolve("server.p12");
    trustStore = dir.resolve("trust.p12");
    Path cert = dir.resolve("server.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "server",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "server",
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        trustStore.toString(),
        "-storepass",
        PASSWORD);
    KeyStore ks = KeyStore.getInstance(keyStore.toFile(), PASSWORD.toCharArray());
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    server = JdkServer.https(ssl).route("/hello", ex -> JdkServer.respond(ex, 200, "secure hello"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "keytool");
    List<String> cmd = new java.util.ArrayList<>(List.of(bin.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("keytool %s: %s", args[0], out).isZero();
  }

  @Test
  void insecure_client_accepts_a_self_signed_certificate_and_measures_the_handshake() {
    RecordingListener listener = new RecordingListener();
    try (HttpClient client = HttpClient.builder().insecure().listener(listener).build()) {
      HttpResponse r = client.get(server.url("/hello"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyString()).isEqualTo("secure hello");
      assertThat(r.timings().tlsMicros()).isPositive();
      assertThat(r.timings().requestSentMicros())
          .isGreaterThanOrEqualTo(r.timings().connectMicros() + r.timings().tlsMicros());
      HttpResponse again = client.get(server.url("/hello"));
      assertThat(again.newConnection()).isFalse();
      assertThat(again.timings().tlsMicros()).isZero();
    }
  }

  @Test
  void send_async_over_tls_completes_on_the_event_loop_and_reuses_the_connection()
      throws Exception {
    try (HttpClient client = HttpClient.builder().insecure().build()) {
      HttpRequest hello = HttpRequest.get(server.url("/hello")).build();
      HttpResponse first = client.sendAsync(hello).get(10, TimeUnit.SECONDS);
      assertThat(first.bodyString()).isEqualTo("secure hello");
      assertThat(first.timings().tlsMicros()).isPositive();
      // The second request is written from the event loop, through the TLS handler.
      HttpResponse second =
          client
              .sendAsync(hello)
              .thenCompose(r -> client.sendAsync(hello))
              .get(10, TimeUnit.SECONDS);
      assertThat(second.bodyString()).isEqualTo("secure hello");
      assertThat(second.newConnection()).isFalse();
    }
  }

  @Test
  void send_async_fails_an_untrusted_certificate_with_kind_tls() throws Exception {
    try (HttpClient client = HttpClient.builder().build()) {
      assertThat(client.sendAsync(HttpRequest.get(server.url("/hello")).build()))
          .failsWithin(10, TimeUnit.SECONDS)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(
              HttpFailure.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.TLS));
    }
  }

  @Test
  void default_trust_rejects_a_self_signed_certificate_with_kind_tls() {
    RecordingListener listener = new RecordingListener();
    try (HttpClient client = HttpClient.builder().listener(listener).build()) {
      assertThatThrownBy(() -> client.get(server.url("/hello")))
          .isInstanceOfSatisfying(
              HttpFailure.class,
              f -> {
                assertThat(f.kind()).isEqualTo(FailureKind.TLS);
                assertThat(f.getMessage()).contains("TLS handshake with https://127.0.0.1:");
              });
      assertThat(listener.count(FailureKind.TLS)).isEqualTo(1);
    }
  }

  @Test
  void a_trust_store_holding_the_certificate_is_trusted_with_host_name_verification() {
    try (HttpClient client = HttpClient.builder().trustStore(trustStore, PASSWORD).build()) {
      assertThat(client.get(server.url("/hello")).status()).isEqualTo(200);
    }
  }

  @Test
  void plain_http_to_a_tls_port_fails_without_crashing() {
    try (HttpClient client = HttpClient.builder().build()) {
      String url = server.url("/hello").replace("https://", "http://");
      assertThatThrownBy(() -> client.get(url)).isInstanceOf(HttpFailure.class);
    }
  }

  @Test
  void a_missing_trust_store_is_a_clear_configuration_error() {
    assertThatThrownBy(() -> HttpClient.builder().trustStore(dir.resolve("nope.p12"), "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.p12")
        .hasMessageContaining("does not exist");
  }
}
