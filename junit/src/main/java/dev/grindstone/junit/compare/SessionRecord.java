package dev.grindstone.junit.compare;

/**
 * A stored session.
 *
 * @param sessionH its hash
 * @param runDate naive local ISO-8601 start; these sort chronologically as text
 */
public record SessionRecord(String sessionH, String runDate) {}
