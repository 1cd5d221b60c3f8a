package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.TestContext;
import dev.grindstone.livecheck.TestExecution;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Adds the current LiveCheck test's headers to every record a service produces inside a test (the
 * Kafka half of Faust's {@code on_produce_message} hook); records produced outside a test, or that
 * already carry a test, pass unchanged. Enable it in the service's producer:
 *
 * <pre>{@code
 * props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, LiveCheckProducerInterceptor.class.getName());
 * }</pre>
 *
 * The consumer side restores the test with {@link LiveCheckRecords}. {@code send} runs the
 * interceptor on the calling thread, where the test is current. Thread-safe.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LiveCheckProducerInterceptor<K, V> implements ProducerInterceptor<K, V> {

  @Override
  public ProducerRecord<K, V> onSend(ProducerRecord<K, V> record) {
    Optional<TestExecution> test = TestContext.current();
    if (test.isEmpty()
        || record.headers().lastHeader(dev.grindstone.livecheck.http.LiveCheckHeaders.TEST_ID)
            != null) {
      return record;
    }
    // A new record: the caller's headers may be read-only, or reused for other sends.
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    KafkaHeaders.write(headers, test.get());
    return new ProducerRecord<>(
        record.topic(),
        record.partition(),
        record.timestamp(),
        record.key(),
        record.value(),
        headers);
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
