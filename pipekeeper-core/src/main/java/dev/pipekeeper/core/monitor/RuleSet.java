package dev.pipekeeper.core.monitor;

import java.util.List;

/**
 * The rules in force (see {@link Rules#inForce}): the defaults, less those switched off by name and
 * with those a stored rule of the same name replaces, then the stored rules of other names.
 *
 * @param rules the rules the monitor evaluates, defaults first, in order
 * @param replaced names of defaults a stored rule of the same name replaces, sorted
 * @param disabled names of defaults switched off ({@code "enabled": false}), sorted
 */
public record RuleSet(List<Rule> rules, List<String> replaced, List<String> disabled) {
  public RuleSet {
    rules = List.copyOf(rules);
    replaced = replaced.stream().sorted().distinct().toList();
    disabled = disabled.stream().sorted().distinct().toList();
  }

  /** Whether {@code rule} is a default rule as shipped (not stored, not replaced). */
  public boolean isDefault(Rule rule) {
    return Rules.defaults().contains(rule) && !replaced.contains(rule.name());
  }
}
