package dev.grindstone.livecheck.kafka;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;
import dev.grindstone.livecheck.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One app instance's place on Kafka: three consumers, each polled by a thread of its own (tests,
 * bus, leader). See {@link KafkaTransport} for what each does. Thread-safe.
 */
final class KafkaMembership implements Transport.Membership {
  private static final Duration POLL = Duration.ofMillis(100);

  private final KafkaTransport transport;
  private final String app;
  private final Transport.Member member;
  private final Map<String, Object> clientConfig;
  private final LiveCheckTopics topics;
  private final Duration lookback;
  private final Duration sessionTimeout;
  private final int maxInFlight;
  private final Consumer<String> log;
  private final byte[] appBytes;
  private final String instance = UUID.randomUUID().toString().substring(0, 8);
  private final Duration drainTimeout;
  private Thread testThread;
  private Thread busThread;
  private Thread leaderThread;
  private KafkaConsumer<String, byte[]> testConsumer;
  private KafkaConsumer<String, byte[]> busConsumer;
  private KafkaConsumer<String, byte[]> leaderConsumer;
  // closing: take no more tests, give up the lead; closed: stop reading signals too.
  private volatile boolean closing;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicLong signalsRead =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong testsRead =
      new java.util.concurrent.atomic.AtomicLong();

  // Leadership, written by the leader thread.
  private volatile boolean owns;
  private volatile long lastHeartbeatNanos;
  private boolean told;

  KafkaMembership(
      KafkaTransport transport,
      String app,
      Transport.Member member,
      Map<String, Object> clientConfig,
      LiveCheckTopics topics,
      Duration lookback,
      Duration sessionTimeout,
      int maxInFlight,
      Duration drainTimeout,
      Consumer<String> log) {
    this.transport = transport;
    this.app = app;
    this.member = member;
    this.clientConfig = clientConfig;
    this.topics = topics;
    this.lookback = lookback;
    this.sessionTimeout = sessionTimeout;
    this.maxInFlight = maxInFlight;
    this.drainTimeout = drainTimeout;
    this.log = log;
    this.appBytes = app.getBytes(StandardCharsets.UTF_8);
  }

  void start() {
    // Test positions without a commit are set by the rebalance listener (now minus the lookback).
    testConsumer = consumer(topics.testGroup(app), "tests", "none");
    busConsumer = consumer(null, "bus", "latest");
    // The leader topic carries no records: its consumer only holds the partition.
    leaderConsumer = consumer(topics.leaderGroup(app), "leader", "latest");
    busThread = spawn("bus", () -> busLoop(busConsumer));
    testThread = spawn("tests", () -> new TestLoop(testConsumer).run());
    leaderThread = spawn("leader", () -> leaderLoop(leaderConsumer));
  }

  /** Signal events of this app read from the bus so far. */
  long signalsRead() {
    return signalsRead.get();
  }

  /** Test executions of this app handed to the member so far (again after a rebalance). */
  long testsRead() {
    return testsRead.get();
  }

  /**
   * Owns the leader partition, and heard from the group coordinator within the session timeout:
   * past that the group may have handed the lead to another replica without this one knowing yet.
   */
  @Override
  public boolean isLeader() {
    return owns && !closing && System.nanoTime() - lastHeartbeatNanos < sessionTimeout.toNanos();
  }

  /**
   * Leaves: gives up the lead at once (another replica takes over within a rebalance), takes no
   * more tests, waits up to the drain timeout for the tests it has to be reported (signals still
   * arrive meanwhile) and commits them, then stops. Tests still running then are not committed: the
   * group runs them again elsewhere.
   */
  @Override
  public synchronized void close() {
    if (closing) {
      return;
    }
    closing = true;
    leaderConsumer.wakeup();
    join(leaderThread, Duration.ofSeconds(15));
    join(testThread, drainTimeout.plusSeconds(15));
    closed = true;
    busConsumer.wakeup();
    join(busThread, Duration.ofSeconds(15));
    transport.left(this);
  }

