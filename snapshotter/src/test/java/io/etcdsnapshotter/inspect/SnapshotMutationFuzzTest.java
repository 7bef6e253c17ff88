package io.etcdsnapshotter.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.etcdsnapshotter.bolt.BoltFile;
import io.etcdsnapshotter.bolt.SnapshotFixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged variants of a real etcd db (seeded, so a failure replays): bit flips, page header and pointer
 * corruption, bad element offsets, truncation, meta pages with valid checksums but wild fields. Every variant must
 * end in a result or a one-line IOException, within a bound; never another exception, a hang or an OOM.
 */
class SnapshotMutationFuzzTest {
  private static final long SEED = 20261122L;
  private static final int CASES = 3000;
  private static final long CASE_TIMEOUT_SECONDS = 10;
  private static final int PAGE = SnapshotFixtures.PAGE;

  @TempDir Path tmp;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fuzz-case");
    t.setDaemon(true);
    return t;
  });

  @AfterEach
  void stopWorker() {
    worker.shutdownNow();
  }

  @Test
  void everyMutationEndsInAResultOrAOneLineIoException() throws Exception {
    byte[] base = SnapshotFixtures.db("3.4");
    Random random = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    Path file = Files.write(tmp.resolve("fuzz.db"), base);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      for (int n = 0; n < CASES; n++) {
        byte[] variant = base.clone();
        String mutation = mutate(random, variant);
        boolean truncate = mutation.equals("truncate");
        int length = truncate ? random.nextInt(base.length) : base.length;
        // Only the damaged range is written, and put back afterwards: the file stays in the page cache.
        int from = truncate ? length : Math.max(Arrays.mismatch(base, variant), 0);
        int to = truncate ? base.length : lastMismatch(base, variant) + 1;
        channel.truncate(length);
        channel.write(ByteBuffer.wrap(variant, from, truncate ? 0 : Math.max(to - from, 0)), from);
        String outcome = runBounded(file, "case " + n + " (" + mutation + ")");
        outcomes.merge(outcome, 1, Integer::sum);
        channel.write(ByteBuffer.wrap(base, from, Math.max(to - from, 0)), from);
      }
    }
    // The mutations must reach the checks, not just the SHA-256 or the meta checksum.
    assertThat(outcomes.keySet()).anyMatch(o -> o.contains("not greater than the key before"))
        .anyMatch(o -> o.contains("outside the data pages")).anyMatch(o -> o.contains("more than once"))
        .anyMatch(o -> o.contains("runs past the end")).anyMatch(o -> o.equals("ok"));
  }

  private static int lastMismatch(byte[] a, byte[] b) {
    int i = a.length - 1;
    while (i >= 0 && a[i] == b[i]) {
      i--;
    }
    return i;
  }

  private String runBounded(Path file, String label) throws InterruptedException {
    Future<String> result = worker.submit(() -> exercise(file));
    try {
      return result.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      result.cancel(true);
      return fail(label + " did not finish within " + CASE_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      return fail(label + " ended in " + e.getCause(), e.getCause());
    }
  }

  /** Everything a user can run on a file: status, verify, and the reader's own API. Returns the outcome's kind. */
  private static String exercise(Path file) {
    String outcome = "ok";
    try {
      SnapshotStatus.of(file);
    } catch (IOException e) {
      outcome = kind(e);
    }
    try {
      Verifier.verify(file);
    } catch (IOException e) {
      kind(e);
    }
    try (BoltFile bolt = BoltFile.open(file)) {
      for (byte[] bucket : bolt.bucketNames()) {
        bolt.forEach(bucket, (k, v) -> { });
      }
      bolt.get(bytes("meta"), bytes("consistent_index"));
      bolt.get(bytes("key"), new byte[17]);
    } catch (IOException e) {
      kind(e);
    }
    return outcome;
  }

  /** The problem part of a one-line message, without numbers, so outcomes can be tallied. */
  private static String kind(IOException e) {
    String message = e.getMessage();
    assertThat(message).as("message of %s", e).isNotBlank().doesNotContain("\n");
    return message.replaceAll("0x[0-9a-f]+", "0xH").replaceAll("[0-9]+", "N").replaceAll("'[^']*'", "K");
  }

  private static String mutate(Random random, byte[] f) {
    ByteBuffer b = SnapshotFixtures.littleEndian(f);
    int pages = f.length / PAGE;
    int page = 2 + random.nextInt(pages - 2);
    int at = page * PAGE;
    // Overflow continuation pages hold data where a header would be: keep element offsets inside the page.
    int count = Math.min(Short.toUnsignedInt(b.getShort(at + 10)), (PAGE - 16) / 16);
    int element = at + 16 + 16 * (count == 0 ? 0 : random.nextInt(count));
    switch (random.nextInt(9)) {
      case 0 -> {
        for (int i = random.nextInt(8); i >= 0; i--) {
          f[at + random.nextInt(16 + 16 * Math.max(count, 1))] ^= (byte) (1 << random.nextInt(8));
        }
        return "flip header/element bits of page " + page;
      }
      case 1 -> {
        int field = random.nextInt(4);
        long value = wild(random, pages);
        switch (field) {
          case 0 -> b.putLong(at, value);
          case 1 -> b.putShort(at + 8, (short) value);
          case 2 -> b.putShort(at + 10, (short) value);
          default -> b.putInt(at + 12, (int) value);
        }
        return "header field " + field + " of page " + page + " = " + value;
      }
      case 2 -> {
        b.putLong(element + 8, random.nextBoolean() ? page : wild(random, pages));
        return "branch pointer at " + element;
      }
      case 3 -> {
        b.putInt(element + 4 * random.nextInt(4), (int) wild(random, PAGE * 2));
        return "element field at " + element;
      }
      case 4 -> {
        return "truncate";
      }
      case 5 -> {
        int meta = random.nextInt(2) * PAGE;
        b.putLong(meta + 16 + 16 + 8 * random.nextInt(5), wild(random, pages));
        SnapshotFixtures.resealMeta(b, meta);
        return "meta field of page " + meta / PAGE;
      }
      case 6 -> {
        long rootLeaf = b.getLong(16 + 16);
        int e = (int) (rootLeaf * PAGE + 16 + 16 * random.nextInt(10));
        int value = e + b.getInt(e + 4) + b.getInt(e + 8);
        b.putLong(value + 8 * random.nextInt(4), wild(random, pages));
        return "bucket header or inline page at " + value;
      }
      case 7 -> {
        for (int i = random.nextInt(32); i >= 0; i--) {
          f[random.nextInt(f.length)] ^= (byte) (1 + random.nextInt(255));
        }
        return "random bytes anywhere";
      }
      default -> {
        int other = 2 + random.nextInt(pages - 2);
        System.arraycopy(f, other * PAGE, f, at, PAGE);
        return "page " + page + " overwritten with page " + other;
      }
    }
  }

  /** Values that trip bounds: edges, small page ids, and anything at all. */
  private static long wild(Random random, long near) {
    return switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> -1;
      case 2 -> near;
      case 3 -> random.nextInt((int) near + 1);
      case 4 -> 1L << random.nextInt(64);
      default -> random.nextLong();
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
