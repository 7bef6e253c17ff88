package io.etcdsnapshotter.health;

/**
 * Whether the members' key spaces are the same: each member's {@code HashKV} at one {@code revision}.
 * {@code compared} is false when it could not be decided (fewer than two members reached, compaction moving); then
 * {@code agree} is true and {@code detail} says why it was not compared.
 */
public record Agreement(boolean compared, boolean agree, long revision, String detail) {
  static Agreement notCompared(String why) {
    return new Agreement(false, true, 0, why);
  }
}
