package dev.grindstone.prometheus;

/**
 * What remote write delivered over a run. A sample is one value of one series at one time: a
 * counter's or gauge's value, a native histogram, or one classic bucket, count or sum.
 *
 * @param requests requests the receiver accepted
 * @param samples samples in them
 * @param droppedSamples samples never delivered: dropped when the buffer was full, refused by the
 *     receiver, or still pending when the run's end stopped waiting
 * @param droppedRequests how many periods' worth of samples (whole or part) those were
 * @param histograms the form histograms were last sent in ({@link HistogramMode#NATIVE} or {@link
 *     HistogramMode#CLASSIC})
 * @param lastProblem why the last failed attempt failed, or null when none failed
 */
public record RemoteWriteReport(
    long requests,
    long samples,
    long droppedSamples,
    long droppedRequests,
    HistogramMode histograms,
    String lastProblem) {}
