package io.etcdsnapshotter.e2e.salt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The outcome of one {@code salt-call state.apply}: its exit code and every state's result, in run order. */
record StateRun(int exitCode, List<State> states, String stderr) {

  /** One state's result; {@code seconds} is how long Salt ran it (its {@code duration}, in milliseconds). */
  record State(String id, Boolean result, String comment, Map<?, ?> changes, int order, double seconds) {
    static State of(Map<String, Object> json) {
      Object changes = json.get("changes");
      Object order = json.get("__run_num__");
      Object duration = json.get("duration");
      return new State(String.valueOf(json.get("__id__")), (Boolean) json.get("result"),
          String.valueOf(json.get("comment")), changes instanceof Map<?, ?> map ? map : Map.of(),
          order instanceof Number n ? n.intValue() : -1, duration instanceof Number ms ? ms.doubleValue() / 1000 : 0);
    }
  }

  /**
   * The states of one minion's return, in run order: salt-call and salt print {stateKey: {...}} per minion, or a list
   * of render errors when an sls does not render.
   */
  @SuppressWarnings("unchecked")
  static List<State> states(Object ret) {
    List<State> states = new ArrayList<>();
    if (ret instanceof Map<?, ?> byKey) {
      ((Map<String, Map<String, Object>>) byKey).values().forEach(state -> states.add(State.of(state)));
    } else if (ret instanceof List<?> errors) {
      errors.forEach(error -> states.add(new State("render", Boolean.FALSE, String.valueOf(error), Map.of(), -1, 0)));
    }
    states.sort((a, b) -> Integer.compare(a.order(), b.order()));
    return states;
  }

  boolean succeeded() {
    return exitCode == 0 && !states.isEmpty() && states.stream().allMatch(s -> Boolean.TRUE.equals(s.result()));
  }

  List<State> changed() {
    return states.stream().filter(s -> !s.changes().isEmpty()).toList();
  }

  List<String> failures() {
    return states.stream().filter(s -> !Boolean.TRUE.equals(s.result())).map(State::comment).toList();
  }

  /** What an assertion message shows, so a failing test says what Salt said. */
  @Override
  public String toString() {
    return "exit " + exitCode + "\n" + states.stream()
        .map(s -> s.id() + " result=" + s.result() + " comment=" + s.comment() + " changes=" + s.changes())
        .collect(Collectors.joining("\n")) + "\nstderr:\n" + stderr;
  }
}
