package io.etcdsnapshotter.replace;

import io.etcd.jetcd.api.Member;
import io.etcdsnapshotter.health.MemberHealth;
import java.util.List;

/**
 * The member this master runs, as its etcd flags name it: what a replacement removes and adds back. A member is this
 * one when it has one of these peer URLs, or this name: a member added back but not started yet has no name, and a
 * master that moved to another address keeps its name.
 */
public record Target(String name, List<String> peerUrls) {
  public Target {
    peerUrls = List.copyOf(peerUrls);
  }

  boolean is(MemberHealth member) {
    return matches(member.name(), member.peerUrls());
  }

  boolean is(Member member) {
    return matches(member.getName(), member.getPeerURLsList());
  }

  private boolean matches(String memberName, List<String> memberPeerUrls) {
    return memberPeerUrls.stream().anyMatch(peerUrls::contains) || !memberName.isEmpty() && memberName.equals(name);
  }
}