  private static void join(Thread t, Duration d) {
    try {
      t.join(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Thread spawn(String role, Runnable loop) {
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("livecheck-kafka-" + app + "-" + role)
            .unstarted(
                () -> {
                  try {
                    loop.run();
                  } catch (WakeupException | InterruptException e) {
                    // closing
                  } catch (RuntimeException e) {
                    if (!closing) {
                      log.accept("livecheck " + app + ": the " + role + " consumer stopped: " + e);
                    }
                  }
                });
    t.start();
    return t;
  }

  private KafkaConsumer<String, byte[]> consumer(String group, String role, String offsetReset) {
    Properties p = new Properties();
    p.putAll(clientConfig);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "livecheck-" + app + "-" + instance + "-" + role);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (group != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      // Classic protocol: the session timeout is the client's, so a dead replica's share moves
      // after 6 s (with the newer protocol the broker's 45 s default applies).
      p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
      p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
      // A heartbeat every second: a survivor learns of a rebalance (and takes the lead) soon after
      // the session ends.
      p.put(
          ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
          (int) Math.max(500, sessionTimeout.toMillis() / 6));
      p.put(
          ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
          List.of(CooperativeStickyAssignor.class.getName()));
    }
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private boolean ours(ConsumerRecord<String, byte[]> r) {
    org.apache.kafka.common.header.Header h = r.headers().lastHeader(KafkaHeaders.APP);
    return h != null && java.util.Arrays.equals(h.value(), appBytes);
  }

  /** Seeks each partition to the first record no older than the lookback, or to its end now. */
  private void seekToLookback(
      KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    long since = System.currentTimeMillis() - lookback.toMillis();
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, since));
    Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query);
    List<TopicPartition> toEnd = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp o = found.get(tp);
      if (o == null) {
        toEnd.add(tp);
      } else {
        c.seek(tp, o.offset());
      }
    }
    // An explicit end offset, read now: seekToEnd would be resolved lazily, at the next fetch,
    // and skip whatever was published in between.
    for (Map.Entry<TopicPartition, Long> e : c.endOffsets(toEnd).entrySet()) {
      c.seek(e.getKey(), e.getValue());
    }
  }

  // ---- signals: every partition of the bus, no group ----

  private void busLoop(KafkaConsumer<String, byte[]> c) {
    try (c) {
      Set<TopicPartition> assigned = new HashSet<>();
      long nextRefresh = 0;
      while (!closed) {
        if (System.nanoTime() - nextRefresh >= 0) {
          // Picks up partitions added to the bus while running (read from their start).
          Set<TopicPartition> all = new HashSet<>();
          for (PartitionInfo pi : c.partitionsFor(topics.bus())) {
            all.add(new TopicPartition(pi.topic(), pi.partition()));
          }
          if (!all.equals(assigned)) {
            Set<TopicPartition> added = new HashSet<>(all);
            added.removeAll(assigned);
            c.assign(all);
            if (assigned.isEmpty()) {
              seekToLookback(c, added);
            } else {
              c.seekToBeginning(added);
            }
            assigned = all;
          }
          // A topic created a moment ago may not be in the metadata yet: ask again soon.
          nextRefresh =
              System.nanoTime()
                  + (all.isEmpty() ? Duration.ofMillis(200) : Duration.ofSeconds(30)).toNanos();
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (!ours(r)) {
            continue;
          }
          SignalEvent event;
          try {
            event = Codec.signal(r.value());
          } catch (java.io.IOException | RuntimeException e) {
            log.accept(
                "livecheck "
                    + app
                    + ": unreadable signal at "
                    + r.topic()
                    + "-"
                    + r.partition()
                    + "@"
                    + r.offset()
                    + " skipped: "
                    + e.getMessage());
            continue;
          }
          signalsRead.incrementAndGet();
          member.onSignal(event);
        }
      }
    }
  }

  // ---- leadership: the owner of the leader topic's one partition ----

  private void leaderLoop(KafkaConsumer<String, byte[]> c) {
    TopicPartition partition = new TopicPartition(topics.leader(), 0);
    try (c) {
      c.subscribe(
          List.of(topics.leader()),
          new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              if (partitions.contains(partition)) {
                // The assignment came with a heartbeat round: fresh now.
                lastHeartbeatNanos = System.nanoTime();
                owns = true;
                tell(true); // here, not after poll returns: a close may cut that poll short
              }
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
              if (partitions.contains(partition)) {
                owns = false;
                tell(false);
              }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
              owns = false;
              tell(false);
            }
          });
      MetricName heartbeatAgo = null;
      while (!closing) {
        c.poll(POLL);
        if (heartbeatAgo == null) {
          heartbeatAgo = metric(c, "consumer-coordinator-metrics", "last-heartbeat-seconds-ago");
        }
        Metric m = heartbeatAgo == null ? null : c.metrics().get(heartbeatAgo);
        if (m != null && m.metricValue() instanceof Number ago && ago.doubleValue() >= 0) {
          // Whole seconds: the reading is at most one second older than the truth.
          long at = System.nanoTime() - (long) ((ago.doubleValue() + 1) * 1e9);
          if (at > lastHeartbeatNanos) {
            lastHeartbeatNanos = at;
          }
        }
        tell(owns);
      }
    } finally {
      owns = false;
      tell(false);
    }
  }

  private void tell(boolean leading) {
    if (leading != told) {
      told = leading;
      member.onLeadership(leading);
    }
  }

  private static MetricName metric(KafkaConsumer<?, ?> c, String group, String name) {
    for (MetricName n : c.metrics().keySet()) {
      if (n.group().equals(group) && n.name().equals(name)) {
        return n;
      }
    }
    return null;
  }

  // ---- test executions: the app's group, committed after the report ----

  /** The test consumer's loop and its bookkeeping of executions in flight. */
  private final class TestLoop implements ConsumerRebalanceListener {
    private final KafkaConsumer<String, byte[]> c;
    // Per partition: offset -> done; guarded by `this`.
    private final Map<TopicPartition, TreeMap<Long, Boolean>> inFlight = new HashMap<>();
    // Per partition: the next offset to commit, and the last one the broker acknowledged.
    private final Map<TopicPartition, Long> ready = new HashMap<>();
    private final Map<TopicPartition, Long> acked = new HashMap<>();
    private int pending;

    TestLoop(KafkaConsumer<String, byte[]> c) {
      this.c = c;
    }

    void run() {
      try (c) {
        c.subscribe(List.of(topics.tests()), this);
        boolean paused = false;
        long drainDeadline = 0;
        while (true) {
          if (closing) {
            if (drainDeadline == 0) {
              drainDeadline = System.nanoTime() + drainTimeout.toNanos();
              c.pause(c.assignment());
              paused = true;
            }
            if (pending() == 0 || System.nanoTime() - drainDeadline > 0) {
              break;
            }
          }
          org.apache.kafka.clients.consumer.ConsumerRecords<String, byte[]> records;
          try {
            records = c.poll(POLL);
          } catch (org.apache.kafka.clients.consumer.InvalidOffsetException e) {
            // A committed offset the topic's retention already deleted: go on from the lookback.
            log.accept(
                "livecheck "
                    + app
                    + ": "
                    + e.getMessage()
                    + "; reading from now minus the lookback");
            seekToLookback(c, e.partitions());
            continue;
          }
          for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            long offset = r.offset();
            track(tp, offset);
            TestExecution ex = null;
            if (ours(r)) {
              try {
                ex = Codec.execution(r.value());
              } catch (java.io.IOException | RuntimeException e) {
                log.accept(
                    "livecheck "
                        + app
                        + ": unreadable test at "
                        + tp
                        + "@"
                        + offset
                        + " skipped: "
                        + e.getMessage());
              }
            }
            if (ex == null) {
              done(tp, offset);
            } else {
              testsRead.incrementAndGet();
              member.onExecution(ex, () -> done(tp, offset));
            }
          }
          Map<TopicPartition, OffsetAndMetadata> commit = committable(null);
          if (!commit.isEmpty()) {
            c.commitAsync(
                commit,
                (offsets, e) -> {
                  if (e == null) {
                    acknowledged(offsets);
                  } else if (!closed
                      && !(e instanceof org.apache.kafka.common.errors.RetriableException
                          || e
                              instanceof
                              org.apache.kafka.clients.consumer.RetriableCommitFailedException
                          || e
                              instanceof
                              org.apache.kafka.common.errors.RebalanceInProgressException)) {
                    // A refused commit is made again at the next turn of the loop, or on
                    // revocation.
                    log.accept("livecheck " + app + ": commit failed: " + e);
                  }
                });
          }
          boolean full = pending() >= maxInFlight || closing;
          if (full && !paused) {
            c.pause(c.assignment());
            paused = true;
          } else if (!full && paused) {
            c.resume(c.paused());
            paused = false;
          }
        }
        // Leaving: commit what is reported, so the group's next owner does not run it again.
        Map<TopicPartition, OffsetAndMetadata> commit = committable(null);
        if (!commit.isEmpty()) {
          try {
            c.commitSync(commit, Duration.ofSeconds(5));
            acknowledged(commit);
          } catch (RuntimeException e) {
            log.accept("livecheck " + app + ": final commit failed: " + e);
          }
        }
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = c.committed(new HashSet<>(partitions));
      List<TopicPartition> fresh = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        if (committed.get(tp) == null) {
          fresh.add(tp);
        }
      }
      seekToLookback(c, fresh);
      // Commit the starting point at once: a partition read once always has a commit, so a later
      // owner resumes there even if nothing else was committed (not at its own now minus lookback).
      if (!fresh.isEmpty()) {
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        fresh.forEach(tp -> start.put(tp, new OffsetAndMetadata(c.position(tp))));
        try {
          c.commitSync(start);
          acknowledged(start);
        } catch (RuntimeException e) {
          log.accept("livecheck " + app + ": commit of the starting offsets failed: " + e);
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      // Let the tests of these partitions report first (up to the drain timeout; signals still
      // arrive on the bus thread): what is committed now does not run again on the next owner.
      long deadline = System.nanoTime() + drainTimeout.toNanos();
      while (pendingIn(partitions) > 0 && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      Map<TopicPartition, OffsetAndMetadata> commit = committable(partitions);
      if (!commit.isEmpty()) {
        try {
          c.commitSync(commit);
          acknowledged(commit);
        } catch (RuntimeException e) {
          log.accept("livecheck " + app + ": commit on revocation failed: " + e);
        }
      }
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    private synchronized void track(TopicPartition tp, long offset) {
      inFlight.computeIfAbsent(tp, k -> new TreeMap<>()).put(offset, false);
      pending++;
    }

    private synchronized void done(TopicPartition tp, long offset) {
      TreeMap<Long, Boolean> m = inFlight.get(tp);
      if (m != null && m.replace(offset, true) != null) {
        pending--;
      }
    }

    private synchronized int pending() {
      return pending;
    }

    private synchronized long pendingIn(Collection<TopicPartition> partitions) {
      long n = 0;
      for (TopicPartition tp : partitions) {
        TreeMap<Long, Boolean> m = inFlight.get(tp);
        if (m != null) {
          n += m.values().stream().filter(d -> !d).count();
        }
      }
      return n;
    }

    /**
     * Per partition, the offset after the longest run of done executions from the oldest, where it
     * is beyond what the broker acknowledged: a refused commit is so made again.
     */
    private synchronized Map<TopicPartition, OffsetAndMetadata> committable(
        Collection<TopicPartition> only) {
      Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
      for (Map.Entry<TopicPartition, TreeMap<Long, Boolean>> e : inFlight.entrySet()) {
        TopicPartition tp = e.getKey();
        if (only != null && !only.contains(tp)) {
          continue;
        }
        TreeMap<Long, Boolean> m = e.getValue();
        while (!m.isEmpty() && m.firstEntry().getValue()) {
          ready.merge(tp, m.pollFirstEntry().getKey() + 1, Math::max);
        }
        Long next = ready.get(tp);
        if (next != null && next > acked.getOrDefault(tp, -1L)) {
          out.put(tp, new OffsetAndMetadata(next));
        }
      }
      return out;
    }

    /** The broker stored these offsets. */
    private synchronized void acknowledged(Map<TopicPartition, OffsetAndMetadata> offsets) {
      offsets.forEach((tp, o) -> acked.merge(tp, o.offset(), Math::max));
    }

    private synchronized void forget(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        ready.remove(tp);
        acked.remove(tp);
        TreeMap<Long, Boolean> m = inFlight.remove(tp);
        if (m != null) {
          pending -= (int) m.values().stream().filter(d -> !d).count();
        }
      }
    }
  }
}
