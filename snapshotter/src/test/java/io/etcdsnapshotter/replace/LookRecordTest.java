package io.etcdsnapshotter.replace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The count automatic recovery keeps between looks: successive looks of one kind, restarted by anything else. */
class LookRecordTest {
  @TempDir Path root;

  @Test
  void successiveLooksOfOneKindCountUpAndKeepWhenTheRunStarted() throws Exception {
    LookRecord record = LookRecord.in(root.resolve("recovery"), "main");

    LookRecord.Entry first = record.count("master-3", LookRecord.Kind.FAILING, "unreachable");
    LookRecord.Entry second = record.count("master-3", LookRecord.Kind.FAILING, "its data dir is missing");

    assertThat(first.looks()).isEqualTo(1);
    assertThat(second.looks()).isEqualTo(2);
    assertThat(second.since()).isEqualTo(first.since());
    assertThat(second.last()).isEqualTo("its data dir is missing");
    assertThat(LookRecord.in(root.resolve("recovery"), "events").read()).as("one record per cluster").isEmpty();
  }

  @Test
  void anotherKindAnotherMemberOrAClearStartsAfresh() throws Exception {
    LookRecord record = LookRecord.in(root, "main");
    record.count("master-3", LookRecord.Kind.FAILING, "unreachable");
    record.count("master-3", LookRecord.Kind.FAILING, "unreachable");

    assertThat(record.count("master-3", LookRecord.Kind.QUORUM_LOST, "no leader").looks()).isEqualTo(1);
    assertThat(record.count("master-4", LookRecord.Kind.QUORUM_LOST, "no leader").looks()).isEqualTo(1);
    record.clear();
    assertThat(record.read()).isEmpty();
    assertThat(record.count("master-4", LookRecord.Kind.QUORUM_LOST, "no leader").looks()).isEqualTo(1);
  }

  @Test
  void theRecordIsPrivateAndAnUnreadableOneCountsAsNone() throws Exception {
    LookRecord record = LookRecord.in(root.resolve("recovery"), "main");
    record.count("master-3", LookRecord.Kind.FAILING, "unreachable");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record.file()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("recovery"))))
        .isEqualTo("rwx------");
    Files.writeString(record.file(), "{half");
    assertThat(record.count("master-3", LookRecord.Kind.FAILING, "unreachable").looks()).isEqualTo(1);
  }
}
