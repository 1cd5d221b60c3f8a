package dev.grindstone.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The merged figures of each scenario of runs of several scenarios, from the {@code scenarios} that
 * their snapshots carry: per scenario, per test and in total, over every agent and snapshot. Like
 * {@link RunFigures}, a cache caught up from the store by ordinal: a read folds only the snapshots
 * stored since the last one. A run without scenarios costs one query that finds none.
 *
 * <p>Memory: the histograms of each scenario's tests and totals, for at most {@link #MAX_RUNS}
 * runs, the least recently read dropped first. Thread-safe: reads of one run are serialised.
 */
final class RunScenarios {
  static final int MAX_RUNS = 32;

  private final Database db;
  private final ObjectMapper mapper;
  private final LinkedHashMap<String, State> runs = new LinkedHashMap<>(16, 0.75f, true);

  RunScenarios(Database db, ObjectMapper mapper) {
    this.db = db;
    this.mapper = mapper;
  }

  private static final class Scenario {
    final Map<Integer, Agg> tests = new TreeMap<>();
    final Agg total = new Agg();
  }

  private static final class State {
    long version;
    final Map<String, Scenario> scenarios = new LinkedHashMap<>();
  }

  /**
   * Each scenario's figures up to {@code version} (the run's last ordinal as its figures were
   * read), in the order they first appear: {@code name}, {@code tests} (each {@code number} with
   * its figures) and {@code totals}, the tables over {@code spanMillis}; empty for a run of one
   * scenario.
   *
   * @param skipped the ordinals of the snapshots the run's figures leave out (their sums would
   *     overflow): left out of the scenarios' too, so that they add up to the run's
   */
  List<Map<String, Object>> figures(
      String runId, long version, long spanMillis, Set<Long> skipped) {
    State s;
    synchronized (runs) {
      s = runs.computeIfAbsent(runId, k -> new State());
      Iterator<State> eldest = runs.values().iterator();
      while (runs.size() > MAX_RUNS) {
        if (eldest.next() != s) {
          eldest.remove();
        }
      }
    }
    synchronized (s) {
      if (version > s.version) {
        fold(runId, s, version, skipped);
      }
      List<Map<String, Object>> out = new ArrayList<>();
      s.scenarios.forEach(
          (name, sc) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            List<Map<String, Object>> tests = new ArrayList<>();
            sc.tests.forEach(
                (n, a) -> {
                  Map<String, Object> row = new LinkedHashMap<>();
                  row.put("number", n);
                  row.putAll(a.table(spanMillis));
                  tests.add(row);
                });
            m.put("tests", tests);
            m.put("totals", sc.total.table(spanMillis));
            out.add(m);
          });
      return out;
    }
  }

  private void fold(String runId, State s, long version, Set<Long> skipped) {
    db.read(
        hd -> {
          hd.createQuery(
                  "SELECT ORDINAL, SCENARIOS FROM RUN_SNAPSHOTS WHERE RUN_ID = :r AND ORDINAL >"
                      + " :from AND ORDINAL <= :to AND SCENARIOS IS NOT NULL ORDER BY ORDINAL")
              .bind("r", runId)
              .bind("from", s.version)
              .bind("to", version)
              .map(
                  (rs, c) ->
                      skipped.contains(rs.getLong("ORDINAL")) ? null : rs.getString("SCENARIOS"))
              .forEach(
                  json -> {
                    if (json != null) {
                      add(s, json);
                    }
                  });
          return null;
        });
    s.version = version;
  }

  /** Adds one stored snapshot's scenarios; one that no longer passes the rules counts nothing. */
  private void add(State s, String json) {
    JsonNode node;
    try {
      node = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      return;
    }
    List<List<TestEntry>> entries = new ArrayList<>();
    try {
      for (int k = 0; k < node.size(); k++) {
        entries.add(SnapshotTests.parseStored(node.get(k).get("tests")));
      }
    } catch (ApiError e) {
      return;
    }
    for (int k = 0; k < node.size(); k++) {
      Scenario sc =
          s.scenarios.computeIfAbsent(node.get(k).path("name").asText(), n -> new Scenario());
      for (TestEntry e : entries.get(k)) {
        Agg.addAll(e, sc.tests.computeIfAbsent(e.number(), n -> new Agg()), sc.total);
      }
    }
  }
}
