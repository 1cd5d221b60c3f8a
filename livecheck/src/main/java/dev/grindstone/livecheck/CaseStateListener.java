package dev.grindstone.livecheck;

/** Told whenever a case's state changes. Called on the thread that changed it; keep it short. */
@FunctionalInterface
public interface CaseStateListener {
  /**
   * @param kase the case
   * @param from the previous state
   * @param to the new state
   * @param reason why, in a few words
   */
  void stateChanged(Case kase, State from, State to, String reason);
}
