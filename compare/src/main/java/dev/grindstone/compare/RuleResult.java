package dev.grindstone.compare;

/**
 * A pass/fail rule (a threshold, a tolerance) checked against one test or the totals: one test case
 * of a JUnit-XML report.
 *
 * @param rule the rule as written, e.g. {@code p99<250ms} or {@code p99 increase at most 10%}
 * @param scope what it was checked against: {@code Test 3} or {@code Totals}
 * @param actual the figure found, with its unit
 * @param expected what the rule asks for
 * @param message one sentence saying what happened, actual and expected values included
 */
public record RuleResult(
    String rule, String scope, boolean passed, String actual, String expected, String message) {}
