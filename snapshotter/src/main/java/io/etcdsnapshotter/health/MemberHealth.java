package io.etcdsnapshotter.health;

import java.util.List;

/**
 * One member as {@code check} saw it. {@code id} is hex as etcdctl prints it ("" when the member never answered and
 * the member list did not name it); {@code peerUrls} are the member list's (empty without one); the raft and size
 * figures are 0 and {@code hash} null when it was not reached. {@code reachable} means it answered its status (what
 * counts towards quorum: it votes); {@code healthy} that the answer carried no error (such as "no leader").
 * {@code problems} lists each thing an operator should act on (unreachable, errors, alarms, quota, disagreement), one
 * phrase each.
 */
public record MemberHealth(String name, String id, String endpoint, List<String> peerUrls, boolean reachable,
    boolean healthy, boolean leader, boolean learner, long raftTerm, long raftIndex, long revision, long dbSize,
    long dbSizeInUse, List<String> alarms, Long hash, String version, List<String> problems) {}
