package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.ReportSink;
import dev.grindstone.livecheck.TestReport;
import dev.grindstone.livecheck.sink.ReportJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes reports to the {@code livecheck-report} topic, keyed by test id (suite reports have no
 * key), as the JSON object the metrics server takes at {@code POST /api/v1/livecheck/reports} (see
 * {@link ReportJson}), with the test's LiveCheck headers and {@code traceparent}. The producer uses
 * {@code acks=all} and idempotence, so a report the broker acknowledged is stored once, and retries
 * through broker restarts within {@code delivery.timeout.ms} (2 min by default).
 *
 * <p>{@link #accept} and {@link #deliver} never block (the producer buffers; when its buffer is
 * full, {@code max.block.ms} applies). {@link #deliver} completes when the broker acknowledged the
 * report; the Kafka transport commits a test's offset only then. Thread-safe.
 */
public final class KafkaReportSink implements ReportSink {
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final boolean ownsProducer;
  private final Consumer<String> log;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  KafkaReportSink(
      KafkaProducer<String, byte[]> producer,
      String topic,
      boolean ownsProducer,
      Consumer<String> log) {
    this.producer = producer;
    this.topic = topic;
    this.ownsProducer = ownsProducer;
    this.log = log;
  }

  /**
   * A sink with a producer of its own, for apps whose tests do not travel over Kafka.
   *
   * @param bootstrapServers {@code host:port[,host:port...]}
   */
  public static KafkaReportSink create(String bootstrapServers, LiveCheckTopics topics) {
    KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            KafkaTransport.producerConfig(Clients.config(bootstrapServers), "livecheck-reports"),
            new StringSerializer(),
            new ByteArraySerializer());
    return new KafkaReportSink(
        p, Objects.requireNonNull(topics).reports(), true, Clients.defaultLog());
  }

  @Override
  public void accept(TestReport report) {
    deliver(report);
  }

  @Override
  public CompletionStage<Void> deliver(TestReport report) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    RecordHeaders headers = new RecordHeaders();
    String key = null;
    if (report.execution() != null) {
      KafkaHeaders.write(headers, report.execution());
      key = report.execution().id();
    }
    headers.add(KafkaHeaders.APP, report.app().getBytes(StandardCharsets.UTF_8));
    byte[] value = Codec.bytes(ReportJson.toJson(report));
    String k = key;
    try {
      producer.send(
          new ProducerRecord<>(topic, null, key, value, headers),
          (md, e) -> {
            if (e == null) {
              sent.incrementAndGet();
              acked.complete(null);
            } else {
              failed.incrementAndGet();
              log.accept("livecheck: report of test " + k + " not stored in " + topic + ": " + e);
              acked.completeExceptionally(e);
            }
          });
    } catch (RuntimeException e) {
      failed.incrementAndGet();
      acked.completeExceptionally(e);
    }
    return acked;
  }

  /** Reports the broker acknowledged. */
  public long sent() {
    return sent.get();
  }

  /** Reports the producer gave up on. */
  public long failed() {
    return failed.get();
  }

  /** Waits for what was sent; closes the producer when this sink made it. */
  @Override
  public void close() {
    if (ownsProducer) {
      producer.close(Duration.ofSeconds(10));
    } else {
      producer.flush();
    }
  }

  @Override
  public String toString() {
    return "KafkaReportSink[" + topic + "]";
  }
}
