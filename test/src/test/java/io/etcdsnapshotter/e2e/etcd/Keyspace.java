package io.etcdsnapshotter.e2e.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A member's whole keyspace, for comparing what a restored member serves with its source. */
public final class Keyspace {
  private Keyspace() {}

  /**
   * Every key as key -> "value|create|mod|version|lease", the value hex unless it is plain text; read in pages,
   * since the whole keyspace is bigger than a gRPC message may be.
   */
  public static Map<String, String> dump(Client client) throws Exception {
    return dump(client, 0);
  }

  /** As {@link #dump(Client)}, as it was at {@code revision} (0: the newest). */
  public static Map<String, String> dump(Client client, long revision) throws Exception {
    Map<String, String> dump = new TreeMap<>();
    ByteSequence end = ByteSequence.from(new byte[] {0});
    byte[] from = {0};
    List<KeyValue> page;
    do {
      page = client.getKVClient().get(ByteSequence.from(from), GetOption.builder().withRange(end).withLimit(200)
          .withRevision(revision).build()).get(60, TimeUnit.SECONDS).getKvs();
      for (KeyValue kv : page) {
        put(dump, kv);
        from = Arrays.copyOf(kv.getKey().getBytes(), kv.getKey().size() + 1);
      }
    } while (!page.isEmpty());
    return dump;
  }

  private static void put(Map<String, String> dump, KeyValue kv) {
    byte[] value = kv.getValue().getBytes();
    String shown = new String(value, StandardCharsets.UTF_8).equals("ok") ? "ok" : HexFormat.of().formatHex(value);
    dump.put(kv.getKey().toString(StandardCharsets.UTF_8), shown + "|" + kv.getCreateRevision() + "|"
        + kv.getModRevision() + "|" + kv.getVersion() + "|" + kv.getLease());
  }
}
