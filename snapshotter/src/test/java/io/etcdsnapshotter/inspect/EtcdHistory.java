package io.etcdsnapshotter.inspect;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.KeyValue;
import io.etcdsnapshotter.bolt.BoltWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small etcd backend written the way etcd's mvcc store writes it: bucket {@code key} with one entry per revision
 * (BE64(main) '_' BE64(sub), plus 't' for a deletion) holding an {@code mvccpb.KeyValue} encoded by the generated
 * protobuf classes jetcd ships, and bucket {@code meta} with {@code storageVersion} if one is given. Lets a test
 * say what history it means (puts, overwrites, deletes, re-creations) and check the counts etcdutl would print.
 */
final class EtcdHistory {
  private final List<byte[][]> keyBucket = new ArrayList<>();
  private final Map<String, Long> created = new HashMap<>();
  private final Map<String, Long> versions = new HashMap<>();
  private long revision = 1;
  private byte[] storageVersion;

  /** A bbolt db as written: its path and what BoltWriter says it wrote (3.5's hash and totalKey). */
  record Written(Path path, long hash, long pairs) {}

  /** A put of {@code key} at the next revision: a creation, or an overwrite of a key that lives. */
  EtcdHistory put(String key) {
    long rev = ++revision;
    created.putIfAbsent(key, rev);
    long version = versions.merge(key, 1L, Long::sum);
    KeyValue kv = KeyValue.newBuilder().setKey(bytes(key)).setCreateRevision(created.get(key)).setModRevision(rev)
        .setVersion(version).setValue(bytes("value of " + key + " at " + rev)).build();
    return raw(revisionKey(rev, false), kv.toByteArray());
  }

  /** A delete of {@code key} at the next revision: a tombstone holding only the key, as etcd writes it. */
  EtcdHistory delete(String key) {
    created.remove(key);
    versions.remove(key);
    return raw(revisionKey(++revision, true), KeyValue.newBuilder().setKey(bytes(key)).build().toByteArray());
  }

  /** What {@code snapshot restore --bump-revision N} adds: an empty value (the key "") at latest + N. */
  EtcdHistory bump(long by) {
    revision += by;
    return raw(revisionKey(revision, false), new byte[0]);
  }

  /** Any value at the next revision. */
  EtcdHistory value(byte[] value) {
    return raw(revisionKey(++revision, false), value);
  }

  /** Any entry; keys must come in order. */
  EtcdHistory raw(byte[] revisionKey, byte[] value) {
    keyBucket.add(new byte[][] {revisionKey, value});
    return this;
  }

  EtcdHistory storageVersion(String text) {
    storageVersion = bytes(text).toByteArray();
    return this;
  }

  /** The revision the next entry gets. */
  long nextRevision() {
    return revision + 1;
  }

  Written write(Path file) throws IOException {
    try (BoltWriter db = BoltWriter.create(file, 4096)) {
      db.beginBucket("key".getBytes(StandardCharsets.US_ASCII));
      for (byte[][] entry : keyBucket) {
        db.put(entry[0], entry[1]);
      }
      db.endBucket();
      db.beginBucket("meta".getBytes(StandardCharsets.US_ASCII));
      db.put(bytes("consistent_index").toByteArray(), ByteBuffer.allocate(8).putLong(revision).array());
      if (storageVersion != null) {
        db.put(bytes("storageVersion").toByteArray(), storageVersion);
      }
      db.endBucket();
      db.finish();
      return new Written(file, db.contentHash(), db.keyCount());
    }
  }

  static byte[] revisionKey(long main, boolean tombstone) {
    ByteBuffer key = ByteBuffer.allocate(tombstone ? 18 : 17).putLong(main).put((byte) '_').putLong(0);
    if (tombstone) {
      key.put((byte) 't');
    }
    return key.array();
  }

  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
