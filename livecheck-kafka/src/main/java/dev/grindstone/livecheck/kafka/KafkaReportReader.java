package dev.grindstone.livecheck.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the {@code livecheck-report} topic in a consumer group of its own and hands each polled
 * batch, as the JSON text of each report, to a store (the metrics server's LiveCheck ingestion).
 * Offsets are committed only after the store returned, so a report is never lost; a batch whose
 * store throws is read again after a pause. The store deduplicates (by test id), since a report may
 * be read twice after a crash or a rebalance. A new group starts at the oldest report the topic
 * keeps. Thread-safe; {@link #close()} stops it.
 */
public final class KafkaReportReader implements AutoCloseable {
  /** Where a batch goes; it returns once the reports are stored, or throws. */
  @FunctionalInterface
  public interface Store {
    void store(List<String> reports) throws Exception;
  }

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Store store;
  private final Consumer<String> log;
  private final Duration retryDelay;
  private final Thread thread;
  private final AtomicLong read = new AtomicLong();
  private final AtomicLong batchesFailed = new AtomicLong();
  private volatile boolean closed;

  private KafkaReportReader(Builder b, Store store) {
    this.topic = b.topics.reports();
    this.store = store;
    this.log = b.log;
    this.retryDelay = b.retryDelay;
    Properties p = new Properties();
    p.putAll(b.clientConfig);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, b.groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, b.batchSize);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, b.groupId + "-reports");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread =
        Thread.ofPlatform().daemon().name("livecheck-report-reader").unstarted(this::loop);
  }

  /** A builder for the cluster at {@code bootstrapServers}. */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** Reports handed to the store so far (including any read again). */
  public long read() {
    return read.get();
  }

  /** Batches the store refused (each is read again). */
  public long batchesFailed() {
    return batchesFailed.get();
  }

  /** Stops reading after the batch in hand; what was stored is committed. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    try (consumer) {
      consumer.subscribe(List.of(topic));
      while (!closed) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        List<String> batch = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          first.putIfAbsent(tp, r.offset());
          next.put(tp, new OffsetAndMetadata(r.offset() + 1));
          if (r.value() != null) {
            batch.add(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
        try {
          store.store(batch);
        } catch (Exception e) {
          batchesFailed.incrementAndGet();
          log.accept(
              "livecheck reports: "
                  + batch.size()
                  + " report(s) from "
                  + topic
                  + " not stored, reading them again in "
                  + retryDelay.toMillis()
                  + " ms: "
                  + e);
          first.forEach(consumer::seek);
          sleep(retryDelay);
          continue;
        }
        read.addAndGet(batch.size());
        try {
          consumer.commitSync(next);
        } catch (WakeupException e) {
          consumer.commitSync(next);
          throw e;
        } catch (RuntimeException e) {
          // Stored but not committed: read again later, and the store's deduplication skips them.
          log.accept("livecheck reports: commit failed: " + e);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        log.accept("livecheck reports: the reader of " + topic + " stopped: " + e);
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures a {@link KafkaReportReader}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Object> clientConfig;
    private LiveCheckTopics topics = LiveCheckTopics.DEFAULT;
    private String groupId = "grindstone-server";
    private int batchSize = 500;
    private Duration retryDelay = Duration.ofSeconds(1);
    private Consumer<String> log = Clients.defaultLog();

    private Builder(String bootstrapServers) {
      clientConfig = Clients.config(bootstrapServers);
    }

    public Builder topics(LiveCheckTopics topics) {
      this.topics = Objects.requireNonNull(topics);
      return this;
    }

    /** The consumer group (default "grindstone-server"); servers sharing it share the reports. */
    public Builder groupId(String groupId) {
      if (groupId == null || groupId.isBlank()) {
        throw new IllegalArgumentException("groupId: must not be blank");
      }
      this.groupId = groupId;
      return this;
    }

    /** Reports per batch at most (default 500). */
    public Builder batchSize(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("batchSize = " + n + ": must be >= 1");
      }
      this.batchSize = n;
      return this;
    }

    /** Pause before reading a refused batch again (default 1 s). */
    public Builder retryDelay(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("retryDelay = " + d + ": must be >= 0");
      }
      this.retryDelay = d;
      return this;
    }

    /** Any other Kafka consumer setting (security, SASL). */
    public Builder clientProperty(String name, Object value) {
      clientConfig.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    public Builder log(Consumer<String> log) {
      this.log = Objects.requireNonNull(log);
      return this;
    }

    /** Starts reading into {@code store}. */
    public KafkaReportReader start(Store store) {
      KafkaReportReader r = new KafkaReportReader(this, Objects.requireNonNull(store));
      r.thread.start();
      return r;
    }
  }
}
