/**
 * Reading and aggregating The Grinder's data logs ({@code *-data.log}): one line per call with
 * {@code Thread, Run, Test, Start time (ms since Epoch), Test time, Errors}, optionally the HTTP
 * plug-in's seven columns and further registered columns.
 *
 * <p>Cost model: a file is streamed through one reused byte buffer and parsed by hand, without a
 * {@code String} or any other object per line. Memory is constant in the number of lines: one
 * {@link dev.grindstone.stats.StatisticsSet} and two latency histograms per test number.
 *
 * <p>Entry point: {@link dev.grindstone.engine.analyze.DataLogAnalyzer}; its result, a
 * {@link dev.grindstone.engine.analyze.DataLogAnalysis}, is printed by
 * {@link dev.grindstone.engine.analyze.AnalysisReport} as text, JSON or CSV.
 */
package dev.grindstone.engine.analyze;
