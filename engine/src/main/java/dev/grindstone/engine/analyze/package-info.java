/**
 * The data log, in one format both ways ({@link dev.grindstone.engine.analyze.DataLogFormat}): a
 * run writes it as {@code data.csv}, and this package reads and aggregates it and The Grinder's own
 * data logs ({@code *-data.log}): one line per call with {@code Thread, Run, Test, Start time (ms
 * since Epoch), Test time, Errors}, then the data-log columns of plug-ins (the HTTP plug-in's
 * seven) and further registered columns.
 *
 * <p>Cost model: a file is streamed through one reused byte buffer and parsed by hand, without a
 * {@code String} or any other object per line. Memory is constant in the number of lines: one
 * {@link dev.grindstone.stats.StatisticsSet} and two latency histograms per test number.
 *
 * <p>Entry point: {@link dev.grindstone.engine.analyze.DataLogAnalyzer}; its result, a {@link
 * dev.grindstone.engine.analyze.DataLogAnalysis}, is printed by {@link
 * dev.grindstone.engine.analyze.AnalysisReport} as text, JSON or CSV.
 */
package dev.grindstone.engine.analyze;
