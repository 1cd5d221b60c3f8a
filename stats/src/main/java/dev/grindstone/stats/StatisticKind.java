package dev.grindstone.stats;

/** The three kinds of statistic The Grinder knows. */
public enum StatisticKind {
  LONG("basic long"),
  DOUBLE("basic double"),
  SAMPLE("sample");

  private final String label;

  StatisticKind(String label) {
    this.label = label;
  }

  /** How the kind is named in messages: "basic long", "basic double", "sample". */
  public String label() {
    return label;
  }
}
